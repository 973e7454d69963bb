#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Counts distinct values: exactly up to `exactLimit`, then with a HyperLogLog sketch (2^14 registers, ~0.8%
/// standard error) using Ertl's improved estimator, which stays unbiased across the whole range without the
/// empirical bias tables of HyperLogLog++. Mergeable in both states.
///
/// Values arrive as 64-bit hashes (never 0); the exact set is an open-addressing table of those hashes.
public struct DistinctCounter: Sendable, Equatable {
  public static let exactLimit = 256
  /// The relative error of an estimate past `exactLimit` the contract promises (SPEC section 3), in percent; the
  /// sketch's standard error is well below it.
  public static let promisedErrorPercent = 2
  static let precision = 14
  static let registerCount = 1 << precision

  /// How many distinct values live inline, with no heap table: most slice groups see a handful of vehicles or
  /// devices, and merging them into their windows then reads no scattered buffers.
  static let inlineCapacity = 8

  /// The distinct values while there are at most `inlineCapacity` of them and `inTable` is false.
  var small = SIMD8<UInt64>()
  /// Whether the exact values are in `table` (past `inlineCapacity`).
  var inTable = false
  /// Open-addressing table of the exact values once `inTable` (0 marks an empty bucket); a zeroed buffer may be
  /// kept across `reset`.
  var table: [UInt64] = []
  var exactCount = 0
  var registers: [UInt8] = []

  public init() {}

  /// The exact values (while not estimating), in no particular order.
  var exactValues: [UInt64] {
    inTable ? table.filter { $0 != 0 } : (0..<exactCount).map { small[$0] }
  }

  /// Equal when they count the same set the same way (order and leftovers in unused slots do not count).
  public static func == (a: DistinctCounter, b: DistinctCounter) -> Bool {
    a.registers == b.registers && a.exactCount == b.exactCount && a.exactValues.sorted() == b.exactValues.sorted()
  }

  /// Empties the counter, keeping a small exact table's buffer so a reused slot of a small group allocates nothing.
  /// Larger tables (up to 4 KiB) and the 16 KiB of registers are released: slots that held a merged window are
  /// reused by small slice groups, and keeping the largest table a slot ever had would let memory creep up with
  /// the length of the stream.
  public mutating func reset() {
    if table.count > 16 {
      table = []
    } else if inTable {
      table.withUnsafeMutableBufferPointer { t in
        for i in t.indices { t[i] = 0 }
      }
    }
    inTable = false
    exactCount = 0
    registers = []
  }

  public var isEstimating: Bool { !registers.isEmpty }

  /// Adds one hashed value.
  /// - Complexity: O(1) amortised.
  public mutating func add(_ hash: UInt64) {
    if !registers.isEmpty {
      addToRegisters(hash)
      return
    }
    if !inTable {
      let n = exactCount
      // Through a pointer: a vector's lanes are slow to read and write one by one at a variable index.
      let added = withUnsafeMutableBytes(of: &small) { raw -> Bool? in
        let lanes = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
        for i in 0..<n where lanes[i] == hash { return false }
        guard n < Self.inlineCapacity else { return nil }
        lanes[n] = hash
        return true
      }
      if let added {
        if added { exactCount = n + 1 }
        return
      }
      moveToTable()
    }
    let found = table.withUnsafeMutableBufferPointer { t -> Bool in
      let mask = t.count - 1
      var i = Int(truncatingIfNeeded: hash) & mask
      while true {
        let v = t[i]
        if v == hash { return true }
        if v == 0 { break }
        i = (i + 1) & mask
      }
      t[i] = hash
      return false
    }
    if found { return }
    exactCount += 1
    if exactCount > Self.exactLimit {
      switchToRegisters()
    } else if exactCount * 2 > table.count {
      rehash(to: table.count * 2)
    }
  }

  /// Moves the inline values into the table (a kept buffer is already zeroed).
  private mutating func moveToTable() {
    if table.count < 16 { table = [UInt64](repeating: 0, count: 16) }
    inTable = true
    let mask = table.count - 1
    for k in 0..<exactCount {
      let v = small[k]
      var i = Int(truncatingIfNeeded: v) & mask
      while table[i] != 0 { i = (i + 1) & mask }
      table[i] = v
    }
  }

  private mutating func rehash(to size: Int) {
    let old = table
    table = [UInt64](repeating: 0, count: size)
    let mask = size - 1
    for v in old where v != 0 {
      var i = Int(truncatingIfNeeded: v) & mask
      while table[i] != 0 { i = (i + 1) & mask }
      table[i] = v
    }
  }

  private mutating func switchToRegisters() {
    let values = exactValues
    registers = [UInt8](repeating: 0, count: Self.registerCount)
    for v in values { addToRegisters(v) }
    table = []
    inTable = false
    exactCount = 0
  }

  @inline(__always)
  private mutating func addToRegisters(_ hash: UInt64) {
    let h = ByteHasher.mix(hash)
    let index = Int(h >> UInt64(64 - Self.precision))
    let rest = h << UInt64(Self.precision)
    let rho = UInt8(min(rest.leadingZeroBitCount, 64 - Self.precision) + 1)
    if rho > registers[index] { registers[index] = rho }
  }

  /// The number of distinct values (exact below the limit).
  public var estimate: Int64 {
    if registers.isEmpty { return Int64(exactCount) }
    let m = Double(Self.registerCount)
    let q = 64 - Self.precision
    var histogram = [Int](repeating: 0, count: q + 2)
    for r in registers { histogram[Int(r)] += 1 }
    var z = m * Self.tau(1 - Double(histogram[q + 1]) / m)
    for k in stride(from: q, through: 1, by: -1) { z = 0.5 * (z + Double(histogram[k])) }
    z += m * Self.sigma(Double(histogram[0]) / m)
    let alphaInf = 1 / (2 * log(2.0))
    return Int64((alphaInf * m * m / z).rounded())
  }

  static func sigma(_ x0: Double) -> Double {
    if x0 == 1 { return .infinity }
    var x = x0
    var y = 1.0
    var z = x
    while true {
      x *= x
      let previous = z
      z += x * y
      y += y
      if z == previous { return z }
    }
  }

  static func tau(_ x0: Double) -> Double {
    if x0 == 0 || x0 == 1 { return 0 }
    var x = x0
    var y = 1.0
    var z = 1 - x
    while true {
      x = x.squareRoot()
      let previous = z
      y *= 0.5
      z -= (1 - x) * (1 - x) * y
      if z == previous { return z / 3 }
    }
  }

  /// Combines another counter into this one.
  public mutating func merge(_ other: borrowing DistinctCounter) {
    if other.registers.isEmpty {
      if other.inTable {
        for v in other.table where v != 0 { add(v) }
      } else {
        withUnsafeBytes(of: other.small) { add(inline: $0, count: other.exactCount) }
      }
      return
    }
    if registers.isEmpty { switchToRegisters() }
    for i in 0..<Self.registerCount where other.registers[i] > registers[i] { registers[i] = other.registers[i] }
  }

  /// `merge` from a counter read in place: a small source's inline values are added from its memory, where
  /// passing the counter itself would copy it (and retain its arrays), once per merged slot.
  @inline(__always)
  mutating func merge(at source: UnsafeMutablePointer<DistinctCounter>) {
    guard !source.pointee.inTable, !source.pointee.isEstimating else { return merge(source.pointee) }
    withUnsafeBytes(of: &source.pointee.small) { add(inline: $0, count: source.pointee.exactCount) }
  }

  /// Adds the first `count` inline values in `raw`, read through a pointer as in `add` (a vector's lanes are slow
  /// to read one by one at a variable index).
  @inline(__always)
  private mutating func add(inline raw: UnsafeRawBufferPointer, count: Int) {
    let values = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
    for i in 0..<count { add(values[i]) }
  }
}
