import Foundation
import AreaflowCore
import AreaflowGenerate

/// Inputs for the core benchmarks, generated in memory with the project's own generator.
enum BenchmarkData {
  static let transportConfig = """
    input: {time: ts, lat: lat, lon: lon, dimensions: [route]}
    areas: [{name: gh6, geohash: 6}]
    windows: [{name: 1m, tumbling: 1m}, {name: 15m, hopping: 15m, every: 5m}]
    watermark: {max_out_of_order: 30s}
    features:
      events: count
      vehicles: {distinct: vehicle_id}
      speed_mean: {mean: speed_kmh}
      speed_p50: {quantile: speed_kmh, q: 0.5}
      speed_p90: {quantile: speed_kmh, q: 0.9}
      speed_max: {max: speed_kmh}
      delay_mean: {mean: delay_s}
      delay_sd: {stddev: delay_s}
      crawling_share: {share: speed_kmh, below: 5}
    """

  /// The transport config with a watermark a day behind the events: no window becomes final while events are
  /// added, so adding measures slice updates alone and a final close measures merging alone.
  static var transportConfigNoCloses: String {
    transportConfig.replacingOccurrences(of: "max_out_of_order: 30s", with: "max_out_of_order: 24h")
  }

  /// `lines` generated transport lines framed into chunks of 8192 lines.
  static func transportChunks(lines: Int, plan: FieldPlan) -> [LineChunk] {
    var generator = TransportGenerator(seed: 7, startMillis: 1_772_438_400_000)
    var bytes: [UInt8] = []
    for _ in 0..<lines { generator.nextLine(into: &bytes) }
    var framer = LineFramer(input: 0, inputName: "bench", format: .ndjson, plan: plan, maxLines: 8192)
    var chunks = bytes.withUnsafeBytes { try! framer.push($0) }
    chunks += try! framer.finish()
    return chunks
  }
}
