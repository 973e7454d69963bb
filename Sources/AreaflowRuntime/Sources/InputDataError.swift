/// A compressed stream that cannot be decoded, located by byte offset in the input file.
public struct InputDataError: Error, CustomStringConvertible {
  public let offset: Int64
  public let message: String
  public var description: String { "\(message) at byte offset \(offset)" }
}
