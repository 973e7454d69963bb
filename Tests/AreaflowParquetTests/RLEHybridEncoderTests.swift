import Testing

@testable import AreaflowParquet

@Suite("RLE / bit-packed hybrid encoding")
struct RLEHybridEncoderTests {
  private func encode(_ values: [UInt32], bitWidth: Int) -> [UInt8] {
    var out: [UInt8] = []
    RLEHybridEncoder.encode(values, bitWidth: bitWidth, into: &out)
    return out
  }

  private func decode(_ bytes: [UInt8], bitWidth: Int, count: Int) throws -> [UInt32] {
    var out: [UInt32] = []
    try bytes.withUnsafeBytes { _ = try RLEHybridDecoder.decode($0, bitWidth: bitWidth, count: count, into: &out) }
    return out
  }

  @Test func longRunBecomesOneRLERun() {
    // Header varint(100 << 1) = C8 01, then the value in one byte.
    #expect(encode(Array(repeating: 1, count: 100), bitWidth: 1) == [0xC8, 0x01, 0x01])
    #expect(encode(Array(repeating: 300, count: 8), bitWidth: 9) == [0x10, 0x2C, 0x01])
  }

  @Test func specExampleBitPacking() {
    // Encodings.md: 0…7 with bit width 3 pack to 10001000 11000110 11111010.
    #expect(encode([0, 1, 2, 3, 4, 5, 6, 7], bitWidth: 3) == [0x03, 0x88, 0xC6, 0xFA])
  }

  @Test func shortInputIsPaddedToAGroup() {
    #expect(encode([1, 0, 1, 1, 0], bitWidth: 1) == [0x03, 0b0000_1101])
    #expect(encode([], bitWidth: 1) == [])
  }

  @Test func runAfterUnalignedLiteralsLendsValuesToTheLastGroup() throws {
    let values: [UInt32] = [1, 2, 3, 1, 2] + Array(repeating: 7, count: 20)
    let bytes = encode(values, bitWidth: 3)
    // One literal group (5 values + 3 sevens), then an RLE run of the 17 remaining sevens.
    #expect(bytes.count == 1 + 3 + 2)
    #expect(bytes[0] == 0x03)
    #expect(Array(bytes[4...]) == [17 << 1, 7])
    #expect(try decode(bytes, bitWidth: 3, count: values.count) == values)
  }

  @Test func longLiteralStretchesSplitAt63Groups() throws {
    let values = (0..<1_000).map { UInt32($0 % 2) }
    let bytes = encode(values, bitWidth: 1)
    #expect(bytes[0] == 63 << 1 | 1)
    #expect(try decode(bytes, bitWidth: 1, count: values.count) == values)
  }

  @Test(arguments: [1, 2, 3, 7, 8, 12, 17, 31, 32])
  func randomRoundTrips(bitWidth: Int) throws {
    var state: UInt64 = 0x1234_5678 &+ UInt64(bitWidth)
    func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 17
    }
    let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
    for length in [1, 7, 8, 9, 63, 64, 65, 511, 2_000] {
      var values: [UInt32] = []
      while values.count < length {
        // Mix runs of random length with noise so both run kinds and their seams get exercised.
        let value = UInt32(truncatingIfNeeded: next() & mask)
        let repeats = next() % 4 == 0 ? Int(next() % 40) : 1
        values.append(contentsOf: repeatElement(value, count: min(repeats, length - values.count)))
      }
      let bytes = encode(values, bitWidth: bitWidth)
      #expect(
        try decode(bytes, bitWidth: bitWidth, count: values.count) == values, "width \(bitWidth) length \(length)")
    }
  }

  @Test func bitWidthForMaxValue() {
    #expect(RLEHybridEncoder.bitWidth(forMaxValue: 0) == 0)
    #expect(RLEHybridEncoder.bitWidth(forMaxValue: 1) == 1)
    #expect(RLEHybridEncoder.bitWidth(forMaxValue: 255) == 8)
    #expect(RLEHybridEncoder.bitWidth(forMaxValue: 256) == 9)
    #expect(RLEHybridEncoder.bitWidth(forMaxValue: UInt32.max) == 32)
  }
}
