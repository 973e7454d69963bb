import Crypto

/// Replaces the values of identifying fields (device ids, vehicle ids) by a keyed hash before anything else sees
/// them: HMAC-SHA-256 under a secret key, written as 64 lowercase hex digits.
///
/// The same value always gets the same pseudonym under one key, so distinct counts count the same identities and
/// dimensions group the same way; without the key a pseudonym cannot be turned back into the value, nor can a
/// guessed value be checked against it (which a plain hash would allow for short ids). The key never leaves this
/// type: it is not in the config text, its description or any output.
public struct Pseudonymiser: Sendable {
  /// Only read after `init`, from any thread: `SymmetricKey` is an immutable value that swift-crypto does not mark
  /// `Sendable` yet.
  private nonisolated(unsafe) let key: SymmetricKey

  /// Length of a pseudonym in bytes (hex digits).
  public static let length = 64

  public init(key: [UInt8]) {
    self.key = SymmetricKey(data: key)
  }

  /// The pseudonym of the bytes `p[start..<end]`, handed to `body` as 64 lowercase hex digits.
  @inline(__always)
  public func withPseudonym<R>(
    _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ body: (UnsafePointer<UInt8>, Int, Int) -> R
  ) -> R {
    let mac = HMAC<SHA256>.authenticationCode(
      for: UnsafeRawBufferPointer(start: p + start, count: end - start), using: key)
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.length) { hex in
      let digits: StaticString = "0123456789abcdef"
      var i = 0
      for byte in mac {
        hex[i] = digits.utf8Start[Int(byte >> 4)]
        hex[i + 1] = digits.utf8Start[Int(byte & 15)]
        i += 2
      }
      return body(hex.baseAddress!, 0, Self.length)
    }
  }

  /// The pseudonym of `value` as text.
  public func pseudonym(_ value: String) -> String {
    var bytes = Array(value.utf8)
    bytes.append(0)
    return bytes.withUnsafeBufferPointer { b in
      withPseudonym(b.baseAddress!, 0, b.count - 1) { q, s, e in
        String(decoding: UnsafeBufferPointer(start: q + s, count: e - s), as: UTF8.self)
      }
    }
  }
}
