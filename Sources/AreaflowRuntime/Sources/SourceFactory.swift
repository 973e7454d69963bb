import AreaflowCore
import Foundation
import Logging

/// Opens the sources of a command line. Replay and `run` differ here in which sources they open: replay reads
/// files (a directory stands for its files in name order), standard input and Kafka topics once to their ends;
/// `run` follows files and directories, reads standard input as it comes, listens on TCP and joins Kafka consumer
/// groups.
enum SourceFactory {
  /// Replay's sources, one per file or topic, in the order they are read.
  static func replay(
    _ inputs: InputList, format: InputConfig.Format, plan: FieldPlan, batchLines: Int, logger: Logger
  ) -> [any Source] {
    let layout = KafkaInputs(inputs.entries.map(\.path))
    return inputs.entries.enumerated().map { index, entry -> any Source in
      if let address = layout.address(index) {
        return KafkaSource(
          index: index, address: address, mode: .replay, format: format, plan: plan, batchLines: batchLines,
          inputBase: layout.inputBase(index), inputStride: layout.stride, positions: [],
          environment: ProcessInfo.processInfo.environment, logger: logger)
      }
      return FileSource(index: index, entry: entry, format: format, plan: plan, batchLines: batchLines)
    }
  }

  /// `run`'s sources, one per command-line input.
  /// - Parameter positions: the checkpoint's positions; each followed input gets its own.
  /// - Throws: `TCPSource.SetupError` when an address cannot be listened on.
  static func live(
    _ inputs: [String], format: InputConfig.Format, plan: FieldPlan, batchLines: Int, positions: [InputPosition],
    once: Bool, logger: Logger
  ) throws -> [any Source] {
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
      return FollowedPathSource(
        index: index, path: argument, isDirectory: FileIdentity.of(path: argument)?.isDirectory ?? false,
        format: format, plan: plan, batchLines: batchLines, positions: positions.filter { $0.input == index },
        once: once, logger: logger)
    }
  }
}
