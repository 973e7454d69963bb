/// A problem with a config file, located precisely enough to fix it without guessing.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
  public var file: String
  /// 1-based line, 0 when the problem has no single place (for example an unreadable file).
  public var line: Int
  public var column: Int
  /// The dotted key path, e.g. `features.speed_p90.q`.
  public var key: String
  public var message: String

  public init(file: String, line: Int, column: Int, key: String, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.key = key
    self.message = message
  }

  public var description: String {
    let place = line > 0 ? "\(file):\(line):\(column)" : file
    return key.isEmpty ? "\(place): \(message)" : "\(place): \(key): \(message)"
  }
}
