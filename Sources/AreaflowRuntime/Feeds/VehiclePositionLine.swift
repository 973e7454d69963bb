import AreaflowCore
import AreaflowGTFSRealtime

/// Renders a GTFS-Realtime VehiclePosition as one NDJSON line whose nesting follows the message, so the config's field
/// paths (`position.latitude`, `trip.route_id`, `vehicle.id`, …) read it through the ordinary NDJSON decoder.
///
/// Only fields present in the message are written: an absent field is null for the event (or a reject where the
/// config requires it), never a default. Floats are the float32 values widened to Double and written in their shortest
/// round-trip form, exactly what the official Python bindings give; enums are their proto names (`IN_TRANSIT_TO`).
enum VehiclePositionLine {
  /// The line, newline included.
  static func render(_ vp: TransitRealtime_VehiclePosition) -> [UInt8] {
    var object = JSONObjectWriter(w: TextWriter())
    if vp.hasTimestamp { object.field("timestamp") { $0.write(integer: Int64(bitPattern: vp.timestamp)) } }
    if vp.hasPosition {
      let p = vp.position
      object.object("position") { o in
        o.field("latitude") { $0.write(double: Double(p.latitude)) }
        o.field("longitude") { $0.write(double: Double(p.longitude)) }
        if p.hasBearing { o.field("bearing") { $0.write(double: Double(p.bearing)) } }
        if p.hasOdometer { o.field("odometer") { $0.write(double: p.odometer) } }
        if p.hasSpeed { o.field("speed") { $0.write(double: Double(p.speed)) } }
      }
    }
    if vp.hasTrip {
      let t = vp.trip
      object.object("trip") { o in
        if t.hasTripID { o.field("trip_id") { $0.write(jsonString: t.tripID) } }
        if t.hasRouteID { o.field("route_id") { $0.write(jsonString: t.routeID) } }
        if t.hasDirectionID { o.field("direction_id") { $0.write(integer: Int64(t.directionID)) } }
        if t.hasStartTime { o.field("start_time") { $0.write(jsonString: t.startTime) } }
        if t.hasStartDate { o.field("start_date") { $0.write(jsonString: t.startDate) } }
      }
    }
    if vp.hasVehicle {
      let v = vp.vehicle
      object.object("vehicle") { o in
        if v.hasID { o.field("id") { $0.write(jsonString: v.id) } }
        if v.hasLabel { o.field("label") { $0.write(jsonString: v.label) } }
        if v.hasLicensePlate { o.field("license_plate") { $0.write(jsonString: v.licensePlate) } }
      }
    }
    if vp.hasCurrentStopSequence {
      object.field("current_stop_sequence") { $0.write(integer: Int64(vp.currentStopSequence)) }
    }
    if vp.hasStopID { object.field("stop_id") { $0.write(jsonString: vp.stopID) } }
    if vp.hasCurrentStatus {
      object.field("current_status") { $0.write(jsonString: name(of: vp.currentStatus)) }
    }
    if vp.hasCongestionLevel {
      object.field("congestion_level") { $0.write(jsonString: name(of: vp.congestionLevel)) }
    }
    if vp.hasOccupancyStatus {
      object.field("occupancy_status") { $0.write(jsonString: name(of: vp.occupancyStatus)) }
    }
    if vp.hasOccupancyPercentage {
      object.field("occupancy_percentage") { $0.write(integer: Int64(vp.occupancyPercentage)) }
    }
    var w = object.close()
    w.write(byte: 10)
    return w.bytes
  }

  static func name(of status: TransitRealtime_VehiclePosition.VehicleStopStatus) -> String {
    switch status {
    case .incomingAt: "INCOMING_AT"
    case .stoppedAt: "STOPPED_AT"
    case .inTransitTo: "IN_TRANSIT_TO"
    }
  }

  static func name(of level: TransitRealtime_VehiclePosition.CongestionLevel) -> String {
    switch level {
    case .unknownCongestionLevel: "UNKNOWN_CONGESTION_LEVEL"
    case .runningSmoothly: "RUNNING_SMOOTHLY"
    case .stopAndGo: "STOP_AND_GO"
    case .congestion: "CONGESTION"
    case .severeCongestion: "SEVERE_CONGESTION"
    }
  }

  static func name(of status: TransitRealtime_VehiclePosition.OccupancyStatus) -> String {
    switch status {
    case .empty: "EMPTY"
    case .manySeatsAvailable: "MANY_SEATS_AVAILABLE"
    case .fewSeatsAvailable: "FEW_SEATS_AVAILABLE"
    case .standingRoomOnly: "STANDING_ROOM_ONLY"
    case .crushedStandingRoomOnly: "CRUSHED_STANDING_ROOM_ONLY"
    case .full: "FULL"
    case .notAcceptingPassengers: "NOT_ACCEPTING_PASSENGERS"
    case .noDataAvailable: "NO_DATA_AVAILABLE"
    case .notBoardable: "NOT_BOARDABLE"
    }
  }
}

/// Writes one JSON object's members with the commas between them.
private struct JSONObjectWriter {
  var w: TextWriter
  private var members = 0

  init(w: TextWriter) {
    self.w = w
    self.w.write(byte: 123)
  }

  mutating func field(_ key: String, _ value: (inout TextWriter) -> Void) {
    if members > 0 { w.write(byte: 44) }
    members += 1
    w.write(jsonString: key)
    w.write(byte: 58)
    value(&w)
  }

  mutating func object(_ key: String, _ body: (inout JSONObjectWriter) -> Void) {
    field(key) { outer in
      var inner = JSONObjectWriter(w: outer)
      body(&inner)
      outer = inner.close()
    }
  }

  consuming func close() -> TextWriter {
    w.write(byte: 125)
    return w
  }
}
