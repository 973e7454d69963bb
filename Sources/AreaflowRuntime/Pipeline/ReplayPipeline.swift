import AreaflowCore
import Dispatch
import Synchronization

/// Replays finite inputs through the whole path — read, decompress, frame, decode, stamp, aggregate, commit: the
/// intake queue reads and frames the inputs in order and feeds `PipelineStages`, waiting when the stages behind it
/// fall behind.
public final class ReplayPipeline: @unchecked Sendable {
  let config: PipelineConfig
  let options: ReplayOptions
  let stages: PipelineStages

  private let intakeQueue = DispatchQueue(label: "areaflow.intake")
  private let bytesRead = Atomic<Int>(0)

  public init(
    config: PipelineConfig, schemes: [any AreaScheme], encoder: any SnapshotEncoder, outputDirectory: String,
    options: ReplayOptions
  ) {
    self.config = config
    self.options = options
    stages = PipelineStages(
      config: config, schemes: schemes, encoder: encoder, outputDirectory: outputDirectory, threads: options.threads,
      maxInFlight: options.maxInFlight, rowsPerCommit: options.rowsPerCommit)
  }

  /// Reads every input to its end, closes every window and commits the snapshots.
  public func run(inputs: InputList, clock: @escaping @Sendable () -> Double) -> ReplayResult {
    let started = clock()
    let progress = options.showProgress ? ProgressLine(totalBytes: inputs.knownBytes, clock: clock) : nil
    let timer = progress.map { p in
      let t = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
      t.schedule(deadline: .now() + .milliseconds(500), repeating: .milliseconds(500))
      t.setEventHandler { [self] in
        p.show(
          bytes: Int64(bytesRead.load(ordering: .relaxed)), events: Int64(stages.eventsDone.load(ordering: .relaxed)))
      }
      t.resume()
      return t
    }
    var inputErrors: [String] = []
    intakeQueue.sync {
      for (index, entry) in inputs.entries.enumerated() {
        if stages.sinkQueue.sync(execute: { stages.sink.failure != nil }) { break }
        let reader = InputReader(
          index: index, entry: entry, format: config.input.format, plan: stages.decoder.plan,
          batchLines: options.batchLines)
        let failure = reader.run(
          deliver: { chunk in stages.submit(chunk) },
          progress: { n in bytesRead.add(n, ordering: .relaxed) })
        if let failure { inputErrors.append(failure) }
      }
    }
    stages.drain()
    // End of replay: every window is final.
    stages.closeAll()
    var final = stages.currentCounters()
    final.inputErrors = inputErrors
    let sink = stages.sink
    let (summary, failure) = stages.sinkQueue.sync { () -> (RunSummary, AtomicFile.WriteError?) in
      sink.add(rejects: [], late: [], counters: final)
      sink.commit()
      return (sink.summary, sink.failure)
    }
    timer?.cancel()
    progress?.clear()
    return ReplayResult(
      summary: summary, inputErrors: inputErrors, writeError: failure?.description, seconds: clock() - started,
      bytesRead: Int64(bytesRead.load(ordering: .relaxed)))
  }
}
