/// Which anomalies a generator mixes in, as probabilities per line. Tests and benchmarks rely on real streams having
/// them; `--clean` turns them off.
public struct Anomalies: Sendable {
  public var outOfOrderSeconds = 4.0
  public var late = 0.003
  public var veryLate = 0.0003
  public var duplicate = 0.002
  public var malformed = 0.002
  public var oddValue = 0.002
  public var empty = 0.0005

  public init() {}

  public static let none: Anomalies = {
    var a = Anomalies()
    a.outOfOrderSeconds = 0
    a.late = 0
    a.veryLate = 0
    a.duplicate = 0
    a.malformed = 0
    a.oddValue = 0
    a.empty = 0
    return a
  }()
}
