import Foundation

/// Helpers shared by the H3 tests: locating the package root and running
/// subprocesses.
enum H3TestSupport {
  /// The directory containing Package.swift, found by walking up from this file.
  static func packageRoot(filePath: String = #filePath) -> URL? {
    var dir = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    while dir.path != "/" {
      if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
        return dir
      }
      dir = dir.deletingLastPathComponent()
    }
    return nil
  }

  struct ProcessResult {
    var status: Int32
    var stdout: Data
    var stderr: String
  }

  /// Runs a command through /usr/bin/env with optional stdin contents.
  static func run(_ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
    let tmp = FileManager.default.temporaryDirectory
    let token = UUID().uuidString
    let inURL = tmp.appendingPathComponent("h3-\(token).in")
    let errURL = tmp.appendingPathComponent("h3-\(token).err")
    defer {
      try? FileManager.default.removeItem(at: inURL)
      try? FileManager.default.removeItem(at: errURL)
    }
    try (stdin ?? Data()).write(to: inURL)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let input = try FileHandle(forReadingFrom: inURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    let out = Pipe()
    process.standardInput = input
    process.standardOutput = out
    process.standardError = errHandle
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try? input.close()
    try? errHandle.close()
    let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    return ProcessResult(status: process.terminationStatus, stdout: data, stderr: err)
  }

  /// Absolute angular difference of two longitudes in degrees, across the
  /// antimeridian.
  static func lngDelta(_ a: Double, _ b: Double) -> Double {
    var d = abs(a - b).truncatingRemainder(dividingBy: 360)
    if d > 180 { d = 360 - d }
    return d
  }

  /// Whether two points agree within `tolerance` degrees in latitude and
  /// longitude (longitude is irrelevant at the poles).
  static func close(
    _ a: (lat: Double, lng: Double), _ b: (lat: Double, lng: Double), tolerance: Double = 1e-9
  ) -> Bool {
    guard abs(a.lat - b.lat) <= tolerance else { return false }
    if abs(a.lat) == 90 && abs(b.lat) == 90 { return true }
    return lngDelta(a.lng, b.lng) <= tolerance
  }
}
