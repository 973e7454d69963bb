/// A minimal hand-written encoder for the Thrift compact protocol.
///
/// Parquet metadata (page headers and the file footer) is Thrift compact encoded. Pulling in a Thrift
/// runtime for a dozen structs is not worth a dependency, and writing the few primitives by hand keeps
/// the encoder allocation-free apart from its output buffer.
///
/// Callers drive it field by field: `fieldBegin` emits the field header (a delta from the previous
/// field id when it fits in four bits, otherwise the full zigzag id), `structBegin`/`structEnd`
/// save and restore the "last field id" that deltas are relative to, and `structEnd` writes the
/// stop byte.
struct ThriftCompactWriter {
  /// The encoded bytes so far.
  private(set) var bytes: [UInt8] = []
  /// Field id of the previous field in the innermost open struct; deltas are relative to it.
  private var lastFieldID: Int16 = 0
  /// Saved `lastFieldID`s of the enclosing structs.
  private var fieldIDStack: [Int16] = []

  init(capacity: Int = 256) {
    bytes.reserveCapacity(capacity)
  }

  /// Drops the output but keeps its capacity, so one writer can serialize many page headers.
  mutating func reset() {
    bytes.removeAll(keepingCapacity: true)
    lastFieldID = 0
    fieldIDStack.removeAll(keepingCapacity: true)
  }

  // MARK: Primitives

  mutating func writeByte(_ value: UInt8) {
    bytes.append(value)
  }

  /// Unsigned LEB128 varint.
  mutating func writeVarint(_ value: UInt64) {
    var v = value
    while v >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  /// Zigzag maps signed to unsigned so small negative numbers stay short.
  static func zigzag(_ value: Int64) -> UInt64 {
    UInt64(bitPattern: (value << 1) ^ (value >> 63))
  }

  mutating func writeI32(_ value: Int32) { writeVarint(Self.zigzag(Int64(value))) }
  mutating func writeI64(_ value: Int64) { writeVarint(Self.zigzag(value)) }

  mutating func writeDouble(_ value: Double) {
    let bits = value.bitPattern
    for shift in stride(from: 0, to: 64, by: 8) {
      bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
    }
  }

  mutating func writeBinary<C: Collection>(_ value: C) where C.Element == UInt8 {
    writeVarint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  mutating func writeString(_ value: String) {
    writeBinary(value.utf8)
  }

  /// List (or set) header: size and element type share a byte when the size is below 15.
  mutating func listBegin(elementType: ThriftCompactType, count: Int) {
    if count < 15 {
      bytes.append(UInt8(count) << 4 | elementType.rawValue)
    } else {
      bytes.append(0xF0 | elementType.rawValue)
      writeVarint(UInt64(count))
    }
  }

  // MARK: Structs and fields

  mutating func fieldBegin(_ id: Int16, _ type: ThriftCompactType) {
    let delta = Int(id) - Int(lastFieldID)
    if delta > 0 && delta <= 15 {
      bytes.append(UInt8(delta) << 4 | type.rawValue)
    } else {
      bytes.append(type.rawValue)
      writeI32(Int32(id))
    }
    lastFieldID = id
  }

  /// Opens a nested struct (a struct field, a list element, or the top-level struct).
  mutating func structBegin() {
    fieldIDStack.append(lastFieldID)
    lastFieldID = 0
  }

  /// Writes the stop byte and returns to the enclosing struct's field numbering.
  mutating func structEnd() {
    bytes.append(ThriftCompactType.stop.rawValue)
    lastFieldID = fieldIDStack.popLast() ?? 0
  }

  mutating func writeField(_ id: Int16, i32 value: Int32) {
    fieldBegin(id, .i32)
    writeI32(value)
  }

  mutating func writeField(_ id: Int16, i64 value: Int64) {
    fieldBegin(id, .i64)
    writeI64(value)
  }

  /// In the compact protocol a boolean field's value is carried by its type nibble.
  mutating func writeField(_ id: Int16, bool value: Bool) {
    fieldBegin(id, value ? .boolTrue : .boolFalse)
  }

  mutating func writeField<C: Collection>(_ id: Int16, binary value: C) where C.Element == UInt8 {
    fieldBegin(id, .binary)
    writeBinary(value)
  }

  mutating func writeField(_ id: Int16, string value: String) {
    fieldBegin(id, .binary)
    writeString(value)
  }

  /// A struct-typed field whose struct has no fields (Parquet uses these as union markers, e.g.
  /// `StringType` or `TypeDefinedOrder`).
  mutating func writeEmptyStructField(_ id: Int16) {
    fieldBegin(id, .struct)
    structBegin()
    structEnd()
  }
}
