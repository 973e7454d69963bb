/// `KeyOrder`'s shape compiled for one plan: each key of the shape already knows what its value is to the config
/// (time, latitude, longitude, a dimension, a value column, a distinct column, or nothing), so one pass over a line
/// that follows the shape checks its structure and writes the event's columns as it reads each value, with no
/// tokens in between and no per-value look-up of slot roles.
///
/// Why that gives the token path's result (`KeyOrder.replay`, then `BatchDecoder`'s checks and column writes): the
/// pass takes a line only when the replay would match every entry and the tail and the line would end right after
/// the closing brace, and only when every value is a string without escapes (where the shape expects a string) or a
/// number (where it does not). For such a line the replay's tokens are exactly those strings and numbers in their
/// slots, every other slot absent, and for those two kinds `BatchDecoder`'s `withText`, `number` and `hash` reduce to
/// the very calls made here on the same bytes: the time parser on the raw bytes, `NumberParser.parseDouble` (the
/// chunk-bounded form for number tokens), `ByteHasher.hash` bounded by the chunk. The reject precedence is applied
/// after the whole line is read (malformed lines are never taken here; then time, then coordinates). Anything else
/// (another key, an escape, a `null`, the chunk's last bytes) is handed back untouched to the token path, which reads
/// the line from its start. Values written for a line that is then rejected stay in the uncommitted row and are
/// overwritten by the next line.
///
/// Only plans whose slots each have at most one role, without lookup tables, pseudonymised fields or nested paths,
/// get compiled shapes, and only shapes that hold every slot with a role, each once (a line lacking one goes the
/// token way): then every role's value comes from the line and no column needs a default.
///
/// Owns its buffers: call `deallocate` exactly once.
struct LineShape {
  enum Role: UInt8 {
    case none, time, lat, lon, dimension, value, distinct
  }

  /// One key of the shape: the separator as `KeyOrder.Entry` holds it (at most sixteen bytes), the kind of value
  /// expected, and the role of its slot with the column (or dimension index) it writes.
  struct Step {
    var head: UInt64
    var mask: UInt64
    var last: UInt64
    var count: Int
    var slot: Int32
    var column: Int32
    var role: Role
    var string: Bool
    /// For a string value: the length of the last one read here, the length tried first.
    var predicted: Int = 0
    /// For a number value read as a number: the layouts of the last two different ones read here, tried first;
    /// a number neither takes replaces the one `older` names.
    var layout = NumberLayout()
    var other = NumberLayout()
    var older = false
    /// The first byte of the next separator when it cannot continue a number (it never can after a number: the
    /// general scan recorded it where a number ended), else 0x100: what a number here is usually followed by.
    var terminator: UInt16 = 0x100
  }

  /// The outcome of one line: `end` is the index of its line break (or the chunk's end), -1 when the line is
  /// left to the token path; `reason` the reject reason; `key` the combined dimension key of an accepted line.
  struct Outcome {
    var end: Int
    var reason: RejectReason?
    var key: UInt64
  }

  /// Role and column of every slot, or nil when the plan does not qualify.
  private let roles: [(Role, Int32)]?
  /// How many slots have a role: a compiled shape holds each of them once.
  private let roleCount: Int
  /// The keys' steps, then the tail's (its separator through the closing brace).
  private var steps: UnsafeMutablePointer<Step>
  private var stepCapacity: Int
  private(set) var stepCount = 0
  /// The hash of each dimension value of the line being read, in `FieldPlan.dimensionSlots` order.
  private let dimensionHashes: UnsafeMutablePointer<UInt64>
  private let dimensionCount: Int
  /// The `KeyOrder.version` last compiled (usable or not), so that a shape is compiled once.
  private(set) var version = -1
  /// Whether a usable compiled shape is in place.
  private(set) var ready = false

  init(plan: FieldPlan, enabled: Bool) {
    var roles = [(Role, Int32)](repeating: (.none, -1), count: plan.names.count)
    var usable = enabled && plan.paths.levels.count == 1 && plan.lookupKeySlot == nil && plan.lookupSlots.isEmpty
    func assign(_ slot: Int, _ role: Role, _ column: Int) {
      if roles[slot].0 != .none { usable = false }
      roles[slot] = (role, Int32(column))
    }
    assign(plan.timeSlot, .time, 0)
    assign(plan.latSlot, .lat, 0)
    assign(plan.lonSlot, .lon, 0)
    for (d, slot) in plan.dimensionSlots.enumerated() { assign(slot, .dimension, d) }
    for (column, slot) in plan.valueSlots.enumerated() { assign(slot, .value, column) }
    for (column, slot) in plan.distinctSlots.enumerated() { assign(slot, .distinct, column) }
    self.roles = usable ? roles : nil
    roleCount = roles.reduce(0) { $0 + ($1.0 == .none ? 0 : 1) }
    stepCapacity = 16
    steps = .allocate(capacity: stepCapacity)
    dimensionCount = plan.dimensionSlots.count
    dimensionHashes = .allocate(capacity: max(dimensionCount, 1))
  }

  func deallocate() {
    steps.deallocate()
    dimensionHashes.deallocate()
  }

  /// Compiles `order`'s shape, or marks the shape unusable when it does not qualify.
  mutating func compile(_ order: KeyOrder) {
    version = order.version
    ready = false
    guard let roles, order.tailValid, order.tail.count <= 16 else { return }
    let entries = order.entries
    if entries.count + 1 > stepCapacity {
      steps.deallocate()
      stepCapacity = entries.count * 2 + 1
      steps = .allocate(capacity: stepCapacity)
    }
    var withRole = 0
    for (k, e) in entries.enumerated() {
      guard e.count <= 16 else { return }
      var role = Role.none
      var column: Int32 = -1
      if e.target != -1 {
        guard e.target >= 0, e.target < 1 << FieldPaths.slotBits,
          !(0..<k).contains(where: { steps[$0].slot == Int32(e.target) })
        else { return }
        (role, column) = roles[e.target]
        if role != .none { withRole += 1 }
      }
      steps[k] = Step(
        head: e.head, mask: e.mask, last: e.last, count: e.count, slot: Int32(e.target),
        column: column, role: role, string: e.string)
    }
    guard withRole == roleCount else { return }
    for k in 0..<entries.count {
      let next = UInt8(truncatingIfNeeded: k + 1 < entries.count ? entries[k + 1].head : order.tail.head)
      steps[k].terminator = JSONLineScanner.isNumberByte(next) ? 0x100 : UInt16(next)
    }
    let t = order.tail
    steps[entries.count] = Step(
      head: t.head, mask: t.mask, last: t.last, count: t.count, slot: -1, column: -1, role: .none,
      string: false)
    stepCount = entries.count
    ready = true
  }

  /// Whether the bytes at `q` are the separator of `s` (at least sixteen bytes readable from `q`).
  @inline(__always)
  private static func matches(_ s: UnsafePointer<Step>, _ q: UnsafePointer<UInt8>) -> Bool {
    guard UnsafeRawPointer(q).loadUnaligned(as: UInt64.self) & s.pointee.mask == s.pointee.head else { return false }
    let count = s.pointee.count
    return count <= 8 || UnsafeRawPointer(q + count - 8).loadUnaligned(as: UInt64.self) == s.pointee.last
  }

  /// Reads the line starting at `start` (the chunk's bytes end at `limit`) when it follows the shape, writing its
  /// event at row `row` of `c` (which must have room for it) and its dimension tokens in `tokens`.
  @inline(__always)
  func decode(
    _ p: UnsafePointer<UInt8>, _ start: Int, _ limit: Int, row: Int, into c: inout DecodeColumns,
    tokens: UnsafeMutableBufferPointer<FieldToken>, timeParser: TimeParser, days: inout TimeParser.DayCache
  ) -> Outcome {
    let handBack = Outcome(end: -1, reason: nil, key: 0)
    var i = start
    // Time, latitude and longitude go straight to their columns; these bits say which of them were read and valid.
    let timeRead: UInt8 = 1
    let latRead: UInt8 = 2
    let lonRead: UInt8 = 4
    var read: UInt8 = 0
    // A separator is compared from at most sixteen bytes at `i`: lines in the chunk's last sixteen bytes are left
    // to the token path.
    let stepLimit = limit - 16
    // Fields are read through the pointer where they are used: a copy of the whole step would be loaded first.
    var s = steps
    let tail = steps + stepCount
    while s < tail {
      defer { s += 1 }
      guard i <= stepLimit, Self.matches(s, p + i) else { return handBack }
      let v = i + s.pointee.count
      let role = s.pointee.role
      let valueEnd: Int
      if s.pointee.string {
        let predicted = s.pointee.predicted
        if Self.plainString(p, v, length: predicted, limit) {
          valueEnd = v + predicted
        } else {
          guard let (close, escaped) = JSONLineScanner.scanString(p, v, limit), !escaped else { return handBack }
          valueEnd = close
          s.pointee.predicted = close - v
        }
        i = valueEnd + 1
      } else {
        if role == .lat || role == .lon || role == .value {
          // A number read where it is scanned: by the layout of the last one here when it follows it (which
          // implies a number starts at `v`), else scanned and parsed, and its layout learned.
          let x: Double?
          let terminator = s.pointee.terminator
          if let parsed = s.pointee.layout.value(p, v, limit, terminator: terminator) {
            x = parsed
            i = v + s.pointee.layout.length
          } else if let parsed = s.pointee.other.value(p, v, limit, terminator: terminator) {
            x = parsed
            i = v + s.pointee.other.length
          } else {
            guard v < limit, p[v] == 45 || p[v] &- 48 < 10 else { return handBack }
            i = JSONLineScanner.numberEnd(p, v, limit)
            // A layout learned from these very bytes takes them (the byte after the number is not a number byte).
            let layout = NumberLayout(p, v, i, readableTo: limit)
            if s.pointee.older {
              s.pointee.other = layout
            } else {
              s.pointee.layout = layout
            }
            s.pointee.older.toggle()
            x = layout.value(p, v, limit) ?? NumberParser.parseDouble(p, v, i, readableFrom: 0)
          }
          switch role {
          case .lat:
            if let x {
              c.lats[row] = x
              read |= latRead
            }
          case .lon:
            if let x {
              c.lons[row] = x
              read |= lonRead
            }
          default: c.values[Int(s.pointee.column)][row] = x ?? .nan
          }
          continue
        }
        guard v < limit, p[v] == 45 || p[v] &- 48 < 10 else { return handBack }
        valueEnd = JSONLineScanner.numberEnd(p, v, limit)
        i = valueEnd
      }
      switch role {
      case .none: break
      case .time:
        if let time = timeParser.parse(p, v, valueEnd, days: &days) {
          c.times[row] = time
          read |= timeRead
        }
      case .lat:
        if let x = NumberParser.parseDouble(p, v, valueEnd) {
          c.lats[row] = x
          read |= latRead
        }
      case .lon:
        if let x = NumberParser.parseDouble(p, v, valueEnd) {
          c.lons[row] = x
          read |= lonRead
        }
      case .dimension:
        dimensionHashes[Int(s.pointee.column)] = Self.hash(p, v, valueEnd, limit)
        tokens[Int(s.pointee.slot)] = FieldToken(
          kind: s.pointee.string ? .string : .number, start: v, end: valueEnd)
      case .value: c.values[Int(s.pointee.column)][row] = NumberParser.parseDouble(p, v, valueEnd) ?? .nan
      case .distinct:
        c.distinctHashes[Int(s.pointee.column)][row] = Self.hash(p, v, valueEnd, limit)
      }
    }
    guard i <= stepLimit, Self.matches(tail, p + i) else { return handBack }
    let end = JSONLineScanner.skipSpace(p, i + tail.pointee.count, limit)
    guard end == limit || p[end] == 10 else { return handBack }
    guard read & timeRead != 0 else { return Outcome(end: end, reason: .bad_time, key: 0) }
    guard read == timeRead | latRead | lonRead else { return Outcome(end: end, reason: .bad_coordinates, key: 0) }
    let lat = c.lats[row]
    let lon = c.lons[row]
    guard lat >= -90, lat <= 90, lon >= -180, lon <= 180 else {
      return Outcome(end: end, reason: .bad_coordinates, key: 0)
    }
    var key: UInt64 = 0x5151
    for d in 0..<dimensionCount { key = ByteHasher.combine(key, dimensionHashes[d]) }
    return Outcome(end: end, reason: nil, key: key)
  }

  /// `ByteHasher.hash(p, start, end, readableFrom: 0, to: limit)`, from one word when the value has at most eight
  /// bytes and a word from its start can be read (ids and route names).
  @inline(__always)
  static func hash(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ limit: Int) -> UInt64 {
    let n = end - start
    guard n <= 8, start + 8 <= limit else { return ByteHasher.hash(p, start, end, readableFrom: 0, to: limit) }
    let word = UnsafeRawPointer(p + start).loadUnaligned(as: UInt64.self)
    return ByteHasher.hash(word: n == 8 ? word : word & ((1 &<< UInt64(8 * n)) &- 1), length: n)
  }

  /// Whether `p[v..<v + length]` is a string's whole content without escapes: no `"`, `\` or control byte in
  /// it and `"` right after it, which is what `JSONLineScanner.scanString` returns `(v + length, false)` for. The
  /// content is checked a word at a time with `stopBytes`, each word on its own: a word flags its lowest stop byte,
  /// and flags nothing below it (borrows flag bytes above a match, never below), so words within the content flag
  /// nothing exactly when it holds no stop byte; a content shorter than a word has its word's flags masked to it.
  @inline(__always)
  static func plainString(_ p: UnsafePointer<UInt8>, _ v: Int, length: Int, _ limit: Int) -> Bool {
    guard v + length + 8 <= limit, p[v + length] == 34 else { return false }
    @inline(__always) func stops(_ j: Int) -> UInt64 {
      JSONLineScanner.stopBytes(UnsafeRawPointer(p + v + j).loadUnaligned(as: UInt64.self))
    }
    guard length >= 8 else { return stops(0) & ((1 &<< UInt64(8 * length)) &- 1) == 0 }
    // Whole words, the last one ending where the content ends (it may overlap the one before).
    var found = stops(length - 8)
    var j = 0
    while j + 8 < length {
      found |= stops(j)
      j += 8
    }
    return found == 0
  }
}
