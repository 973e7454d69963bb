import Foundation
import Testing

@testable import AreaflowCore

/// `privacy:` parsing, the keyed hash, and what the fingerprint and descriptions hold of it.
@Suite struct PrivacyTests {
  func load(_ privacy: String) throws(ConfigError) -> PipelineConfig {
    try ConfigLoader(file: "c.yaml").load(ConfigLoaderTests.valid + "\n" + privacy)
  }

  @Test func parsesEverySetting() throws {
    let config = try load(
      """
      privacy:
        min_contributors: {field: vehicle_id, k: 10}
        small_groups: roll_up
        roll_up_levels: 3
        round_counts: 5
        pseudonymise: {fields: [vehicle_id], key_file: secret.key}
        raw_lines: false
      """)
    let p = try #require(config.privacy)
    #expect(p.contributorField == "vehicle_id" && p.k == 10)
    #expect(p.smallGroups == .roll_up && p.rollUpLevels == 3 && p.roundCounts == 5)
    #expect(p.pseudonymisedFields == ["vehicle_id"] && !p.rawLines)
    guard case .file(let path)? = p.keySource else {
      Issue.record("expected a key file, got \(String(describing: p.keySource))")
      return
    }
    #expect(path.hasSuffix("secret.key"))
    #expect(p.key == nil, "the loader reads no key")
  }

  @Test(arguments: [
    ("privacy: {min_contributors: {field: d, k: 1}}", "privacy.min_contributors.k"),
    ("privacy: {min_contributors: {field: d, k: 257}}", "privacy.min_contributors.k"),
    ("privacy: {small_groups: roll_up}", "privacy.small_groups"),
    ("privacy: {min_contributors: {field: d, k: 5}, roll_up_levels: 2}", "privacy.roll_up_levels"),
    ("privacy: {pseudonymise: {fields: [d]}}", "privacy.pseudonymise"),
    ("privacy: {pseudonymise: {fields: [d], key_env: A, key_file: B}}", "privacy.pseudonymise"),
    ("privacy: {pseudonymise: {fields: [ts], key_env: A}}", "privacy.pseudonymise.fields"),
    ("privacy: {raw_lines: maybe}", "privacy.raw_lines"),
    ("privacy: {pseudonymise: {fields: [vehicle_id.x], key_env: A}}", "privacy.pseudonymise.fields"),
    ("privacy: {key: s3cret}", "privacy.key"),
  ])
  func refusesWhatCannotWork(text: String, key: String) {
    #expect {
      _ = try load(text)
    } throws: { error in
      (error as? ConfigError)?.key == key
    }
  }

  /// RFC 4231, test case 2.
  @Test func pseudonymsAreHMACSHA256() {
    let p = Pseudonymiser(key: Array("Jefe".utf8))
    #expect(
      p.pseudonym("what do ya want for nothing?") == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
  }

  @Test func theKeyIsInNoDescription() throws {
    var config = try load("privacy: {pseudonymise: {fields: [vehicle_id], key_env: AREAFLOW_KEY}}")
    config.privacy?.key = SecretKey(Array("very-secret-key".utf8))
    for text in ["\(config)", String(reflecting: config), LiveCheckpoint.fingerprint(of: config)] {
      #expect(!text.contains("very-secret-key"))
    }
  }

  @Test func anotherKeyIsAnotherState() throws {
    var a = try load("privacy: {pseudonymise: {fields: [vehicle_id], key_env: AREAFLOW_KEY}}")
    var b = a
    a.privacy?.key = SecretKey(Array("key-one".utf8))
    b.privacy?.key = SecretKey(Array("key-two".utf8))
    #expect(LiveCheckpoint.fingerprint(of: a) != LiveCheckpoint.fingerprint(of: b))
    #expect(!LiveCheckpoint.fingerprint(of: a).contains("key-one"))
  }

  @Test func theFingerprintCoversWhatTheStateDependsOn() throws {
    let plain = try ConfigLoader(file: "c.yaml").load(ConfigLoaderTests.valid)
    let a = try load("privacy: {min_contributors: {field: vehicle_id, k: 3}}")
    let b = try load("privacy: {min_contributors: {field: vehicle_id, k: 3}, round_counts: 5}")
    let c = try load("privacy: {min_contributors: {field: vehicle_id, k: 4}}")
    #expect(LiveCheckpoint.fingerprint(of: plain) != LiveCheckpoint.fingerprint(of: a))
    #expect(LiveCheckpoint.fingerprint(of: a) == LiveCheckpoint.fingerprint(of: b), "rounding is not state")
    #expect(LiveCheckpoint.fingerprint(of: a) != LiveCheckpoint.fingerprint(of: c))
    #expect(!LiveCheckpoint.fingerprint(of: plain).contains("privacy"), "configs without privacy keep their text")
  }
}
