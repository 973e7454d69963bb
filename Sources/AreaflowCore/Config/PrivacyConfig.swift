/// `privacy:` (SPEC section 8): what may be published. Absent, every group is published as it is.
public struct PrivacyConfig: Sendable, Equatable {
  /// What happens to a group with fewer than `k` distinct contributors.
  public enum SmallGroups: String, Sendable, Equatable, CaseIterable {
    /// The row is kept, marked `suppressed`, with null features.
    case suppress
    /// As `suppress`, and the events of an area's suppressed groups are aggregated again into its parent area.
    case roll_up
  }

  /// Where the pseudonymisation key comes from; never the config text itself.
  public enum KeySource: Sendable, Equatable {
    case environment(String)
    /// Already resolved against the config's directory.
    case file(String)
  }

  /// The field whose exact number of distinct values a group needs, and that number.
  public var contributorField: String?
  public var k: Int
  public var smallGroups: SmallGroups
  /// `roll_up`: parent levels tried at most.
  public var rollUpLevels: Int
  /// Counts and distinct counts are rounded to the nearest multiple of this (1: not rounded).
  public var roundCounts: Int
  /// Fields replaced by their HMAC-SHA-256 pseudonym at decode.
  public var pseudonymisedFields: [String]
  public var keySource: KeySource?
  /// The key, read by the command from `keySource` (the config loader reads no environment and no files).
  public var key: SecretKey?
  /// false: side outputs keep the input, the line number and the reason, never the line.
  public var rawLines: Bool

  public init(
    contributorField: String? = nil, k: Int = 1, smallGroups: SmallGroups = .suppress, rollUpLevels: Int = 1,
    roundCounts: Int = 1, pseudonymisedFields: [String] = [], keySource: KeySource? = nil, rawLines: Bool = true
  ) {
    self.contributorField = contributorField
    self.k = k
    self.smallGroups = smallGroups
    self.rollUpLevels = rollUpLevels
    self.roundCounts = roundCounts
    self.pseudonymisedFields = pseudonymisedFields
    self.keySource = keySource
    self.rawLines = rawLines
  }

  /// The largest `k` allowed: distinct counters are exact up to 256 values, so the test against `k` is always on an
  /// exact count, never on an estimate near the threshold.
  public static let maxK = 256
}
