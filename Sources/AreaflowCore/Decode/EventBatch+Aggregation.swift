extension EventBatch {
  /// The same events without the chunk's bytes, line positions and rejects: what aggregation reads.
  ///
  /// The sequencer writes every side record, the only use of the raw lines, before it hands a batch to the shards;
  /// handing them this copy (its columns shared, not copied) frees the chunk's bytes there instead of when the
  /// last shard is done, so the batches in flight behind the sequencer hold only their columns.
  public func droppingLines() -> EventBatch {
    var builder = EventBatchBuilder(
      valueColumns: 0, distinctColumns: 0, schemes: 0, capacity: 0)
    builder.lineCount = lineCount
    builder.emptyLines = emptyLines
    builder.times = times
    builder.lats = lats
    builder.lons = lons
    builder.dimensionKeys = dimensionKeys
    builder.values = values
    builder.distinctHashes = distinctHashes
    builder.areas = areas
    builder.outside = outside
    builder.newDimensionLabels = newDimensionLabels
    return EventBatch(
      builder,
      chunk: LineChunk(input: input, inputName: inputName, bytes: [], firstLine: firstLine, csvColumns: csvColumns))
  }
}
