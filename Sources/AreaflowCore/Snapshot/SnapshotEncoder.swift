/// Turns a table of finished rows into the bytes of one snapshot file.
public protocol SnapshotEncoder: Sendable {
  /// File name extension without the dot, e.g. "csv".
  var fileExtension: String { get }
  func encode(_ table: SnapshotTable) throws -> [UInt8]
}
