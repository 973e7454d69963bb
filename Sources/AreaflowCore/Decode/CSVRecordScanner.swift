/// Splits one CSV record (RFC 4180: comma-separated, fields optionally in double quotes, `""` for a quote inside)
/// into the tokens of the columns the config reads.
enum CSVRecordScanner {
  /// - Parameter columns: slot per header column (-1: not read).
  /// - Returns: false when the record does not have exactly the header's number of fields or a quote is misplaced.
  /// - Complexity: O(end - start), no allocation.
  static func scan(
    _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, columns: [Int], tokens: UnsafeMutableBufferPointer<FieldToken>
  ) -> Bool {
    var field = 0
    var i = start
    while true {
      var token: FieldToken
      if i < end, p[i] == 34 {
        var j = i + 1
        var escaped = false
        while true {
          guard j < end else { return false }
          if p[j] == 34 {
            if j + 1 < end, p[j + 1] == 34 {
              escaped = true
              j += 2
              continue
            }
            break
          }
          j += 1
        }
        token = FieldToken(kind: .string, start: i + 1, end: j, escaped: escaped)
        i = j + 1
        guard i == end || p[i] == 44 else { return false }
      } else {
        var j = i
        while j < end, p[j] != 44 {
          if p[j] == 34 { return false }
          j += 1
        }
        token = FieldToken(kind: j == i ? .null : .string, start: i, end: j)
        i = j
      }
      guard field < columns.count else { return false }
      let slot = columns[field]
      if slot >= 0 { tokens[slot] = token }
      field += 1
      if i >= end { break }
      i += 1  // the comma
      if i == end {
        // A trailing comma means one more, empty field.
        guard field < columns.count else { return false }
        let s = columns[field]
        if s >= 0 { tokens[s] = FieldToken(kind: .null, start: i, end: i) }
        field += 1
        break
      }
    }
    return field == columns.count
  }

  /// Finds the line break that ends a record: the first newline in `p[from..<to]` outside double quotes.
  ///
  /// Resumable, so a framer can scan bytes as they arrive: `inQuotes` carries the quote state from one call to the
  /// next, and `newlines` counts every newline passed, the record's end included (a quoted line break makes a
  /// record longer, not another record).
  /// - Returns: the index of that newline, or nil when the bytes end first.
  /// - Complexity: O(bytes scanned), no allocation.
  @inline(__always)
  static func recordEnd(
    _ p: UnsafePointer<UInt8>, from: Int, to: Int, inQuotes: inout Bool, newlines: inout Int
  ) -> Int? {
    var i = from
    while i < to {
      let c = p[i]
      if c == 34 {
        inQuotes.toggle()
      } else if c == 10 {
        newlines += 1
        if !inQuotes { return i }
      }
      i += 1
    }
    return nil
  }

  /// The field's content with each `""` turned into `"`.
  static func unescape(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(end - start)
    var i = start
    while i < end {
      out.append(p[i])
      i += p[i] == 34 ? 2 : 1
    }
    return out
  }

  /// Splits a header record into field names (unquoted, unescaped).
  /// A leading UTF-8 byte order mark (spreadsheet exports often write one) is not part of the first name.
  static func headerNames(_ bytes: ArraySlice<UInt8>) -> [String]? {
    let array = Array(bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes)
    return array.withUnsafeBufferPointer { b -> [String]? in
      guard let p = b.baseAddress else { return [] }
      var end = b.count
      if end > 0, p[end - 1] == 13 { end -= 1 }
      var names: [String] = []
      var i = 0
      while true {
        if i < end, p[i] == 34 {
          var j = i + 1
          while j < end, !(p[j] == 34 && !(j + 1 < end && p[j + 1] == 34)) { j += p[j] == 34 ? 2 : 1 }
          guard j < end, let text = unescape(p, i + 1, j) else { return nil }
          names.append(String(decoding: text, as: UTF8.self))
          i = j + 1
        } else {
          var j = i
          while j < end, p[j] != 44 { j += 1 }
          names.append(
            String(decoding: UnsafeBufferPointer(start: p + i, count: j - i), as: UTF8.self).trimmingWhitespace())
          i = j
        }
        if i >= end { break }
        guard p[i] == 44 else { return nil }
        i += 1
        if i == end {
          names.append("")
          break
        }
      }
      return names
    }
  }
}
