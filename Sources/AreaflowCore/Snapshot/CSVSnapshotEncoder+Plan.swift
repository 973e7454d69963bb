/// CSV straight from a commit's sorted rows, row by row into the file's bytes: the same text as
/// `encode(plan.table(part))` (`CSVPlanEncodingTests`) without a String per cell or a column per table.
///
/// What repeats is rendered once: the leading cells (window, its start and end, scheme) per window index, an
/// area's label per distinct area, the dimension cells per distinct combination. The first pass over the rows
/// resolves the labels and so knows the file's size to within the numbers' widths; the second writes every row
/// through one pointer into the array the encoder returns.
extension CSVSnapshotEncoder {
  public func encode(_ plan: RowPlan, part: Int) throws -> [UInt8] {
    try encode(plan, part: part, rows: 0..<plan.parts[part].order.count, header: true)
  }

  public var encodesRowRanges: Bool { true }

  /// A piece of the part's file: its rows at positions `range` of the part's order, after the header when `header`.
  /// Each piece resolves the labels of its own rows.
  public func encode(_ plan: RowPlan, part: Int, rows range: Range<Int>, header withHeader: Bool) throws -> [UInt8] {
    let (window, scheme, partOrder) = plan.parts[part]
    let first = partOrder.startIndex
    let order = partOrder[(first + range.lowerBound)..<(first + range.upperBound)]
    let assembler = plan.assembler
    let rows = plan.rows
    let spec = assembler.windows[window]
    let areaScheme = assembler.schemes[scheme]
    let n = order.count
    let header = ByteBuffer(capacity: 256)
    if withHeader {
      for (c, name) in assembler.columnNames.enumerated() {
        if c > 0 { header.append(44) }
        header.write(csvField: name)
      }
      header.append(10)
    }
    guard n > 0 else { return header.bytes }

    // Pass 1: every row's area label and dimension cells as spans of `text`.
    let text = ByteBuffer(capacity: 4096)
    var areas = DenseKeyIndex()
    var areaSpans: [Int32] = []  // per area number: start and end in `text`
    var ancestorSpans: [Int32] = []  // per rolled-up row (privacy): start and end
    var rowArea = [Int32](repeating: 0, count: n)  // per row in order: area number, or -1 - ancestor number
    var rowWindow = [Int64](repeating: 0, count: n)  // per row in order: its window index
    var rowCombination = [Int32](repeating: 0, count: plan.rowCombination.isEmpty ? 0 : n)  // and combination
    var combinationSpans = [Int32](repeating: -1, count: plan.combinations.count * 2)
    var variableBytes = 0
    var lastArea: UInt64 = 0
    var lastNumber: Int32 = -1
    for (k, i) in order.enumerated() {
      let level = rows.levels.isEmpty ? 0 : Int(rows.levels[i])
      let key = rows.keys[i]
      let area = key.area
      rowWindow[k] = key.index
      if level == 0 {
        if lastNumber < 0 || area != lastArea {
          lastNumber = areas.index(of: area)
          lastArea = area
          if Int(lastNumber) * 2 == areaSpans.count {
            areaSpans.append(Int32(text.count))
            text.write(csvField: areaScheme.label(of: area))
            areaSpans.append(Int32(text.count))
          }
        }
        rowArea[k] = lastNumber
        variableBytes += Int(areaSpans[Int(lastNumber) * 2 + 1] - areaSpans[Int(lastNumber) * 2])
      } else {
        let start = text.count
        text.write(csvField: areaScheme.ancestorLabel(of: area, level: level))
        rowArea[k] = -1 - Int32(ancestorSpans.count / 2)
        ancestorSpans += [Int32(start), Int32(text.count)]
        variableBytes += text.count - start
      }
      if !plan.rowCombination.isEmpty {
        let c = Int(plan.rowCombination[i])
        rowCombination[k] = Int32(c)
        if combinationSpans[2 * c] < 0 {
          combinationSpans[2 * c] = Int32(text.count)
          let labels = plan.combinationLabels(c)
          for d in assembler.dimensions.indices {
            text.append(44)
            if d < labels.count, let label = labels[d] { text.write(csvField: label) }
          }
          combinationSpans[2 * c + 1] = Int32(text.count)
        }
        variableBytes += Int(combinationSpans[2 * c + 1] - combinationSpans[2 * c])
      }
    }

    // The leading cells, rebuilt when the window index changes (rows are sorted by it).
    let lead = ByteBuffer(capacity: 128)
    func writeLead(index: Int64) {
      lead.clear()
      lead.write(csvField: spec.name)
      lead.append(44)
      lead.write(CivilDate.rfc3339(millis: index &* spec.every / 1_000_000))
      lead.append(44)
      lead.write(CivilDate.rfc3339(millis: (index &* spec.every &+ spec.size) / 1_000_000))
      lead.append(44)
      lead.write(csvField: areaScheme.name)
      lead.append(44)
    }
    var leadIndex = rows.keys[order[order.startIndex]].index
    writeLead(index: leadIndex)
    let leadLength = lead.count

    // Every column gathered into output order first, one column at a time: the rows of a commit were built on
    // the shards' cores and are read here in sorted, not stored, order, so nearly every value is a cache miss. A
    // loop that only copies has many of those misses in flight at once; the row loop below, busy formatting
    // numbers between reads, would wait for them one by one. It then reads every column front to back.
    enum Column {
      case integers(UnsafeMutablePointer<Int64?>)
      case doubles(UnsafeMutablePointer<Double?>)
    }
    @inline(__always) func gathered<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
      let out = UnsafeMutablePointer<T>.allocate(capacity: n)
      values.withUnsafeBufferPointer { v in
        for (k, i) in order.enumerated() { (out + k).initialize(to: v[i]) }
      }
      return out
    }
    let columns = rows.columns.map { values -> Column in
      switch values {
      case .integers(let a): .integers(gathered(a))
      case .doubles(let a): .doubles(gathered(a))
      }
    }
    defer {
      for column in columns {
        switch column {
        case .integers(let p): p.deallocate()
        case .doubles(let p): p.deallocate()
        }
      }
    }
    let disclosureBytes = assembler.marksDisclosure ? 1 + 10 + 1 + 3 : 0
    let perRow = leadLength + columns.count * (1 + NumberText.maxLength) + disclosureBytes + 1
    let capacity = header.count + variableBytes + n * perRow

    return withExtendedLifetime(rows) {
      [UInt8](unsafeUninitializedCapacity: capacity) { o, initialized in
        let out = o.baseAddress!
        out.update(from: header.base, count: header.count)
        var at = header.count
        let textBase = UnsafePointer(text.base)
        for (k, i) in order.enumerated() {
          if rowWindow[k] != leadIndex {
            leadIndex = rowWindow[k]
            writeLead(index: leadIndex)
            precondition(lead.count == leadLength, "leading cells of varying width")
          }
          (out + at).update(from: lead.base, count: leadLength)
          at &+= leadLength
          let a = Int(rowArea[k])
          let start: Int32
          let end: Int32
          if a >= 0 {
            start = areaSpans[2 &* a]
            end = areaSpans[2 &* a &+ 1]
          } else {
            start = ancestorSpans[2 &* (-1 &- a)]
            end = ancestorSpans[2 &* (-1 &- a) &+ 1]
          }
          at &+= Self.copy(textBase + Int(start), count: Int(end &- start), to: out + at)
          if !rowCombination.isEmpty {
            let c = Int(rowCombination[k])
            let s = combinationSpans[2 &* c]
            at &+= Self.copy(textBase + Int(s), count: Int(combinationSpans[2 &* c &+ 1] &- s), to: out + at)
          }
          for column in columns {
            out[at] = 44
            at &+= 1
            switch column {
            case .integers(let values):
              if let v = values[k] { at &+= NumberText.write(integer: v, to: out + at) }
            case .doubles(let values):
              if let v = values[k] { at &+= Self.write(double: v, to: out + at) }
            }
          }
          if assembler.marksDisclosure {
            let level = rows.levels[i]
            let word: StaticString = rows.suppressed[i] ? ",suppressed," : level > 0 ? ",rolled_up," : ",published,"
            at &+= Self.copy(word.utf8Start, count: word.utf8CodeUnitCount, to: out + at)
            at &+= NumberText.write(integer: Int64(level), to: out + at)
          }
          out[at] = 10
          at &+= 1
        }
        initialized = at
      }
    }
  }

  /// The text of `ByteBuffer.write(double:)`, at most `NumberText.maxLength` bytes.
  @inline(__always)
  static func write(double d: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
    if let n = NumberText.write(double: d, to: p) { return n }
    var text = d.isNaN ? "NaN" : d.isInfinite ? (d > 0 ? "Infinity" : "-Infinity") : d.description
    return text.withUTF8 { copy($0.baseAddress!, count: $0.count, to: p) }
  }

  /// Copies `count` bytes; short spans (labels) by two overlapping word moves instead of a call.
  @inline(__always)
  static func copy(_ from: UnsafePointer<UInt8>, count: Int, to: UnsafeMutablePointer<UInt8>) -> Int {
    let src = UnsafeRawPointer(from)
    let dst = UnsafeMutableRawPointer(to)
    if count >= 8, count <= 16 {
      dst.storeBytes(of: src.loadUnaligned(as: UInt64.self), as: UInt64.self)
      (dst + count - 8).storeBytes(of: (src + count - 8).loadUnaligned(as: UInt64.self), as: UInt64.self)
    } else if count >= 4, count < 8 {
      dst.storeBytes(of: src.loadUnaligned(as: UInt32.self), as: UInt32.self)
      (dst + count - 4).storeBytes(of: (src + count - 4).loadUnaligned(as: UInt32.self), as: UInt32.self)
    } else {
      to.update(from: from, count: count)
    }
    return count
  }
}
