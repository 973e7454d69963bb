#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Which file a path or descriptor is: device and inode, as `tail -F` tells a rotated file from its successor.
/// Inodes are reused after deletion, so a checkpoint also keeps a hash of the file's first bytes.
struct FileIdentity: Equatable, Hashable {
  var device: UInt64
  var inode: UInt64

  /// Bytes hashed into a file's fingerprint at most.
  static let fingerprintBytes = 1024

  static func of(path: String) -> (FileIdentity, size: Int64, isDirectory: Bool)? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return (
      FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)), Int64(st.st_size),
      (st.st_mode & S_IFMT) == S_IFDIR
    )
  }

  static func of(descriptor fd: Int32) -> (FileIdentity, size: Int64)? {
    var st = stat()
    guard fstat(fd, &st) == 0 else { return nil }
    return (FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)), Int64(st.st_size))
  }

  /// FNV-1a of the first `length` bytes of an open file (fewer if it is shorter); returns the bytes hashed too.
  static func fingerprint(descriptor fd: Int32, length: Int = fingerprintBytes) -> (length: Int, hash: UInt64) {
    var buffer = [UInt8](repeating: 0, count: length)
    let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, 0) }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in buffer.prefix(max(0, n)) {
      hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3
    }
    return (max(0, n), hash)
  }
}
