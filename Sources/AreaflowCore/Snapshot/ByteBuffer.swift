/// A growable byte buffer written through a raw pointer: a cell makes room once, then stores its bytes with no
/// per-byte capacity or uniqueness check (`[UInt8].append` byte by byte was most of what rendering CSV cells cost).
///
/// A class so that its memory has one owner and is freed in `deinit`; used by one thread at a time.
final class ByteBuffer: TextOutputStream {
  private(set) var base: UnsafeMutablePointer<UInt8>
  private(set) var count = 0
  private var capacity: Int

  init(capacity: Int) {
    self.capacity = max(capacity, 64)
    base = .allocate(capacity: self.capacity)
  }

  deinit { base.deallocate() }

  /// Makes room for `n` more bytes.
  @inline(__always)
  func reserve(_ n: Int) {
    if count + n > capacity { grow(count + n) }
  }

  private func grow(_ needed: Int) {
    let newCapacity = max(needed, capacity * 2)
    let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    newBase.update(from: base, count: count)
    base.deallocate()
    base = newBase
    capacity = newCapacity
  }

  /// Forgets the bytes written, keeping the memory.
  func clear() { count = 0 }

  @inline(__always)
  func append(_ byte: UInt8) {
    reserve(1)
    base[count] = byte
    count += 1
  }

  func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let from = bytes.baseAddress, !bytes.isEmpty else { return }
    reserve(bytes.count)
    (base + count).update(from: from, count: bytes.count)
    count += bytes.count
  }

  /// The same text as `TextWriter.write(integer:)`.
  @inline(__always)
  func write(integer v: Int64) {
    reserve(NumberText.maxLength)
    count += NumberText.write(integer: v, to: base + count)
  }

  /// The same text as `TextWriter.write(double:)`.
  func write(double d: Double) {
    reserve(NumberText.maxLength)
    if let n = NumberText.write(double: d, to: base + count) {
      count += n
    } else if d.isNaN {
      write("NaN")
    } else if d.isInfinite {
      write(d > 0 ? "Infinity" : "-Infinity")
    } else {
      // The shortest round-trip digits, formatted by the standard library into `_writeASCII`.
      var target = self
      d.write(to: &target)
    }
  }

  /// The same text as `TextWriter.write(csvField:)`.
  func write(csvField s: String) {
    var s = s
    s.withUTF8 { text in
      if text.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) {
        reserve(text.count * 2 + 2)
        base[count] = 34
        count += 1
        for b in text {
          if b == 34 {
            base[count] = 34
            count += 1
          }
          base[count] = b
          count += 1
        }
        base[count] = 34
        count += 1
      } else {
        append(text)
      }
    }
  }

  func write(_ string: String) {
    var s = string
    s.withUTF8 { append($0) }
  }

  func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { append(buffer) }

  /// The bytes written, as an array.
  var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
