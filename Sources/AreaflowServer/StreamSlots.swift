import Prometheus
import Synchronization

/// Counts `/v1/stream` clients against `http.limits.sse_clients`: each holds a slot from its request until its
/// stream ends (closed, dropped or the server stopping).
final class StreamSlots: Sendable {
  let capacity: Int
  private let used = Mutex(0)
  private let gauge: Gauge
  private let refused: Counter

  init(capacity: Int, registry: PrometheusCollectorRegistry) {
    self.capacity = capacity
    gauge = registry.makeGauge(
      descriptor: MetricNameDescriptor(
        namespace: "areaflow", subsystem: "http", metricName: "stream", unitName: "clients",
        helpText: "Clients connected to /v1/stream"))
    refused = registry.makeCounter(
      descriptor: MetricNameDescriptor(
        namespace: "areaflow", subsystem: "http", metricName: "stream_refused", unitName: "total",
        helpText: "Stream clients answered 503 because every slot was taken"))
  }

  /// A slot, or nil when all are taken.
  func acquire() -> Slot? {
    let taken = used.withLock { n -> Bool in
      guard n < capacity else { return false }
      n += 1
      return true
    }
    guard taken else {
      refused.increment()
      return nil
    }
    gauge.increment()
    return Slot(owner: self)
  }

  fileprivate func release() {
    used.withLock { $0 -= 1 }
    gauge.decrement()
  }

  /// A held slot; releasing it twice releases it once.
  final class Slot: Sendable {
    private let owner: StreamSlots
    private let released = Mutex(false)

    fileprivate init(owner: StreamSlots) { self.owner = owner }

    func release() {
      guard
        released.withLock({ r in
          defer { r = true }; return !r
        })
      else { return }
      owner.release()
    }
  }
}
