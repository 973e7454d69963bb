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
