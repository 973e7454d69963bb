#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What tells a file that is read whole (a lookup table, a TLS certificate, a users file) has changed since it was
/// read: its inode (a file replaced by rename), size and modification time.
public struct FileStamp: Equatable, Sendable {
  var inode: UInt64
  var size: Int64
  var modified: Int64

  /// The file's stamp, or nil when it cannot be stat'ed (missing).
  public static func of(_ path: String) -> FileStamp? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return FileStamp(
      inode: UInt64(st.st_ino), size: Int64(st.st_size),
      modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
  }
}
