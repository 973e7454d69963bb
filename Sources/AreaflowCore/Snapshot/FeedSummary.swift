/// What a GTFS-Realtime input held beyond its events, for `_summary.json` (`gtfs_rt`): so that every entity is
/// accounted for, `entities = vehicle_positions + repeated_positions + other_entities`, and every message is either
/// decoded or a `malformed` reject.
///
/// `vehicle_positions` are the entities handed on as lines (they are in `lines_read`); `repeated_positions` were
/// already handed on (same `vehicle.id` and `timestamp`, as in repeated FULL_DATASET snapshots) and were dropped;
/// `other_entities` are trip updates, alerts and anything else without a `vehicle`.
public struct FeedSummary: Sendable, Equatable {
  /// FeedMessages decoded.
  public var messages: Int64 = 0
  /// FeedMessages that could not be decoded (each is one `malformed` reject).
  public var malformedMessages: Int64 = 0
  public var entities: Int64 = 0
  public var vehiclePositions: Int64 = 0
  public var repeatedPositions: Int64 = 0
  public var otherEntities: Int64 = 0
  /// `run` with an `http://` feed: fetches that failed (unreachable, timed out, an HTTP error, a corrupt body).
  public var fetchErrors: Int64 = 0

  public init() {}

  /// The `"gtfs_rt": {…}` object of `_summary.json`.
  public func json() -> String {
    "{\"messages\": \(messages), \"malformed_messages\": \(malformedMessages), \"entities\": \(entities), "
      + "\"vehicle_positions\": \(vehiclePositions), \"repeated_positions\": \(repeatedPositions), "
      + "\"other_entities\": \(otherEntities), \"fetch_errors\": \(fetchErrors)}"
  }

  func encode(into w: inout StateWriter) {
    for n in [messages, malformedMessages, entities, vehiclePositions, repeatedPositions, otherEntities, fetchErrors] {
      w.write(n)
    }
  }

  static func decode(from r: inout StateReader) throws(StateReader.CorruptState) -> FeedSummary {
    var s = FeedSummary()
    s.messages = try r.readInt64()
    s.malformedMessages = try r.readInt64()
    s.entities = try r.readInt64()
    s.vehiclePositions = try r.readInt64()
    s.repeatedPositions = try r.readInt64()
    s.otherEntities = try r.readInt64()
    s.fetchErrors = try r.readInt64()
    return s
  }
}
