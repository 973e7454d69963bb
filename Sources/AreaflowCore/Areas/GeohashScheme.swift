/// Geohash cells of a fixed precision (1–12 characters).
///
/// The key is the cell's interleaved bits (5 per character), so neighbouring events hash to integers without any
/// string work; the base32 label is only made for output.
public struct GeohashScheme: AreaScheme {
  public let name: String
  public let precision: Int
  private let bits: Int

  static let alphabet: [UInt8] = Array("0123456789bcdefghjkmnpqrstuvwxyz".utf8)

  public init(name: String, precision: Int) {
    precondition((1...12).contains(precision), "geohash precision must be 1...12")
    self.name = name
    self.precision = precision
    self.bits = precision * 5
  }

  /// The interleaved geohash bits of a point (longitude bit first), `bits` wide.
  ///
  /// Uses the classic interval halving rather than fixed-point scaling so points on cell edges land exactly where
  /// every other geohash implementation puts them (a value equal to the midpoint goes to the upper half).
  /// - Complexity: O(bits), no allocation.
  @inlinable
  public static func encodeBits(lat: Double, lon: Double, bits: Int) -> UInt64 {
    var latLo = -90.0
    var latHi = 90.0
    var lonLo = -180.0
    var lonHi = 180.0
    var result: UInt64 = 0
    for k in 0..<bits {
      result <<= 1
      if k & 1 == 0 {
        let mid = (lonLo + lonHi) / 2
        if lon >= mid {
          result |= 1
          lonLo = mid
        } else {
          lonHi = mid
        }
      } else {
        let mid = (latLo + latHi) / 2
        if lat >= mid {
          result |= 1
          latLo = mid
        } else {
          latHi = mid
        }
      }
    }
    return result
  }

  public func assign(lat: Double, lon: Double, into keys: inout [UInt64]) -> Int {
    keys.append(Self.encodeBits(lat: lat, lon: lon, bits: bits))
    return 1
  }

  /// The geohash string of a point.
  public static func encode(lat: Double, lon: Double, precision: Int) -> String {
    label(bits: encodeBits(lat: lat, lon: lon, bits: precision * 5), precision: precision)
  }

  static func label(bits value: UInt64, precision: Int) -> String {
    var chars = [UInt8](repeating: 0, count: precision)
    for k in 0..<precision {
      let shift = UInt64((precision - 1 - k) * 5)
      chars[k] = alphabet[Int((value >> shift) & 31)]
    }
    return String(decoding: chars, as: UTF8.self)
  }

  public func label(of key: UInt64) -> String { Self.label(bits: key, precision: precision) }

  public var kind: String { "geohash" }

  public func key(of label: String) -> UInt64? {
    let bytes = Array(label.utf8)
    guard bytes.count == precision else { return nil }
    var value: UInt64 = 0
    for b in bytes {
      guard let digit = Self.alphabet.firstIndex(of: b) else { return nil }
      value = value << 5 | UInt64(digit)
    }
    return value
  }

  /// Fixed-width base32 in ascending alphabet order: key order is label order.
  public var labelsSortLikeKeys: Bool { true }

  /// The cell's bounding box: (minLat, minLon, maxLat, maxLon).
  public func box(of key: UInt64) -> (minLat: Double, minLon: Double, maxLat: Double, maxLon: Double) {
    let lonBits = (bits + 1) / 2
    let latBits = bits / 2
    var lonQ: UInt64 = 0
    var latQ: UInt64 = 0
    for k in 0..<bits {
      let bit = (key >> UInt64(bits - 1 - k)) & 1
      if k & 1 == 0 { lonQ = lonQ << 1 | bit } else { latQ = latQ << 1 | bit }
    }
    let lonStep = 360 / Double(UInt64(1) << UInt64(lonBits))
    let latStep = 180 / Double(UInt64(1) << UInt64(latBits))
    let minLon = -180 + Double(lonQ) * lonStep
    let minLat = -90 + Double(latQ) * latStep
    return (minLat, minLon, minLat + latStep, minLon + lonStep)
  }

  public func outline(of key: UInt64) -> [[(lon: Double, lat: Double)]] {
    let b = box(of: key)
    return [
      [(b.minLon, b.minLat), (b.maxLon, b.minLat), (b.maxLon, b.maxLat), (b.minLon, b.maxLat), (b.minLon, b.minLat)]
    ]
  }
}
