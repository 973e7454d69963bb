/// Finished groups in columnar form: one key per row and one value column per feature, in config order.
///
/// Columnar so that closing thousands of groups allocates a handful of arrays, not one per row.
public struct ClosedRows: Sendable {
  public enum Values: Sendable, Equatable {
    case integers([Int64?])
    case doubles([Double?])

    /// Appends `other`'s values (the same kind). The payload is taken out of `self` first, so it is uniquely
    /// referenced and grows in place.
    mutating func append(contentsOf other: Values) {
      switch self {
      case .integers(var a):
        self = .integers([])
        guard case .integers(let b) = other else { preconditionFailure("mismatched feature columns") }
        a.append(contentsOf: b)
        self = .integers(a)
      case .doubles(var a):
        self = .doubles([])
        guard case .doubles(let b) = other else { preconditionFailure("mismatched feature columns") }
        a.append(contentsOf: b)
        self = .doubles(a)
      }
    }

    /// Removes every value and keeps the storage, taken out of `self` first as in `append`.
    mutating func removeAll() {
      switch self {
      case .integers(var a):
        self = .integers([])
        a.removeAll(keepingCapacity: true)
        self = .integers(a)
      case .doubles(var a):
        self = .doubles([])
        a.removeAll(keepingCapacity: true)
        self = .doubles(a)
      }
    }
  }
  public var keys: [GroupKey] = []
  public var columns: [Values]
  /// `privacy` only (empty otherwise), one per row: whether the row is suppressed (its features are null) and how
  /// many levels above its scheme's own areas its area is (0: the area itself; 1 and up: a rolled-up parent).
  public var suppressed: [Bool] = []
  public var levels: [UInt8] = []

  /// An empty block shaped for `features`.
  public init(features: [FeatureSpec]) {
    columns = features.map { $0.kind.isInteger ? .integers([]) : .doubles([]) }
  }

  public var count: Int { keys.count }
  public var isEmpty: Bool { keys.isEmpty }

  /// Appends every row of `other` (same features).
  /// - Complexity: O(other's rows): columns grow in place (a sink gathering a commit's rows would otherwise copy
  ///   them again and again).
  public mutating func append(contentsOf other: ClosedRows) {
    keys.append(contentsOf: other.keys)
    for f in columns.indices { columns[f].append(contentsOf: other.columns[f]) }
    suppressed.append(contentsOf: other.suppressed)
    levels.append(contentsOf: other.levels)
  }

  /// Removes every row and keeps the columns' storage: the sink refills the same block for every commit, and
  /// growing it from empty each time copied every column about once more per commit.
  public mutating func removeAll() {
    keys.removeAll(keepingCapacity: true)
    for f in columns.indices { columns[f].removeAll() }
    suppressed.removeAll(keepingCapacity: true)
    levels.removeAll(keepingCapacity: true)
  }

  /// Row `i`'s value of feature `f` (tests and live views).
  public func value(row i: Int, feature f: Int) -> FeatureValue {
    switch columns[f] {
    case .integers(let a): .integer(a[i])
    case .doubles(let a): .double(a[i])
    }
  }
}
