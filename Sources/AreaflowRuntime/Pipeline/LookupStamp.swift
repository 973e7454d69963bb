#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What tells a lookup table file has changed: its inode (a replaced file), size and modification time.
struct LookupStamp: Equatable {
  var inode: UInt64
  var size: Int64
  var modified: Int64

  static func of(_ path: String) -> LookupStamp? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return LookupStamp(
      inode: UInt64(st.st_ino), size: Int64(st.st_size),
      modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
  }
}
