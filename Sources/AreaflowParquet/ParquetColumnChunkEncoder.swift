/// Encodes one column of one row group into pages and appends them to the file buffer.
///
/// Its scratch buffers (page, compressed page, levels, dictionary indices, the string dictionary)
/// live across all column chunks of a file, so after the first few chunks the encode loops no longer
/// allocate. A struct with mutating methods rather than a class: class properties mutated inside
/// closures pay for dynamic exclusivity checks on every access, which showed up as ~10% of encode
/// time. `ParquetWriter` makes one per file.
struct ParquetColumnChunkEncoder {
  private let options: ParquetWriter.Options
  private let codec: ZstdCodec
  /// The uncompressed page being assembled: definition levels, then values.
  private var page: [UInt8] = []
  private var compressed: [UInt8] = []
  private var levels: [UInt32] = []
  private var indices: [UInt32] = []
  private var header = ThriftCompactWriter()
  private var dictionary = ParquetStringDictionary()
  private var minScratch: [UInt8] = []
  private var maxScratch: [UInt8] = []
  /// Sizes of the chunk being written, page headers included, as ColumnMetaData wants them.
  private var totalUncompressed = 0
  private var totalCompressed = 0

  init(options: ParquetWriter.Options) {
    self.options = options
    self.codec = ZstdCodec(level: options.compressionLevel)
  }

  /// Appends the pages of `column` restricted to `rows` to `out` and describes them.
  mutating func encode(
    _ column: ParquetTable.Column, rows: Range<Int>, into out: inout [UInt8]
  ) throws -> ParquetFileMetadata.ColumnChunk {
    totalUncompressed = 0
    totalCompressed = 0
    let chunkStart = out.count
    var dictionaryPageOffset: Int?
    var dataPageOffset = chunkStart
    var encodings: [ParquetFormat.Encoding]
    let statistics: ParquetFileMetadata.Statistics
    let name: String
    let physicalType: ParquetFormat.PhysicalType
    switch column {
    case .timestamp(let n, let millis):
      name = n
      physicalType = .int64
      encodings = [.plain]
      statistics = try millis.withUnsafeBufferPointer { try encodeRequiredInt64($0, rows: rows, into: &out) }
    case .int64(let n, let values):
      name = n
      physicalType = .int64
      encodings = [.plain, .rle]
      statistics = try values.withUnsafeBufferPointer { try encodeOptionalInt64($0, rows: rows, into: &out) }
    case .double(let n, let values):
      name = n
      physicalType = .double
      encodings = [.plain, .rle]
      statistics = try values.withUnsafeBufferPointer { try encodeOptionalDouble($0, rows: rows, into: &out) }
    case .string(let n, let values):
      name = n
      physicalType = .byteArray
      let result = try values.withUnsafeBufferPointer { try encodeStrings($0, rows: rows, into: &out) }
      statistics = result.statistics
      if let dataOffset = result.dataPageOffset {
        dictionaryPageOffset = chunkStart
        dataPageOffset = dataOffset
        encodings = [.plain, .rle, .rleDictionary]
      } else {
        encodings = [.plain, .rle]
      }
    }
    return ParquetFileMetadata.ColumnChunk(
      physicalType: physicalType, encodings: encodings, path: [name], codec: .zstd,
      numValues: Int64(rows.count), totalUncompressedSize: Int64(totalUncompressed),
      totalCompressedSize: Int64(totalCompressed), dataPageOffset: Int64(dataPageOffset),
      dictionaryPageOffset: dictionaryPageOffset.map(Int64.init), statistics: statistics)
  }

  // MARK: Pages

  /// Splits `rows` into pages of at most `rowsPerPage` rows.
  private func pageRanges(_ rows: Range<Int>, rowsPerPage: Int) -> StrideTo<Int> {
    stride(from: rows.lowerBound, to: rows.upperBound, by: max(1, rowsPerPage))
  }

  /// Non-null values after which a string chunk whose values are more than 15/16 distinct is
  /// written PLAIN. The bar is high on purpose: 4,096 draws from 10,000 keys are already ~80%
  /// distinct, and such a column still profits from a dictionary over a 64k-row chunk.
  static let dictionaryProbeSize = 4_096

  private var fixedWidthRowsPerPage: Int {
    max(1, min(options.maxRowsPerPage, options.dataPageSize / 8))
  }

  /// Compresses `page` and appends header and compressed bytes to `out`.
  private mutating func flushPage(
    type: ParquetFormat.PageType, numValues: Int, encoding: ParquetFormat.Encoding, into out: inout [UInt8]
  ) throws {
    let compressedSize = try page.withUnsafeBytes { try codec.compress($0, into: &compressed) }
    guard page.count <= Int32.max, compressedSize <= Int32.max, numValues <= Int32.max else {
      throw ParquetError.invalidTable("a page exceeds 2 GiB; lower rowGroupSize or dataPageSize")
    }
    header.reset()
    ParquetPageHeader(
      type: type, uncompressedPageSize: Int32(page.count), compressedPageSize: Int32(compressedSize),
      numValues: Int32(numValues), encoding: encoding
    ).encode(into: &header)
    out.append(contentsOf: header.bytes)
    compressed.withUnsafeBufferPointer { out.append(contentsOf: $0[0..<compressedSize]) }
    totalUncompressed += header.bytes.count + page.count
    totalCompressed += header.bytes.count + compressedSize
  }

  /// Writes the page's definition levels (1 = value present, 0 = null) with the 4-byte length
  /// prefix that data page v1 requires, and returns the number of non-null values.
  private mutating func writeDefinitionLevels<T>(_ values: UnsafeBufferPointer<T?>, rows: Range<Int>) -> Int {
    levels.removeAll(keepingCapacity: true)
    var present = 0
    for i in rows {
      if case .some = values[i] {
        levels.append(1)
        present += 1
      } else {
        levels.append(0)
      }
    }
    let lengthOffset = page.count
    page.append(contentsOf: [0, 0, 0, 0])
    RLEHybridEncoder.encode(levels, bitWidth: 1, into: &page)
    let length = UInt32(page.count - lengthOffset - 4)
    for b in 0..<4 { page[lengthOffset + b] = UInt8(truncatingIfNeeded: length >> UInt32(8 * b)) }
    return present
  }

  private static func littleEndianBytes(_ bits: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: bits >> UInt64(8 * $0)) }
  }

  // MARK: Numbers

  private mutating func encodeRequiredInt64(
    _ values: UnsafeBufferPointer<Int64>, rows: Range<Int>, into out: inout [UInt8]
  ) throws -> ParquetFileMetadata.Statistics {
    var minValue = Int64.max
    var maxValue = Int64.min
    for start in pageRanges(rows, rowsPerPage: fixedWidthRowsPerPage) {
      let pageRows = start..<min(start + fixedWidthRowsPerPage, rows.upperBound)
      page.removeAll(keepingCapacity: true)
      page.append(contentsOf: repeatElement(0, count: pageRows.count * 8))
      page.withUnsafeMutableBytes { raw in
        var offset = 0
        for i in pageRows {
          let v = values[i]
          if v < minValue { minValue = v }
          if v > maxValue { maxValue = v }
          raw.storeBytes(of: v.littleEndian, toByteOffset: offset, as: Int64.self)
          offset += 8
        }
      }
      try flushPage(type: .dataPage, numValues: pageRows.count, encoding: .plain, into: &out)
    }
    let hasValues = !rows.isEmpty
    return ParquetFileMetadata.Statistics(
      minValue: hasValues ? Self.littleEndianBytes(UInt64(bitPattern: minValue)) : nil,
      maxValue: hasValues ? Self.littleEndianBytes(UInt64(bitPattern: maxValue)) : nil,
      nullCount: 0, nanCount: nil)
  }

  private mutating func encodeOptionalInt64(
    _ values: UnsafeBufferPointer<Int64?>, rows: Range<Int>, into out: inout [UInt8]
  ) throws -> ParquetFileMetadata.Statistics {
    var minValue = Int64.max
    var maxValue = Int64.min
    var nullCount = 0
    for start in pageRanges(rows, rowsPerPage: fixedWidthRowsPerPage) {
      let pageRows = start..<min(start + fixedWidthRowsPerPage, rows.upperBound)
      page.removeAll(keepingCapacity: true)
      let present = writeDefinitionLevels(values, rows: pageRows)
      nullCount += pageRows.count - present
      let valuesOffset = page.count
      page.append(contentsOf: repeatElement(0, count: present * 8))
      page.withUnsafeMutableBytes { raw in
        var offset = valuesOffset
        for i in pageRows {
          guard let v = values[i] else { continue }
          if v < minValue { minValue = v }
          if v > maxValue { maxValue = v }
          raw.storeBytes(of: v.littleEndian, toByteOffset: offset, as: Int64.self)
          offset += 8
        }
      }
      try flushPage(type: .dataPage, numValues: pageRows.count, encoding: .plain, into: &out)
    }
    let hasValues = nullCount < rows.count
    return ParquetFileMetadata.Statistics(
      minValue: hasValues ? Self.littleEndianBytes(UInt64(bitPattern: minValue)) : nil,
      maxValue: hasValues ? Self.littleEndianBytes(UInt64(bitPattern: maxValue)) : nil,
      nullCount: Int64(nullCount), nanCount: nil)
  }

  /// Doubles: NaN is left out of min/max and counted in `nan_count`; a zero minimum is written as
  /// -0.0 and a zero maximum as +0.0, as the format asks so readers never prune a signed zero.
  private mutating func encodeOptionalDouble(
    _ values: UnsafeBufferPointer<Double?>, rows: Range<Int>, into out: inout [UInt8]
  ) throws -> ParquetFileMetadata.Statistics {
    var minValue = Double.infinity
    var maxValue = -Double.infinity
    var sawNumber = false
    var nullCount = 0
    var nanCount = 0
    for start in pageRanges(rows, rowsPerPage: fixedWidthRowsPerPage) {
      let pageRows = start..<min(start + fixedWidthRowsPerPage, rows.upperBound)
      page.removeAll(keepingCapacity: true)
      let present = writeDefinitionLevels(values, rows: pageRows)
      nullCount += pageRows.count - present
      let valuesOffset = page.count
      page.append(contentsOf: repeatElement(0, count: present * 8))
      page.withUnsafeMutableBytes { raw in
        var offset = valuesOffset
        for i in pageRows {
          guard let v = values[i] else { continue }
          if v.isNaN {
            nanCount += 1
          } else {
            sawNumber = true
            if v < minValue { minValue = v }
            if v > maxValue { maxValue = v }
          }
          raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: offset, as: UInt64.self)
          offset += 8
        }
      }
      try flushPage(type: .dataPage, numValues: pageRows.count, encoding: .plain, into: &out)
    }
    if minValue == 0 { minValue = -0.0 }
    if maxValue == 0 { maxValue = 0.0 }
    return ParquetFileMetadata.Statistics(
      minValue: sawNumber ? Self.littleEndianBytes(minValue.bitPattern) : nil,
      maxValue: sawNumber ? Self.littleEndianBytes(maxValue.bitPattern) : nil,
      nullCount: Int64(nullCount), nanCount: Int64(nanCount))
  }

  // MARK: Strings

  /// Calls `body` with the UTF-8 bytes of `s`, without copying for native strings (small strings
  /// are spilled to the stack by the standard library, not the heap).
  @inline(__always)
  private static func withUTF8Bytes<R>(_ s: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    if let result = try s.utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
      return result
    }
    var copy = s
    return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
  }

  /// Dictionary-encodes the chunk when the dictionary stays under `dictionaryPageSizeLimit`,
  /// otherwise writes it PLAIN. Returns the data page offset when a dictionary page was written.
  private mutating func encodeStrings(
    _ values: UnsafeBufferPointer<String?>, rows: Range<Int>, into out: inout [UInt8]
  ) throws -> (statistics: ParquetFileMetadata.Statistics, dataPageOffset: Int?) {
    dictionary.reset()
    indices.removeAll(keepingCapacity: true)
    var fitsDictionary = true
    for i in rows {
      guard let s = values[i] else { continue }
      let index = Self.withUTF8Bytes(s) { dictionary.index(of: $0) }
      indices.append(UInt32(index))
      if dictionary.plainBytes.count > options.dictionaryPageSizeLimit {
        fitsDictionary = false
        break
      }
      // Nearly unique strings (ids, event keys) only get bigger with a dictionary: every value is
      // still stored once, plus an index. Give up early instead of hashing the whole chunk.
      if indices.count == Self.dictionaryProbeSize && dictionary.count * 16 > indices.count * 15 {
        fitsDictionary = false
        break
      }
    }
    if fitsDictionary && dictionary.count > 0 {
      return try encodeDictionaryStrings(values, rows: rows, into: &out)
    }
    return (try encodePlainStrings(values, rows: rows, into: &out), nil)
  }

  private mutating func encodeDictionaryStrings(
    _ values: UnsafeBufferPointer<String?>, rows: Range<Int>, into out: inout [UInt8]
  ) throws -> (statistics: ParquetFileMetadata.Statistics, dataPageOffset: Int?) {
    page.removeAll(keepingCapacity: true)
    page.append(contentsOf: dictionary.plainBytes)
    try flushPage(type: .dictionaryPage, numValues: dictionary.count, encoding: .plain, into: &out)
    let dataPageOffset = out.count
    // Bit width 0 is legal for a one-entry dictionary, but 1 is what every reader handles.
    let bitWidth = max(1, RLEHybridEncoder.bitWidth(forMaxValue: UInt32(dictionary.count - 1)))
    let rowsPerPage = max(1, options.maxRowsPerPage)
    var cursor = 0
    var nullCount = 0
    for start in pageRanges(rows, rowsPerPage: rowsPerPage) {
      let pageRows = start..<min(start + rowsPerPage, rows.upperBound)
      page.removeAll(keepingCapacity: true)
      let present = writeDefinitionLevels(values, rows: pageRows)
      nullCount += pageRows.count - present
      page.append(UInt8(bitWidth))
      indices.withUnsafeBufferPointer { all in
        RLEHybridEncoder.encode(
          UnsafeBufferPointer(rebasing: all[cursor..<cursor + present]), bitWidth: bitWidth, into: &page)
      }
      cursor += present
      try flushPage(type: .dataPage, numValues: pageRows.count, encoding: .rleDictionary, into: &out)
    }
    let (minIndex, maxIndex) = dictionary.minMaxEntries()!
    let statistics = ParquetFileMetadata.Statistics(
      minValue: dictionary.entryBytes(minIndex), maxValue: dictionary.entryBytes(maxIndex),
      nullCount: Int64(nullCount), nanCount: nil)
    return (statistics, dataPageOffset)
  }

  private mutating func encodePlainStrings(
    _ values: UnsafeBufferPointer<String?>, rows: Range<Int>, into out: inout [UInt8]
  ) throws -> ParquetFileMetadata.Statistics {
    var nullCount = 0
    var sawValue = false
    var start = rows.lowerBound
    while start < rows.upperBound {
      // Pages end at dataPageSize bytes of PLAIN values (`utf8.count` is O(1) for native strings).
      var end = start
      var bytes = 0
      while end < rows.upperBound && end - start < options.maxRowsPerPage
        && (bytes < options.dataPageSize || end == start)
      {
        bytes += 4 + (values[end]?.utf8.count ?? 0)
        end += 1
      }
      let pageRows = start..<end
      page.removeAll(keepingCapacity: true)
      let present = writeDefinitionLevels(values, rows: pageRows)
      nullCount += pageRows.count - present
      for i in pageRows {
        guard let s = values[i] else { continue }
        Self.withUTF8Bytes(s) { b in
          let length = UInt32(b.count)
          page.append(UInt8(truncatingIfNeeded: length))
          page.append(UInt8(truncatingIfNeeded: length >> 8))
          page.append(UInt8(truncatingIfNeeded: length >> 16))
          page.append(UInt8(truncatingIfNeeded: length >> 24))
          page.append(contentsOf: b)
          if !sawValue {
            sawValue = true
            minScratch.removeAll(keepingCapacity: true)
            minScratch.append(contentsOf: b)
            maxScratch.removeAll(keepingCapacity: true)
            maxScratch.append(contentsOf: b)
          } else {
            if minScratch.withUnsafeBytes({ ParquetStringDictionary.bytesLess(b, $0) }) {
              minScratch.removeAll(keepingCapacity: true)
              minScratch.append(contentsOf: b)
            }
            if maxScratch.withUnsafeBytes({ ParquetStringDictionary.bytesLess($0, b) }) {
              maxScratch.removeAll(keepingCapacity: true)
              maxScratch.append(contentsOf: b)
            }
          }
        }
      }
      try flushPage(type: .dataPage, numValues: pageRows.count, encoding: .plain, into: &out)
      start = end
    }
    return ParquetFileMetadata.Statistics(
      minValue: sawValue ? minScratch : nil, maxValue: sawValue ? maxScratch : nil,
      nullCount: Int64(nullCount), nanCount: nil)
  }
}
