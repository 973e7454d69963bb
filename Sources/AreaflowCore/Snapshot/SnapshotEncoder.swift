/// Turns a table of finished rows into the bytes of one snapshot file.
public protocol SnapshotEncoder: Sendable {
  /// File name extension without the dot, e.g. "csv".
  var fileExtension: String { get }
  func encode(_ table: SnapshotTable) throws -> [UInt8]
  /// The bytes of `encode(plan.table(part))`. Encoders that can write a plan's rows directly (CSV) do so without
  /// building the table's columns of strings first.
  func encode(_ plan: RowPlan, part: Int) throws -> [UInt8]
  /// Whether `encode(_:part:rows:header:)` can write a part in pieces (CSV: a file is its rows' lines one after
  /// another), so that the pieces of a large part are encoded on several cores at once.
  var encodesRowRanges: Bool { get }
  /// The rows at positions `rows` (from 0) of the part's order, with the header first when `header`: pieces of ranges
  /// that cover the part in order, written one after another, are `encode(plan, part:)`'s bytes. Only for
  /// encoders whose `encodesRowRanges` is true.
  func encode(_ plan: RowPlan, part: Int, rows: Range<Int>, header: Bool) throws -> [UInt8]
}

extension SnapshotEncoder {
  public func encode(_ plan: RowPlan, part: Int) throws -> [UInt8] { try encode(plan.table(part)) }
  public var encodesRowRanges: Bool { false }
  public func encode(_ plan: RowPlan, part: Int, rows: Range<Int>, header: Bool) throws -> [UInt8] {
    precondition(header && rows == 0..<plan.parts[part].order.count, "this encoder writes whole parts only")
    return try encode(plan, part: part)
  }
}
