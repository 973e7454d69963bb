#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The input fields a config reads, each given one slot, and the role every slot plays.
///
/// Decoders fill one token per slot for each line; features refer to value or distinct columns by index, so a field
/// read by several features (mean, p90 and max of `speed_kmh`) is parsed once.
public struct FieldPlan: Sendable {
  /// Unique field names; a slot is an index into this array.
  public let names: [String]
  /// The keys lines are matched against, plain and nested (`FieldPaths`).
  let paths: FieldPaths
  public let timeSlot: Int
  public let latSlot: Int
  public let lonSlot: Int
  public let dimensionSlots: [Int]
  /// Numeric fields read by value aggregates (sum, mean, min, max, stddev, quantile, share), one column each.
  public let valueFields: [String]
  public let valueSlots: [Int]
  /// Fields whose distinct values are counted, one hash column each.
  public let distinctFields: [String]
  public let distinctSlots: [Int]
  /// `privacy.pseudonymise`: the slots of the fields side outputs must not show as they are.
  public let pseudonymisedSlots: [Int]
  /// `input.lookup`: the slot of the key field, and the slot of each column the table adds (in `fields` order).
  let lookupKeySlot: Int?
  let lookupSlots: [Int]

  public init(config: PipelineConfig) {
    var names: [String] = []
    func slot(_ name: String) -> Int {
      if let i = names.firstIndex(of: name) { return i }
      names.append(name)
      return names.count - 1
    }
    timeSlot = slot(config.input.timeField)
    latSlot = slot(config.input.latField)
    lonSlot = slot(config.input.lonField)
    dimensionSlots = config.input.dimensions.map(slot)
    var valueFields: [String] = []
    var distinctFields: [String] = []
    for feature in config.features {
      switch feature.kind.input {
      case .none: break
      case .values(let f): if !valueFields.contains(f) { valueFields.append(f) }
      case .hashes(let f): if !distinctFields.contains(f) { distinctFields.append(f) }
      }
    }
    // `privacy.min_contributors` counts the contributors of every group exactly: one more hash column.
    if let field = config.privacy?.contributorField, !distinctFields.contains(field) { distinctFields.append(field) }
    self.valueFields = valueFields
    self.distinctFields = distinctFields
    valueSlots = valueFields.map(slot)
    distinctSlots = distinctFields.map(slot)
    pseudonymisedSlots = (config.privacy?.pseudonymisedFields ?? []).map(slot)
    lookupKeySlot = config.input.lookup.map { slot($0.key) }
    lookupSlots = (config.input.lookup?.fields ?? []).map(slot)
    self.names = names
    paths = FieldPaths(names: names)
  }

  /// The `EventBatch.values` column of a numeric field some feature reads.
  func valueColumn(_ field: String) -> Int { valueFields.firstIndex(of: field)! }

  /// The `EventBatch.distinctHashes` column of a field some feature counts distinct values of.
  func distinctColumn(_ field: String) -> Int { distinctFields.firstIndex(of: field)! }

  /// The target of a top-level JSON key given as raw bytes: its slot, -1 when the config does not read it, or
  /// where field paths go into it (see `FieldPaths`).
  @inline(__always)
  func slot(forKey p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
    paths.target(level: 0, p, start, end)
  }
}
