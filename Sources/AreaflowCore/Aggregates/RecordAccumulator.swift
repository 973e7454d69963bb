/// An accumulator that keeps one plain record per slot in one array (sum and mean, standard deviation, share), so
/// its merge, reset and read loops run over a raw buffer. Growing and emptying slots is the same for all of them.
protocol RecordAccumulator: AnyObject {
  associatedtype State
  /// The record of an empty slot.
  static var empty: State { get }
  var states: [State] { get set }
}

extension RecordAccumulator {
  func ensureCapacity(_ slots: Int) {
    if states.count < slots { states.append(contentsOf: repeatElement(Self.empty, count: slots - states.count)) }
  }

  func reset(_ slot: Int) { states[slot] = Self.empty }

  func reset(slots: [Int32]) {
    states.withUnsafeMutableBufferPointer { s in
      for slot in slots { s[Int(slot)] = Self.empty }
    }
  }
}
