import AreaflowCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Bus positions in an invented city (lat 52.40–52.64, lon 13.20–13.60): vehicles shuttle along straight routes,
/// crawl in traffic now and then, and report every ~10 seconds with a few seconds of network jitter.
///
/// Line: `{"ts":"2026-03-02T08:00:00.123Z","vehicle_id":"bus-0042","route":"M10","lat":52.51234,"lon":13.40123,
/// "speed_kmh":23.5,"delay_s":45}` plus, unless `anomalies` is `.none`, late, very late, duplicate, malformed,
/// empty lines and null or string-typed values.
public struct TransportGenerator: StreamGenerator {
  struct Route {
    var name: String
    var lat0, lon0, lat1, lon1: Double
  }
  struct Vehicle {
    var id: String
    var route: Int
    var position: Double  // 0...1 along the route
    var direction: Double
    var speed: Double
    var delay: Double
  }

  public let header: String? = nil
  var random: SeededRandom
  let anomalies: Anomalies
  var routes: [Route] = []
  var vehicles: [Vehicle] = []
  /// Emission clock in milliseconds.
  var clock: Int64
  let stepMillis: Int64
  var next = 0
  var lastLine: [UInt8] = []

  public init(seed: UInt64, startMillis: Int64, vehicles count: Int = 1500, anomalies: Anomalies = Anomalies()) {
    random = SeededRandom(seed: seed)
    self.anomalies = anomalies
    clock = startMillis
    stepMillis = max(1, 10_000 / Int64(count))
    let prefixes = ["M", "X", "N", "B"]
    for r in 0..<60 {
      let a = random.unit() * 2 * .pi
      let cLat = 52.52 + (random.unit() - 0.5) * 0.12
      let cLon = 13.40 + (random.unit() - 0.5) * 0.2
      let len = 0.05 + random.unit() * 0.08
      routes.append(
        Route(
          name: "\(prefixes[r % 4])\(r + 1)", lat0: cLat - sin(a) * len, lon0: cLon - cos(a) * len * 1.6,
          lat1: cLat + sin(a) * len, lon1: cLon + cos(a) * len * 1.6))
    }
    for v in 0..<count {
      let digits = String(v + 1)
      vehicles.append(
        Vehicle(
          id: "bus-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits, route: random.below(60),
          position: random.unit(), direction: random.chance(0.5) ? 1 : -1, speed: 25, delay: random.normal() * 60))
    }
  }

  public mutating func nextLine(into buffer: inout [UInt8]) {
    if anomalies.duplicate > 0, !lastLine.isEmpty, random.chance(anomalies.duplicate) {
      buffer.append(contentsOf: lastLine)
      return
    }
    if random.chance(anomalies.empty) {
      buffer.append(10)
      return
    }
    clock += stepMillis
    let v = next
    next = (next + 1) % vehicles.count
    step(v)
    var ts = clock - Int64(random.unit() * anomalies.outOfOrderSeconds * 1000)
    if random.chance(anomalies.late) { ts -= 60_000 + Int64(random.unit() * 540_000) }
    if random.chance(anomalies.veryLate) { ts -= 3_600_000 + Int64(random.unit() * 18_000_000) }
    let vehicle = vehicles[v]
    let route = routes[vehicle.route]
    var lat = route.lat0 + (route.lat1 - route.lat0) * vehicle.position + random.normal() * 0.0003
    var lon = route.lon0 + (route.lon1 - route.lon0) * vehicle.position + random.normal() * 0.0003
    var line: [UInt8] = []
    line.reserveCapacity(160)
    var malformedKind = -1
    if random.chance(anomalies.malformed) { malformedKind = random.below(6) }
    if malformedKind == 3 { lat = 95 }
    line.append(contentsOf: "{\"ts\":\"".utf8)
    if malformedKind == 2 {
      line.append(contentsOf: "2026-13-45T99:00:00Z".utf8)
    } else {
      line.append(contentsOf: CivilDate.rfc3339(millis: ts).utf8)
    }
    line.append(contentsOf: "\",\"vehicle_id\":\"".utf8)
    line.append(contentsOf: vehicle.id.utf8)
    line.append(contentsOf: "\",\"route\":\"".utf8)
    line.append(contentsOf: route.name.utf8)
    line.append(34)
    if malformedKind != 5 {
      line.append(contentsOf: ",\"lat\":".utf8)
      DecimalText.append(lat, decimals: 5, to: &line)
    }
    line.append(contentsOf: ",\"lon\":".utf8)
    if malformedKind == 4 {
      line.append(contentsOf: "\"abc\"".utf8)
    } else {
      lon = min(max(lon, -180), 180)
      DecimalText.append(lon, decimals: 5, to: &line)
    }
    line.append(contentsOf: ",\"speed_kmh\":".utf8)
    if random.chance(anomalies.oddValue) {
      line.append(contentsOf: random.chance(0.5) ? "null".utf8 : "\"12.5\"".utf8)
    } else {
      DecimalText.append(vehicle.speed, decimals: 1, to: &line)
    }
    line.append(contentsOf: ",\"delay_s\":".utf8)
    DecimalText.append(Int64(vehicle.delay.rounded()), to: &line)
    line.append(125)
    switch malformedKind {
    case 0: line.removeLast(line.count / 3)  // truncated mid-object
    case 1: line = Array("[\"not\",\"an\",\"object\"]".utf8)
    default: break
    }
    line.append(10)
    buffer.append(contentsOf: line)
    lastLine = line
  }

  /// Moves a vehicle ten seconds along its route, with traffic.
  private mutating func step(_ v: Int) {
    var vehicle = vehicles[v]
    let target = random.chance(0.08) ? random.unit() * 4 : 18 + random.unit() * 30
    vehicle.speed = max(0, vehicle.speed * 0.6 + target * 0.4 + random.normal())
    vehicle.delay += random.normal() * 5 + (vehicle.speed < 5 ? 8 : -1)
    let route = routes[vehicle.route]
    let lengthKm = ((route.lat1 - route.lat0) * 111).magnitude + ((route.lon1 - route.lon0) * 68).magnitude
    vehicle.position += vehicle.direction * vehicle.speed * (10.0 / 3600) / max(lengthKm, 0.5)
    if vehicle.position > 1 || vehicle.position < 0 {
      vehicle.direction = -vehicle.direction
      vehicle.position = min(max(vehicle.position, 0), 1)
    }
    vehicles[v] = vehicle
  }
}
