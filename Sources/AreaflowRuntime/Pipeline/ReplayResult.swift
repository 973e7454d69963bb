import AreaflowCore

/// What a replay did: its counters, the inputs that failed, and how long it took.
public struct ReplayResult: Sendable {
  public var summary: RunSummary
  /// One message per input that could not be read to its end (file and byte offset).
  public var inputErrors: [String]
  /// Set when snapshots could not be written.
  public var writeError: String?
  public var seconds: Double
  public var bytesRead: Int64
}
