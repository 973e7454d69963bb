/// Epoch-aligned, half-open window arithmetic shared by the stamper (lateness) and the store (assignment).
public enum WindowMath {
  /// Floor division that rounds toward negative infinity (times before 1970 are valid).
  @inline(__always)
  public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
  }

  /// Indices k of every window `[k·every, k·every + size)` containing `t`.
  @inline(__always)
  public static func windowIndices(_ t: Int64, _ spec: WindowSpec) -> ClosedRange<Int64> {
    let last = floorDiv(t, spec.every)
    let first = floorDiv(t - spec.size, spec.every) + 1
    return first...last
  }

  /// The length of the slices every window of `windows` is a whole number of: the greatest common divisor of every
  /// size and slide (a tumbling window's slide is its size).
  public static func sliceLength(_ windows: [WindowSpec]) -> Int64 {
    func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? a : gcd(b, a % b) }
    var g: Int64 = 0
    for spec in windows { g = gcd(gcd(g, spec.size), spec.every) }
    return g > 0 ? g : 1
  }

  /// The length of the panes of `windows`, or nil when they have none.
  ///
  /// A config whose windows one slice long are tumbling (a 1-minute window beside 15-minute windows every 5
  /// minutes) has longer windows that are unions of something coarser than a slice: of panes, whose length is the
  /// greatest common divisor of the longer windows' sizes and slides. A slice's events then serve its one-slice
  /// window and, after that window is final, only the longer ones; so once final the slice is merged into its pane,
  /// once, and a longer window merges its few panes instead of every slice again (a slice lies in size / slide of
  /// them). The pane length divides every longer window's size and slide, so each of those windows is a union of
  /// whole panes; and every window over a slice ends no earlier than the slice's own window, under the same
  /// lateness, so a window that reads panes is never final before its slices have moved into them.
  ///
  /// Nil when no window is one slice long, when a longer window has a size or slide of one slice, or when a
  /// window one slice long hops.
  public static func paneLength(_ windows: [WindowSpec]) -> Int64? {
    func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? a : gcd(b, a % b) }
    let slice = sliceLength(windows)
    var pane: Int64 = 0
    var oneSlice = false
    for spec in windows {
      if spec.size == slice {
        guard spec.every == slice else { return nil }
        oneSlice = true
        continue
      }
      pane = gcd(gcd(pane, spec.size), spec.every)
    }
    return oneSlice && pane > slice ? pane : nil
  }

  /// The first window index that is not yet late under watermark `w` (windows below it are late):
  /// a window k is late when `w ≥ k·every + size + lateness`.
  @inline(__always)
  public static func firstOpenIndex(watermark w: Int64, _ spec: WindowSpec, lateness: Int64) -> Int64 {
    if w == Int64.min { return Int64.min }
    // k·every + size + lateness ≤ w  ⇔  k ≤ floor((w − size − lateness) / every)
    let (x, o) = w.subtractingReportingOverflow(spec.size &+ lateness)
    if o { return Int64.min }
    return floorDiv(x, spec.every) + 1
  }

  /// The event time below which an event is late for at least one window of `spec` under watermark `w`, or nil when
  /// that time cannot be represented (the caller then asks `windowIndices` and `firstOpenIndex` per event).
  ///
  /// The earliest window holding `t` is `floor((t − size) / every) + 1`; it is below the first open window `open`
  /// exactly when `t < (open − 1) · every + size`. The watermark changes far less often than events arrive, so the
  /// stamper compares each event's time with this one number instead of dividing per event and window.
  /// A watermark above `w` from which `firstOpenIndex` (and so `lateBefore`) may differ from its value at `w`: both
  /// hold for every watermark in `w..<` the result. Int64.max when no larger watermark changes them.
  ///
  /// In replay the watermark moves with almost every event, while the first open window moves once per slide, so
  /// the stamper recomputes its thresholds only when the watermark reaches this point.
  public static func openIndexChange(after w: Int64, _ spec: WindowSpec, lateness: Int64) -> Int64 {
    let c = spec.size &+ lateness
    let (x, o) = w.subtractingReportingOverflow(c)
    // Near the bottom of the range the index is Int64.min by overflow; any step may change that.
    if w == Int64.min || o { return w &+ 1 }
    // The index is floorDiv(x, every) + 1: it steps when x reaches the next multiple of `every`.
    let (next, o1) = (floorDiv(x, spec.every) &+ 1).multipliedReportingOverflow(by: spec.every)
    let (change, o2) = next.addingReportingOverflow(c)
    return o1 || o2 ? Int64.max : change
  }

  public static func lateBefore(watermark w: Int64, _ spec: WindowSpec, lateness: Int64) -> Int64? {
    let open = firstOpenIndex(watermark: w, spec, lateness: lateness)
    if open == Int64.min { return Int64.min }
    let (start, o1) = (open &- 1).multipliedReportingOverflow(by: spec.every)
    let (end, o2) = start.addingReportingOverflow(spec.size)
    return o1 || o2 ? nil : end
  }
}
