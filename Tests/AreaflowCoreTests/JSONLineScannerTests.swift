import AreaflowGenerate
import Testing

@testable import AreaflowCore

/// The word-at-a-time string scan finds exactly the byte the byte-by-byte definition finds.
@Suite struct JSONLineScannerTests {
  /// The first `"`, `\` or control byte at or after `from`, byte by byte.
  func firstStop(_ bytes: [UInt8], from: Int) -> Int? {
    bytes[from...].firstIndex { $0 == 34 || $0 == 92 || $0 < 32 }
  }

  @Test func stopBytesFlagTheFirstStopOfEveryWord() {
    var random = SeededRandom(seed: 5)
    // Bytes around every boundary the bit tricks depend on, and random ones.
    let interesting: [UInt8] = [
      0, 1, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0x81, 0xA2, 0xDC, 0xFF,
    ]
    for _ in 0..<200_000 {
      let word = (0..<8).map { _ in
        random.chance(0.5) ? interesting[Int(random.below(interesting.count))] : UInt8(random.below(256))
      }
      let x = word.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
      let mask = JSONLineScanner.stopBytes(x)
      if let first = firstStop(word, from: 0) {
        #expect(mask != 0 && mask.trailingZeroBitCount >> 3 == first, "\(word)")
      } else {
        #expect(mask == 0, "\(word)")
      }
    }
  }

  @Test func nonNumberBytesFlagExactlyTheBytesThatAreNotNumberBytes() {
    var random = SeededRandom(seed: 7)
    let interesting: [UInt8] =
      Array("0123456789.eE+-,}] \t".utf8) + [0x2F, 0x3A, 0x2C, 0xAE, 0xB0, 0xC5, 0xE5, 0xFF, 0]
    for _ in 0..<200_000 {
      let word = (0..<8).map { _ in
        random.chance(0.7) ? interesting[Int(random.below(interesting.count))] : UInt8(random.below(256))
      }
      let x = word.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
      let mask = JSONLineScanner.nonNumberBytes(x)
      for k in 0..<8 {
        #expect((mask >> UInt64(8 * k + 7)) & 1 == (JSONLineScanner.isNumberByte(word[k]) ? 0 : 1), "\(word)")
      }
      #expect(mask & ~(0x8080_8080_8080_8080 as UInt64) == 0)
    }
  }

  /// A number value ends where the byte-by-byte definition ends it, whatever follows and wherever the line ends.
  @Test func scanValueEndsNumbersWhereTheByteScanDoes() {
    var random = SeededRandom(seed: 8)
    let alphabet: [UInt8] = Array("0123456789.eE+-,}x \"".utf8) + [0xC3, 0x80]
    for _ in 0..<50_000 {
      let length = 1 + Int(random.below(24))
      var bytes = (0..<length).map { _ in
        random.chance(0.8) ? UInt8(48 + random.below(10)) : alphabet[Int(random.below(alphabet.count))]
      }
      bytes[0] = random.chance(0.2) ? 45 : UInt8(48 + random.below(10))
      let end = 1 + Int(random.below(length))
      let got = bytes.withUnsafeBufferPointer { b in JSONLineScanner.scanValue(b.baseAddress!, 0, end) }
      var want = 1
      while want < end, JSONLineScanner.isNumberByte(bytes[want]) { want += 1 }
      #expect(got?.0.kind == .number && got?.0.start == 0 && got?.0.end == want && got?.1 == want, "\(bytes) \(end)")
    }
  }

  @Test func scanStringAgreesWithTheByteByByteScan() {
    var random = SeededRandom(seed: 6)
    let alphabet: [UInt8] = Array("abc-09 é\u{7F}".utf8) + [0x22, 0x5C, 0x1F, 0xC3, 0xA9]
    for _ in 0..<20_000 {
      let length = Int(random.below(40))
      let bytes = (0..<length).map { _ in
        random.chance(0.9) ? UInt8(97 + random.below(26)) : alphabet[Int(random.below(alphabet.count))]
      }
      let got = bytes.withUnsafeBufferPointer { b in
        b.baseAddress.flatMap { JSONLineScanner.scanString($0, 0, b.count) }
      }
      // The definition: skip escapes (a backslash and the byte after it), stop at a quote, refuse control bytes.
      var want: (Int, Bool)? = nil
      var i = 0
      var escaped = false
      while i < bytes.count {
        let c = bytes[i]
        if c == 34 {
          want = (i, escaped)
          break
        }
        if c == 92 {
          escaped = true
          i += 2
          continue
        }
        if c < 32 { break }
        i += 1
      }
      #expect(got?.0 == want?.0 && got?.1 == want?.1, "\(bytes)")
    }
  }
}
