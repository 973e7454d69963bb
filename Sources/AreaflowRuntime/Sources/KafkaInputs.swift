import AreaflowCore

/// Where the partitions of a command line's Kafka inputs sit among the watermark inputs.
///
/// The command line's inputs keep their indices `0..<n`. The k-th Kafka input (of `stride` in all) gives partition
/// p the index `n + p × stride + k`: dense, and the same after a restart with the same command line, so a
/// checkpoint's per-input event times still belong to the same partitions.
public struct KafkaInputs: Sendable {
  /// The parsed Kafka inputs by command-line index.
  private let addresses: [Int: KafkaAddress]
  /// Their order among themselves.
  private let ordinals: [Int: Int]
  private let count: Int
  /// Kafka inputs on the command line.
  public var stride: Int { max(1, addresses.count) }
  /// Whether any input is a Kafka topic, whose partitions are watermark inputs beyond the command line's.
  public var isEmpty: Bool { addresses.isEmpty }

  public init(_ arguments: [String]) {
    count = arguments.count
    var addresses: [Int: KafkaAddress] = [:]
    var ordinals: [Int: Int] = [:]
    for (i, a) in arguments.enumerated() where KafkaAddress.isKafka(a) {
      ordinals[i] = ordinals.count
      addresses[i] = try? KafkaAddress(a)
    }
    self.addresses = addresses
    self.ordinals = ordinals
  }

  func address(_ index: Int) -> KafkaAddress? { addresses[index] }

  /// Partition p of the Kafka input at `index` is `inputBase(index) + p × stride`.
  func inputBase(_ index: Int) -> Int { count + (ordinals[index] ?? 0) }

  /// The parse error of a Kafka argument.
  static func problem(_ argument: String) -> KafkaAddress.Problem {
    do {
      _ = try KafkaAddress(argument)
      return KafkaAddress.Problem(description: "\(argument): not a Kafka input")
    } catch {
      return error
    }
  }
}
