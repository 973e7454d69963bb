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
