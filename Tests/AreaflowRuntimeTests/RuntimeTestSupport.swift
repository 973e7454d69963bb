import AreaflowCore
import Foundation

@testable import AreaflowRuntime

/// A small config, its schemes and a scratch directory, shared by the tests of the runtime's seams.
struct RuntimeTestSupport {
  static let configText = """
    input: {time: ts, lat: lat, lon: lon, dimensions: [route]}
    areas: [{name: g, geohash: 5}]
    windows: [{name: 1m, tumbling: 1m}, {name: 5m, tumbling: 5m}]
    watermark: {max_out_of_order: 0s, allowed_lateness: 0s}
    features: {n: count, vehicles: {distinct: vehicle}}
    """

  let config: PipelineConfig
  let schemes: [any AreaScheme]
  let directory: String

  init() throws {
    config = try ConfigLoader(file: "c.yaml").load(Self.configText)
    schemes = try AreaSchemeFactory.make(config, configFile: "c.yaml") { _ in [] }
    directory = NSTemporaryDirectory() + "areaflow-seam-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  func remove() { try? FileManager.default.removeItem(atPath: directory) }

  /// `count` events, one per second from 08:00:00, on two routes and three vehicles, near one point.
  static func lines(_ count: Int, from first: Int = 0) -> String {
    (first..<(first + count)).map { i in
      let second = i % 60
      let minute = i / 60
      return
        "{\"ts\":\"2026-03-02T08:\(minute < 10 ? "0" : "")\(minute):\(second < 10 ? "0" : "")\(second)Z\",\"lat\":52.5,\"lon\":13.4,\"route\":\"R\(i % 2)\",\"vehicle\":\"v\(i % 3)\"}\n"
    }.joined()
  }

  /// Every file under `directory`, relative to it, sorted.
  func files() -> [String] {
    let walker = FileManager.default.enumerator(atPath: directory)
    var out: [String] = []
    while let relative = walker?.nextObject() as? String {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: "\(directory)/\(relative)", isDirectory: &isDirectory),
        !isDirectory.boolValue
      {
        out.append(relative)
      }
    }
    return out.sorted()
  }

  func text(_ relative: String) -> String {
    String(decoding: FileManager.default.contents(atPath: "\(directory)/\(relative)") ?? Data(), as: UTF8.self)
  }
}
