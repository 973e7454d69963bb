#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The progress line of a replay on a terminal: bytes read of total, events per second, ETA.
final class ProgressLine: Sendable {
  let totalBytes: Int64
  let started: Double
  let clock: @Sendable () -> Double

  init(totalBytes: Int64, clock: @escaping @Sendable () -> Double) {
    self.totalBytes = totalBytes
    self.started = clock()
    self.clock = clock
  }

  func show(bytes: Int64, events: Int64) {
    let elapsed = max(clock() - started, 0.001)
    let rate = Double(events) / elapsed
    var line = "\r  \(Self.size(bytes))"
    if totalBytes > 0 {
      let fraction = min(1, Double(bytes) / Double(totalBytes))
      line += " of \(Self.size(totalBytes)) (\(Int(fraction * 100))%)"
      if fraction > 0.01 {
        let eta = elapsed / fraction - elapsed
        line += ", ETA \(Int(eta.rounded()))s"
      }
    }
    line += ", \(Self.count(rate)) events/s   "
    StandardError.write(line)
  }

  func clear() { StandardError.write("\r\u{1B}[K") }

  static func size(_ b: Int64) -> String {
    let mb = Double(b) / 1_048_576
    return mb >= 1024 ? "\(Double(Int(mb / 102.4)) / 10) GiB" : "\(Double(Int(mb * 10)) / 10) MiB"
  }

  static func count(_ x: Double) -> String {
    x >= 1e6 ? "\(Double(Int(x / 1e5)) / 10)M" : x >= 1e3 ? "\(Int(x / 1e3))k" : "\(Int(x))"
  }
}
