// Lookup benchmark for the regions engine (RegionIndex).
//
// Run in release from Benchmarks/:
//   swift run -c release RegionsBenchmark [columns rows segmentsPerSide] [--write path.geojson]
// Defaults generate 100 × 100 = 10,000 polygons with 100 vertices each (≈1.02 M positions,
// every 10th cell with a 20-vertex hole), then time single-threaded lookups of 1,000,000
// uniformly random points in the project's event box (lat 52.40–52.64, lon 13.20–13.60).
//
// The file comes from `SyntheticRegionFile` (AreaflowCore), the generator the region tests use.
import AreaflowCore
import Foundation

var arguments = Array(CommandLine.arguments.dropFirst())
var writePath: String?
if let flag = arguments.firstIndex(of: "--write"), flag + 1 < arguments.count {
  writePath = arguments[flag + 1]
  arguments.removeSubrange(flag...(flag + 1))
}
let numbers = arguments.compactMap { Int($0) }
let file = SyntheticRegionFile(
  columns: numbers.count > 0 ? numbers[0] : 100,
  rows: numbers.count > 1 ? numbers[1] : 100,
  segmentsPerSide: numbers.count > 2 ? numbers[2] : 25)

/// CPU time of this thread: unlike wall time it excludes time the scheduler gave to other
/// processes, which matters on a shared machine.
func threadCPUSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func seconds(since start: ContinuousClock.Instant) -> Double {
  let d = ContinuousClock.now - start
  return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

var start = ContinuousClock.now
let (bytes, stats) = file.make()
print(
  "generated \(stats.features) features, \(stats.polygons) polygons, \(stats.positions) positions, "
    + "\(bytes.count / 1_000_000) MB in \(String(format: "%.2f", seconds(since: start))) s")
if let writePath {
  _ = FileManager.default.createFile(atPath: writePath, contents: Data(bytes))
}

start = ContinuousClock.now
let index = try RegionIndex(geoJSON: bytes, idProperty: "id")
print(
  "loaded \(index.regionCount) regions, \(index.polygonCount) polygons, \(index.vertexCount) positions "
    + "in \(String(format: "%.2f", seconds(since: start))) s")

let pointCount = 1_000_000
var random = SeededRandom(seed: 12345)
var lats = [Double](repeating: 0, count: pointCount)
var lons = [Double](repeating: 0, count: pointCount)
for i in 0..<pointCount {
  lats[i] = file.minLat + (file.maxLat - file.minLat) * random.unit()
  lons[i] = file.minLon + (file.maxLon - file.minLon) * random.unit()
}

var result: [Int32] = []
result.reserveCapacity(16)
var bestWall = Double.infinity
var bestCPU = Double.infinity
var hits = 0
for round in 1...10 {
  hits = 0
  start = ContinuousClock.now
  let cpuStart = threadCPUSeconds()
  for i in 0..<pointCount {
    result.removeAll(keepingCapacity: true)
    index.regions(containingLat: lats[i], lon: lons[i], into: &result)
    hits += result.count
  }
  let cpu = threadCPUSeconds() - cpuStart
  let wall = seconds(since: start)
  bestWall = min(bestWall, wall)
  bestCPU = min(bestCPU, cpu)
  print(
    "round \(round): \(String(format: "%.0f", Double(pointCount) / wall)) lookups/s wall, "
      + "\(String(format: "%.0f", Double(pointCount) / cpu)) per CPU-second (\(hits) hits)")
}
print(
  "best: \(String(format: "%.0f", Double(pointCount) / bestWall)) lookups/s wall, "
    + "\(String(format: "%.0f", Double(pointCount) / bestCPU)) per CPU-second, one thread")
