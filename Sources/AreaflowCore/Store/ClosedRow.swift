/// Finished groups in columnar form: one key per row and one value column per feature, in config order.
///
/// Columnar so that closing thousands of groups allocates a handful of arrays, not one per row.
public struct ClosedRows: Sendable {
  public enum Values: Sendable, Equatable {
    case integers([Int64?])
    case doubles([Double?])
  }
  public var keys: [GroupKey] = []
  public var columns: [Values]

  /// An empty block shaped for `features`.
  public init(features: [FeatureSpec]) {
    columns = features.map { $0.kind.isInteger ? .integers([]) : .doubles([]) }
  }

  public var count: Int { keys.count }
  public var isEmpty: Bool { keys.isEmpty }

  /// Appends every row of `other` (same features).
  /// - Complexity: O(other's rows): each column is taken out of the enum before it grows, so it is appended to in
  ///   place instead of copied whole (a sink gathering a commit's rows would otherwise copy them again and again).
  public mutating func append(contentsOf other: ClosedRows) {
    keys.append(contentsOf: other.keys)
    for f in columns.indices {
      var taken = Values.integers([])
      swap(&taken, &columns[f])
      switch (consume taken, other.columns[f]) {
      case (.integers(var a), .integers(let b)):
        a.append(contentsOf: b)
        columns[f] = .integers(a)
      case (.doubles(var a), .doubles(let b)):
        a.append(contentsOf: b)
        columns[f] = .doubles(a)
      default:
        preconditionFailure("mismatched feature columns")
      }
    }
  }

  /// Row `i`'s value of feature `f` (tests and live views).
  public func value(row i: Int, feature f: Int) -> FeatureValue {
    switch columns[f] {
    case .integers(let a): .integer(a[i])
    case .doubles(let a): .double(a[i])
    }
  }
}
