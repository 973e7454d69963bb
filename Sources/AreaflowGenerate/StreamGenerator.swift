/// A synthetic event stream, produced line by line into a byte buffer.
public protocol StreamGenerator {
  /// The header line (CSV), written once before the events; nil for NDJSON.
  var header: String? { get }
  /// Appends the next line (with its newline) to `buffer`.
  mutating func nextLine(into buffer: inout [UInt8])
}
