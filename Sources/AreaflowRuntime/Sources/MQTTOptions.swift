/// An `mqtt://` or `mqtts://` input, parsed: `mqtt://HOST[:PORT]/TOPIC-FILTER[?option=value&…]` (SPEC section 7).
///
/// The topic filter is everything between the `/` after the address and the first `?`, taken as it is: HSL's
/// topics start with `/`, so their filter is written after a second slash (`mqtt://mqtt.hsl.fi:1883//hfp/v2/#`).
/// `#` and `+` are MQTT wildcards here, not URL syntax; `%XX` stands for a byte (`%3F` for a `?` in the filter).
///
/// The URL is logged, so it never holds a secret: credentials in it are refused, and the password is named by an
/// environment variable (`password_env=NAME`) that is read when the input opens. Pure: no network, no environment.
struct MQTTOptions: Equatable {
  var host: String
  var port: Int
  var topicFilter: String
  /// 0: at most once (the broker may drop messages); 1: at least once (a message may come twice).
  var qos: Int32 = 1
  /// The client identifier; nil lets the broker's client library pick a random one (only with a clean session).
  var clientID: String?
  /// false: a persistent session, which the broker keeps (subscription and QoS 1 messages) while areaflow is away.
  var cleanSession = true
  var username: String?
  /// The environment variable holding the password.
  var passwordEnvironment: String?
  var keepAlive: Int32 = 60
  var tls = false
  var caFile: String?
  var caPath: String?
  var certFile: String?
  var keyFile: String?
  /// Skips the check that the broker's certificate names the host (testing only).
  var insecure = false

  /// What a malformed URL or a bad option is: the message says what to write instead.
  struct ParseError: Error, CustomStringConvertible, Equatable {
    let description: String
  }

  static let schemes = ["mqtt://", "mqtts://"]
  static let optionNames = [
    "qos", "client_id", "clean", "username", "password_env", "keepalive", "tls", "cafile", "capath", "certfile",
    "keyfile", "insecure",
  ]

  /// True for an argument that names an MQTT input.
  static func isMQTT(_ argument: String) -> Bool { schemes.contains { argument.lowercased().hasPrefix($0) } }

  /// The URL without its options and without credentials, for logs and errors.
  static func displayName(_ argument: String) -> String {
    var url = String(argument[..<(argument.firstIndex(of: "?") ?? argument.endIndex)])
    if let scheme = url.range(of: "://") {
      let authorityEnd = url[scheme.upperBound...].firstIndex(of: "/") ?? url.endIndex
      if let at = url[scheme.upperBound..<authorityEnd].lastIndex(of: "@") {
        url.replaceSubrange(scheme.upperBound...at, with: "…@")
      }
    }
    return url
  }

  init(host: String, port: Int, topicFilter: String) {
    self.host = host
    self.port = port
    self.topicFilter = topicFilter
  }

  /// Parses an `mqtt://` or `mqtts://` argument.
  init(parsing url: String) throws(ParseError) {
    let example = "expected mqtt://HOST:PORT/TOPIC-FILTER[?qos=1&client_id=NAME], e.g. mqtt://127.0.0.1:1883/sensors/#"
    func fail(_ message: String) -> ParseError { ParseError(description: "\(Self.displayName(url)): \(message)") }
    let lower = url.lowercased()
    guard let scheme = Self.schemes.first(where: { lower.hasPrefix($0) }) else { throw fail(example) }
    let secure = scheme == "mqtts://"
    let rest = url.dropFirst(scheme.count)
    guard let slash = rest.firstIndex(of: "/") else { throw fail("no topic filter; \(example)") }
    let authority = rest[..<slash]
    if authority.contains("@") {
      throw fail(
        "credentials do not belong in the URL (it is logged); use ?username=NAME&password_env=VARIABLE, the password read from that environment variable"
      )
    }
    let afterSlash = rest[rest.index(after: slash)...]
    let query = afterSlash.firstIndex(of: "?")
    let rawFilter = afterSlash[..<(query ?? afterSlash.endIndex)]
    guard let filter = Self.percentDecoded(rawFilter), !filter.isEmpty else {
      throw fail("no topic filter (or a bad %XX in it); \(example)")
    }
    if let problem = Self.checkFilter(filter) { throw fail(problem) }
    var host: String
    var portText: Substring?
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else { throw fail("unclosed [ in the host; \(example)") }
      host = String(authority[authority.index(after: authority.startIndex)..<close])
      let after = authority[authority.index(after: close)...]
      if !after.isEmpty {
        guard after.hasPrefix(":") else { throw fail(example) }
        portText = after.dropFirst()
      }
    } else if let colon = authority.lastIndex(of: ":") {
      host = String(authority[..<colon])
      portText = authority[authority.index(after: colon)...]
    } else {
      host = String(authority)
    }
    guard !host.isEmpty else { throw fail("no host; \(example)") }
    var port = secure ? 8883 : 1883
    if let portText {
      guard let p = Int(portText), (1...65535).contains(p) else {
        throw fail("'\(portText)' is not a port (1-65535); \(example)")
      }
      port = p
    }
    self.init(host: host, port: port, topicFilter: filter)
    tls = secure
    if let query { try applyOptions(afterSlash[afterSlash.index(after: query)...], fail: fail) }
    if !cleanSession, clientID == nil {
      throw fail(
        "clean=false (a persistent session) needs a fixed client_id=NAME: the broker keeps the session under that name")
    }
    if (certFile == nil) != (keyFile == nil) { throw fail("certfile and keyfile go together (a client certificate)") }
    if !tls, caFile != nil || caPath != nil || certFile != nil || insecure {
      throw fail("TLS options need TLS: use mqtts:// or tls=true")
    }
    if passwordEnvironment != nil, username == nil { throw fail("password_env needs username=NAME") }
  }

  private mutating func applyOptions(_ text: Substring, fail: (String) -> ParseError) throws(ParseError) {
    var seen: Set<String> = []
    for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = String(parts[0])
      guard Self.optionNames.contains(name) else {
        throw fail("unknown option '\(name)'; the options are \(Self.optionNames.joined(separator: ", "))")
      }
      guard seen.insert(name).inserted else { throw fail("option '\(name)' is given twice") }
      guard parts.count == 2, let value = Self.percentDecoded(parts[1]), !value.isEmpty else {
        throw fail("option '\(name)' needs a value (\(name)=…)")
      }
      func flag() throws(ParseError) -> Bool {
        switch value {
        case "true", "1": return true
        case "false", "0": return false
        default: throw fail("\(name)=\(value): expected true or false")
        }
      }
      switch name {
      case "qos":
        guard value == "0" || value == "1" else {
          throw fail("qos=\(value): expected 0 (at most once) or 1 (at least once)")
        }
        qos = Int32(value)!
      case "client_id":
        guard value.utf8.count <= 65535 else { throw fail("client_id is longer than MQTT allows") }
        clientID = value
      case "clean": cleanSession = try flag()
      case "username": username = value
      case "password_env":
        guard value.utf8.allSatisfy({ $0 == 95 || ($0 >= 48 && $0 <= 57) || ($0 | 32 >= 97 && $0 | 32 <= 122) })
        else { throw fail("password_env=\(value): expected the name of an environment variable, not a password") }
        passwordEnvironment = value
      case "keepalive":
        guard let s = Int32(value), (5...65535).contains(s) else {
          throw fail("keepalive=\(value): expected seconds between 5 and 65535")
        }
        keepAlive = s
      case "tls": tls = try flag()
      case "cafile": caFile = value
      case "capath": caPath = value
      case "certfile": certFile = value
      case "keyfile": keyFile = value
      default: insecure = try flag()
      }
    }
  }

  /// Why a subscription filter is not valid MQTT, or nil: `#` only as a whole last level, `+` only as a whole level.
  static func checkFilter(_ filter: String) -> String? {
    let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
    for (i, level) in levels.enumerated() {
      if level.contains("#"), level != "#" || i != levels.count - 1 {
        return "'\(filter)': '#' must be a whole level and the last one (e.g. sensors/#)"
      }
      if level.contains("+"), level != "+" {
        return "'\(filter)': '+' must be a whole level (e.g. sensors/+/temperature)"
      }
    }
    return filter.utf8.contains(0) ? "the topic filter holds a NUL byte" : nil
  }

  /// `%XX` decoded; nil for a malformed escape or bytes that are not UTF-8.
  static func percentDecoded(_ s: Substring) -> String? {
    guard s.contains("%") else { return String(s) }
    var bytes: [UInt8] = []
    var it = Array(s.utf8)[...]
    while let b = it.popFirst() {
      guard b == 37 else {
        bytes.append(b)
        continue
      }
      guard it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) else { return nil }
      bytes.append(v)
      it = it.dropFirst(2)
    }
    return String(validating: bytes, as: UTF8.self)
  }

  /// One line for `check` and the logs: where it connects, what it subscribes to, with which guarantee.
  var summary: String {
    var parts = [
      "MQTT\(tls ? " over TLS" : "") broker \(host):\(port), subscribes to '\(topicFilter)' at QoS \(qos)"
    ]
    if qos == 0 {
      parts.append("at most once: the broker may drop messages, none come twice")
    } else {
      parts.append("at least once: a message the broker resends is counted again")
    }
    if cleanSession {
      parts.append("clean session: messages published while areaflow is stopped are not kept for it")
    } else {
      parts.append(
        "persistent session as client '\(clientID ?? "")': the broker keeps messages published while areaflow is stopped"
      )
    }
    if let username {
      parts.append("user \(username)\(passwordEnvironment.map { ", password from $\($0)" } ?? "")")
    }
    if tls {
      if let caFile {
        parts.append("CA file \(caFile)")
      } else if let caPath {
        parts.append("CA directory \(caPath)")
      } else {
        parts.append("the system's CA certificates")
      }
      if let certFile { parts.append("client certificate \(certFile)") }
      if insecure { parts.append("host name NOT verified (insecure=true)") }
    }
    return parts.joined(separator: "; ")
  }
}
