import AreaflowCore
import Foundation
import Logging

/// Opens the sources of a command line. Replay and `run` differ here in which sources they open: replay reads
/// files (a directory stands for its files in name order), standard input and Kafka topics once to their ends;
/// `run` follows files and directories, reads standard input as it comes, listens on TCP, subscribes to MQTT, joins
/// Kafka consumer groups and polls GTFS-Realtime feeds over HTTP. With `gtfs-rt`, every source of a run shares one
/// `FeedState`, so a vehicle position is handed on once whichever input or file it is seen in.
enum SourceFactory {
  /// Replay's sources, one per file or topic, in the order they are read.
  static func replay(
    _ inputs: InputList, format: InputConfig.Format, plan: FieldPlan, batchLines: Int, feedState: FeedState? = nil,
    logger: Logger
  ) -> [any Source] {
    let layout = KafkaInputs(inputs.entries.map(\.path))
    return inputs.entries.enumerated().map { index, entry -> any Source in
      if let address = layout.address(index) {
        return KafkaSource(
          index: index, address: address, mode: .replay, format: format, plan: plan, batchLines: batchLines,
          inputBase: layout.inputBase(index), inputStride: layout.stride, positions: [],
          environment: ProcessInfo.processInfo.environment, logger: logger)
      }
      return FileSource(
        index: index, entry: entry, format: format, plan: plan, batchLines: batchLines, feedState: feedState)
    }
  }

  /// Whether a command-line input names a polled HTTP feed rather than a path.
  static func isFeedURL(_ argument: String) -> Bool {
    argument.hasPrefix("http://") || argument.hasPrefix("https://")
  }

  /// `run`'s sources, one per command-line input.
  /// - Parameter positions: the checkpoint's positions; each followed input gets its own.
  /// - Parameters:
  ///   - input: the config's input: format, `poll_every` for HTTP feeds, topic fields for MQTT.
  ///   - feedState: for `gtfs-rt`, the run's position memory and counters.
  /// - Throws: `TCPSource.SetupError` when an address cannot be listened on, `HTTPFeedSource.SetupError` for a URL
  ///   that is not valid or an HTTP input with another format than `gtfs-rt`, `MQTTSource.SetupError` for a bad
  ///   `mqtt://` URL or option.
  static func live(
    _ inputs: [String], input: InputConfig, plan: FieldPlan, batchLines: Int, positions: [InputPosition],
    once: Bool, feedState: FeedState? = nil, logger: Logger
  ) throws -> [any Source] {
    let format = input.format
    let layout = KafkaInputs(inputs)
    return try inputs.enumerated().map { index, argument -> any Source in
      if argument == "-" {
        return StandardInputSource(index: index, format: format, plan: plan, batchLines: batchLines, logger: logger)
      }
      if argument.hasPrefix("tcp://") {
        return try TCPSource(
          index: index, address: argument, format: format, plan: plan, batchLines: batchLines, logger: logger)
      }
      if KafkaAddress.isKafka(argument) {
        guard let address = layout.address(index) else { throw KafkaInputs.problem(argument) }
        return KafkaSource(
          index: index, address: address, mode: .live(once: once), format: format, plan: plan,
          batchLines: batchLines, inputBase: layout.inputBase(index), inputStride: layout.stride,
          positions: positions, environment: ProcessInfo.processInfo.environment, logger: logger)
      }
      if isFeedURL(argument) {
        return try HTTPFeedSource(
          index: index, address: argument, format: format, plan: plan, batchLines: batchLines,
          pollEvery: input.pollEvery, feedState: feedState ?? FeedState(), logger: logger)
      }
      if MQTTOptions.isMQTT(argument) {
        return try MQTTSource(
          index: index, argument: argument, input: input, plan: plan, batchLines: batchLines,
          positions: positions.filter { $0.input == index }, logger: logger)
      }
      return FollowedPathSource(
        index: index, path: argument, isDirectory: FileIdentity.of(path: argument)?.isDirectory ?? false,
        format: format, plan: plan, batchLines: batchLines, positions: positions.filter { $0.input == index },
        once: once, feedState: feedState, logger: logger)
    }
  }
}
