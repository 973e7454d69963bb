import AreaflowCore
import AreaflowH3
import ArgumentParser

/// `areaflow locate`: which area of each scheme a point falls in — the tool for when a number looks odd.
struct LocateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "locate",
    abstract: "Print the area a point falls in for each area scheme of a config.",
    discussion: """
      For H3 the cell's centre and boundary are printed too, for geohash the cell's box, for regions every region \
      that contains the point (or that it is outside all of them).

      Example:
        areaflow locate --config configs/transport.yaml 52.52 13.405
      """)

  @Option(name: .long, help: "The YAML config file.")
  var config: String

  @Argument(help: "Latitude in degrees (-90...90).")
  var lat: Double

  @Argument(help: "Longitude in degrees (-180...180).")
  var lon: Double

  func validate() throws {
    guard lat.isFinite, (-90...90).contains(lat) else { throw ValidationError("LAT must be within -90...90") }
    guard lon.isFinite, (-180...180).contains(lon) else { throw ValidationError("LON must be within -180...180") }
  }

  func run() throws {
    let loaded = try LoadedConfig.load(config)
    print("point \(lat), \(lon)")
    for scheme in loaded.schemes {
      var keys: [UInt64] = []
      _ = scheme.assign(lat: lat, lon: lon, into: &keys)
      if keys.isEmpty {
        print("\(scheme.name): outside every area (counted under outside.\(scheme.name))")
        continue
      }
      for key in keys {
        let label = scheme.label(of: key)
        switch scheme {
        case let h as H3Scheme:
          let centre = H3.cellToLatLng(key)
          print("\(scheme.name): \(label) (H3 resolution \(h.resolution))")
          print("  centre \(fmt(centre.lat)), \(fmt(centre.lng))")
          print(
            "  boundary " + H3.cellToBoundary(key).map { "(\(fmt($0.lat)), \(fmt($0.lng)))" }.joined(separator: " "))
        case let g as GeohashScheme:
          let b = g.box(of: key)
          print("\(scheme.name): \(label) (geohash precision \(g.precision))")
          print("  box lat \(fmt(b.minLat))...\(fmt(b.maxLat)), lon \(fmt(b.minLon))...\(fmt(b.maxLon))")
        default:
          print("\(scheme.name): \(label)")
        }
      }
    }
  }

  private func fmt(_ v: Double) -> String {
    let scaled = (v * 1e7).rounded() / 1e7
    return "\(scaled)"
  }
}
