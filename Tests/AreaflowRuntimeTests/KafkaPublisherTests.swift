import Testing

@testable import AreaflowRuntime

@Suite struct KafkaPublisherTests {
  @Test func markersAreReadBackAndOthersIgnored() {
    let marker = KafkaPublisher.marker(#"{"epoch":42,"run":"8be9132252895193"}"#)
    #expect(marker?.epoch == 42 && marker?.run == "8be9132252895193")
    #expect(KafkaPublisher.marker("{}") == nil)
    #expect(KafkaPublisher.marker(#"{"epoch":"x","run":"r"}"#) == nil)
  }

  @Test func theTransactionalIDDependsOnTheDirectoryAndTopicOnly() {
    let a = KafkaPublisher.transactionalID(directory: "/data/out", topic: "areas")
    #expect(a == KafkaPublisher.transactionalID(directory: "/data/./out", topic: "areas"))
    #expect(a != KafkaPublisher.transactionalID(directory: "/data/out2", topic: "areas"))
    #expect(a != KafkaPublisher.transactionalID(directory: "/data/out", topic: "areas2"))
    #expect(a.hasPrefix("areaflow-areas-"))
  }
}
