#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A small, fast, reproducible random generator (splitmix64) so `generate --seed S` gives the same stream on every
/// machine and Swift version.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed ^ 0x5DEE_CE66_D1A4_F87B }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1).
  public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// Uniform integer in 0..<n.
  public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

  /// Standard normal (Box–Muller).
  public mutating func normal() -> Double {
    let u = max(unit(), 1e-300)
    let v = unit()
    return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
  }

  /// True with probability p.
  public mutating func chance(_ p: Double) -> Bool { unit() < p }
}
