/// Disclosure control at the moment a window's groups become rows (SPEC section 8, `privacy`).
///
/// A group is published only when its exact number of distinct contributors reaches `k`. A smaller group's row is
/// kept, marked suppressed, with null features. With `roll_up`, the suppressed groups of a window are merged into
/// their parent areas (the same window, scheme and dimensions); a parent is published, at its level, when the merge
/// reaches `k`, and otherwise goes on to the next level. A parent holds only suppressed children, so the published
/// rows of one window, scheme and dimension values hold disjoint sets of events, each from at least `k`
/// contributors: no subtraction among them isolates a small group. Across window names, overlapping hopping
/// windows or nested schemes it can (a 15-minute row minus its published 5-minute rows); the README says so. The
/// roll-up happens in one shard because the stamper routes every area by its top ancestor
/// (`AreaScheme.routingKey`).
extension WindowStore {
  /// Appends the rows of `slots` (the groups of window `k` of window name `wi`) under `rule`.
  func appendDisclosed(
    slots: [Int32], window wi: Int, index k: Int64, rule: DisclosureRule, into rows: inout ClosedRows
  ) {
    var published: [Int32] = []
    var small: [Int32] = []
    for slot in slots {
      if rule.isPublishable(slot) { published.append(slot) } else { small.append(slot) }
    }
    appendRows(published, window: wi, index: k, level: 0, suppressed: false, rule: rule, into: &rows)
    appendRows(small, window: wi, index: k, level: 0, suppressed: true, rule: rule, into: &rows)
    guard rule.rollUpLevels > 0, !small.isEmpty else { return }
    // Each pending group remembers one of its original areas: every level's parent is computed from it.
    var pending = small.map { ($0, keys[Int($0)].area) }
    var made: [Int32] = []
    for level in 1...rule.rollUpLevels where !pending.isEmpty {
      mergeTable.removeAll()
      var parents: [(Int32, UInt64)] = []
      var sources: [Int32] = []
      var targets: [Int32] = []
      for (slot, origin) in pending {
        let key = keys[Int(slot)]
        guard let area = schemes[Int(key.scheme)].ancestor(of: origin, levels: level) else { continue }
        let target: Int32
        if let found = mergeTable.find(area: area, dimensions: key.dimensions, scheme: key.scheme) {
          target = found
        } else {
          target = newSlot(
            GroupKey(window: Int32(wi), scheme: key.scheme, index: k, area: area, dimensions: key.dimensions))
          mergeTable.insert(area: area, dimensions: key.dimensions, scheme: key.scheme, slot: target)
          parents.append((target, origin))
          made.append(target)
        }
        sources.append(slot)
        targets.append(target)
      }
      for (from, to) in zip(sources, targets) { counts[Int(to)] += counts[Int(from)] }
      for accumulator in accumulators { accumulator?.merge(slots: sources, into: targets) }
      let publishable = parents.filter { rule.isPublishable($0.0) }
      appendRows(publishable.map(\.0), window: wi, index: k, level: level, suppressed: false, rule: rule, into: &rows)
      pending = parents.filter { !rule.isPublishable($0.0) }
    }
    release(made)
  }

  /// Appends rows for `slots`: their values (rounded counts) or, when `suppressed`, nulls.
  private func appendRows(
    _ slots: [Int32], window wi: Int, index k: Int64, level: Int, suppressed: Bool, rule: DisclosureRule,
    into rows: inout ClosedRows
  ) {
    guard !slots.isEmpty else { return }
    for slot in slots {
      var key = keys[Int(slot)]
      key.window = Int32(wi)
      key.index = k
      rows.keys.append(key)
    }
    rows.suppressed.append(contentsOf: repeatElement(suppressed, count: slots.count))
    rows.levels.append(contentsOf: repeatElement(UInt8(level), count: slots.count))
    for f in features.indices {
      if suppressed {
        let nulls: ClosedRows.Values =
          features[f].kind.isInteger
          ? .integers(Array(repeating: nil, count: slots.count)) : .doubles(Array(repeating: nil, count: slots.count))
        rows.columns[f].append(contentsOf: nulls)
        continue
      }
      var values = accumulators[f]?.values(slots) ?? .integers(slots.map { counts[Int($0)] })
      if case .integers(let v) = values, rule.roundCounts > 1 { values = .integers(v.map { $0.map(rule.rounded) }) }
      if let k = features[f].minContributors {
        // A feature that needs more contributors than the group: null where this group has fewer.
        let hidden = slots.map { !rule.reaches(k, slot: $0) }
        switch values {
        case .integers(let v): values = .integers(zip(v, hidden).map { $1 ? nil : $0 })
        case .doubles(let v): values = .doubles(zip(v, hidden).map { $1 ? nil : $0 })
        }
      }
      rows.columns[f].append(contentsOf: values)
    }
  }
}
