import AreaflowCore
import Dispatch
import Logging
import Synchronization

/// `areaflow replay`: the driver that reads finite sources through the whole path — read, decompress, frame,
/// decode, stamp, aggregate, commit. The intake queue reads the sources to their ends in command-line order and
/// feeds `PipelineStages`, waiting when the stages behind it fall behind; the sink commits whenever it holds
/// `rowsPerCommit` rows, and once more at the end, when every window is final.
public final class ReplayPipeline: @unchecked Sendable {
  let config: PipelineConfig
  let options: ReplayOptions
  let stages: PipelineStages

  private let intakeQueue = DispatchQueue(label: "areaflow.intake")
  private let bytesRead = Atomic<Int>(0)
  /// `output.kafka`: publishes the replay's commits once its files are written.
  private let publisher: KafkaPublisher?

  public init(
    config: PipelineConfig, schemes: [any AreaScheme], encoder: any SnapshotEncoder, outputDirectory: String,
    options: ReplayOptions
  ) {
    self.config = config
    self.options = options
    stages = PipelineStages(
      config: config, schemes: schemes, encoder: encoder, outputDirectory: outputDirectory, threads: options.threads,
      maxInFlight: options.maxInFlight, rowsPerCommit: options.rowsPerCommit)
    var logger = Logger(label: "areaflow.replay") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    publisher = KafkaPublisher.attach(to: stages.sink, config: config, directory: outputDirectory, logger: logger)
  }

  /// Reads every input to its end, closes every window and commits the snapshots.
  public func run(inputs: InputList, clock: RuntimeClock) -> ReplayResult {
    let started = clock.monotonic()
    let progress =
      options.showProgress ? ProgressLine(totalBytes: inputs.knownBytes, clock: clock.monotonic) : nil
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
    // Only what a source has to say about itself (a Kafka input waiting for its brokers); the summary says the rest.
    var logger = Logger(label: "areaflow.replay") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    let feedState = config.input.format == .gtfsRT ? FeedState() : nil
    let sources = SourceFactory.replay(
      inputs, format: config.input.format, plan: stages.decoder.plan, batchLines: options.batchLines,
      feedState: feedState, logger: logger)
    intakeQueue.sync {
      for source in sources {
        // A sink that cannot write stops the replay: nothing more is read.
        if stages.sinkQueue.sync(execute: { stages.sink.failure != nil }) { break }
        var read = SourceRead(bytes: 0, status: .more)
        while read.status != .ended {
          read = source.read(budget: FileSource.readSize) { chunk in stages.submit(chunk) }
          bytesRead.add(read.bytes, ordering: .relaxed)
        }
      }
    }
    // End of replay: every window is final (closed once everything read is through the stages).
    stages.closeAll()
    let inputErrors = sources.flatMap(\.errors)
    var final = stages.currentCounters()
    final.inputErrors = inputErrors
    final.feed = feedState?.summary
    let sink = stages.sink
    let (summary, failure) = stages.sinkQueue.sync { () -> (RunSummary, AtomicFile.WriteError?) in
      sink.add(rejects: [], late: [], counters: final)
      sink.commit()
      return (sink.summary, sink.failure)
    }
    // The files first, then their publication: what a replay wrote is also on the topic when it ends.
    var writeError = failure?.description
    if writeError == nil, let publisher, let error = publisher.drain(timeout: 60) {
      writeError = "kafka publication to '\(publisher.config.topic)' failed: \(error)"
    }
    timer?.cancel()
    progress?.clear()
    return ReplayResult(
      summary: summary, inputErrors: inputErrors, writeError: writeError,
      seconds: clock.monotonic() - started, bytesRead: Int64(bytesRead.load(ordering: .relaxed)))
  }
}
