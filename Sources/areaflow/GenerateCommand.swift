import AreaflowCore
import AreaflowGenerate
import AreaflowRuntime
import ArgumentParser

/// `areaflow generate`: a synthetic but realistic stream, reproducible from `--seed`.
struct GenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Write a synthetic transport (NDJSON) or connectivity (CSV) stream.",
    discussion: """
      The stream holds, unless --clean is given, out-of-order, late and very late events, duplicates, malformed \
      lines, empty lines and null or string-typed values, as real feeds do. zstd-compressed when FILE ends in .zst.

      Example:
        areaflow generate transport -n 2000000 --seed 7 -o transport.ndjson.zst
      """)

  enum Kind: String, ExpressibleByArgument, CaseIterable { case transport, connectivity }

  @Argument(help: "transport or connectivity.")
  var kind: Kind

  @Option(name: .short, help: "Number of lines.")
  var n: Int = 10_000

  @Option(name: .long, help: "Random seed.")
  var seed: UInt64 = 1

  @Option(name: .long, help: "Time of the first event (RFC 3339).")
  var start: String = "2026-03-02T08:00:00Z"

  @Option(name: .short, help: "Output file (standard output when absent).")
  var o: String?

  @Option(
    name: .long,
    help:
      "Vehicles (transport, default 1500) or devices (connectivity, default 3000); fewer sources spread the same number of lines over a longer time."
  )
  var sources: Int?

  @Flag(name: .long, help: "No anomalies: every line is a valid, in-order event.")
  var clean = false

  func validate() throws {
    if n < 0 { throw ValidationError("-n must not be negative") }
    if let sources, sources < 1 || sources > 1_000_000 { throw ValidationError("--sources must be in 1...1000000") }
    if startMillis == nil {
      throw ValidationError("--start '\(start)' is not an RFC 3339 time such as 2026-03-02T08:00:00Z")
    }
  }

  var startMillis: Int64? {
    let bytes = Array(start.utf8)
    return bytes.withUnsafeBufferPointer { b in
      b.baseAddress.flatMap { TimeParser.parseRFC3339($0, 0, b.count) }.map { $0 / 1_000_000 }
    }
  }

  func run() throws {
    let anomalies = clean ? Anomalies.none : Anomalies()
    var generator: any StreamGenerator =
      kind == .transport
      ? TransportGenerator(seed: seed, startMillis: startMillis!, vehicles: sources ?? 1500, anomalies: anomalies)
      : ConnectivityGenerator(seed: seed, startMillis: startMillis!, devices: sources ?? 3000, anomalies: anomalies)
    do {
      let writer = try CompressedFileWriter(path: o, zstd: o?.hasSuffix(".zst") ?? false)
      var buffer: [UInt8] = []
      buffer.reserveCapacity(1 << 20 + 4096)
      if let header = generator.header { buffer.append(contentsOf: (header + "\n").utf8) }
      for _ in 0..<n {
        generator.nextLine(into: &buffer)
        if buffer.count >= 1 << 20 {
          try writer.write(buffer)
          buffer.removeAll(keepingCapacity: true)
        }
      }
      try writer.write(buffer)
      try writer.finish()
    } catch {
      StandardError.write("areaflow: \(error)\n")
      throw ExitCode(1)
    }
  }
}
