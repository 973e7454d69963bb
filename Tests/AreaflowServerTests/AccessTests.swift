import Crypto
import Foundation
import Testing

@testable import AreaflowServer

/// The users file and the rate limiter on their own: what a header is granted, and when a client is held back.
@Suite struct AccessTests {
  static let password = "s3cret: with a colon"
  static let token = "tok-0123456789"

  static func list() throws -> AccessList {
    let hash = AccessList.bcryptHash(password, cost: 4)
    let digest = SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    return try AccessList(
      yaml: """
        users:
          - {name: analyst, bcrypt: "\(hash)", scopes: [read]}
        tokens:
          - {name: scraper, sha256: "\(digest)", scopes: [metrics]}
        """)
  }

  static func basic(_ user: String, _ password: String) -> String {
    "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
  }

  @Test func grantsKnownCredentialsWithTheirScopes() throws {
    let list = try Self.list()
    #expect(
      list.verdict(authorization: Self.basic("analyst", Self.password)) == .granted(name: "analyst", scopes: [.read]))
    // The second time comes from the cache of verified passwords: same answer.
    #expect(
      list.verdict(authorization: Self.basic("analyst", Self.password)) == .granted(name: "analyst", scopes: [.read]))
    #expect(list.verdict(authorization: "Bearer \(Self.token)") == .granted(name: "scraper", scopes: [.metrics]))
    #expect(list.verdict(authorization: "bearer \(Self.token)") == .granted(name: "scraper", scopes: [.metrics]))
  }

  @Test func refusesEverythingElse() throws {
    let list = try Self.list()
    #expect(list.verdict(authorization: nil) == .missing)
    #expect(list.verdict(authorization: "") == .missing)
    #expect(list.verdict(authorization: Self.basic("analyst", "wrong")) == .invalid)
    #expect(list.verdict(authorization: Self.basic("nobody", Self.password)) == .invalid)
    #expect(list.verdict(authorization: Self.basic("analyst", Self.password + "x")) == .invalid)
    #expect(list.verdict(authorization: "Bearer \(Self.token)x") == .invalid)
    #expect(list.verdict(authorization: "Basic !!!not-base64") == .invalid)
    #expect(list.verdict(authorization: "Digest abc") == .invalid)
  }

  @Test func aBadFileSaysWhatToFix() {
    #expect(throws: AccessList.Problem.self) { try AccessList(yaml: "users: []\n") }
    #expect(throws: AccessList.Problem.self) { try AccessList(yaml: "admins: []\n") }
    #expect(throws: AccessList.Problem.self) {
      try AccessList(yaml: "tokens:\n  - {name: t, sha256: abc, scopes: [metrics]}\n")
    }
    do {
      _ = try AccessList(yaml: "users:\n  - {name: a, bcrypt: x, scopes: [read]}\n")
      Issue.record("a plain password was accepted")
    } catch {
      #expect(error.description.contains("'bcrypt' must be a bcrypt hash"))
    }
  }

  @Test func constantTimeEqualityIsEquality() {
    #expect(AccessList.constantTimeEqual([1, 2, 3], [1, 2, 3]))
    #expect(!AccessList.constantTimeEqual([1, 2, 3], [1, 2, 4]))
    #expect(!AccessList.constantTimeEqual([1, 2, 3], [1, 2]))
  }

  @Test func theBucketAllowsABurstThenTheRate() {
    let limiter = RateLimiter(rate: 2, burst: 3)
    let t0: UInt64 = 1_000_000_000
    #expect((0..<3).allSatisfy { _ in limiter.take("a", now: t0) == nil })
    let wait = limiter.take("a", now: t0)
    #expect(wait != nil && abs(wait! - 0.5) < 1e-9)
    #expect(limiter.take("b", now: t0) == nil)  // another client has its own bucket
    #expect(limiter.take("a", now: t0 + 500_000_000) == nil)  // half a second refills one token
    #expect(limiter.take("a", now: t0 + 500_000_000) != nil)
  }
}
