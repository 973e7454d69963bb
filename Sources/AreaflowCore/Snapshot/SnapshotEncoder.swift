/// Turns a table of finished rows into the bytes of one snapshot file.
public protocol SnapshotEncoder: Sendable {
  /// File name extension without the dot, e.g. "csv".
  var fileExtension: String { get }
  func encode(_ table: SnapshotTable) throws -> [UInt8]
  /// The bytes of `encode(plan.table(part))`. Encoders that can write a plan's rows directly (CSV) do so without
  /// building the table's columns of strings first.
  func encode(_ plan: RowPlan, part: Int) throws -> [UInt8]
}

extension SnapshotEncoder {
  public func encode(_ plan: RowPlan, part: Int) throws -> [UInt8] { try encode(plan.table(part)) }
}
