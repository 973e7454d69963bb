/// What `_rejects/` and `_late/` may keep of a line under `privacy` (SPEC section 8): the line with every
/// pseudonymised field's value replaced by its pseudonym, or nothing (only the input, line number and reason) when
/// the line is too broken to find its fields or `raw_lines: false`.
public struct LineRedactor: Sendable {
  let plan: FieldPlan
  let format: InputConfig.Format
  let pseudonymiser: Pseudonymiser?
  let keepsLines: Bool

  /// nil when side outputs keep lines as they are (no `privacy`, or neither pseudonyms nor `raw_lines: false`).
  public init?(config: PipelineConfig, plan: FieldPlan) {
    guard let privacy = config.privacy, !privacy.pseudonymisedFields.isEmpty || !privacy.rawLines else { return nil }
    self.plan = plan
    format = config.input.lineFormat
    pseudonymiser = privacy.key.map { Pseudonymiser(key: $0.bytes) }
    keepsLines = privacy.rawLines
  }

  /// The line to keep, or nil to keep none of it.
  /// - Parameter csvColumns: the input's header mapping (CSV).
  public func redact(_ line: ArraySlice<UInt8>, csvColumns: [Int]?) -> [UInt8]? {
    guard keepsLines else { return nil }
    guard let pseudonymiser, !plan.pseudonymisedSlots.isEmpty else { return Array(line) }
    // Fail closed: an escape anywhere (a key written `"dev\u0069ce"` is not matched to its field) or a
    // pseudonymised column or key that occurs more than once (the scan keeps only the last) could leave a raw
    // value behind, so such a line keeps no text.
    if line.contains(92) { return nil }
    if let columns = csvColumns, plan.pseudonymisedSlots.contains(where: { s in columns.filter { $0 == s }.count > 1 })
    {
      return nil
    }
    let bytes = Array(line)
    if format == .ndjson, keyOccurrences(bytes) > plan.pseudonymisedSlots.count { return nil }
    return bytes.withUnsafeBufferPointer { b -> [UInt8]? in
      guard let p = b.baseAddress else { return [] }
      var tokens = [FieldToken](repeating: FieldToken(), count: plan.names.count)
      var order = KeyOrder()
      var end = b.count
      if end > 0, p[end - 1] == 13 { end -= 1 }
      let scanned = tokens.withUnsafeMutableBufferPointer { t in
        format == .csv
          ? CSVRecordScanner.scan(p, 0, end, columns: csvColumns ?? [], tokens: t)
          : JSONLineScanner.scan(p, 0, end, plan: plan, tokens: t, order: &order)
      }
      guard scanned else { return nil }
      // Replace from the last token to the first, so earlier offsets stay valid.
      var out = bytes
      // Values from a lookup table are not in the line.
      let replaced = plan.pseudonymisedSlots.map { tokens[$0] }.filter {
        $0.kind != .absent && $0.kind != .null && $0.kind != .lookup
      }
      .sorted { $0.start > $1.start }
      for token in replaced {
        guard let value = text(p, token) else { return nil }
        let pseudonym = value.withUnsafeBufferPointer { v in
          pseudonymiser.withPseudonym(v.baseAddress!, 0, v.count) { q, s, e in
            Array(UnsafeBufferPointer(start: q + s, count: e - s))
          }
        }
        // A number (or any other JSON value) becomes a string: pseudonyms are text.
        let quoted = token.kind != .string && format == .ndjson
        out.replaceSubrange(token.start..<token.end, with: quoted ? [34] + pseudonym + [34] : pseudonym)
      }
      return out
    }
  }

  /// How often the last segment of a pseudonymised field occurs as a quoted key (`"device"` then `:`) anywhere
  /// in the line; more occurrences than fields means a key is repeated.
  private func keyOccurrences(_ bytes: [UInt8]) -> Int {
    var total = 0
    for slot in plan.pseudonymisedSlots {
      let name = Array((plan.names[slot].split(separator: ".").last ?? "").utf8)
      let needle = [34] + name + [34]
      var i = 0
      while i + needle.count <= bytes.count {
        guard bytes[i..<(i + needle.count)].elementsEqual(needle) else {
          i += 1
          continue
        }
        var j = i + needle.count
        while j < bytes.count, bytes[j] == 32 || bytes[j] == 9 { j += 1 }
        if j < bytes.count, bytes[j] == 58 { total += 1 }
        i += needle.count
      }
    }
    return total
  }

  /// A token's value as the decoder reads it (unescaped), or nil for an invalid escape.
  private func text(_ p: UnsafePointer<UInt8>, _ t: FieldToken) -> [UInt8]? {
    guard t.kind == .string, t.escaped else {
      return Array(UnsafeBufferPointer(start: p + t.start, count: t.end - t.start))
    }
    return format == .csv ? CSVRecordScanner.unescape(p, t.start, t.end) : JSONLineScanner.unescape(p, t.start, t.end)
  }
}
