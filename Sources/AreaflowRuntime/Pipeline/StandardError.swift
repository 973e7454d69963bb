#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes to file descriptor 2 directly: unbuffered, and safe from any queue.
public enum StandardError {
  public static func write(_ text: String) {
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { raw in
      var offset = 0
      while offset < raw.count {
        let n = Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
        if n <= 0 { break }
        offset += n
      }
    }
  }

  /// Whether standard error is a terminal (progress lines are only drawn there).
  public static var isTerminal: Bool { isatty(2) != 0 }
}
