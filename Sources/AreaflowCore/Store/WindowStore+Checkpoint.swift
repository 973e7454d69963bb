extension WindowStore {
  /// Version 3 holds window slices and panes; an earlier checkpoint (open windows, or slices without panes) is
  /// refused like one of another config.
  public static let checkpointFormat = "areaflow-window-store-3"

  /// What the state depends on: a checkpoint from a store with other windows, lateness or features is refused.
  var stateFingerprint: String {
    StateFingerprint.windowState(windows: windows, allowedLateness: allowedLateness, features: features)
  }

  /// Every open slice and pane and its groups, exactly (mergeable sketch states included), and how far each window name has
  /// been emitted: the window part of a checkpoint. Restoring it into an empty store of the same config continues as if nothing had stopped.
  /// - Complexity: O(open groups × state size).
  public func checkpoint() -> [UInt8] {
    // Rows closed inside `add` are handed out by the `close(upTo:)` that always follows it, before any checkpoint.
    assert(pendingRows.isEmpty, "checkpoint with rows not yet handed out")
    var w = StateWriter()
    w.write(Self.checkpointFormat)
    w.write(stateFingerprint)
    for below in closedBelow { w.write(below) }
    w.write(mergedBelow)
    w.write(newestSlice)
    for units in [slices, panes] {
      w.write(units.count)
      for unit in units {
        w.write(unit.index)
        w.write(unit.slots.count)
        for slot in unit.slots {
          let key = keys[Int(slot)]
          w.write(Int(key.scheme))
          w.write(key.area)
          w.write(key.dimensions)
          w.write(counts[Int(slot)])
          for a in accumulators { a?.encode(Int(slot), into: &w) }
        }
      }
    }
    return w.bytes
  }

  /// Loads a checkpoint into this store, which must be empty.
  /// - Throws: `StateReader.CorruptState` for damaged data or a checkpoint of another config.
  public func restore(_ bytes: [UInt8]) throws(StateReader.CorruptState) {
    precondition(slices.isEmpty && panes.isEmpty, "restore into an empty store")
    var r = StateReader(bytes)
    let format = try r.readString()
    guard format == Self.checkpointFormat else {
      throw StateReader.CorruptState(
        description: format.hasPrefix("areaflow-window-store-")
          ? "the checkpoint was written by an earlier areaflow (\(format), this one reads \(Self.checkpointFormat))"
          : "not an areaflow window-store checkpoint")
    }
    let fingerprint = try r.readString()
    guard fingerprint == stateFingerprint else {
      throw StateReader.CorruptState(
        description:
          "the checkpoint was written for other windows or features (\(fingerprint)); this config has \(stateFingerprint)"
      )
    }
    for wi in windows.indices { closedBelow[wi] = try r.readInt64() }
    mergedBelow = try r.readInt64()
    newestSlice = try r.readInt64()
    if slicesPerPane == 0 && mergedBelow != Int64.min {
      throw StateReader.CorruptState(
        description: "the checkpoint has slices merged into panes, which this config does not have")
    }
    for pane in [false, true] {
      let unitCount = try r.readCount(limit: 1 << 24)
      if pane && unitCount > 0 && slicesPerPane == 0 {
        throw StateReader.CorruptState(description: "the checkpoint holds panes, which this config does not have")
      }
      for _ in 0..<unitCount {
        let index = try r.readInt64()
        let unit = pane ? openPane(index) : openSlice(index)
        let groups = try r.readCount()
        for _ in 0..<groups {
          let scheme = Int32(try r.readCount(limit: 255))
          let area = try r.readUInt64()
          let dims = try r.readUInt64()
          let key = GroupKey(window: -1, scheme: scheme, index: index, area: area, dimensions: dims)
          let slot = newSlot(key)
          unit.table.insert(area: area, dimensions: dims, scheme: scheme, slot: slot)
          unit.slots.append(slot)
          counts[Int(slot)] = try r.readInt64()
          for a in accumulators { try a?.decode(Int(slot), from: &r) }
        }
      }
    }
    guard r.isAtEnd else { throw StateReader.CorruptState(description: "trailing bytes after the window state") }
    recomputeThresholds()
  }
}
