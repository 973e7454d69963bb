import Yams

/// A feature's config entry as an `Aggregate` reads it while the config loads: its field, its options, and errors
/// that name the entry or the option at fault, in the loader's words.
struct FeatureEntry {
  /// The entry's key, `features.NAME`.
  let key: String
  /// The field the entry names; empty for a bare aggregate such as `count`, which reads none.
  let field: String
  /// The whole entry, for errors about it as a whole.
  let node: Node
  /// The entry's keys and values; the loader has refused keys no aggregate takes, and options of other aggregates.
  let entries: [String: Node]
  let loader: ConfigLoader

  /// Whether the entry holds `option`.
  func has(_ option: String) -> Bool { entries[option] != nil }

  /// The number under `option`, nil when the entry does not hold it.
  /// - Throws: `ConfigError` when the value is not a finite number.
  func number(_ option: String) throws(ConfigError) -> Double? {
    guard let n = entries[option] else { return nil }
    return try loader.number(n, key: "\(key).\(option)")
  }

  /// An error about `option`'s value, or about the whole entry when `option` is nil.
  func error(at option: String?, _ message: String) -> ConfigError {
    if let option, let n = entries[option] { return loader.error(n, key: "\(key).\(option)", message) }
    return loader.error(node, key: key, message)
  }

  /// An error for a required option the entry lacks.
  func missing(_ option: String, expected: String) -> ConfigError {
    loader.missing("\(key).\(option)", in: node, expected: expected)
  }
}
