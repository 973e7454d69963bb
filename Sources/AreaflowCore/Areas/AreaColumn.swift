/// The areas of every event in a batch for one scheme, in compressed-row form: event `i` lies in
/// `keys[starts[i]..<starts[i + 1]]` (empty when the point is outside every area of the scheme).
public struct AreaColumn: Sendable {
  public var keys: [UInt64] = []
  /// `count + 1` offsets into `keys`.
  public var starts: [Int32] = [0]

  public init() {}

  public init(reservingCapacity n: Int) {
    keys.reserveCapacity(n)
    starts.reserveCapacity(n + 1)
  }
}
