#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes files so that readers see them whole or not at all: a hidden temporary name in the same directory,
/// `fsync`, `rename`, then `fsync` of the directory so the rename itself survives a crash.
public enum AtomicFile {
  /// An output that could not be written; names the path and the system's reason.
  public struct WriteError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot write \(path): \(reason)" }
  }

  /// Creates `directory` and its parents.
  public static func makeDirectories(_ directory: String) throws(WriteError) {
    var path = ""
    for part in directory.split(separator: "/", omittingEmptySubsequences: false) {
      path +=
        path.isEmpty && directory.hasPrefix("/") && part.isEmpty ? "/" : (path.isEmpty || path == "/" ? "" : "/") + part
      if path.isEmpty || path == "/" { continue }
      if mkdir(path, 0o755) != 0 && errno != EEXIST {
        throw WriteError(path: path, reason: String(cString: strerror(errno)))
      }
    }
  }

  /// Atomically replaces `path` with `bytes`.
  public static func write(_ bytes: [UInt8], to path: String) throws(WriteError) {
    try write(pieces: [bytes], to: path)
  }

  /// Atomically replaces `path` with `pieces` written one after another (a part file encoded in pieces).
  public static func write(pieces: [[UInt8]], to path: String) throws(WriteError) {
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[..<$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    let temporary = "\(directory)/.\(name).tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
    var failure: String?
    for bytes in pieces where failure == nil {
      failure = bytes.withUnsafeBytes { raw -> String? in
        var written = 0
        while written < raw.count {
          let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
          if n < 0 {
            if errno == EINTR { continue }
            return String(cString: strerror(errno))
          }
          written += n
        }
        return nil
      }
    }
    if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
    close(fd)
    if let failure {
      unlink(temporary)
      throw WriteError(path: path, reason: failure)
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw WriteError(path: path, reason: reason)
    }
    syncDirectory(directory)
  }

  /// Makes renames in `directory` durable.
  public static func syncDirectory(_ directory: String) {
    let dfd = open(directory, O_RDONLY | O_DIRECTORY)
    if dfd >= 0 {
      fsync(dfd)
      close(dfd)
    }
  }
}
