/// Turns one message of a message source (an MQTT payload) into whole lines of the input stream.
///
/// A message is one or more lines of the input format; its last line needs no newline. Every message is closed with
/// a newline here, so a message's lines never run into the next message's. With `input.topic_field` or
/// `input.topic_levels`, every line that starts a JSON object gets the topic (or its levels) as string fields
/// written first: `{"topic":"/hfp/v2/…",` + the rest of the line. A field of the same name in the payload is read
/// instead (the last occurrence of a key is the one read), and lines that are not objects stay as they are (they are
/// rejected as `malformed`, with the raw line, like any other).
///
/// Pure: bytes in, bytes out; the source that owns it frames the result with a `LineFramer`.
public struct MessageLines: Sendable {
  public let topicField: String?
  public let topicLevels: [TopicLevel]

  public init(topicField: String?, topicLevels: [TopicLevel]) {
    self.topicField = topicField
    self.topicLevels = topicLevels
  }

  public init(_ input: InputConfig) {
    self.init(topicField: input.topicField, topicLevels: input.topicLevels)
  }

  /// Nothing is written into the lines: payloads are only closed with a newline.
  public var injects: Bool { topicField != nil || !topicLevels.isEmpty }

  /// Appends `payload`'s lines to `out`, the topic written into each object line, and a newline when the payload
  /// does not end with one. An empty payload adds nothing (like an empty line, it is not an event).
  /// - Complexity: O(payload + topic) per message.
  public func append(payload: UnsafeRawBufferPointer, topic: String, to out: inout [UInt8]) {
    guard !payload.isEmpty else { return }
    guard injects else {
      out.append(contentsOf: payload)
      if payload.last != 10 { out.append(10) }
      return
    }
    let fields = prefix(topic: topic)
    var start = 0
    let n = payload.count
    while start < n {
      var end = start
      while end < n, payload[end] != 10 { end += 1 }
      appendLine(UnsafeRawBufferPointer(rebasing: payload[start..<end]), fields: fields, to: &out)
      out.append(10)
      start = end + 1
    }
  }

  /// `"field":"value",` for the topic and each configured level; levels the topic does not have are left out.
  func prefix(topic: String) -> [UInt8] {
    var out: [UInt8] = []
    if let topicField { Self.appendField(topicField, topic, to: &out) }
    if !topicLevels.isEmpty {
      let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
      for l in topicLevels where l.level < levels.count {
        Self.appendField(l.field, String(levels[l.level]), to: &out)
      }
    }
    return out
  }

  private func appendLine(_ line: UnsafeRawBufferPointer, fields: [UInt8], to out: inout [UInt8]) {
    var i = 0
    while i < line.count, Self.isSpace(line[i]) { i += 1 }
    guard i < line.count, line[i] == 123, !fields.isEmpty else {  // {
      out.append(contentsOf: line)
      return
    }
    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[...i]))
    var j = i + 1
    while j < line.count, Self.isSpace(line[j]) { j += 1 }
    // An empty object takes the fields without their last comma.
    let empty = j < line.count && line[j] == 125
    out.append(contentsOf: empty ? fields.dropLast() : fields[...])
    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[(i + 1)...]))
  }

  private static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 13 }

  /// `"name":"value",` with both strings JSON-escaped.
  static func appendField(_ name: String, _ value: String, to out: inout [UInt8]) {
    appendString(name, to: &out)
    out.append(58)  // :
    appendString(value, to: &out)
    out.append(44)  // ,
  }

  /// `s` as a JSON string literal, escaped as the NDJSON snapshots write strings.
  static func appendString(_ s: String, to out: inout [UInt8]) {
    var writer = TextWriter()
    writer.write(jsonString: s)
    out.append(contentsOf: writer.bytes)
  }
}
