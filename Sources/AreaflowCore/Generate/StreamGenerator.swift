/// A synthetic event stream, produced line by line into a byte buffer.
public protocol StreamGenerator {
  /// The header line (CSV), written once before the events; nil for NDJSON.
  var header: String? { get }
  /// Appends the next line (with its newline) to `buffer`.
  mutating func nextLine(into buffer: inout [UInt8])
}

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

/// Fixed-point number formatting without Foundation, for generators that write millions of lines.
enum DecimalText {
  static func append(_ value: Double, decimals: Int, to buffer: inout [UInt8]) {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    var scaled = Int64((abs(value) * scale).rounded())
    if value < 0 && scaled != 0 { buffer.append(45) }
    var digits = [UInt8](repeating: 48, count: 20)
    var n = 0
    repeat {
      digits[n] = UInt8(48 + scaled % 10)
      scaled /= 10
      n += 1
    } while scaled > 0 || n <= decimals
    for k in stride(from: n - 1, through: 0, by: -1) {
      buffer.append(digits[k])
      if k == decimals && decimals > 0 { buffer.append(46) }
    }
  }

  static func append(_ value: Int64, to buffer: inout [UInt8]) {
    buffer.append(contentsOf: String(value).utf8)
  }
}
