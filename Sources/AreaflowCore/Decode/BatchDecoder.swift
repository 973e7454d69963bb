#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Decodes a chunk of NDJSON lines or CSV records into a columnar `EventBatch`: the pure step between framing and
/// aggregation.
///
/// Values are read in place from the chunk's bytes; nothing is allocated per event except when a line first shows a
/// new dimension value (its label) or a string needs unescaping. A decoder is cheap to make; each concurrent decode
/// uses its own.
public struct BatchDecoder: Sendable {
  public let plan: FieldPlan
  public let format: InputConfig.Format
  public let timeParser: TimeParser
  public let schemes: [any AreaScheme]
  /// `privacy.pseudonymise`: the keyed hash, and per slot whether its values are replaced by their pseudonyms
  /// before anything else (dimension labels, distinct counts) sees them.
  let pseudonymiser: Pseudonymiser?
  let pseudonymised: [Bool]
  /// `input.lookup`: the loaded table, joined to every event before it is checked.
  private(set) var lookup: LookupTable?
  /// Whether NDJSON lines that follow the previous line's shape are read by a compiled `LineShape`; off only to
  /// compare it with the token path in tests.
  var compilesLineShapes = true

  public init(config: PipelineConfig, schemes: [any AreaScheme]) {
    self.plan = FieldPlan(config: config)
    self.format = config.input.lineFormat
    self.timeParser = TimeParser(format: config.input.timeFormat)
    self.schemes = schemes
    let fields = config.privacy?.pseudonymisedFields ?? []
    pseudonymiser = config.privacy?.key.map { Pseudonymiser(key: $0.bytes) }
    pseudonymised = plan.names.map { fields.contains($0) }
    precondition(fields.isEmpty || pseudonymiser != nil, "pseudonymised fields need their key resolved first")
    lookup = config.input.lookup?.loaded
    precondition(config.input.lookup == nil || lookup != nil, "a lookup table must be loaded first")
  }

  /// Decodes every line of the chunk.
  /// - Complexity: O(bytes), no per-event allocation.
  public func decode(_ chunk: LineChunk) -> EventBatch {
    var builder = EventBatchBuilder(
      valueColumns: plan.valueSlots.count, distinctColumns: plan.distinctSlots.count, schemes: schemes.count,
      capacity: 0)
    var columns = DecodeColumns(
      valueColumns: plan.valueSlots.count, distinctColumns: plan.distinctSlots.count,
      capacity: chunk.bytes.count / 64 + 16)
    defer { columns.deallocate() }
    // One token per slot, rewritten for every line: a plain buffer, so a scanner's write is a store and not an
    // array write with its uniqueness and bounds checks.
    let tokens = UnsafeMutableBufferPointer<FieldToken>.allocate(capacity: plan.names.count)
    tokens.initialize(repeating: FieldToken())
    defer { tokens.deallocate() }
    var seenDimensions = HashSet64()
    var pseudonyms = PseudonymCache()
    var keyOrder = KeyOrder()
    var days = TimeParser.DayCache()
    var shape = LineShape(
      plan: plan, enabled: compilesLineShapes && format != .csv && lookup == nil && !pseudonymised.contains(true))
    defer { shape.deallocate() }
    let dimensions = !plan.dimensionSlots.isEmpty
    chunk.bytes.withUnsafeBufferPointer { buffer in
      guard let p = buffer.baseAddress else { return }
      let n = buffer.count
      var lineStart = 0
      var lineIndex: Int32 = 0
      while lineStart < n {
        if shape.ready {
          // The usual line, following the previous line's shape: read in one pass (see `LineShape`).
          columns.reserveRow()
          let row = columns.count
          let outcome = shape.decode(
            p, lineStart, n, row: row, into: &columns, tokens: tokens, timeParser: timeParser, days: &days)
          if outcome.end >= 0 {
            let end = outcome.end
            let contentEnd = end > lineStart && p[end - 1] == 13 ? end - 1 : end
            builder.lineCount += 1
            if let reason = outcome.reason {
              builder.rejects.append(
                BatchReject(lineIndex: lineIndex, reason: reason, start: Int32(lineStart), end: Int32(contentEnd)))
            } else {
              if dimensions {
                if seenDimensions.insert(outcome.key) {
                  builder.newDimensionLabels[outcome.key] = labels(p, tokens)
                }
                columns.dimensionKeys[row] = outcome.key
              }
              columns.commitRow(lineIndex: lineIndex, start: Int32(lineStart), end: Int32(contentEnd))
            }
            lineIndex += 1
            lineStart = end + 1
            continue
          }
        }
        var lineEnd = lineStart
        var contentEnd = lineStart
        var physicalLines = 1
        // nil for a blank line.
        var wellFormed: Bool? = true
        for k in tokens.indices { tokens[k].kind = .absent }
        if format != .csv,
          let end = JSONLineScanner.scanLine(p, lineStart, n, plan: plan, tokens: tokens, order: &keyOrder)
        {
          // The usual line, one JSON object: the scan found its end, so it was not searched for first.
          lineEnd = end
          contentEnd = end > lineStart && p[end - 1] == 13 ? end - 1 : end
        } else {
          // Anything else: find the end of this line (for CSV: of this record, which may span lines inside
          // quotes), then scan it within those bounds.
          if format == .csv {
            var inQuotes = false
            var newlines = 0
            if let end = CSVRecordScanner.recordEnd(p, from: lineStart, to: n, inQuotes: &inQuotes, newlines: &newlines)
            {
              lineEnd = end
              physicalLines = newlines
            } else {
              lineEnd = n
              physicalLines = newlines + 1
            }
          } else {
            if let found = memchrIndex(p, 10, lineStart, n) { lineEnd = found } else { lineEnd = n }
          }
          contentEnd = lineEnd
          if contentEnd > lineStart, p[contentEnd - 1] == 13 { contentEnd -= 1 }
          if isBlank(p, lineStart, contentEnd) {
            wellFormed = nil
          } else {
            for k in tokens.indices { tokens[k].kind = .absent }
            wellFormed =
              format == .csv
              ? CSVRecordScanner.scan(p, lineStart, contentEnd, columns: chunk.csvColumns ?? [], tokens: tokens)
              : JSONLineScanner.scan(p, lineStart, contentEnd, plan: plan, tokens: tokens, order: &keyOrder)
          }
        }
        // Records, not physical lines: a quoted line break inside a CSV record does not make another line to account for.
        builder.lineCount += 1
        if let wellFormed {
          if let reason = !wellFormed
            ? RejectReason.malformed
            : join(p, tokens)
              ?? accept(
                p, tokens, into: &columns, labels: &builder.newDimensionLabels, seen: &seenDimensions,
                pseudonyms: &pseudonyms, days: &days, chunkCount: n)
          {
            builder.rejects.append(
              BatchReject(lineIndex: lineIndex, reason: reason, start: Int32(lineStart), end: Int32(contentEnd)))
          } else {
            columns.commitRow(lineIndex: lineIndex, start: Int32(lineStart), end: Int32(contentEnd))
          }
        } else {
          builder.emptyLines += 1
        }
        lineIndex += Int32(physicalLines)
        lineStart = lineEnd + 1
        if keyOrder.version != shape.version, keyOrder.tailValid { shape.compile(keyOrder) }
      }
    }
    columns.finish(into: &builder, dimensions: dimensions)
    // Areas column by column, once every line is parsed: one tight loop per scheme instead of a call through the
    // scheme's existential per event.
    for (i, scheme) in schemes.enumerated() {
      builder.areas[i] = AreaColumn(reservingCapacity: columns.count)
      builder.outside[i] = scheme.assign(lats: builder.lats, lons: builder.lons, into: &builder.areas[i])
    }
    return EventBatch(builder, chunk: chunk)
  }

  /// The same decoder joining another version of its lookup table.
  public func replacingLookup(_ table: LookupTable) -> BatchDecoder {
    var copy = self
    copy.lookup = table
    return copy
  }

  /// `input.lookup`: puts the table's values for the event's key in their slots; `unknown_key` when the key is
  /// missing or not in the table.
  @inline(__always)
  private func join(_ p: UnsafePointer<UInt8>, _ tokens: UnsafeMutableBufferPointer<FieldToken>) -> RejectReason? {
    guard let lookup, let keySlot = plan.lookupKeySlot else { return nil }
    guard let row = withText(p, tokens[keySlot], { q, s, e in lookup.row(q, s, e) }) ?? nil else {
      return .unknown_key
    }
    for (k, slot) in plan.lookupSlots.enumerated() {
      let (start, end) = lookup.ranges[row][k]
      tokens[slot] = start < 0 ? FieldToken(kind: .null) : FieldToken(kind: .lookup, start: Int(start), end: Int(end))
    }
    return nil
  }

  /// Validates time and coordinates and writes the event's columns at row `c.count` (the caller commits the row);
  /// returns the reject reason instead when the event cannot be placed.
  @inline(__always)
  private func accept(
    _ p: UnsafePointer<UInt8>, _ tokens: UnsafeMutableBufferPointer<FieldToken>, into c: inout DecodeColumns,
    labels: inout [UInt64: [String?]], seen: inout HashSet64, pseudonyms: inout PseudonymCache,
    days: inout TimeParser.DayCache, chunkCount: Int
  ) -> RejectReason? {
    guard let time = withText(p, tokens[plan.timeSlot], { q, s, e in timeParser.parse(q, s, e, days: &days) }) ?? nil
    else { return .bad_time }
    guard let lat = number(p, tokens[plan.latSlot]), let lon = number(p, tokens[plan.lonSlot]),
      lat >= -90, lat <= 90, lon >= -180, lon <= 180
    else { return .bad_coordinates }
    c.reserveRow()
    let row = c.count
    c.times[row] = time
    c.lats[row] = lat
    c.lons[row] = lon
    if !plan.dimensionSlots.isEmpty {
      var key: UInt64 = 0x5151
      for slot in plan.dimensionSlots {
        let h = hash(p, tokens[slot], slot: slot, pseudonyms: &pseudonyms, chunkCount: chunkCount) ?? 0x6E75_6C6C
        key = ByteHasher.combine(key, h)
      }
      if seen.insert(key) { labels[key] = self.labels(p, tokens) }
      c.dimensionKeys[row] = key
    }
    for (column, slot) in plan.valueSlots.enumerated() {
      c.values[column][row] = number(p, tokens[slot]) ?? .nan
    }
    for (column, slot) in plan.distinctSlots.enumerated() {
      c.distinctHashes[column][row] =
        hash(p, tokens[slot], slot: slot, pseudonyms: &pseudonyms, chunkCount: chunkCount) ?? 0
    }
    return nil
  }

  /// The labels of the event's dimension values (their pseudonyms where pseudonymised), nil for absent and null.
  private func labels(_ p: UnsafePointer<UInt8>, _ tokens: UnsafeMutableBufferPointer<FieldToken>) -> [String?] {
    plan.dimensionSlots.map { slot in
      withText(p, tokens[slot]) { q, s, e in
        if pseudonymised[slot], let pseudonymiser {
          return pseudonymiser.withPseudonym(q, s, e) { q, s, e in
            String(decoding: UnsafeBufferPointer(start: q + s, count: e - s), as: UTF8.self)
          }
        }
        return String(decoding: UnsafeBufferPointer(start: q + s, count: e - s), as: UTF8.self)
      }
    }
  }

  /// The hash of a value's text, or of its pseudonym when its field is pseudonymised; nil for absent and null.
  @inline(__always)
  private func hash(
    _ p: UnsafePointer<UInt8>, _ t: FieldToken, slot: Int, pseudonyms: inout PseudonymCache, chunkCount: Int
  ) -> UInt64? {
    guard pseudonymised[slot], let pseudonymiser else {
      // A plain string or number lies inside the chunk, whose bytes may all be read.
      if t.kind == .string && !t.escaped || t.kind == .number {
        return ByteHasher.hash(p, t.start, t.end, readableFrom: 0, to: chunkCount)
      }
      return withText(p, t) { q, s, e in ByteHasher.hash(q, s, e) }
    }
    return withText(p, t) { q, s, e in
      pseudonyms.hash(q, s, e) { pseudonymiser.withPseudonym(q, s, e) { ByteHasher.hash($0, $1, $2) } }
    }
  }

  /// A field's value as a number: JSON numbers and strings (or CSV cells) holding a decimal number; nil otherwise.
  @inline(__always)
  private func number(_ p: UnsafePointer<UInt8>, _ t: FieldToken) -> Double? {
    switch t.kind {
    // A number token lies inside the chunk, so every byte from the chunk's start may be read.
    case .number: return NumberParser.parseDouble(p, t.start, t.end, readableFrom: 0)
    case .lookup: return withText(p, t) { q, s, e in NumberParser.parseDouble(q, s, e) } ?? nil
    case .string: return withText(p, t) { q, s, e in NumberParser.parseDouble(q, s, e) } ?? nil
    default: return nil
    }
  }

  /// Calls `body` with the value's text bytes (unescaped when needed), or returns nil for absent and null values.
  @inline(__always)
  private func withText<R>(_ p: UnsafePointer<UInt8>, _ t: FieldToken, _ body: (UnsafePointer<UInt8>, Int, Int) -> R)
    -> R?
  {
    switch t.kind {
    case .absent, .null: return nil
    case .lookup:
      return lookup?.bytes.withUnsafeBufferPointer { b in
        guard let base = b.baseAddress else { return body(p, 0, 0) }
        return body(base, t.start, t.end)
      }
    case .string where t.escaped:
      let text =
        format == .csv ? CSVRecordScanner.unescape(p, t.start, t.end) : JSONLineScanner.unescape(p, t.start, t.end)
      guard let text else { return nil }
      return text.withUnsafeBufferPointer { body($0.baseAddress ?? p, 0, $0.count) }
    default:
      return body(p, t.start, t.end)
    }
  }

  @inline(__always)
  private func isBlank(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
    var i = start
    while i < end {
      let c = p[i]
      if c != 32 && c != 9 && c != 13 { return false }
      i += 1
    }
    return true
  }
}

/// Index of the first `byte` in `p[from..<to]`, using the C library's vectorised search.
@inline(__always)
func memchrIndex(_ p: UnsafePointer<UInt8>, _ byte: UInt8, _ from: Int, _ to: Int) -> Int? {
  guard from < to, let found = memchr(p + from, Int32(byte), to - from) else { return nil }
  return UnsafeRawPointer(found) - UnsafeRawPointer(p)
}
