/// `input.lookup` (SPEC section 7): a table joined to each event at decode, for feeds that name a thing (a probe,
/// a stop) whose position or attributes live elsewhere.
public struct LookupSpec: Sendable, Equatable {
  /// The table file (CSV with a header row, or Parquet), resolved against the config's directory.
  public var table: String
  /// The event field whose value is looked up.
  public var key: String
  /// The table column it is matched against.
  public var on: String
  /// The table columns added to each event, usable as field names anywhere a field is named.
  public var fields: [String]
  /// The table itself, read by the command (the config loader reads no files).
  public var loaded: LookupTable?

  public init(table: String, key: String, on: String, fields: [String]) {
    self.table = table
    self.key = key
    self.on = on
    self.fields = fields
  }
}
