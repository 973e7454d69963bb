/// Why a line was not aggregated; the raw values are the `rejected` keys of `_summary.json`.
public enum RejectReason: Int, Sendable, CaseIterable {
  case malformed, bad_time, bad_coordinates
  /// `input.lookup`: the key is missing or not in the table. Listed in summaries once it happened.
  case unknown_key

  public var name: String {
    switch self {
    case .malformed: "malformed"
    case .bad_time: "bad_time"
    case .bad_coordinates: "bad_coordinates"
    case .unknown_key: "unknown_key"
    }
  }

  /// Whether summaries list the reason even at zero (the reasons every config can meet).
  public var alwaysListed: Bool { self != .unknown_key }
}
