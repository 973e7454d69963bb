/// The state of one feature for every group slot of a window store, updated a batch at a time.
///
/// Storage is columnar (one array per feature, indexed by slot) so the update loop over a batch is a tight loop over
/// two index buffers with no dynamic dispatch inside it.
protocol FeatureAccumulator: AnyObject {
  /// Makes room for slots `0..<slots`.
  func ensureCapacity(_ slots: Int)
  /// Clears a slot for reuse by a new group.
  func reset(_ slot: Int)
  /// Clears each of `slots` for reuse (one call per accumulator for a whole slice or window).
  func reset(slots: [Int32])
  /// Adds event `events[j]` of `batch` to slot `slots[j]` for every j.
  func add(slots: UnsafeBufferPointer<Int32>, events: UnsafeBufferPointer<Int32>, batch: EventBatch)
  /// The finished values of `slots`, in order.
  func values(_ slots: [Int32]) -> ClosedRows.Values
  /// Adds the state of `other`'s slot `from` into this accumulator's slot `to` (same feature, same config).
  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int)
  /// Adds the state of each slot `from[j]` into slot `to[j]` of this accumulator, in order (a window's slices into
  /// the window's groups).
  func merge(slots from: UnsafeBufferPointer<Int32>, into to: UnsafeBufferPointer<Int32>)
  /// Writes a slot's state exactly, for checkpoints.
  func encode(_ slot: Int, into w: inout StateWriter)
  /// Restores a slot's state written by `encode` (the slot has been reset).
  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState)
}

extension FeatureAccumulator {
  /// `add` with the indices in arrays.
  func add(slots: [Int32], events: [Int32], batch: EventBatch) {
    slots.withUnsafeBufferPointer { s in
      events.withUnsafeBufferPointer { e in add(slots: s, events: e, batch: batch) }
    }
  }

  /// `merge` with the indices in arrays.
  func merge(slots from: [Int32], into to: [Int32]) {
    from.withUnsafeBufferPointer { f in
      to.withUnsafeBufferPointer { t in merge(slots: f, into: t) }
    }
  }
}
