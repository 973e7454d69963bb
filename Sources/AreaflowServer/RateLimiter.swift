import Dispatch
import Synchronization

/// A token bucket per client address: `rate` requests a second on average, bursts of up to `burst`.
///
/// Buckets live in one map behind a lock held for a lookup and a little arithmetic. The map is bounded: when it
/// grows past `maxClients`, buckets that have refilled (clients that went quiet) are dropped, as a full bucket is
/// what a new client gets anyway.
final class RateLimiter: Sendable {
  struct Bucket {
    var tokens: Double
    var updated: UInt64
  }

  let rate: Double
  let burst: Double
  let maxClients: Int
  private let buckets = Mutex<[String: Bucket]>([:])

  init(rate: Double, burst: Int, maxClients: Int = 10_000) {
    self.rate = rate
    self.burst = Double(burst)
    self.maxClients = maxClients
  }

  /// Takes a token for `client`: nil when allowed, else the seconds until one is available (for `Retry-After`).
  func take(_ client: String, now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> Double? {
    buckets.withLock { buckets in
      var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
      let elapsed = Double(now &- bucket.updated) / 1e9
      bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
      bucket.updated = now
      defer {
        buckets[client] = bucket
        if buckets.count > maxClients { prune(&buckets, now: now) }
      }
      guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / rate }
      bucket.tokens -= 1
      return nil
    }
  }

  private func prune(_ buckets: inout [String: Bucket], now: UInt64) {
    let refill = UInt64(burst / rate * 1e9)
    buckets = buckets.filter { now &- $0.value.updated < refill }
  }
}
