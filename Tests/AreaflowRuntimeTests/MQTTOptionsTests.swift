import Testing

@testable import AreaflowRuntime

/// `mqtt://HOST:PORT/TOPIC-FILTER?options`: the filter taken as written, wildcards and all; every wrong option a
/// clear error; no secret in the URL.
@Suite struct MQTTOptionsTests {
  func parse(_ url: String) throws -> MQTTOptions { try MQTTOptions(parsing: url) }

  func error(_ url: String) -> String {
    do {
      _ = try MQTTOptions(parsing: url)
      return ""
    } catch { return error.description }
  }

  @Test func theFilterIsEverythingAfterTheAddressUpToTheOptions() throws {
    let o = try parse("mqtt://broker.example:1884//hfp/v2/journey/ongoing/vp/+/#?qos=0&client_id=a%3Fb")
    #expect(o.host == "broker.example" && o.port == 1884)
    #expect(o.topicFilter == "/hfp/v2/journey/ongoing/vp/+/#")
    #expect(o.qos == 0 && o.clientID == "a?b" && o.cleanSession && !o.tls)
  }

  @Test func defaultsAreQoS1ACleanSessionAndTheSchemesPort() throws {
    let o = try parse("mqtt://h/a")
    #expect(o.port == 1883 && o.qos == 1 && o.cleanSession && o.clientID == nil && o.keepAlive == 60)
    let s = try parse("mqtts://[::1]/a?cafile=/ca.pem")
    #expect(s.host == "::1" && s.port == 8883 && s.tls && s.caFile == "/ca.pem")
  }

  @Test func aPersistentSessionNeedsAClientID() throws {
    #expect(error("mqtt://h:1/a?clean=false").contains("client_id"))
    #expect(try parse("mqtt://h:1/a?clean=false&client_id=x").cleanSession == false)
  }

  @Test func wrongOptionsAreRefusedWithWhatToWrite() {
    #expect(error("mqtt://h:1/a?qos=2").contains("expected 0 (at most once) or 1 (at least once)"))
    #expect(error("mqtt://h:1/a?foo=1").contains("unknown option 'foo'"))
    #expect(error("mqtt://h:1/a?qos=1&qos=0").contains("given twice"))
    #expect(error("mqtt://h:1/a?clean=maybe").contains("expected true or false"))
    #expect(error("mqtt://h:1/a?cafile=/x").contains("TLS options need TLS"))
    #expect(error("mqtts://h:1/a?certfile=/x").contains("certfile and keyfile go together"))
    #expect(error("mqtt://h:1/a?password_env=X").contains("needs username"))
    #expect(error("mqtt://h:1").contains("no topic filter"))
    #expect(error("mqtt://h:0/a").contains("not a port"))
  }

  @Test func credentialsInTheURLAreRefusedWithoutEchoingThem() {
    let e = error("mqtt://u:hunter2@h:1/a")
    #expect(e.contains("password_env") && !e.contains("hunter2"))
  }

  @Test func wildcardsMustBeWholeLevels() {
    #expect(error("mqtt://h:1/a/#/b").contains("'#' must be a whole level"))
    #expect(error("mqtt://h:1/a/b+").contains("'+' must be a whole level"))
    #expect(MQTTOptions.checkFilter("+/a/+/#") == nil)
  }

  @Test func theDisplayNameDropsTheOptions() {
    #expect(MQTTOptions.displayName("mqtt://h:1/a/#?username=u&password_env=P") == "mqtt://h:1/a/#")
  }
}
