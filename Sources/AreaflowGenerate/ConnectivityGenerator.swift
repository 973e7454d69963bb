#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Speed tests from phones and fixed lines in the same invented city, as CSV
/// (`ts,device_id,technology,lat,lon,download_mbps,upload_mbps,latency_ms`, ts in epoch milliseconds), with RFC 4180
/// quoting here and there and, unless `anomalies` is `.none`, rows with a wrong field count, bad times, bad
/// coordinates, empty values, late rows and duplicates.
public struct ConnectivityGenerator: StreamGenerator {
  public let header: String? = "ts,device_id,technology,lat,lon,download_mbps,upload_mbps,latency_ms"
  var random: SeededRandom
  let anomalies: Anomalies
  var clock: Int64
  let devices: Int
  var lastLine: [UInt8] = []
  static let technologies: [(name: String, share: Double, down: Double, latency: Double)] = [
    ("3G", 0.05, 2, 120), ("4G", 0.45, 25, 45), ("5G", 0.30, 150, 20), ("wifi", 0.15, 60, 25), ("fibre", 0.05, 300, 8),
  ]

  public init(seed: UInt64, startMillis: Int64, devices: Int = 3000, anomalies: Anomalies = Anomalies()) {
    random = SeededRandom(seed: seed)
    self.anomalies = anomalies
    clock = startMillis
    self.devices = devices
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
    clock += Int64((200 + random.unit() * 600) * 3000 / Double(devices))
    var ts = clock - Int64(random.unit() * anomalies.outOfOrderSeconds * 1000)
    if random.chance(anomalies.late) { ts -= 60_000 + Int64(random.unit() * 540_000) }
    if random.chance(anomalies.veryLate) { ts -= 3_600_000 + Int64(random.unit() * 18_000_000) }
    let device = random.below(devices)
    var pick = random.unit()
    var tech = Self.technologies[0]
    for t in Self.technologies {
      tech = t
      pick -= t.share
      if pick < 0 { break }
    }
    // Devices cluster around a few neighbourhoods.
    let cluster = device % 7
    let lat = 52.44 + Double(cluster) * 0.025 + random.normal() * 0.015
    let lon = 13.25 + Double((cluster * 3) % 7) * 0.045 + random.normal() * 0.02
    let down = tech.down * exp(random.normal() * 0.6)
    let up = down / (3 + random.unit() * 5)
    let latency = tech.latency * exp(random.normal() * 0.4)
    var line: [UInt8] = []
    line.reserveCapacity(96)
    let malformed = random.chance(anomalies.malformed) ? random.below(4) : -1
    if malformed == 1 {
      line.append(contentsOf: "soon".utf8)
    } else {
      DecimalText.append(ts, to: &line)
    }
    line.append(44)
    let id = String(device + 1)
    let quoted = random.chance(0.1)
    if quoted { line.append(34) }
    line.append(contentsOf: ("dev-" + String(repeating: "0", count: max(0, 5 - id.count)) + id).utf8)
    if quoted { line.append(34) }
    line.append(44)
    line.append(contentsOf: tech.name.utf8)
    line.append(44)
    if malformed == 2 { line.append(contentsOf: "-91.5".utf8) } else { DecimalText.append(lat, decimals: 5, to: &line) }
    line.append(44)
    if malformed != 3 { DecimalText.append(lon, decimals: 5, to: &line) }
    line.append(44)
    if random.chance(anomalies.oddValue) {
      line.append(contentsOf: "\"n/a\"".utf8)
    } else {
      DecimalText.append(down, decimals: 2, to: &line)
    }
    line.append(44)
    DecimalText.append(up, decimals: 2, to: &line)
    line.append(44)
    DecimalText.append(latency, decimals: 1, to: &line)
    if malformed == 0 { line.append(contentsOf: ",extra".utf8) }
    line.append(10)
    buffer.append(contentsOf: line)
    lastLine = line
  }
}
