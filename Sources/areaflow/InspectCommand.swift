import AreaflowCore
import AreaflowRuntime
import ArgumentParser
import Foundation

/// `areaflow inspect DIR`: what a snapshot directory holds, in any format.
struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Summarise a snapshot directory (csv, ndjson or parquet).",
    discussion: """
      Prints the files, rows, windows and their time range, area schemes and area counts, the top 5 areas by a \
      feature (--top), and the rejected and late counts from _summary.json.

      Example:
        areaflow inspect out/transport --top events
      """)

  @Argument(help: "The snapshot directory.")
  var dir: String

  @Option(name: .long, help: "Rank areas by this feature (integer features by total, others by mean).")
  var top: String?

  @Flag(name: .long, help: "Print JSON instead of tables.")
  var json = false

  func run() throws {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
      StandardError.write("areaflow: \(dir) is not a directory\n")
      throw ExitCode(2)
    }
    var tables: [(path: String, table: SnapshotTable)] = []
    let enumerator = fm.enumerator(atPath: dir)
    var paths: [String] = []
    while let path = enumerator?.nextObject() as? String {
      let parts = path.split(separator: "/")
      if parts.contains(where: { $0.hasPrefix("_") || $0.hasPrefix(".") }) { continue }
      if path.hasSuffix(".csv") || path.hasSuffix(".ndjson") || path.hasSuffix(".parquet") { paths.append(path) }
    }
    do {
      for path in paths.sorted() {
        guard let data = fm.contents(atPath: "\(dir)/\(path)") else {
          throw SnapshotFileDecoder.DecodeError(description: "\(path): cannot read")
        }
        tables.append((path, try SnapshotFileDecoder.decode([UInt8](data), name: path)))
      }
      let report = try SnapshotInspection.make(files: tables, topFeature: top)
      let summary = fm.contents(atPath: "\(dir)/_summary.json").flatMap {
        try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
      }
      print(
        json ? InspectReport.json(report, summary: summary) : InspectReport.text(report, summary: summary, dir: dir))
    } catch let e as SnapshotFileDecoder.DecodeError {
      StandardError.write("areaflow: \(e)\n")
      throw ExitCode(1)
    }
  }
}
