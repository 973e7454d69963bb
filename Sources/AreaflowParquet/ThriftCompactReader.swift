/// A minimal decoder for the Thrift compact protocol, the counterpart of `ThriftCompactWriter`.
///
/// It reads straight from a byte buffer without copying and can skip any field it does not know,
/// which is what lets `ParquetReader` parse footers that carry fields newer than this code.
struct ThriftCompactReader {
  let bytes: UnsafeRawBufferPointer
  /// Offset of the next unread byte.
  var position: Int
  private var lastFieldID: Int16 = 0
  private var fieldIDStack: [Int16] = []

  init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
    self.bytes = bytes
    self.position = position
  }

  mutating func readByte() throws -> UInt8 {
    guard position < bytes.count else { throw ParquetError.malformed("thrift data ends early") }
    defer { position += 1 }
    return bytes[position]
  }

  mutating func readVarint() throws -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      let byte = try readByte()
      guard shift < 64 else { throw ParquetError.malformed("thrift varint too long") }
      result |= UInt64(byte & 0x7F) << shift
      if byte & 0x80 == 0 { return result }
      shift += 7
    }
  }

  static func unzigzag(_ value: UInt64) -> Int64 {
    Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
  }

  mutating func readI64() throws -> Int64 { Self.unzigzag(try readVarint()) }

  mutating func readI32() throws -> Int32 {
    let value = try readI64()
    guard let narrow = Int32(exactly: value) else { throw ParquetError.malformed("thrift i32 out of range") }
    return narrow
  }

  mutating func readDouble() throws -> Double {
    guard position + 8 <= bytes.count else { throw ParquetError.malformed("thrift data ends early") }
    var bits: UInt64 = 0
    for i in 0..<8 { bits |= UInt64(bytes[position + i]) << UInt64(8 * i) }
    position += 8
    return Double(bitPattern: bits)
  }

  mutating func readBinary() throws -> [UInt8] {
    let length = Int(try readVarint())
    guard length >= 0, position + length <= bytes.count else {
      throw ParquetError.malformed("thrift binary runs past the end")
    }
    defer { position += length }
    return Array(bytes[position..<position + length])
  }

  mutating func readString() throws -> String {
    String(decoding: try readBinary(), as: UTF8.self)
  }

  /// Reads a list header and returns the element type and count.
  mutating func readListHeader() throws -> (ThriftCompactType, Int) {
    let header = try readByte()
    guard let type = ThriftCompactType(rawValue: header & 0x0F) else {
      throw ParquetError.malformed("unknown thrift element type \(header & 0x0F)")
    }
    var count = Int(header >> 4)
    if count == 15 { count = Int(try readVarint()) }
    return (type, count)
  }

  mutating func structBegin() {
    fieldIDStack.append(lastFieldID)
    lastFieldID = 0
  }

  mutating func structEnd() {
    lastFieldID = fieldIDStack.popLast() ?? 0
  }

  /// Returns the next field's id and type, or nil at the struct's stop byte (which it consumes).
  mutating func readFieldHeader() throws -> (id: Int16, type: ThriftCompactType)? {
    let header = try readByte()
    guard let type = ThriftCompactType(rawValue: header & 0x0F) else {
      throw ParquetError.malformed("unknown thrift field type \(header & 0x0F)")
    }
    if type == .stop { return nil }
    let delta = header >> 4
    let id: Int16
    if delta == 0 {
      guard let full = Int16(exactly: try readI64()) else { throw ParquetError.malformed("thrift field id") }
      id = full
    } else {
      id = lastFieldID &+ Int16(delta)
    }
    lastFieldID = id
    return (id, type)
  }

  /// The value of a boolean field, which the compact protocol stores in the type nibble.
  static func boolValue(_ type: ThriftCompactType) -> Bool { type == .boolTrue }

  /// Skips a value of the given type, including nested structs and containers.
  mutating func skip(_ type: ThriftCompactType, depth: Int = 0) throws {
    guard depth < 64 else { throw ParquetError.malformed("thrift nesting too deep") }
    switch type {
    case .stop, .boolTrue, .boolFalse: break
    case .byte: position += 1
    case .i16, .i32, .i64: _ = try readVarint()
    case .double: position += 8
    case .binary:
      let length = Int(try readVarint())
      position += length
    case .list, .set:
      let (elementType, count) = try readListHeader()
      for _ in 0..<count {
        // Booleans inside containers take a whole byte.
        if elementType == .boolTrue || elementType == .boolFalse {
          position += 1
        } else {
          try skip(elementType, depth: depth + 1)
        }
      }
    case .map:
      let count = Int(try readVarint())
      if count > 0 {
        let kinds = try readByte()
        guard let keyType = ThriftCompactType(rawValue: kinds >> 4),
          let valueType = ThriftCompactType(rawValue: kinds & 0x0F)
        else { throw ParquetError.malformed("bad thrift map header") }
        for _ in 0..<count {
          try skip(keyType, depth: depth + 1)
          try skip(valueType, depth: depth + 1)
        }
      }
    case .struct:
      structBegin()
      while let field = try readFieldHeader() {
        try skip(field.type, depth: depth + 1)
      }
      structEnd()
    }
    guard position <= bytes.count else { throw ParquetError.malformed("thrift data ends early") }
  }
}
