/// The state of one feature for every group slot of a window store, updated a batch at a time.
///
/// Storage is columnar (one array per state variable, indexed by slot) so the update loop over a batch is a tight
/// loop over two index arrays with no dynamic dispatch inside it.
protocol FeatureAccumulator: AnyObject {
  /// Makes room for slots `0..<slots`.
  func ensureCapacity(_ slots: Int)
  /// Clears a slot for reuse by a new group.
  func reset(_ slot: Int)
  /// Adds event `events[j]` of `batch` to slot `slots[j]` for every j.
  func add(slots: [Int32], events: [Int32], batch: EventBatch)
  /// The finished values of `slots`, in order.
  func values(_ slots: [Int32]) -> ClosedRows.Values
  /// Adds the state of `other`'s slot `from` into this accumulator's slot `to` (same feature, same config).
  func merge(from other: FeatureAccumulator, slot from: Int, into to: Int)
  /// Adds the state of each slot `from[j]` into slot `to[j]` of this accumulator, in order (a window's slices into
  /// the window's groups).
  func merge(slots from: [Int32], into to: [Int32])
  /// Writes a slot's state exactly, for checkpoints.
  func encode(_ slot: Int, into w: inout StateWriter)
  /// Restores a slot's state written by `encode` (the slot has been reset).
  func decode(_ slot: Int, from r: inout StateReader) throws(StateReader.CorruptState)
}

/// Builds the accumulators of a config's features, each bound to its input column.
enum FeatureAccumulatorFactory {
  /// One accumulator per feature (nil for `count`, which the store keeps itself); quantiles of one field share
  /// their sketches.
  static func makeAll(_ features: [FeatureSpec], plan: FieldPlan) -> [FeatureAccumulator?] {
    var quantileOwners: [String: QuantileAccumulator] = [:]
    return features.map { feature in
      if case .quantile(let f, let q) = feature.kind {
        let accumulator = QuantileAccumulator(
          column: plan.valueFields.firstIndex(of: f)!, q: q, sharing: quantileOwners[f])
        if quantileOwners[f] == nil { quantileOwners[f] = accumulator }
        return accumulator
      }
      return make(feature, plan: plan)
    }
  }

  static func make(_ feature: FeatureSpec, plan: FieldPlan) -> FeatureAccumulator? {
    func valueColumn(_ f: String) -> Int { plan.valueFields.firstIndex(of: f)! }
    switch feature.kind {
    case .count: return nil
    case .sum(let f): return SumAccumulator(column: valueColumn(f), mean: false)
    case .mean(let f): return SumAccumulator(column: valueColumn(f), mean: true)
    case .min(let f): return ExtremumAccumulator(column: valueColumn(f), isMax: false)
    case .max(let f): return ExtremumAccumulator(column: valueColumn(f), isMax: true)
    case .stddev(let f): return StddevAccumulator(column: valueColumn(f))
    case .quantile(let f, let q): return QuantileAccumulator(column: valueColumn(f), q: q)
    case .share(let f, let threshold, let below):
      return ShareAccumulator(column: valueColumn(f), threshold: threshold, below: below)
    case .distinct(let f): return DistinctAccumulator(column: plan.distinctFields.firstIndex(of: f)!)
    }
  }
}
