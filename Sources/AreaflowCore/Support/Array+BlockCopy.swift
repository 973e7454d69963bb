extension Array where Element: BitwiseCopyable {
  /// The `count` values at `p`, copied as one block: `Array(UnsafeBufferPointer(start:count:))` copies them element
  /// by element, which showed in the decoder's profile when it handed its columns to each batch.
  init(blockCopying p: UnsafePointer<Element>, count: Int) {
    guard count > 0 else {
      self = []
      return
    }
    self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
      buffer.baseAddress!.initialize(from: p, count: count)
      initialized = count
    }
  }
}
