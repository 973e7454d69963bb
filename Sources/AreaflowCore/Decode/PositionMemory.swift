/// The vehicle positions a GTFS-Realtime run has already handed on, so that one seen again (same `vehicle.id` and
/// `timestamp`) is not counted twice. A FULL_DATASET feed repeats every vehicle's last position in each snapshot
/// until the vehicle reports again, so archives and polls overlap heavily.
///
/// Memory is bounded: per vehicle only the `perVehicle` newest timestamps are kept, and at most `maxVehicles`
/// vehicles (the least recently heard of is forgotten first). A repeat older than every remembered timestamp of its
/// vehicle cannot be told from a new position and is handed on; a feed repeats its recent positions, so with the
/// defaults this does not happen in practice. The memory is part of the `run` checkpoint, so a restart does not
/// count again what the checkpoint already covers.
public struct PositionMemory: Sendable, Equatable {
  public let perVehicle: Int
  public let maxVehicles: Int
  /// Per vehicle id, its newest timestamps in ascending order, and when it was last heard of (a running clock).
  private var vehicles: [String: (timestamps: [UInt64], heard: UInt64)] = [:]
  private var clock: UInt64 = 0

  public init(perVehicle: Int = 32, maxVehicles: Int = 200_000) {
    self.perVehicle = max(1, perVehicle)
    self.maxVehicles = max(1, maxVehicles)
  }

  public static func == (a: PositionMemory, b: PositionMemory) -> Bool { a.encode() == b.encode() }

  /// Vehicles remembered.
  public var count: Int { vehicles.count }

  /// Records the position and tells whether it is new (true) or one already handed on (false).
  public mutating func admit(vehicle: String, timestamp: UInt64) -> Bool {
    clock += 1
    guard var entry = vehicles[vehicle] else {
      if vehicles.count >= maxVehicles { forgetOldest() }
      vehicles[vehicle] = ([timestamp], clock)
      return true
    }
    entry.heard = clock
    defer { vehicles[vehicle] = entry }
    var low = 0
    var high = entry.timestamps.count
    while low < high {
      let mid = (low + high) / 2
      if entry.timestamps[mid] < timestamp { low = mid + 1 } else { high = mid }
    }
    if low < entry.timestamps.count, entry.timestamps[low] == timestamp { return false }
    if entry.timestamps.count >= perVehicle {
      // Full: an older timestamp than all kept is handed on but not remembered.
      if low == 0 { return true }
      entry.timestamps.remove(at: 0)
      low -= 1
    }
    entry.timestamps.insert(timestamp, at: low)
    return true
  }

  private mutating func forgetOldest() {
    // Rare (a feed with more vehicles than `maxVehicles`): drop the least recently heard tenth at once.
    let drop = max(1, vehicles.count / 10)
    var heard: [(UInt64, String)] = []
    heard.reserveCapacity(vehicles.count)
    for (id, entry) in vehicles { heard.append((entry.heard, id)) }
    heard.sort { $0.0 < $1.0 }
    for (_, id) in heard.prefix(drop) { vehicles[id] = nil }
  }

  /// Checkpoint bytes (vehicles in id order, so equal memories encode equally).
  public func encode() -> [UInt8] {
    var w = StateWriter()
    w.write(perVehicle)
    w.write(maxVehicles)
    w.write(clock)
    w.write(vehicles.count)
    for (id, entry) in vehicles.sorted(by: { $0.key < $1.key }) {
      w.write(id)
      w.write(entry.heard)
      w.write(entry.timestamps.count)
      for t in entry.timestamps { w.write(t) }
    }
    return w.bytes
  }

  public static func decode(_ bytes: [UInt8]) throws(StateReader.CorruptState) -> PositionMemory {
    var r = StateReader(bytes)
    var m = PositionMemory(perVehicle: try r.readCount(limit: 1 << 16), maxVehicles: try r.readCount(limit: 1 << 30))
    m.clock = try r.readUInt64()
    for _ in 0..<(try r.readCount(limit: 1 << 30)) {
      let id = try r.readString()
      let heard = try r.readUInt64()
      var timestamps: [UInt64] = []
      for _ in 0..<(try r.readCount(limit: 1 << 16)) { timestamps.append(try r.readUInt64()) }
      m.vehicles[id] = (timestamps, heard)
    }
    guard r.isAtEnd else { throw StateReader.CorruptState(description: "trailing bytes after the position memory") }
    return m
  }
}
