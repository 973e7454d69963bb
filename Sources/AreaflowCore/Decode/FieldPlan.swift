#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The input fields a config reads, each given one slot, and the role every slot plays.
///
/// Decoders fill one token per slot for each line; features refer to value or distinct columns by index, so a field
/// read by several features (mean, p90 and max of `speed_kmh`) is parsed once.
public struct FieldPlan: Sendable {
  /// Unique field names; a slot is an index into this array.
  public let names: [String]
  let nameBytes: [[UInt8]]
  public let timeSlot: Int
  public let latSlot: Int
  public let lonSlot: Int
  public let dimensionSlots: [Int]
  /// Numeric fields read by value aggregates (sum, mean, min, max, stddev, quantile, share), one column each.
  public let valueFields: [String]
  public let valueSlots: [Int]
  /// Fields whose distinct values are counted, one hash column each.
  public let distinctFields: [String]
  public let distinctSlots: [Int]

  public init(config: PipelineConfig) {
    var names: [String] = []
    func slot(_ name: String) -> Int {
      if let i = names.firstIndex(of: name) { return i }
      names.append(name)
      return names.count - 1
    }
    timeSlot = slot(config.input.timeField)
    latSlot = slot(config.input.latField)
    lonSlot = slot(config.input.lonField)
    dimensionSlots = config.input.dimensions.map(slot)
    var valueFields: [String] = []
    var distinctFields: [String] = []
    for feature in config.features {
      switch feature.kind {
      case .count: break
      case .distinct(let f): if !distinctFields.contains(f) { distinctFields.append(f) }
      default: if let f = feature.kind.field, !valueFields.contains(f) { valueFields.append(f) }
      }
    }
    self.valueFields = valueFields
    self.distinctFields = distinctFields
    valueSlots = valueFields.map(slot)
    distinctSlots = distinctFields.map(slot)
    self.names = names
    self.nameBytes = names.map { Array($0.utf8) }
  }

  /// The first up-to-8 bytes of each name as a little-endian word, for a one-compare first check.
  var namePrefixes: [UInt64] {
    nameBytes.map { Self.prefixWord($0.withUnsafeBufferPointer { $0.baseAddress }, 0, $0.count) }
  }

  @inline(__always)
  static func prefixWord(_ p: UnsafePointer<UInt8>?, _ start: Int, _ end: Int) -> UInt64 {
    guard let p else { return 0 }
    var word: UInt64 = 0
    let n = min(8, end - start)
    for j in 0..<n { word |= UInt64(p[start + j]) << UInt64(8 * j) }
    return word
  }

  /// The slot of a JSON key given as raw bytes, or -1 when the config does not read it.
  /// - Complexity: O(fields) word compares; bytes past the eighth are compared only on a prefix match.
  @inline(__always)
  func slot(forKey p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, prefixes: UnsafeBufferPointer<UInt64>) -> Int {
    let n = end - start
    let word = Self.prefixWord(p, start, end)
    for i in 0..<prefixes.count where prefixes[i] == word && nameBytes[i].count == n {
      if n <= 8 { return i }
      let equal = nameBytes[i].withUnsafeBufferPointer { k in memcmp(k.baseAddress! + 8, p + start + 8, n - 8) == 0 }
      if equal { return i }
    }
    return -1
  }
}
