import Foundation
import Testing

@testable import AreaflowCore

private typealias Support = RegionTestSupport

@Suite("RegionIndex file errors")
struct RegionFileErrorTests {
  private let good = Support.polygon(id: "A", Support.rectangle(lon: 0...1, lat: 0...1))

  /// A collection whose feature 1 is `feature`, after a valid feature 0.
  private func secondFeature(_ feature: String) -> String {
    String(decoding: Support.collection(good, feature), as: UTF8.self)
  }

  private func secondFeatureWithGeometry(_ geometry: String) -> String {
    secondFeature(#"{"type": "Feature", "properties": {"id": "B"}, "geometry": \#(geometry)}"#)
  }

  @Test func invalidJSONReportsByteOffset() {
    let error = Support.loadError(#"{"type": "FeatureCollection", "features": [,]}"#)
    guard case .invalidJSON(let offset, _) = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
    #expect(offset == 43)
    #expect(error?.description.contains("byte offset 43") == true)
  }

  @Test func nonFeatureCollectionIsRejected() {
    let error = Support.loadError(#"{"type": "Feature", "geometry": null}"#)
    #expect(error == .notAFeatureCollection(reason: "'type' is 'Feature'"))
    #expect(error?.description.contains("FeatureCollection") == true)
  }

  @Test func featureWithoutGeometryNamesFeatureIndex() {
    let error = Support.loadError(secondFeatureWithGeometry("null"))
    #expect(error == .missingGeometry(feature: 1))
    #expect(error?.description.contains("feature 1") == true)
  }

  @Test func unsupportedGeometryTypeNamesFeatureIndex() {
    let error = Support.loadError(
      secondFeatureWithGeometry(#"{"type": "LineString", "coordinates": [[0, 0], [1, 1]]}"#))
    #expect(error == .unsupportedGeometry(feature: 1, type: "LineString"))
    #expect(error?.description.contains("feature 1") == true)
    #expect(error?.description.contains("LineString") == true)
  }

  @Test func ringWithFewerThanFourPositionsIsRejected() {
    let error = Support.loadError(
      secondFeatureWithGeometry(#"{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}"#))
    #expect(error == .ringTooShort(feature: 1, polygon: 0, ring: 0, positions: 3))
    #expect(error?.description.contains("feature 1") == true)
  }

  @Test func unclosedRingIsRejected() {
    let error = Support.loadError(
      secondFeatureWithGeometry(
        #"{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}"#))
    #expect(error == .ringNotClosed(feature: 1, polygon: 0, ring: 0))
    #expect(error?.description.contains("feature 1") == true)
  }

  @Test func ringWithoutAreaIsRejected() {
    let error = Support.loadError(
      secondFeatureWithGeometry(
        #"{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]}"#))
    #expect(error == .degenerateRing(feature: 1, polygon: 0, ring: 0))
    #expect(error?.description.contains("feature 1") == true)
  }

  @Test func nonNumericCoordinateIsRejected() {
    let error = Support.loadError(
      secondFeatureWithGeometry(
        #"{"type": "Polygon", "coordinates": [[[0, 0], [1, "0"], [1, 1], [0, 0]]]}"#))
    guard case .invalidCoordinate(1, 0, 0, 1, _) = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
    #expect(error?.description.contains("feature 1") == true)
  }

  @Test func booleanCoordinateIsRejected() {
    let error = Support.loadError(
      secondFeatureWithGeometry(
        #"{"type": "Polygon", "coordinates": [[[0, 0], [true, 0], [1, 1], [0, 0]]]}"#))
    guard case .invalidCoordinate(1, 0, 0, 1, _) = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
  }

  @Test func outOfRangeCoordinateIsRejected() {
    let error = Support.loadError(
      secondFeatureWithGeometry(
        #"{"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[0, 0], [1, 0], [1, 91], [0, 0]]]]}"#
      ))
    #expect(
      error
        == .invalidCoordinate(
          feature: 1, polygon: 1, ring: 0, position: 2, reason: "latitude 91.0 is out of range"))
    #expect(error?.description.contains("feature 1, polygon 1, ring 0, position 2") == true)
  }

  @Test func featureWithoutIDPropertyNamesFeatureIndex() {
    let ring = Support.ringJSON(Support.rectangle(lon: 0...1, lat: 0...1))
    let error = Support.loadError(
      secondFeature(
        #"{"type": "Feature", "properties": {"name": "x"}, "geometry": {"type": "Polygon", "coordinates": [\#(ring)]}}"#
      ))
    #expect(error == .missingID(feature: 1, property: "id"))
    #expect(error?.description.contains("feature 1") == true)
    #expect(error?.description.contains("'id'") == true)
  }

  @Test func booleanIDIsRejected() {
    let ring = Support.ringJSON(Support.rectangle(lon: 0...1, lat: 0...1))
    let error = Support.loadError(
      secondFeature(
        #"{"type": "Feature", "properties": {"id": true}, "geometry": {"type": "Polygon", "coordinates": [\#(ring)]}}"#
      ))
    guard case .invalidID(1, "id", _) = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
  }

  @Test func duplicateIDsNameBothFeatureIndices() {
    let other = Support.polygon(id: "B", Support.rectangle(lon: 2...3, lat: 0...1))
    let json = String(decoding: Support.collection(good, other, good), as: UTF8.self)
    let error = Support.loadError(json)
    #expect(error == .duplicateID(id: "A", firstFeature: 0, secondFeature: 2))
    #expect(error?.description.contains("features 0 and 2") == true)
  }

  @Test func unreadableFileNamesPath() {
    let url = URL(fileURLWithPath: "/nonexistent/regions.geojson")
    do {
      _ = try RegionIndex(contentsOf: url, idProperty: "id")
      Issue.record("expected an error")
    } catch {
      guard case .unreadableFile(let path, _) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(path == "/nonexistent/regions.geojson")
    }
  }
}
