/// Identifies one output row while it is being aggregated: window name and index, area scheme and area, and the
/// combined dimension values.
public struct GroupKey: Hashable, Sendable {
  public var window: Int32
  public var scheme: Int32
  /// Window index k: the window starts at k · every.
  public var index: Int64
  public var area: UInt64
  public var dimensions: UInt64

  public init(window: Int32, scheme: Int32, index: Int64, area: UInt64, dimensions: UInt64) {
    self.window = window
    self.scheme = scheme
    self.index = index
    self.area = area
    self.dimensions = dimensions
  }

  @inline(__always)
  public func hash(into hasher: inout Hasher) {
    // One mixed word is enough entropy and far cheaper than feeding five fields through SipHash.
    let a = area &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: index) &* 0xC2B2_AE3D_27D4_EB4F
    let b = dimensions ^ UInt64(UInt32(bitPattern: window)) << 40 ^ UInt64(UInt32(bitPattern: scheme)) << 48
    hasher.combine(ByteHasher.mix(a ^ ByteHasher.mix(b)))
  }
}
