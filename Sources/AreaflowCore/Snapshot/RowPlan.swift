/// A commit's rows sorted for output: per (window, scheme) with rows, the row indices of its table in order, with
/// what every encoder needs to turn them into cells. Tables are built (`table(_:)`) or encoded
/// (`SnapshotEncoder.encode(_:part:)`) one part at a time, each on its own (the sink does them in parallel).
public struct RowPlan: Sendable {
  public let assembler: RowAssembler
  public let rows: ClosedRows
  public let labels: [UInt64: [String?]]
  /// Each row's dimension combination as an index into `combinations` (empty without dimensions).
  let rowCombination: [Int32]
  /// The dimension keys of the combinations present, in order of first appearance.
  let combinations: [UInt64]
  /// Per table: its window and scheme, and the indices of its rows in output order.
  public let parts: [(window: Int, scheme: Int, order: ArraySlice<Int>)]

  /// The labels of combination `c`, one per dimension (missing ones nil).
  func combinationLabels(_ c: Int) -> [String?] { labels[combinations[c]] ?? [] }

  /// The table of part `part`: its columns in SPEC order, rows in order.
  public func table(_ part: Int) -> SnapshotTable {
    let p = parts[part]
    guard !rowCombination.isEmpty else {
      return assembler.table(rows, p.order, window: p.window, scheme: p.scheme, dimensionLabels: { _ in [] })
    }
    let labelsOf = combinations.indices.map(combinationLabels)
    return assembler.table(
      rows, p.order, window: p.window, scheme: p.scheme, dimensionLabels: { labelsOf[Int(rowCombination[$0])] })
  }
}
