/// One decoded chunk in columnar form: the accepted events' times, coordinates, areas, dimension keys and feature
/// values, plus the rejects, all pointing back into the chunk's bytes for side outputs.
///
/// Immutable once built, so shard queues read it concurrently without copies.
public final class EventBatch: Sendable {
  public let input: Int
  public let inputName: String
  public let bytes: [UInt8]
  public let firstLine: Int64
  /// For CSV: the slot of each column of the input's header (side outputs scan rejected and late records again).
  public let csvColumns: [Int]?
  /// Physical lines in the chunk, empty ones included.
  public let lineCount: Int
  public let emptyLines: Int
  public let count: Int
  public let times: [Int64]
  public let lats: [Double]
  public let lons: [Double]
  /// Combined hash of the dimension values (0 when the config has no dimensions).
  public let dimensionKeys: [UInt64]
  /// One column per `FieldPlan.valueFields`; NaN is null.
  public let values: [[Double]]
  /// One column per `FieldPlan.distinctFields`; 0 is null.
  public let distinctHashes: [[UInt64]]
  /// One column per area scheme.
  public let areas: [AreaColumn]
  /// Per scheme, events that fell in no area of it.
  public let outside: [Int]
  /// Line index within the chunk, and the line's byte range, of every accepted event.
  public let lineIndex: [Int32]
  public let lineStart: [Int32]
  public let lineEnd: [Int32]
  public let rejects: [BatchReject]
  /// Labels of dimension keys first seen in this chunk.
  public let newDimensionLabels: [UInt64: [String?]]

  init(_ b: EventBatchBuilder, chunk: LineChunk) {
    input = chunk.input
    inputName = chunk.inputName
    bytes = chunk.bytes
    firstLine = chunk.firstLine
    csvColumns = chunk.csvColumns
    lineCount = b.lineCount
    emptyLines = b.emptyLines
    count = b.times.count
    times = b.times
    lats = b.lats
    lons = b.lons
    dimensionKeys = b.dimensionKeys
    values = b.values
    distinctHashes = b.distinctHashes
    areas = b.areas
    outside = b.outside
    lineIndex = b.lineIndex
    lineStart = b.lineStart
    lineEnd = b.lineEnd
    rejects = b.rejects
    newDimensionLabels = b.newDimensionLabels
  }

  /// The raw bytes of event `i`'s line.
  public func rawLine(event i: Int) -> ArraySlice<UInt8> { bytes[Int(lineStart[i])..<Int(lineEnd[i])] }
}

/// A rejected line of a batch.
public struct BatchReject: Sendable {
  public var lineIndex: Int32
  public var reason: RejectReason
  public var start: Int32
  public var end: Int32
}

/// Mutable columns filled by a decoder, frozen into an `EventBatch`.
struct EventBatchBuilder {
  var lineCount = 0
  var emptyLines = 0
  var times: [Int64] = []
  var lats: [Double] = []
  var lons: [Double] = []
  var dimensionKeys: [UInt64] = []
  var values: [[Double]]
  var distinctHashes: [[UInt64]]
  var areas: [AreaColumn]
  var outside: [Int]
  var lineIndex: [Int32] = []
  var lineStart: [Int32] = []
  var lineEnd: [Int32] = []
  var rejects: [BatchReject] = []
  var newDimensionLabels: [UInt64: [String?]] = [:]

  init(valueColumns: Int, distinctColumns: Int, schemes: Int, capacity: Int) {
    values = Array(repeating: [], count: valueColumns)
    distinctHashes = Array(repeating: [], count: distinctColumns)
    areas = Array(repeating: AreaColumn(), count: schemes)
    outside = Array(repeating: 0, count: schemes)
    times.reserveCapacity(capacity)
    lats.reserveCapacity(capacity)
    lons.reserveCapacity(capacity)
    lineIndex.reserveCapacity(capacity)
    lineStart.reserveCapacity(capacity)
    lineEnd.reserveCapacity(capacity)
    for i in 0..<valueColumns { values[i].reserveCapacity(capacity) }
    for i in 0..<distinctColumns { distinctHashes[i].reserveCapacity(capacity) }
    for i in 0..<schemes { areas[i] = AreaColumn(reservingCapacity: capacity) }
  }
}
