import AreaflowCore
import Foundation
import Testing

@Suite struct LiveCheckpointTests {
  @Test func roundTripsEveryPart() throws {
    var summary = RunSummary(windows: ["1m", "5m"], regionSchemes: ["lad"])
    summary.linesRead = 12
    summary.eventsAccepted = 9
    summary.rejected[1] = 2
    summary.late[1].1 = 3
    summary.outside[0].1 = 4
    summary.rowsWritten = 7
    summary.files = ["1m/gh5/part-000001.csv"]
    summary.watermark = 123_456
    let checkpoint = LiveCheckpoint(
      configFingerprint: "fp", epoch: 5, shardCount: 2, partSequence: 9,
      stamper: WatermarkStamper.State(maxTime: 99, inputMaxTimes: [99, Int64.min], floor: 50), summary: summary,
      labels: [7: ["N3", nil], 9: ["é", "x"]], shards: [[1, 2, 3], []],
      inputs: [
        InputPosition(
          input: 1, path: "/a/b.zst", device: 3, inode: 44, fingerprintLength: 1024, fingerprint: 0xdead,
          resumeOffset: 100, resumeDecompressed: 400, consumed: 450, lines: 12, csvColumns: [0, -1, 2])
      ], pendingFiles: [(".part-000009.csv.staged", "part-000009.csv")])
    let decoded = try LiveCheckpoint.decode(checkpoint.encode())
    #expect(decoded.configFingerprint == "fp")
    #expect(decoded.epoch == 5)
    #expect(decoded.shardCount == 2)
    #expect(decoded.partSequence == 9)
    #expect(decoded.stamper == checkpoint.stamper)
    #expect(decoded.summary == summary)
    #expect(decoded.labels.count == 2 && decoded.labels[7]! == ["N3", nil] && decoded.labels[9]! == ["é", "x"])
    #expect(decoded.shards == [[1, 2, 3], []])
    #expect(decoded.inputs == checkpoint.inputs)
    #expect(decoded.pendingFiles.map(\.staged) == [".part-000009.csv.staged"])
    #expect(decoded.pendingFiles.map(\.final) == ["part-000009.csv"])
  }

  @Test func damagedCheckpointIsRefused() throws {
    let checkpoint = LiveCheckpoint(
      configFingerprint: "fp", epoch: 1, shardCount: 1, partSequence: 0,
      stamper: WatermarkStamper.State(maxTime: 1, inputMaxTimes: [], floor: 0),
      summary: RunSummary(windows: [], regionSchemes: []), labels: [:], shards: [[]], inputs: [], pendingFiles: [])
    let bytes = checkpoint.encode()
    #expect(throws: StateReader.CorruptState.self) { try LiveCheckpoint.decode(Array(bytes.dropLast(3))) }
    #expect(throws: StateReader.CorruptState.self) { try LiveCheckpoint.decode(Array("hello".utf8)) }
  }

  @Test func fingerprintChangesWithWhatMatters() throws {
    let base =
      "input: {time: ts, lat: lat, lon: lon}\nareas: [{name: g, geohash: 5}]\nwindows: [{name: w, tumbling: 1m}]\nfeatures: {n: count}\n"
    let a = try ConfigLoader(file: "c.yaml").load(base)
    let flush = try ConfigLoader(file: "c.yaml").load(base + "output: {flush_every: 1s, format: parquet}\n")
    let window = try ConfigLoader(file: "c.yaml").load(base.replacingOccurrences(of: "1m", with: "2m"))
    #expect(LiveCheckpoint.fingerprint(of: a) == LiveCheckpoint.fingerprint(of: flush))
    #expect(LiveCheckpoint.fingerprint(of: a) != LiveCheckpoint.fingerprint(of: window))
  }
}
