import Synchronization

/// The text of every dimension combination seen so far, keyed by its hash: written by the intake when a batch shows
/// a new combination, read when rows are turned into output.
public final class DimensionLabels: Sendable {
  private let table = Mutex<[UInt64: [String?]]>([:])

  public init() {}

  /// Records labels first seen in a batch.
  public func merge(_ labels: [UInt64: [String?]]) {
    guard !labels.isEmpty else { return }
    table.withLock { t in
      for (k, v) in labels where t[k] == nil { t[k] = v }
    }
  }

  /// A consistent copy of all labels.
  public func snapshot() -> [UInt64: [String?]] { table.withLock { $0 } }
}
