/// Geohash cells of a fixed precision (1–12 characters).
///
/// The key is the cell's interleaved bits (5 per character), so neighbouring events hash to integers without any
/// string work; the base32 label is only made for output.
public struct GeohashScheme: AreaScheme {
  public let name: String
  public let precision: Int
  private let bits: Int

  static let alphabet: [UInt8] = Array("0123456789bcdefghjkmnpqrstuvwxyz".utf8)

  private let lonWidth: Double
  private let lonScale: Double
  private let lonLast: Int64
  private let latWidth: Double
  private let latScale: Double
  private let latLast: Int64

  public init(name: String, precision: Int) {
    precondition((1...12).contains(precision), "geohash precision must be 1...12")
    self.name = name
    self.precision = precision
    self.bits = precision * 5
    let lonCells = Double(UInt64(1) << UInt64((bits + 1) / 2))
    let latCells = Double(UInt64(1) << UInt64(bits / 2))
    lonWidth = 360 / lonCells
    lonScale = lonCells / 360
    lonLast = Int64(lonCells) - 1
    latWidth = 180 / latCells
    latScale = latCells / 180
    latLast = Int64(latCells) - 1
  }

  /// The interleaved geohash bits of a point (longitude bit first), `bits` wide.
  ///
  /// Gives exactly the cell of classic interval halving (a value equal to a midpoint goes to the upper half), so
  /// points on cell edges land where every other geohash implementation puts them, but without a loop over bits:
  /// each coordinate's cell index is scaled, then corrected against the exact cell edges (every edge
  /// `−180 + x · 360 / 2ⁿ` is a double exactly, as are the halving's midpoints), and the two indices are
  /// interleaved with bit masks.
  /// - Complexity: O(1), no allocation.
  @inlinable
  public static func encodeBits(lat: Double, lon: Double, bits: Int) -> UInt64 {
    let lonBits = (bits + 1) / 2
    let latBits = bits / 2
    let x = cellIndex(lon, low: -180, span: 360, bits: lonBits)
    let y = cellIndex(lat, low: -90, span: 180, bits: latBits)
    return bits & 1 == 0 ? spread(x) << 1 | spread(y) : spread(x) | spread(y) << 1
  }

  /// The index of the cell of `2^bits` equal cells over `[low, low + span]` holding `v` (the top edge belongs to
  /// the last cell), exactly as interval halving finds it.
  @inlinable @inline(__always)
  static func cellIndex(_ v: Double, low: Double, span: Double, bits: Int) -> UInt64 {
    let cells = Double(UInt64(1) << UInt64(bits))
    return cellIndex(v, low: low, width: span / cells, scale: cells / span, last: Int64(1) << Int64(bits) - 1)
  }

  /// `cellIndex` from the cell width, its inverse (a power of two over the span) and the last index.
  @inlinable @inline(__always)
  static func cellIndex(_ v: Double, low: Double, width: Double, scale: Double, last: Int64) -> UInt64 {
    guard last > 0 else { return 0 }
    let scaled = (v - low) * scale
    var x = scaled < 0 ? 0 : Int64(scaled)
    x = min(x, last)
    // The scaled value is at most one cell off through rounding (its relative error is a few units in the last
    // place, far below one cell in 2^30); the edges themselves are exact.
    if x > 0 && low + Double(x) * width > v {
      x -= 1
    } else if x < last && low + Double(x + 1) * width <= v {
      x += 1
    }
    return UInt64(x)
  }

  /// Moves bit i of `v` (below 2³²) to bit 2i.
  @inlinable @inline(__always)
  static func spread(_ v: UInt64) -> UInt64 {
    var x = v & 0xFFFF_FFFF
    x = (x | x << 16) & 0x0000_FFFF_0000_FFFF
    x = (x | x << 8) & 0x00FF_00FF_00FF_00FF
    x = (x | x << 4) & 0x0F0F_0F0F_0F0F_0F0F
    x = (x | x << 2) & 0x3333_3333_3333_3333
    x = (x | x << 1) & 0x5555_5555_5555_5555
    return x
  }

  /// One cell per point: keys and offsets written in one pass without a call per point.
  ///
  /// Both columns are grown once and then written through buffers: an `append` per point pays a uniqueness and a
  /// capacity check that cost more than the store.
  public func assign(lats: [Double], lons: [Double], into column: inout AreaColumn) -> Int {
    let n = lats.count
    let base = column.keys.count
    let startsBase = column.starts.count
    column.keys.append(contentsOf: repeatElement(0, count: n))
    column.starts.append(contentsOf: repeatElement(0, count: n))
    lats.withUnsafeBufferPointer { la in
      lons.withUnsafeBufferPointer { lo in
        column.keys.withUnsafeMutableBufferPointer { keys in
          for i in 0..<n { keys[base + i] = encode(lat: la[i], lon: lo[i]) }
        }
      }
    }
    column.starts.withUnsafeMutableBufferPointer { starts in
      for i in 0..<n { starts[startsBase + i] = Int32(base + i + 1) }
    }
    return 0
  }

  /// `encodeBits` with this precision's cell sizes worked out once (multiplications instead of divisions).
  @inline(__always)
  func encode(lat: Double, lon: Double) -> UInt64 {
    let x = Self.cellIndex(lon, low: -180, width: lonWidth, scale: lonScale, last: lonLast)
    let y = Self.cellIndex(lat, low: -90, width: latWidth, scale: latScale, last: latLast)
    return bits & 1 == 0 ? Self.spread(x) << 1 | Self.spread(y) : Self.spread(x) | Self.spread(y) << 1
  }

  /// The classic interval-halving encoder (a value equal to a midpoint goes to the upper half): the definition
  /// `encodeBits` is tested against.
  static func encodeBitsByHalving(lat: Double, lon: Double, bits: Int) -> UInt64 {
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
    keys.append(encode(lat: lat, lon: lon))
    return 1
  }

  /// The geohash string of a point.
  public static func encode(lat: Double, lon: Double, precision: Int) -> String {
    label(bits: encodeBits(lat: lat, lon: lon, bits: precision * 5), precision: precision)
  }

  /// The base32 label, built on the stack: at most 12 characters make a small string, so a label allocates nothing
  /// (snapshot assembly makes one per row).
  static func label(bits value: UInt64, precision: Int) -> String {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: precision) { chars in
      for k in 0..<precision {
        let shift = UInt64((precision - 1 - k) * 5)
        chars[k] = alphabet[Int((value >> shift) & 31)]
      }
      return String(decoding: chars, as: UTF8.self)
    }
  }

  public func label(of key: UInt64) -> String { Self.label(bits: key, precision: precision) }

  /// The cell one character shorter per level: its key is the child's without the last 5 bits per level.
  public func ancestor(of key: UInt64, levels: Int) -> UInt64? {
    levels < precision ? key >> UInt64(5 * levels) : nil
  }

  public func ancestorLabel(of key: UInt64, level: Int) -> String {
    Self.label(bits: key, precision: precision - level)
  }

  /// A shorter geohash is the cell of a scheme of that precision.
  public func ancestorPolygons(label: String) -> [[[(lon: Double, lat: Double)]]]? {
    let length = label.utf8.count
    guard length >= 1, length < precision else { return nil }
    let parent = GeohashScheme(name: name, precision: length)
    return parent.key(of: label).map { [parent.outline(of: $0)] }
  }

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
