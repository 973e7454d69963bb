/// A `kafka://HOST:PORT[,HOST:PORT…]/TOPIC?group=NAME[&…]` input (SPEC sections 7 and 9), parsed and checked once
/// at the edge so that `check`, `replay` and `run` report the same clear error for a bad URL.
///
/// Query options: `group=` (the consumer group; `run` needs one), `start=earliest|latest|RFC3339` (where a partition
/// with no checkpointed or committed offset begins; default `earliest`), `client_id=`, and librdkafka settings passed
/// through by name (any option with a dot, such as `security.protocol=SASL_SSL&sasl.mechanism=PLAIN`). A secret is
/// never written in the URL, which appears in logs and process lists: `NAME_env=VARIABLE` takes the setting `NAME`
/// from an environment variable, and a password, secret or private key given literally is refused.
public struct KafkaAddress: Sendable, Equatable {
  /// Where a partition without a checkpointed or committed offset starts.
  public enum Start: Sendable, Equatable {
    case earliest
    case latest
    /// The first message whose Kafka timestamp is at or after this time (nanoseconds since the epoch).
    case time(Int64)
  }

  /// A librdkafka setting passed through, with its value or the environment variable that holds it.
  public struct Setting: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
      case literal(String)
      /// Read from this environment variable when the consumer is made; never logged.
      case environment(String)
    }
    public var name: String
    public var value: Value
    public init(name: String, value: Value) {
      self.name = name
      self.value = value
    }
  }

  /// A URL that cannot be used, with what to do about it.
  public struct Problem: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
    public init(description: String) { self.description = description }
  }

  /// The URL's scheme.
  public static let scheme = "kafka://"

  /// `HOST:PORT,HOST:PORT`, as librdkafka's `bootstrap.servers`.
  public var brokers: String
  public var topic: String
  public var group: String?
  public var start: Start
  public var clientID: String?
  public var settings: [Setting]

  /// `kafka://BROKERS/TOPIC`, the query left out: the name used in logs, errors and side records.
  public var name: String { "\(Self.scheme)\(brokers)/\(topic)" }

  /// Settings areaflow makes itself: giving them in the URL would break offsets in the checkpoint or the framing.
  static let reserved: Set<String> = [
    "bootstrap.servers", "metadata.broker.list", "group.id", "client.id", "enable.auto.commit",
    "enable.auto.offset.store", "auto.offset.reset", "enable.partition.eof", "group.instance.id",
  ]

  /// Whether a command-line input is a Kafka URL.
  public static func isKafka(_ argument: String) -> Bool { argument.hasPrefix(scheme) }

  /// Parses and checks `url`.
  /// - Throws: `Problem` naming the part of the URL that is wrong and what is expected.
  public init(_ url: String) throws(Problem) {
    func problem(_ message: String) -> Problem { Problem(description: "\(url): \(message)") }
    guard url.hasPrefix(Self.scheme) else { throw problem("expected kafka://HOST:PORT[,HOST:PORT…]/TOPIC?group=NAME") }
    var rest = Substring(url.dropFirst(Self.scheme.count))
    var query: Substring = ""
    if let mark = rest.firstIndex(of: "?") {
      query = rest[rest.index(after: mark)...]
      rest = rest[..<mark]
    }
    guard let slash = rest.firstIndex(of: "/") else {
      throw problem("no topic: expected kafka://HOST:PORT[,HOST:PORT…]/TOPIC?group=NAME")
    }
    let hosts = rest[..<slash]
    let topic = String(rest[rest.index(after: slash)...])
    guard !hosts.isEmpty else { throw problem("no broker: expected kafka://HOST:PORT[,HOST:PORT…]/TOPIC") }
    for host in hosts.split(separator: ",", omittingEmptySubsequences: false) {
      guard let colon = host.lastIndex(of: ":"), colon != host.startIndex,
        let port = Int(host[host.index(after: colon)...]), (1...65535).contains(port)
      else { throw problem("broker '\(host)' is not HOST:PORT (a port from 1 to 65535)") }
    }
    guard Self.isValidTopic(topic) else {
      throw problem(
        "topic '\(topic)' is not a Kafka topic name (1 to 249 characters of letters, digits, '.', '_' and '-')")
    }
    brokers = String(hosts)
    self.topic = topic
    group = nil
    start = .earliest
    clientID = nil
    settings = []
    var seen = Set<String>()
    for pair in query.split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let key = Self.percentDecoded(parts[0])
      guard parts.count == 2 else { throw problem("option '\(key)' has no value (write \(key)=VALUE)") }
      let value = Self.percentDecoded(parts[1])
      guard seen.insert(key).inserted else { throw problem("option '\(key)' is given twice") }
      guard !value.isEmpty else { throw problem("option '\(key)' is empty") }
      switch key {
      case "group": group = value
      case "client_id": clientID = value
      case "start": start = try Self.parseStart(value, problem: problem)
      default:
        try addSetting(key, value, problem: problem)
      }
    }
  }

  private mutating func addSetting(_ key: String, _ value: String, problem: (String) -> Problem) throws(Problem) {
    let fromEnvironment = key.hasSuffix("_env")
    let name = fromEnvironment ? String(key.dropLast(4)) : key
    guard name.contains(".") else {
      throw problem(
        "unknown option '\(key)': the options are group=, start=earliest|latest|RFC3339, client_id=, librdkafka "
          + "settings by name (e.g. security.protocol=SASL_SSL), and NAME_env=VARIABLE for a secret")
    }
    guard !Self.reserved.contains(name) else {
      throw problem("'\(name)' is set by areaflow (use the URL's brokers, group= and client_id=, and start=)")
    }
    if !fromEnvironment, Self.isSecret(name) {
      throw problem(
        "'\(name)' is a secret and would show in logs and process lists: pass it as \(name)_env=VARIABLE and set "
          + "the environment variable VARIABLE")
    }
    settings.append(Setting(name: name, value: fromEnvironment ? .environment(value) : .literal(value)))
  }

  /// Settings whose values must not appear in a URL.
  static func isSecret(_ name: String) -> Bool {
    name.contains("password") || name.contains("secret") || name == "ssl.key.pem" || name == "sasl.oauthbearer.config"
  }

  static func parseStart(_ value: String, problem: (String) -> Problem) throws(Problem) -> Start {
    switch value {
    case "earliest": return .earliest
    case "latest": return .latest
    default:
      let bytes = Array(value.utf8)
      let parsed = bytes.withUnsafeBufferPointer { TimeParser.parseRFC3339($0.baseAddress!, 0, $0.count) }
      guard let parsed else {
        throw problem("start '\(value)' is not earliest, latest or an RFC 3339 time such as 2024-05-01T00:00:00Z")
      }
      return .time(parsed)
    }
  }

  /// Kafka's rule for topic names.
  static func isValidTopic(_ topic: String) -> Bool {
    guard (1...249).contains(topic.utf8.count), topic != ".", topic != ".." else { return false }
    return topic.utf8.allSatisfy { c in
      (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 46 || c == 95 || c == 45
    }
  }

  /// `%XX` escapes decoded (a value may hold `&` or `=`); `+` stays a plus.
  static func percentDecoded(_ text: Substring) -> String {
    guard text.contains("%") else { return String(text) }
    var out: [UInt8] = []
    let bytes = Array(text.utf8)
    var i = 0
    while i < bytes.count {
      if bytes[i] == 37, i + 2 < bytes.count,
        let v = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16)
      {
        out.append(v)
        i += 3
      } else {
        out.append(bytes[i])
        i += 1
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// What `check` says about the input.
  public var explanation: [String] {
    var lines = ["\(name): Kafka topic '\(topic)' on \(brokers)"]
    lines.append(
      group.map { "  consumer group '\($0)': offsets are kept in the checkpoint and committed to the group after it" }
        ?? "  no consumer group: replay only (run needs group=NAME)")
    switch start {
    case .earliest:
      lines.append("  a partition without a checkpointed or committed offset starts at its earliest message")
    case .latest:
      lines.append("  a partition without a checkpointed or committed offset starts at its end (new messages only)")
    case .time(let ns):
      lines.append(
        "  a partition without a checkpointed or committed offset starts at the first message at or after "
          + CivilDate.rfc3339(millis: WindowMath.floorDiv(ns, 1_000_000)))
    }
    if let clientID { lines.append("  client id '\(clientID)'") }
    for s in settings {
      switch s.value {
      case .literal(let v): lines.append("  librdkafka \(s.name) = \(v)")
      case .environment(let v): lines.append("  librdkafka \(s.name) from the environment variable \(v)")
      }
    }
    lines.append("  each partition is an input with its own watermark; a message value is one or more lines")
    return lines
  }
}
