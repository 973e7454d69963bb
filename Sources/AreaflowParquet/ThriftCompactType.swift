/// The 4-bit type codes of the Thrift compact protocol.
///
/// Parquet's footer and page headers are Thrift structs serialized with the compact protocol, so
/// both the writer and the reader need these codes; they live in one place so the two cannot drift.
enum ThriftCompactType: UInt8, Sendable {
  case stop = 0
  case boolTrue = 1
  case boolFalse = 2
  case byte = 3
  case i16 = 4
  case i32 = 5
  case i64 = 6
  case double = 7
  case binary = 8
  case list = 9
  case set = 10
  case map = 11
  case `struct` = 12
}
