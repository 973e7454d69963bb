/// The windows the HTTP API can serve: per window name the last `retain` final windows (oldest first) and the
/// newest open one. A value type: the pipeline builds the next version and publishes it whole.
public struct RecentWindows: Sendable {
  public let retain: Int
  /// Per window spec index, final windows oldest first.
  public private(set) var final: [[WindowView]]
  /// Per window spec index, the newest open window at the last flush.
  public private(set) var open: [WindowView?]
  /// The watermark (ns) at the last flush.
  public var watermark: Int64?
  /// Counts publications, so a rendered answer can be reused until the next one.
  public var generation = 0

  public init(windowCount: Int, retain: Int) {
    self.retain = max(1, retain)
    final = Array(repeating: [], count: windowCount)
    open = Array(repeating: nil, count: windowCount)
  }

  /// Adds newly committed windows, dropping the oldest beyond `retain`.
  public mutating func add(final views: [WindowView]) {
    for view in views {
      var list = final[view.window]
      if let i = list.firstIndex(where: { $0.start == view.start }) {
        var tables = list[i].tables
        for (s, t) in view.tables { tables[s] = tables[s].map { $0.appending(t) } ?? t }
        list[i] = WindowView(
          window: view.window, name: view.name, start: view.start, end: view.end, isFinal: true, tables: tables)
      } else {
        let at = list.firstIndex { $0.start > view.start } ?? list.count
        list.insert(view, at: at)
      }
      if list.count > retain { list.removeFirst(list.count - retain) }
      final[view.window] = list
    }
  }

  /// Replaces the open windows with the newest open one per window name among `views`.
  public mutating func setOpen(_ views: [WindowView]) {
    open = Array(repeating: nil, count: open.count)
    for view in views where open[view.window].map({ $0.start < view.start }) ?? true {
      open[view.window] = view
    }
  }

  /// The final window of spec `window` that holds `millis` (the latest-starting one for hopping windows), or the
  /// open one when no retained final window does.
  public func window(_ window: Int, holding millis: Int64) -> WindowView? {
    if let v = final[window].last(where: { $0.start <= millis && millis < $0.end }) { return v }
    if let v = open[window], v.start <= millis, millis < v.end { return v }
    return nil
  }
}
