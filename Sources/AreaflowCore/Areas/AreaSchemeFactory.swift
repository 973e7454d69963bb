/// Builds the area schemes of a config. Region files are read by the caller (the I/O edge) and passed in as bytes.
public enum AreaSchemeFactory {
  /// - Parameter readFile: returns a file's bytes; used for `regions` schemes only.
  /// - Throws: `ConfigError` when a scheme's data is unusable (for example a bad GeoJSON file).
  public static func make(
    _ config: PipelineConfig, configFile: String, readFile: (String) throws -> [UInt8]
  ) throws -> [any AreaScheme] {
    try config.areas.map { spec -> any AreaScheme in
      switch spec.kind {
      case .geohash(let precision):
        return GeohashScheme(name: spec.name, precision: precision)
      case .h3(let resolution):
        return H3Scheme(name: spec.name, resolution: resolution)
      case .regions(let path, let idProperty):
        let bytes = try readFile(path)
        do {
          return RegionScheme(
            name: spec.name,
            index: try RegionIndex(geoJSON: bytes, idProperty: idProperty, parentProperty: spec.parentProperty))
        } catch {
          throw ConfigError(
            file: configFile, line: spec.line, column: spec.column, key: "areas.\(spec.name).regions",
            message: "\(path): \(error)")
        }
      }
    }
  }
}
