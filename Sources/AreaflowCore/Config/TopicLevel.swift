/// One entry of `input.topic_levels`: a field filled from one level of a message's topic.
public struct TopicLevel: Sendable, Equatable {
  /// The field written into each JSON object line of the message.
  public var field: String
  /// The level, 0-based, of the topic split at `/` (`/hfp/v2/journey/…`: level 0 is empty, 1 is `hfp`).
  public var level: Int

  public init(field: String, level: Int) {
    self.field = field
    self.level = level
  }
}
