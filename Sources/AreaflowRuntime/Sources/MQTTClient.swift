import CMosquitto
import Dispatch
import Foundation
import Logging
import Metrics
import Synchronization

/// One libmosquitto client, driven by a thread of its own: connects, subscribes on every (re)connection, hands
/// each message to `onMessage`, and reconnects with backoff (1 s doubling to 30 s) after a refused connection, an
/// unreachable broker or a lost connection, logging each with the host, the port and the reason.
///
/// When a QoS 1 message is acknowledged: libmosquitto sends PUBACK from this thread after `onMessage` has returned
/// (2.0.11 queues it just before the callback and writes it on the loop's next pass; later versions queue it after
/// the callback). So a message is acknowledged only once `onMessage` has taken it. `onMessage` answers false when
/// the pipeline is stopping; the thread then parks for good, the message is never acknowledged, and a persistent
/// session gets it again on the next connection.
final class MQTTClient: @unchecked Sendable {
  /// What the client tells its owner about the connection, for logs, `/healthz` and metrics.
  enum Status: Equatable {
    case connected
    case disconnected(reason: String)
  }

  let options: MQTTOptions
  let name: String
  private let password: String?
  private let logger: Logger
  /// Takes (topic, payload) on the client's thread; the payload is valid only during the call. False: not taken.
  private let onMessage: (String, UnsafeRawBufferPointer) -> Bool
  private let onStatus: (Status) -> Void
  private let stopping = Atomic<Bool>(false)
  private let wake = DispatchSemaphore(value: 0)
  // Client thread state.
  private var handle: OpaquePointer?
  private var delay = 1.0
  private var lastConnack: Int32?
  private var isConnected = false

  private let connectFailures: Counter
  private let connectionsLost: Counter
  private let messages: Counter
  private let connectedGauge: Gauge

  static let maxDelay = 30.0
  private static let initialised: Bool = {
    af_mosquitto_lib_init()!()
    return true
  }()

  init(
    options: MQTTOptions, name: String, password: String?, logger: Logger,
    onMessage: @escaping (String, UnsafeRawBufferPointer) -> Bool, onStatus: @escaping (Status) -> Void
  ) {
    self.options = options
    self.name = name
    self.password = password
    self.logger = logger
    self.onMessage = onMessage
    self.onStatus = onStatus
    let dimensions = [("input", name)]
    connectFailures = Counter(label: "areaflow_mqtt_connect_failures_total", dimensions: dimensions)
    connectionsLost = Counter(label: "areaflow_mqtt_connections_lost_total", dimensions: dimensions)
    messages = Counter(label: "areaflow_mqtt_messages_total", dimensions: dimensions)
    connectedGauge = Gauge(label: "areaflow_mqtt_connected", dimensions: dimensions)
  }

  /// A libmosquitto setting that was refused (a TLS file that cannot be read, say).
  struct SetupError: Error, CustomStringConvertible {
    let description: String
  }

  /// Creates the libmosquitto client with the options; nothing touches the network yet.
  func prepare() throws(SetupError) {
    if let problem = af_CMosquitto_load() {
      throw SetupError(
        description:
          "\(name): MQTT needs libmosquitto (Debian: apt-get install libmosquitto1): \(String(cString: problem))")
    }
    _ = Self.initialised
    guard let m = af_mosquitto_new()!(options.clientID, options.cleanSession, Unmanaged.passUnretained(self).toOpaque())
    else { throw SetupError(description: "\(name): cannot create an MQTT client: \(String(cString: strerror(errno)))") }
    handle = m
    _ = af_mosquitto_int_option()!(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311)
    func check(_ rc: Int32, _ what: String) throws(SetupError) {
      guard rc == MOSQ_ERR_SUCCESS.rawValue else {
        throw SetupError(description: "\(name): \(what): \(Self.describe(rc))")
      }
    }
    if let username = options.username {
      try check(af_mosquitto_username_pw_set()!(m, username, password), "username")
    }
    if options.tls {
      // Without a CA file or directory, the system's certificates (Debian's /etc/ssl/certs) vouch for the broker.
      let caPath = options.caFile == nil && options.caPath == nil ? "/etc/ssl/certs" : options.caPath
      try check(
        af_mosquitto_tls_set()!(m, options.caFile, caPath, options.certFile, options.keyFile, nil),
        "TLS settings (cafile, capath, certfile, keyfile)")
      try check(af_mosquitto_tls_opts_set()!(m, 1, nil, nil), "TLS peer verification")
      if options.insecure { try check(af_mosquitto_tls_insecure_set()!(m, true), "insecure") }
    }
    af_mosquitto_connect_with_flags_callback_set()!(m) { _, obj, rc, flags in
      MQTTClient.from(obj).connected(rc: rc, sessionPresent: flags & 1 == 1)
    }
    af_mosquitto_subscribe_callback_set()!(m) { _, obj, _, count, granted in
      MQTTClient.from(obj).subscribed(granted: count > 0 ? granted?[0] ?? 128 : 128)
    }
    af_mosquitto_message_callback_set()!(m) { _, obj, message in
      guard let message else { return }
      MQTTClient.from(obj).received(message.pointee)
    }
    af_mosquitto_log_callback_set()!(m) { _, obj, level, text in
      guard let text else { return }
      MQTTClient.from(obj).logger.trace("libmosquitto: \(String(cString: text))", metadata: ["level": "\(level)"])
    }
  }

  private static func from(_ obj: UnsafeMutableRawPointer?) -> MQTTClient {
    Unmanaged<MQTTClient>.fromOpaque(obj!).takeUnretainedValue()
  }

  /// Starts the client's thread.
  func start() {
    let thread = Thread { [self] in run() }
    thread.name = "areaflow.mqtt"
    thread.start()
  }

  /// Asks the thread to disconnect and end. It does not wait: the thread may be parked inside `onMessage`.
  func stop() {
    stopping.store(true, ordering: .sequentiallyConsistent)
    wake.signal()
  }

  private var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

  private func run() {
    guard let m = handle else { return }
    var everConnected = false
    while !isStopping {
      lastConnack = nil
      let rc =
        everConnected
        ? af_mosquitto_reconnect()!(m)
        : af_mosquitto_connect()!(m, options.host, Int32(options.port), options.keepAlive)
      if rc != MOSQ_ERR_SUCCESS.rawValue {
        failed("cannot connect to the MQTT broker", rc: rc, errno: errno)
        continue
      }
      everConnected = true
      var loopRC: Int32 = MOSQ_ERR_SUCCESS.rawValue
      while !isStopping {
        loopRC = af_mosquitto_loop()!(m, 200, 1)
        if loopRC != MOSQ_ERR_SUCCESS.rawValue { break }
      }
      if isStopping { break }
      let code = errno
      if isConnected {
        isConnected = false
        connectionsLost.increment()
        failed("lost the connection to the MQTT broker", rc: loopRC, errno: code)
      } else {
        failed("the MQTT broker refused the connection", rc: loopRC, errno: code)
      }
    }
    af_mosquitto_disconnect()!(m)
    connectedGauge.record(0)
  }

  /// Logs and reports a failure, then waits `delay` (doubling it up to `maxDelay`) unless told to stop.
  private func failed(_ what: String, rc: Int32, errno code: Int32) {
    var reason = Self.describe(rc, errno: code)
    if let connack = lastConnack, connack != 0 { reason = String(cString: af_mosquitto_connack_string()!(connack)!) }
    if !what.hasPrefix("lost") { connectFailures.increment() }
    connectedGauge.record(0)
    logger.warning(
      "\(what); retrying",
      metadata: [
        "input": "\(name)", "host": "\(options.host)", "port": "\(options.port)", "reason": "\(reason)",
        "retry_in_s": "\(delay)",
      ])
    onStatus(.disconnected(reason: "\(what) \(options.host):\(options.port): \(reason)"))
    _ = wake.wait(timeout: .now() + delay)
    delay = min(Self.maxDelay, delay * 2)
  }

  private func connected(rc: Int32, sessionPresent: Bool) {
    lastConnack = rc
    guard rc == 0 else { return }
    isConnected = true
    delay = 1
    connectedGauge.record(1)
    logger.info(
      "connected to the MQTT broker",
      metadata: [
        "input": "\(name)", "host": "\(options.host)", "port": "\(options.port)",
        "session_present": "\(sessionPresent)", "filter": "\(options.topicFilter)", "qos": "\(options.qos)",
      ])
    let sub = af_mosquitto_subscribe()!(handle, nil, options.topicFilter, options.qos)
    if sub != MOSQ_ERR_SUCCESS.rawValue {
      logger.error("cannot subscribe", metadata: ["input": "\(name)", "reason": "\(Self.describe(sub))"])
    }
    onStatus(.connected)
  }

  private func subscribed(granted: Int32) {
    if granted >= 128 {
      let reason = "the broker refused the subscription to '\(options.topicFilter)' (not authorised?)"
      logger.error("\(reason)", metadata: ["input": "\(name)"])
      onStatus(.disconnected(reason: reason))
    } else {
      logger.debug("subscribed", metadata: ["input": "\(name)", "granted_qos": "\(granted)"])
    }
  }

  private func received(_ message: mosquitto_message) {
    messages.increment()
    let topic = message.topic.map { String(cString: $0) } ?? ""
    let payload = UnsafeRawBufferPointer(start: message.payload, count: Int(max(0, message.payloadlen)))
    if onMessage(topic, payload) { return }
    // Stopping: returning would acknowledge a message the pipeline did not take. Park until the process ends.
    while true { _ = wake.wait(timeout: .distantFuture) }
  }

  /// A libmosquitto result in words (the system's reason for `MOSQ_ERR_ERRNO`).
  static func describe(_ rc: Int32, errno code: Int32 = errno) -> String {
    if rc == MOSQ_ERR_ERRNO.rawValue { return String(cString: strerror(code)) }
    return String(cString: af_mosquitto_strerror()!(rc)!)
  }
}
