import AreaflowCore
import AreaflowGTFSRealtime
import Foundation
import SwiftProtobuf
import Testing

@testable import AreaflowRuntime

/// GTFS-Realtime decoding: messages in (one per input or length-delimited, any compression), one NDJSON line per new
/// vehicle position out, unknown fields and extensions skipped, repeats dropped, a bad message a malformed line.
@Suite struct FeedMessageFramerTests {
  let support = FileSourceTests()

  func plan() throws -> FieldPlan {
    FieldPlan(
      config: try ConfigLoader(file: "c.yaml").load(
        """
        input: {format: gtfs-rt, time: {field: timestamp, format: epoch_s}, lat: position.latitude, lon: position.longitude}
        areas: [{name: g, geohash: 5}]
        windows: [{name: w, tumbling: 1m}]
        features: {n: count}
        """
      ))
  }

  static func position(_ vehicle: String, _ timestamp: UInt64, lat: Float = 60.1699, lon: Float = 24.9384)
    -> TransitRealtime_VehiclePosition
  {
    var vp = TransitRealtime_VehiclePosition()
    vp.timestamp = timestamp
    vp.position.latitude = lat
    vp.position.longitude = lon
    vp.vehicle.id = vehicle
    return vp
  }

  static func message(_ positions: [TransitRealtime_VehiclePosition], tripUpdates: Int = 0) throws -> [UInt8] {
    var m = TransitRealtime_FeedMessage()
    m.header.gtfsRealtimeVersion = "2.0"
    m.header.timestamp = 1_767_261_600
    for (i, vp) in positions.enumerated() {
      var e = TransitRealtime_FeedEntity()
      e.id = "vp-\(i)"
      e.vehicle = vp
      m.entity.append(e)
    }
    for i in 0..<tripUpdates {
      var e = TransitRealtime_FeedEntity()
      e.id = "tu-\(i)"
      e.tripUpdate.trip.tripID = "t\(i)"
      m.entity.append(e)
    }
    return try m.serializedBytes()
  }

  static func varint(_ value: UInt64) -> [UInt8] {
    var v = value
    var out: [UInt8] = []
    while v >= 0x80 {
      out.append(UInt8(v & 0x7f) | 0x80)
      v >>= 7
    }
    return out + [UInt8(v)]
  }

  static func delimited(_ messages: [[UInt8]]) -> [UInt8] { messages.flatMap { varint(UInt64($0.count)) + $0 } }

  /// A length-delimited field (wire type 2).
  static func field(_ number: UInt64, _ bytes: [UInt8]) -> [UInt8] {
    varint(number << 3 | 2) + varint(UInt64(bytes.count)) + bytes
  }

  /// The lines a whole input gives, read `readSize` bytes at a time.
  func lines(_ bytes: [UInt8], readSize: Int = 1 << 20, state: FeedState = FeedState()) throws -> [String] {
    let framer = InputFramer(
      input: 0, inputName: "feed.pb", format: .gtfsRT, plan: try plan(), batchLines: 3, feedState: state)
    var out: [UInt8] = []
    var i = 0
    while i < bytes.count {
      let end = min(bytes.count, i + readSize)
      try bytes[i..<end].withUnsafeBytes { try framer.process($0) { out += $0.bytes } }
      i = end
    }
    try framer.finish { out += $0.bytes }
    return String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
  }

  @Test func aVehiclePositionIsOneNestedLineWithOnlyItsFieldsAndExactFloats() throws {
    var vp = Self.position("bus-1", 1_767_261_605)
    vp.position.speed = 7.3
    vp.position.bearing = 12.5
    vp.trip.routeID = "55"
    vp.trip.tripID = "t\"1"
    vp.trip.directionID = 1
    vp.vehicle.label = "Bus 1"
    vp.currentStatus = .inTransitTo
    vp.occupancyStatus = .fewSeatsAvailable
    vp.congestionLevel = .runningSmoothly
    vp.stopID = "s9"
    let out = try lines(try Self.message([vp], tripUpdates: 2))
    // The float32 values widened to Double, as the official Python bindings give them.
    #expect(
      out == [
        #"{"timestamp":1767261605,"position":{"latitude":60.169898986816406,"longitude":24.938400268554688,"bearing":12.5,"speed":7.300000190734863},"trip":{"trip_id":"t\"1","route_id":"55","direction_id":1},"vehicle":{"id":"bus-1","label":"Bus 1"},"stop_id":"s9","current_status":"IN_TRANSIT_TO","congestion_level":"RUNNING_SMOOTHLY","occupancy_status":"FEW_SEATS_AVAILABLE"}"#
      ])
    // Absent fields stay absent (null for the event), never a default.
    var bare = TransitRealtime_VehiclePosition()
    bare.position.latitude = 1
    bare.position.longitude = 2
    #expect(try lines(try Self.message([bare])) == [#"{"position":{"latitude":1.0,"longitude":2.0}}"#])
  }

  @Test func unknownFieldsAndExtensionsAreSkipped() throws {
    let vp: [UInt8] = try Self.position("bus-1", 100).serializedBytes()
    // In the VehiclePosition an unknown field 100 (varint); in the entity an extension 1500 (bytes); in the message
    // an extension 9000 (varint) and an unknown field 77 (fixed32).
    let vpWithUnknown = vp + Self.varint(100 << 3) + Self.varint(7)
    let entity = Self.field(1, Array("e1".utf8)) + Self.field(4, vpWithUnknown) + Self.field(1500, Array("ext".utf8))
    var header = TransitRealtime_FeedHeader()
    header.gtfsRealtimeVersion = "2.0"
    let message =
      Self.field(1, try header.serializedBytes()) + Self.field(2, entity) + Self.varint(9000 << 3) + Self.varint(1)
      + Self.varint(77 << 3 | 5) + [1, 2, 3, 4]
    let state = FeedState()
    let out = try lines(message, state: state)
    #expect(
      out == [
        #"{"timestamp":100,"position":{"latitude":60.169898986816406,"longitude":24.938400268554688},"vehicle":{"id":"bus-1"}}"#
      ])
    #expect(state.summary.messages == 1)
    #expect(state.summary.malformedMessages == 0)
  }

  @Test(arguments: [1, 7, 4096])
  func lengthDelimitedMessagesAreEachDecodedWhateverTheReadSize(readSize: Int) throws {
    let messages = try (0..<3).map { k in
      try Self.message((0..<4).map { Self.position("v\($0)", UInt64(100 + 10 * k)) }, tripUpdates: 1)
    }
    let state = FeedState()
    let out = try lines(Self.delimited(messages), readSize: readSize, state: state)
    #expect(out.count == 12)
    #expect(out.first?.hasPrefix(#"{"timestamp":100,"#) == true)
    #expect(out.last?.hasPrefix(#"{"timestamp":120,"#) == true)
    #expect(state.summary.messages == 3)
    #expect(state.summary.otherEntities == 3)
    #expect(state.summary.entities == 15)
  }

  @Test func compressedInputsGiveTheSameLines() throws {
    let bytes = Self.delimited([
      try Self.message([Self.position("a", 1), Self.position("b", 2)]), try Self.message([Self.position("a", 3)]),
    ])
    let plain = try lines(bytes)
    #expect(plain.count == 3)
    let path = support.temporaryFile([])
    defer { try? FileManager.default.removeItem(atPath: path) }
    let writer = try CompressedFileWriter(path: path, zstd: true)
    try writer.write(bytes)
    try writer.finish()
    let zstd = [UInt8](try #require(FileManager.default.contents(atPath: path)))
    #expect(zstd.prefix(4) == [0x28, 0xb5, 0x2f, 0xfd])
    #expect(try lines(zstd) == plain)
    let gzip = try support.gzip(bytes)
    #expect(gzip.prefix(2) == [0x1f, 0x8b])
    #expect(try lines(gzip) == plain)
  }

  @Test func repeatedPositionsAreDroppedAndCounted() throws {
    let snapshot = try Self.message([Self.position("a", 10), Self.position("b", 10)])
    let next = try Self.message([Self.position("a", 10), Self.position("b", 20)])
    let state = FeedState()
    #expect(try lines(snapshot, state: state).count == 2)
    // A second input with the same snapshot, then a newer one: only b's new position is handed on.
    #expect(try lines(Self.delimited([snapshot, next]), state: state).count == 1)
    #expect(state.summary.vehiclePositions == 3)
    #expect(state.summary.repeatedPositions == 3)
    // Without a vehicle id or a timestamp a position cannot be told again: it is always handed on.
    var anonymous = Self.position("", 10)
    anonymous.clearVehicle()
    #expect(try lines(Self.delimited([try Self.message([anonymous]), try Self.message([anonymous])])).count == 2)
  }

  @Test func aMalformedMessageIsOneMalformedLineAndTheNextIsRead() throws {
    let good = try Self.message([Self.position("a", 1)])
    // A length-delimited field that runs past the message's end.
    let corrupt: [UInt8] = [0x0a, 0x05, 0x0a, 0x03, 0x32, 0x2e, 0x30, 0x12, 0x7f, 0x01]
    let state = FeedState()
    let out = try lines(
      Self.delimited([good, corrupt, try Self.message([Self.position("b", 2)])]), readSize: 5, state: state)
    #expect(out.count == 3)
    let offset = Self.varint(UInt64(good.count)).count + good.count
    #expect(out[1].hasPrefix("gtfs-rt: malformed FeedMessage at byte \(offset) of feed.pb:"))
    #expect(state.summary.malformedMessages == 1)
    #expect(state.summary.messages == 2)
    // The decoder rejects that line as malformed, naming the input and line.
    let decoder = BatchDecoder(
      config: try ConfigLoader(file: "c.yaml").load(
        """
        input: {format: gtfs-rt, time: {field: timestamp, format: epoch_s}, lat: position.latitude, lon: position.longitude}
        areas: [{name: g, geohash: 5}]
        windows: [{name: w, tumbling: 1m}]
        features: {n: count}
        """), schemes: [])
    let chunk = LineChunk(
      input: 0, inputName: "feed.pb", bytes: Array((out.joined(separator: "\n") + "\n").utf8), firstLine: 1)
    let batch = decoder.decode(chunk)
    #expect(batch.rejects.map(\.reason) == [.malformed])
    #expect(batch.count == 2)
    // A single message that does not decode, and a delimited input cut inside its last message.
    #expect(try lines(corrupt).count == 1)
    let cutShort = Self.delimited([good, good])
    let truncated = try lines(Array(cutShort.dropLast(3)))
    #expect(truncated.count == 2)
    #expect(truncated[1].contains("the input ends inside a message"))
  }

  @Test func aLiveCutIsAMessageBoundaryAndResumesExactly() throws {
    let messages = try (0..<4).map { k in try Self.message([Self.position("v", UInt64(k))]) }
    let bytes = Self.delimited(messages)
    let state = FeedState()
    let framer = InputFramer(
      input: 0, inputName: "feed.pb", format: .gtfsRT, plan: try plan(), batchLines: 3, feedState: state)
    var before = 0
    // Two whole messages and part of the third.
    let part = Self.varint(UInt64(messages[0].count)).count * 3 + messages[0].count * 2 + 4
    try bytes[0..<part].withUnsafeBytes { try framer.process($0) { _ in before += 1 } }
    try framer.flushLines { _ in before += 1 }
    let cut = framer.cut()
    #expect(cut.lines == 2)
    #expect(Int(cut.consumed) == (Self.varint(UInt64(messages[0].count)).count + messages[0].count) * 2)
    // Resumed from the cut with the memory the checkpoint kept: the two last positions, once.
    let resumedState = FeedState(memory: try PositionMemory.decode(state.memory.encode()))
    let resumed = InputFramer(
      input: 0, inputName: "feed.pb", format: .gtfsRT, plan: try plan(), batchLines: 3, feedState: resumedState)
    let position = InputPosition(
      input: 0, path: "feed.pb", device: 0, inode: 0, fingerprintLength: 0, fingerprint: 0,
      resumeOffset: cut.resumeOffset, resumeDecompressed: cut.resumeDecompressed, consumed: cut.consumed,
      lines: cut.lines, csvColumns: nil)
    resumed.resume(from: position)
    var out: [LineChunk] = []
    try bytes[Int(cut.resumeOffset)...].withUnsafeBytes { try resumed.process($0) { out.append($0) } }
    try resumed.finish { out.append($0) }
    #expect(out.map(\.firstLine) == [3, 4])
    #expect(resumedState.summary.repeatedPositions == 0)
  }
}

/// The bounded memory of positions already handed on, and its place in the checkpoint.
@Suite struct PositionMemoryTests {
  @Test func keepsTheNewestTimestampsPerVehicle() {
    var m = PositionMemory(perVehicle: 3, maxVehicles: 10)
    // 30 makes the memory forget 5; 5 again is older than all kept: it cannot be told, and is handed on.
    let steps: [(String, UInt64)] = [
      ("a", 10), ("a", 10), ("a", 5), ("a", 20), ("a", 30), ("a", 20), ("a", 5), ("b", 10),
    ]
    let admitted = steps.map { m.admit(vehicle: $0.0, timestamp: $0.1) }
    #expect(admitted == [true, false, true, true, true, false, true, true])
  }

  @Test func holdsAtMostMaxVehicles() {
    var m = PositionMemory(perVehicle: 2, maxVehicles: 100)
    for v in 0..<1000 { _ = m.admit(vehicle: "v\(v)", timestamp: 1) }
    #expect(m.count <= 100)
    // The most recently heard of are kept.
    let again = m.admit(vehicle: "v999", timestamp: 1)
    #expect(!again)
  }

  @Test func roundTripsThroughTheCheckpoint() throws {
    var m = PositionMemory()
    for v in 0..<50 { _ = m.admit(vehicle: "v\(v)", timestamp: UInt64(v)) }
    var summary = RunSummary(windows: ["w"], regionSchemes: [])
    var feed = FeedSummary()
    feed.repeatedPositions = 7
    feed.fetchErrors = 2
    summary.feed = feed
    let checkpoint = LiveCheckpoint(
      configFingerprint: "f", epoch: 3, shardCount: 1, partSequence: 0,
      stamper: WatermarkStamper.State(maxTime: 0, inputMaxTimes: [0], floor: 0), summary: summary, labels: [:],
      shards: [[]], inputs: [], pendingFiles: [], positionMemory: m.encode())
    let back = try LiveCheckpoint.decode(checkpoint.encode())
    #expect(back.summary.feed == feed)
    #expect(try PositionMemory.decode(try #require(back.positionMemory)) == m)
    #expect(
      summary.json().contains(
        #""gtfs_rt": {"messages": 0, "malformed_messages": 0, "entities": 0, "vehicle_positions": 0, "repeated_positions": 7, "other_entities": 0, "fetch_errors": 2}"#
      ))
  }

  /// A checkpoint written before GTFS-Realtime (layout 1: no feed section) is still read.
  @Test func aCheckpointOfTheEarlierLayoutIsStillRead() throws {
    let checkpoint = LiveCheckpoint(
      configFingerprint: "f", epoch: 3, shardCount: 1, partSequence: 0,
      stamper: WatermarkStamper.State(maxTime: 0, inputMaxTimes: [0], floor: 0),
      summary: RunSummary(windows: ["w"], regionSchemes: []), labels: [:], shards: [[]], inputs: [], pendingFiles: [])
    var bytes = checkpoint.encode()
    // Layout 2 adds two flags (no feed summary, no memory) at the end when there is no privacy section.
    #expect(Array(bytes.suffix(2)) == [0, 0])
    bytes.removeLast(2)
    let version = Array("areaflow-live-checkpoint-2".utf8)
    let at = try #require(
      bytes.indices.first { bytes[$0..<min(bytes.count, $0 + version.count)].elementsEqual(version) })
    bytes[at + version.count - 1] = UInt8(ascii: "1")
    let old = try LiveCheckpoint.decode(bytes)
    #expect(old.epoch == 3)
    #expect(old.positionMemory == nil)
    #expect(old.summary.feed == nil)
  }
}
