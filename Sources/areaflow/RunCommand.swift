import AreaflowCore
import AreaflowRuntime
import AreaflowServer
import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus

/// `areaflow run`: the long-running daemon that follows live inputs, commits snapshots and checkpoints every
/// `output.flush_every`, and resumes exactly where it stopped.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Follow live inputs, flush snapshots every output.flush_every, resume after restarts.",
    discussion: """
      INPUT is a file (followed like tail -F, through rotation and truncation), a directory (its files, and new \
      ones as they appear), - for standard input, tcp://HOST:PORT (newline-delimited events from any number of \
      clients), mqtt://HOST:PORT/TOPIC-FILTER (mqtts:// for TLS; options ?qos=0|1&client_id=NAME&clean=false&\
      username=NAME&password_env=VAR&cafile=…&certfile=…&keyfile=…&insecure=true; see README, "MQTT"), or \
      kafka://HOST:PORT[,HOST:PORT...]/TOPIC?group=NAME (a consumer-group member: each partition an input with its \
      own watermark, offsets in the checkpoint and committed to the group after it; with --once it stops when every \
      assigned partition reached the end it had when assigned; see README, "Kafka"). Snapshots and a checkpoint are \
      committed in the output directory every output.flush_every; a \
      restart with the same config and directory resumes from the checkpoint. SIGINT or SIGTERM drains, commits \
      and exits 0.

      Examples:
        areaflow run --config configs/transport.yaml /var/log/feeds/transport.ndjson.zst
        areaflow run --config configs/connectivity.yaml --once fixtures/connectivity.csv.zst
        areaflow run --config configs/transport.yaml tcp://0.0.0.0:7000
        areaflow run --config configs/hfp.yaml 'mqtt://mqtt.hsl.fi:1883//hfp/v2/journey/ongoing/vp/#'
        areaflow run --config configs/transport.yaml 'kafka://localhost:9092/transport?group=areaflow'
      """)

  @OptionGroup var pipeline: PipelineArguments

  @Option(name: .long, help: "Serve aggregates over HTTP on HOST:PORT.")
  var http: String?

  @Flag(name: .long, help: "Stop at the end of the inputs, closing every window like replay (checkpoints are kept).")
  var once = false

  @Flag(name: .long, help: "Discard the checkpoint and the previous output in the output directory and start over.")
  var reset = false

  @Option(
    name: .long,
    help: "scale_out: this instance's name among those sharing the output directory (default: the host name and pid).")
  var instance: String?

  @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
  var logLevel: String = "info"

  @Argument(
    help:
      "Input files, directories, - for standard input, tcp://HOST:PORT, mqtt://HOST:PORT/FILTER or kafka://HOST:PORT/TOPIC?group=NAME (none: stdin)."
  )
  var inputs: [String] = []

  func validate() throws {
    if Logger.Level(rawValue: logLevel) == nil {
      throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
    }
    if inputs.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be given once") }
    for input in inputs where KafkaAddress.isKafka(input) {
      let address: KafkaAddress
      do { address = try KafkaAddress(input) } catch { throw ValidationError(error.description) }
      if address.group == nil {
        throw ValidationError(
          "\(address.name): run is a consumer-group member: add ?group=NAME (offsets are committed to that group)")
      }
    }
  }

  func run() throws {
    let (config, out, format, threads, batchSize) = (
      pipeline.config, pipeline.out, pipeline.format, pipeline.threads, pipeline.batchSize
    )
    let level = Logger.Level(rawValue: logLevel) ?? .info
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    let logger = Logger(label: "areaflow")
    // Like other filters, `run` with no INPUT reads standard input.
    let inputs = self.inputs.isEmpty ? ["-"] : self.inputs
    let loaded = try LoadedConfig.load(config)
    let directory = out ?? loaded.config.output.dir
    let encoder = SnapshotEncoders.make(format ?? loaded.config.output.format)
    if loaded.config.scaleOut != nil {
      return try runScaleOut(loaded, inputs: inputs, directory: directory, encoder: encoder, logger: logger)
    }
    let checkpoint: LiveCheckpoint?
    do {
      checkpoint = try CheckpointRecovery.prepare(directory, config: loaded.config, reset: reset, logger: logger)
    } catch {
      StandardError.write("areaflow: \(error)\n")
      throw ExitCode(2)
    }
    let pause = Int(ProcessInfo.processInfo.environment["AREAFLOW_TEST_COMMIT_PAUSE_MS"] ?? "") ?? 0
    let options = LiveOptions(
      threads: pipeline.threadCount, batchLines: batchSize, once: once,
      commitPauseMilliseconds: pause)
    if let checkpoint, let threads, threads != checkpoint.shardCount {
      logger.notice(
        "keeping the checkpoint's shard count",
        metadata: ["threads": "\(checkpoint.shardCount)", "asked": "\(threads)"])
    }
    let (view, server) = try makeServer(loaded)
    let pipeline: LivePipeline
    do {
      pipeline = try LivePipeline(
        config: loaded.config, schemes: loaded.schemes, encoder: encoder, outputDirectory: directory, inputs: inputs,
        options: options, checkpoint: checkpoint, view: view, logger: logger, clock: .system)
    } catch {
      StandardError.write("areaflow: \(error)\n")
      throw ExitCode(2)
    }
    if let checkpoint {
      logger.info(
        "resumed from checkpoint",
        metadata: [
          "epoch": "\(checkpoint.epoch)", "events": "\(checkpoint.summary.eventsAccepted)", "dir": "\(directory)",
        ])
    }
    logger.info(
      "run started",
      metadata: [
        "config": "\(config)", "dir": "\(directory)", "inputs": "\(inputs.joined(separator: " "))",
        "flush_every_s": "\(Double(loaded.config.output.flushEvery) / 1e9)",
      ])
    start(server, loaded, logger: logger)
    let status = pipeline.run()
    server?.stop()
    if status != 0 { throw ExitCode(status) }
  }

  /// `scale_out`: one instance of several sharing the input topic and the output directory.
  private func runScaleOut(
    _ loaded: LoadedConfig, inputs: [String], directory: String, encoder: any SnapshotEncoder, logger: Logger
  ) throws {
    let problem =
      ScaleOutCheck.problem(loaded.config, inputs: inputs)
      ?? (once ? "scale_out instances run until stopped; --once is not supported with scale_out" : nil)
      ?? (reset ? "--reset would delete the state other instances share; stop them all and empty the directory" : nil)
    if let problem {
      StandardError.write("areaflow: \(problem)\n")
      throw ExitCode(2)
    }
    let name = instance ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    let pause = Int(ProcessInfo.processInfo.environment["AREAFLOW_TEST_COMMIT_PAUSE_MS"] ?? "") ?? 0
    let options = LiveOptions(
      threads: 1, batchLines: pipeline.batchSize, commitPauseMilliseconds: pause)
    let (view, server) = try makeServer(loaded)
    let pipeline: ScaleOutPipeline
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      pipeline = try ScaleOutPipeline(
        config: loaded.config, schemes: loaded.schemes, encoder: encoder, outputDirectory: directory,
        input: inputs[0], instance: name, options: options, view: view, logger: logger, clock: .system)
    } catch {
      StandardError.write("areaflow: \(error)\n")
      throw ExitCode(2)
    }
    start(server, loaded, logger: logger)
    let status = pipeline.run()
    server?.stop()
    if status != 0 { throw ExitCode(status) }
  }

  /// `--http`: the view and server (none without it). The metrics backend is in place before the pipeline creates
  /// its counters.
  private func makeServer(_ loaded: LoadedConfig) throws -> (LiveView?, HTTPServer?) {
    guard let http else { return (nil, nil) }
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    let live = LiveView(config: loaded.config, schemes: loaded.schemes)
    let httpLogger = Logger(label: "areaflow.http")
    let files = try ServingFiles.load(loaded.config.http, configPath: loaded.path, logger: httpLogger)
    do {
      let server = try HTTPServer(
        address: http, api: AreaflowAPI(view: live, registry: registry, access: files.access),
        certificates: files.certificates, logger: httpLogger)
      return (live, server)
    } catch {
      StandardError.write("areaflow: \(error)\n")
      throw ExitCode(2)
    }
  }

  private func start(_ server: HTTPServer?, _ loaded: LoadedConfig, logger: Logger) {
    guard let server, let http else { return }
    let host = http[..<(http.lastIndex(of: ":") ?? http.endIndex)]
    server.start { port in
      let scheme = loaded.config.http.tls == nil ? "http" : "https"
      logger.info("http listening on \(scheme)://\(host.isEmpty ? "0.0.0.0" : host):\(port)/")
    }
  }
}
