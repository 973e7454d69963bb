import AreaflowCore
import Dispatch
import Logging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `tcp://HOST:PORT`: listens and reads newline-delimited events from any number of clients at once, each client a
/// stream of its own lines. Port 0 picks a free port, which is logged.
///
/// Used only from the driver's intake queue (asserted where the driver calls in; the accept and read sources run on
/// it). Data received over TCP cannot be asked for again, so after a crash the lines a checkpoint had not covered are
/// gone unless the sender resends them; files are the exactly-once inputs.
final class TCPSource: Source {
  let index: Int
  let address: String
  var name: String { address }
  private let format: InputConfig.Format
  private let plan: FieldPlan
  private let batchLines: Int
  private let logger: Logger
  /// Bytes read from one client before the intake queue lets other work in.
  static let budget = 4 << 20
  private let listener: Int32
  private(set) var port: Int = 0
  private var acceptSource: DispatchSourceRead?
  private(set) var clients: [StreamConnection] = []
  private(set) var everConnected = false
  private var nextClient = 0

  struct SetupError: Error, CustomStringConvertible {
    let description: String
  }

  /// Binds and listens on `host:port`.
  init(
    index: Int, address: String, format: InputConfig.Format, plan: FieldPlan, batchLines: Int, logger: Logger
  ) throws {
    self.index = index
    self.address = address
    self.format = format
    self.plan = plan
    self.batchLines = batchLines
    self.logger = logger
    let spec = address.dropFirst("tcp://".count)
    guard let colon = spec.lastIndex(of: ":"), let port = UInt16(spec[spec.index(after: colon)...]) else {
      throw SetupError(description: "\(address): expected tcp://HOST:PORT")
    }
    var host = String(spec[..<colon])
    if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
    if host.isEmpty || host == "localhost" { host = "127.0.0.1" }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    guard inet_pton(AF_INET, host == "*" ? "0.0.0.0" : host, &addr.sin_addr) == 1 else {
      throw SetupError(description: "\(address): '\(host)' is not an IPv4 address")
    }
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SetupError(description: "\(address): socket: \(String(cString: strerror(errno)))") }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    let bound = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 128) == 0 else {
      let reason = String(cString: strerror(errno))
      Glibc.close(fd)
      throw SetupError(description: "\(address): cannot listen: \(reason)")
    }
    var actual = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &actual) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    self.port = Int(UInt16(bigEndian: actual.sin_port))
    listener = fd
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
  }

  /// Accepts clients on the intake queue and starts reading each.
  func start(_ context: SourceContext) {
    let (queue, deliver, noteData) = (context.queue, context.deliver, context.noteData)
    logger.info("listening on tcp://127.0.0.1:\(port)", metadata: ["input": "\(address)"])
    let source = DispatchSource.makeReadSource(fileDescriptor: listener, queue: queue)
    source.setEventHandler { [unowned self] in
      while true {
        let fd = accept(listener, nil, nil)
        if fd < 0 { break }
        nextClient += 1
        everConnected = true
        let client = StreamConnection(
          fd: fd, input: index, name: "\(address)#\(nextClient)", format: format, plan: plan, batchLines: batchLines)
        clients.append(client)
        logger.debug("client connected", metadata: ["input": "\(address)", "client": "\(nextClient)"])
        client.start(
          queue: queue, budget: Self.budget, deliver: deliver, onData: { _ in noteData() },
          onClose: { [unowned self] closed, error in
            if let error {
              logger.warning("client stream failed", metadata: ["client": "\(closed.name)", "error": "\(error)"])
            }
            clients.removeAll { $0 === closed }
          })
      }
    }
    acceptSource = source
    source.resume()
  }

  /// For `--once`: some client came and every client has gone.
  var isExhausted: Bool { everConnected && clients.isEmpty }

  /// Stops listening and reading (shutdown).
  func cancel() {
    acceptSource?.cancel()
    acceptSource = nil
    for c in clients { c.cancel() }
    clients = []
    Glibc.close(listener)
  }
}
