import AreaflowCore
import AreaflowRuntime
import ArgumentParser
import Foundation

/// `areaflow replay`: read archived streams to their end, close every window, write the snapshots, exit.
struct ReplayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Replay archived streams into windowed area snapshots.",
    discussion: """
      INPUT is a file, a directory (its files in name order), - for standard input, or \
      kafka://HOST:PORT[,HOST:PORT...]/TOPIC (every partition from start= up to the end it had when the replay \
      began). zstd, gzip and plain text are detected from the bytes. Exit status: 0 done (even with rejected lines), \
      1 an input could not be read to its end, 2 usage or config error (nothing written).

      Examples:
        areaflow replay --config configs/transport.yaml --out out/transport fixtures/transport.ndjson.zst
        areaflow replay --config configs/transport.yaml --out out/topic kafka://localhost:9092/transport
      """)

  @OptionGroup var pipeline: PipelineArguments

  @Flag(name: .long, help: "Replace a previous areaflow output in the output directory.")
  var overwrite = false

  @Flag(name: .long, help: "No progress line and no summary.")
  var quiet = false

  @Argument(help: "Input files, directories, - for standard input, or kafka://HOST:PORT/TOPIC.")
  var inputs: [String]

  func validate() throws {
    if inputs.isEmpty { throw ValidationError("give at least one INPUT (a file, a directory or -)") }
    for input in inputs where KafkaAddress.isKafka(input) {
      do { _ = try KafkaAddress(input) } catch { throw ValidationError(error.description) }
    }
    if let endless = inputs.first(where: InputDescription.isEndless) {
      throw ValidationError(
        "\(endless.split(separator: "?")[0]) is not finite, so replay cannot read it to an end: use `areaflow run` (SIGTERM ends it cleanly)"
      )
    }
  }

  func run() throws {
    let (config, out, format, threadCount, batchSize) = (
      pipeline.config, pipeline.out, pipeline.format, pipeline.threadCount, pipeline.batchSize
    )
    let loaded = try LoadedConfig.load(config)
    if let url = inputs.first(where: { $0.hasPrefix("http://") || $0.hasPrefix("https://") }) {
      StandardError.write(
        "areaflow: \(url): replay reads archives to their end, and a polled feed has none; use `areaflow run --once` "
          + "(it polls until the feed has nothing new, then stops like replay), or replay saved FeedMessage files\n")
      throw ExitCode(2)
    }
    let directory = out ?? loaded.config.output.dir
    let encoder = SnapshotEncoders.make(format ?? loaded.config.output.format)
    let removal: OutputDirectory.Removal?
    do {
      removal = try OutputDirectory.prepareReplacing(directory, overwrite: overwrite)
    } catch {
      StandardError.write("areaflow: \(error)\n")
      throw ExitCode(2)
    }
    // A replaced output is deleted while the replay runs; the process ends only once it is gone.
    defer { removal?.wait() }
    let pipeline = ReplayPipeline(
      config: loaded.config, schemes: loaded.schemes, encoder: encoder, outputDirectory: directory,
      options: ReplayOptions(
        threads: threadCount, batchLines: batchSize, showProgress: !quiet && StandardError.isTerminal))
    let result = pipeline.run(inputs: InputList(inputs), clock: .system)
    // The windows' slots, sketches and buffers go with the process: freeing them one allocation at a time took
    // about 2 ms of a core at the end of a 2,000,000-event replay (perf samples in `free` and `swift_release`).
    // Not with a Kafka sink, whose producer is closed by its deinitializer.
    if loaded.config.output.kafka == nil { _ = Unmanaged.passRetained(pipeline) }
    for error in result.inputErrors { StandardError.write("areaflow: error: \(error)\n") }
    if let writeError = result.writeError { StandardError.write("areaflow: error: \(writeError)\n") }
    if !quiet { StandardError.write(ReplayReport.text(result, directory: directory)) }
    if !result.inputErrors.isEmpty || result.writeError != nil { throw ExitCode(1) }
  }
}
