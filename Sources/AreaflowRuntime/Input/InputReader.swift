import AreaflowCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads one input from its file descriptor to its end, decompressing and framing it into `LineChunk`s.
///
/// Runs on the intake queue; `deliver` is called with each chunk in order and may block (that is the
/// backpressure). Faults stop this input only: what came before is delivered, and the error is returned.
struct InputReader {
  let index: Int
  let entry: InputList.Entry
  let format: InputConfig.Format
  let plan: FieldPlan
  let batchLines: Int
  static let readSize = 1 << 18

  /// - Parameter progress: called with the number of raw bytes read after every read.
  /// - Returns: nil when the input was read to its end, else what went wrong.
  func run(deliver: (LineChunk) -> Void, progress: (Int) -> Void) -> String? {
    let name = entry.path
    let fd: Int32 = name == "-" ? 0 : open(name, O_RDONLY)
    guard fd >= 0 else { return "\(name): cannot open: \(String(cString: strerror(errno)))" }
    defer { if fd != 0 { close(fd) } }
    var framer = LineFramer(input: index, inputName: name, format: format, plan: plan, maxLines: batchLines)
    var decoder: (any ByteDecoder)?
    var offset: Int64 = 0
    var buffer = [UInt8](repeating: 0, count: Self.readSize)
    var failure: String?
    do {
      while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, Self.readSize) }
        if n < 0 {
          if errno == EINTR { continue }
          failure = "\(name): read error at byte offset \(offset): \(String(cString: strerror(errno)))"
          break
        }
        if n == 0 { break }
        try buffer.withUnsafeBytes { raw in
          let bytes = UnsafeRawBufferPointer(rebasing: raw[0..<n])
          if decoder == nil { decoder = Compression.detect(bytes).makeDecoder() }
          try decoder!.feed(bytes, offset: offset) { text in
            for chunk in try framer.push(text) { deliver(chunk) }
          }
        }
        offset += Int64(n)
        progress(n)
      }
      if failure == nil { try decoder?.finish(offset: offset) }
    } catch let e as InputDataError {
      failure = "\(name): \(e)"
    } catch let e as LineFramer.HeaderError {
      return e.description
    } catch {
      failure = "\(name): \(error)"
    }
    // Whatever was decoded before a fault is kept, including a last partial line (it will be rejected, not lost).
    do {
      for chunk in try framer.finish() { deliver(chunk) }
    } catch {
      return failure ?? "\(error)"
    }
    return failure
  }
}
