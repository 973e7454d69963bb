extension WindowStore {
  static let checkpointFormat = "areaflow-window-store-1"

  /// What the state depends on: a checkpoint from a store with other windows, lateness or features is refused.
  var stateFingerprint: String {
    let w = windows.map { "\($0.name):\($0.size):\($0.every)" }.joined(separator: ",")
    let f = features.map { "\($0.name)=\($0.kind)" }.joined(separator: ",")
    return "windows[\(w)] lateness[\(allowedLateness)] features[\(f)]"
  }

  /// Every open window and its groups, exactly (mergeable sketch states included): the window part of a
  /// checkpoint. Restoring it into an empty store of the same config continues as if nothing had stopped.
  /// - Complexity: O(open groups × state size).
  public func checkpoint() -> [UInt8] {
    var w = StateWriter()
    w.write(Self.checkpointFormat)
    w.write(stateFingerprint)
    w.write(open.count)
    for window in open {
      w.write(Int(window.window))
      w.write(window.index)
      w.write(window.slots.count)
      for slot in window.slots {
        let key = keys[Int(slot)]
        w.write(Int(key.scheme))
        w.write(key.area)
        w.write(key.dimensions)
        w.write(counts[Int(slot)])
        for a in accumulators { a?.encode(Int(slot), into: &w) }
      }
    }
    return w.bytes
  }

  /// Loads a checkpoint into this store, which must be empty.
  /// - Throws: `StateReader.CorruptState` for damaged data or a checkpoint of another config.
  public func restore(_ bytes: [UInt8]) throws(StateReader.CorruptState) {
    precondition(open.isEmpty, "restore into an empty store")
    var r = StateReader(bytes)
    guard try r.readString() == Self.checkpointFormat else {
      throw StateReader.CorruptState(description: "not an areaflow window-store checkpoint")
    }
    let fingerprint = try r.readString()
    guard fingerprint == stateFingerprint else {
      throw StateReader.CorruptState(
        description:
          "the checkpoint was written for other windows or features (\(fingerprint)); this config has \(stateFingerprint)"
      )
    }
    let windowCount = try r.readCount(limit: 1 << 20)
    for _ in 0..<windowCount {
      let wi = try r.readCount(limit: windows.count - 1)
      let index = try r.readInt64()
      let window = openWindow(Int32(wi), index)
      let groups = try r.readCount()
      for _ in 0..<groups {
        let scheme = Int32(try r.readCount(limit: 255))
        let area = try r.readUInt64()
        let dims = try r.readUInt64()
        let key = GroupKey(window: Int32(wi), scheme: scheme, index: index, area: area, dimensions: dims)
        let slot = newSlot(key)
        window.table.insert(area: area, dimensions: dims, scheme: scheme, slot: slot)
        window.slots.append(slot)
        counts[Int(slot)] = try r.readInt64()
        for a in accumulators { try a?.decode(Int(slot), from: &r) }
      }
    }
    guard r.isAtEnd else { throw StateReader.CorruptState(description: "trailing bytes after the window state") }
  }
}
