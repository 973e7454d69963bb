/// Why a line was not aggregated; the raw values are the `rejected` keys of `_summary.json`.
public enum RejectReason: Int, Sendable, CaseIterable {
  case malformed, bad_time, bad_coordinates

  public var name: String {
    switch self {
    case .malformed: "malformed"
    case .bad_time: "bad_time"
    case .bad_coordinates: "bad_coordinates"
    }
  }
}
