#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The clocks the runtime reads, injected so tests can drive idle timeouts and lags: a monotonic one for durations
/// and timeouts, and the wall clock for comparing event times with now.
public struct RuntimeClock: Sendable {
  /// Seconds that only go forward (rates, elapsed times, idle timeouts).
  public var monotonic: @Sendable () -> Double
  /// Seconds since 1970 (the watermark lag).
  public var wall: @Sendable () -> Double

  public init(monotonic: @escaping @Sendable () -> Double, wall: @escaping @Sendable () -> Double) {
    self.monotonic = monotonic
    self.wall = wall
  }

  /// The system's clocks: `CLOCK_MONOTONIC` and `CLOCK_REALTIME`.
  public static let system = RuntimeClock(monotonic: { seconds(CLOCK_MONOTONIC) }, wall: { seconds(CLOCK_REALTIME) })

  private static func seconds(_ id: clockid_t) -> Double {
    var ts = timespec()
    clock_gettime(id, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}
