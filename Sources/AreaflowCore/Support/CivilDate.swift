/// Proleptic Gregorian calendar arithmetic on day numbers, so times are parsed and printed without Foundation.
public enum CivilDate {
  /// Days since 1970-01-01 for a calendar date.
  public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// The calendar date of a day number (days since 1970-01-01).
  public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? y + 1 : y, m, d)
  }

  /// `YYYY-MM-DDTHH:MM:SS.mmmZ` for milliseconds since the epoch (UTC), the form every snapshot uses.
  public static func rfc3339(millis: Int64) -> String {
    String(unsafeUninitializedCapacity: rfc3339Length) { out in
      writeRFC3339(millis: millis, to: out.baseAddress!)
      return rfc3339Length
    }
  }

  /// Bytes of `rfc3339(millis:)`.
  public static let rfc3339Length = 24

  /// Writes the `rfc3339Length` bytes of `rfc3339(millis:)` at `bytes`: records that hold a time (side records)
  /// write it in place instead of building a String.
  public static func writeRFC3339(millis: Int64, to bytes: UnsafeMutablePointer<UInt8>) {
    var days = millis / 86_400_000
    var rem = millis % 86_400_000
    if rem < 0 {
      rem += 86_400_000
      days -= 1
    }
    let (y, m, d) = civilFromDays(Int(days))
    let ms = Int(rem)
    @inline(__always) func put(_ v: Int, _ at: Int, _ width: Int) {
      var v = v
      for k in stride(from: at + width - 1, through: at, by: -1) {
        bytes[k] = UInt8(truncatingIfNeeded: 48 + v % 10)
        v /= 10
      }
    }
    put(y, 0, 4)
    bytes[4] = 45
    put(m, 5, 2)
    bytes[7] = 45
    put(d, 8, 2)
    bytes[10] = 84
    put(ms / 3_600_000, 11, 2)
    bytes[13] = 58
    put(ms / 60_000 % 60, 14, 2)
    bytes[16] = 58
    put(ms / 1000 % 60, 17, 2)
    bytes[19] = 46
    put(ms % 1000, 20, 3)
    bytes[23] = 90
  }
}
