import Crypto
import Foundation
import HummingbirdBcrypt
import Synchronization
import Yams

/// Who may read what (`http.users_file`, SPEC section 6), in the manner of Prometheus' web config file: users with
/// bcrypt-hashed passwords for HTTP basic auth, and bearer tokens stored as SHA-256 hashes, each with scopes.
///
/// The file holds no secret in the clear, so it can live beside the config. Comparisons of names and hashes run in
/// constant time, and an unknown user costs a bcrypt check like a known one, so timing tells nothing about which
/// names exist. A bcrypt check takes tens of milliseconds by design; a verified password is remembered (by a hash
/// of name and password, never the password) so a map polling every second does not pay it each time.
public final class AccessList: Sendable {
  /// What a credential may reach: the API, SSE stream and map (`read`), or `/metrics`.
  public enum Scope: String, Sendable, CaseIterable {
    case read, metrics
  }

  /// The outcome of checking a request's `Authorization` header.
  public enum Verdict: Equatable, Sendable {
    /// No credentials were sent.
    case missing
    /// Credentials were sent and are not valid (unknown user, wrong password, unknown token, unreadable header).
    case invalid
    /// A known user or token with its name and scopes.
    case granted(name: String, scopes: Set<Scope>)
  }

  /// A users file that cannot be used, with what is wrong and where.
  public struct Problem: Error, CustomStringConvertible {
    public let description: String
  }

  struct User {
    let name: [UInt8]
    let bcrypt: String
    let scopes: Set<Scope>
  }

  struct Token {
    let name: String
    let sha256: [UInt8]
    let scopes: Set<Scope>
  }

  let users: [User]
  let tokens: [Token]
  /// SHA-256 of (name, password, stored hash) of passwords already verified: a later request with the same
  /// credentials skips bcrypt. A changed file is a new `AccessList`, so a revoked password is not remembered.
  private let verified = Mutex<Set<Data>>([])
  /// A hash compared against when the user is unknown, of the file's highest cost, so that case takes as long as a
  /// wrong password.
  private let decoy: String

  /// Parses the users file's YAML.
  /// - Throws: `Problem` naming the entry and what to fix.
  public init(yaml text: String) throws(Problem) {
    let root: Any?
    do {
      root = try Yams.load(yaml: text)
    } catch {
      throw Problem(description: "not valid YAML: \(error)")
    }
    guard let top = root as? [String: Any] else {
      throw Problem(description: "expected a mapping with 'users' and/or 'tokens'")
    }
    for key in top.keys where key != "users" && key != "tokens" {
      throw Problem(description: "unknown key '\(key)'; expected users, tokens")
    }
    func entries(_ key: String) throws(Problem) -> [[String: Any]] {
      guard let value = top[key] else { return [] }
      guard let list = value as? [[String: Any]] else { throw Problem(description: "'\(key)' must be a list") }
      return list
    }
    func scopes(_ entry: [String: Any], _ what: String) throws(Problem) -> Set<Scope> {
      guard let list = entry["scopes"] as? [String], !list.isEmpty else {
        throw Problem(description: "\(what): 'scopes' must be a non-empty list of read, metrics")
      }
      var result = Set<Scope>()
      for s in list {
        guard let scope = Scope(rawValue: s) else {
          throw Problem(description: "\(what): unknown scope '\(s)'; expected read, metrics")
        }
        result.insert(scope)
      }
      return result
    }
    var users: [User] = []
    for (i, entry) in try entries("users").enumerated() {
      let what = "users[\(i)]"
      guard let name = entry["name"] as? String, !name.isEmpty, !name.contains(":") else {
        throw Problem(description: "\(what): 'name' must be a non-empty name without ':'")
      }
      for key in entry.keys where !["name", "bcrypt", "scopes"].contains(key) {
        throw Problem(description: "\(what) (\(name)): unknown key '\(key)'; expected name, bcrypt, scopes")
      }
      guard let hash = entry["bcrypt"] as? String, hash.hasPrefix("$2"), hash.count == 60 else {
        throw Problem(
          description:
            "\(what) (\(name)): 'bcrypt' must be a bcrypt hash ($2b$…, 60 characters), e.g. from `areaflow users hash`")
      }
      guard !users.contains(where: { $0.name == Array(name.utf8) }) else {
        throw Problem(description: "\(what): the user '\(name)' is listed twice")
      }
      users.append(User(name: Array(name.utf8), bcrypt: hash, scopes: try scopes(entry, "\(what) (\(name))")))
    }
    var tokens: [Token] = []
    for (i, entry) in try entries("tokens").enumerated() {
      let what = "tokens[\(i)]"
      guard let name = entry["name"] as? String, !name.isEmpty else {
        throw Problem(description: "\(what): 'name' must be a non-empty name")
      }
      for key in entry.keys where !["name", "sha256", "scopes"].contains(key) {
        throw Problem(description: "\(what) (\(name)): unknown key '\(key)'; expected name, sha256, scopes")
      }
      guard let hex = entry["sha256"] as? String, let digest = Self.bytes(hex: hex), digest.count == 32 else {
        throw Problem(
          description:
            "\(what) (\(name)): 'sha256' must be the 64 hex digits of the token's SHA-256, e.g. from `areaflow users token`"
        )
      }
      tokens.append(Token(name: name, sha256: digest, scopes: try scopes(entry, "\(what) (\(name))")))
    }
    guard !users.isEmpty || !tokens.isEmpty else {
      throw Problem(description: "no users and no tokens: nobody could read anything")
    }
    self.users = users
    self.tokens = tokens
    // "$2b$12$…": the cost is the two digits after the second '$'.
    let costs = users.compactMap { UInt8($0.bcrypt.dropFirst(4).prefix(2)) }
    decoy = Bcrypt.hash("areaflow-decoy", cost: min(max(costs.max() ?? 10, 4), 31))
  }

  /// Reads and parses the users file.
  public static func load(path: String) throws(Problem) -> AccessList {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw Problem(description: "cannot read \(path)")
    }
    do {
      return try AccessList(yaml: String(decoding: data, as: UTF8.self))
    } catch {
      throw Problem(description: "\(path): \(error.description)")
    }
  }

  /// Checks an `Authorization` header. Slow for a basic-auth password not seen before (bcrypt): call it off the
  /// event loop.
  public func verdict(authorization: String?) -> Verdict {
    guard let authorization, !authorization.isEmpty else { return .missing }
    if let token = Self.credential(authorization, scheme: "Bearer") {
      let digest = Array(SHA256.hash(data: Array(token.utf8)))
      var match: Token?
      for t in tokens where Self.constantTimeEqual(t.sha256, digest) { match = t }
      return match.map { .granted(name: $0.name, scopes: $0.scopes) } ?? .invalid
    }
    guard let encoded = Self.credential(authorization, scheme: "Basic"),
      let decoded = Data(base64Encoded: encoded), let text = String(data: decoded, encoding: .utf8),
      let colon = text.firstIndex(of: ":")
    else { return .invalid }
    let name = Array(text[..<colon].utf8)
    let password = String(text[text.index(after: colon)...])
    var user: User?
    for u in users where Self.constantTimeEqual(u.name, name) { user = u }
    guard let user else {
      _ = Bcrypt.verify(password, hash: decoy)
      return .invalid
    }
    let key = Data(
      SHA256.hash(
        data: Array((String(decoding: user.name, as: UTF8.self) + "\u{0}" + password + "\u{0}" + user.bcrypt).utf8)))
    if verified.withLock({ $0.contains(key) }) {
      return .granted(name: String(decoding: user.name, as: UTF8.self), scopes: user.scopes)
    }
    guard Bcrypt.verify(password, hash: user.bcrypt) else { return .invalid }
    verified.withLock { set in
      if set.count >= 4096 { set.removeAll() }
      set.insert(key)
    }
    return .granted(name: String(decoding: user.name, as: UTF8.self), scopes: user.scopes)
  }

  /// The credential after `scheme ` (case-insensitive scheme, as RFC 9110 says).
  static func credential(_ header: String, scheme: String) -> String? {
    guard header.count > scheme.count + 1, header.prefix(scheme.count).lowercased() == scheme.lowercased(),
      header.dropFirst(scheme.count).first == " "
    else { return nil }
    let value = header.dropFirst(scheme.count + 1).trimmingCharacters(in: .whitespaces)
    return value.isEmpty ? nil : value
  }

  /// Equal bytes, in time that depends only on the lengths.
  static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<a.count { difference |= a[i] ^ b[i] }
    return difference == 0
  }

  static func bytes(hex: String) -> [UInt8]? {
    let digits = Array(hex.lowercased().utf8)
    guard digits.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    for i in stride(from: 0, to: digits.count, by: 2) {
      guard let hi = Self.nibble(digits[i]), let lo = Self.nibble(digits[i + 1]) else { return nil }
      out.append(hi << 4 | lo)
    }
    return out
  }

  private static func nibble(_ c: UInt8) -> UInt8? {
    switch c {
    case 48...57: c - 48
    case 97...102: c - 87
    default: nil
    }
  }
}

extension AccessList {
  /// A bcrypt hash of a password, for a users entry (`areaflow users hash`).
  public static func bcryptHash(_ password: String, cost: UInt8) -> String { Bcrypt.hash(password, cost: cost) }

  /// A new random bearer token (32 bytes as hex) and the hex SHA-256 the users file stores (`areaflow users token`).
  public static func newToken() -> (token: String, sha256: String) {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let token = bytes.map { String(format: "%02x", $0) }.joined()
    let digest = SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    return (token, digest)
  }
}
