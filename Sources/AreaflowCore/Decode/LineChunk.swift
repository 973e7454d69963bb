/// A run of whole input lines (or whole CSV records) handed from the reader to a decoder.
public struct LineChunk: Sendable {
  /// Position of the input in the command line, for arrival order.
  public var input: Int
  /// The input's name as reported in side outputs (its path, or `-`).
  public var inputName: String
  public var bytes: [UInt8]
  /// 1-based number of the chunk's first line within its input.
  public var firstLine: Int64
  /// For CSV: the slot of each column of the input's header (-1 for columns the config does not read).
  public var csvColumns: [Int]?

  public init(input: Int, inputName: String, bytes: [UInt8], firstLine: Int64, csvColumns: [Int]? = nil) {
    self.input = input
    self.inputName = inputName
    self.bytes = bytes
    self.firstLine = firstLine
    self.csvColumns = csvColumns
  }
}
