/// Where one field's value sits in the line's bytes, and what kind of value it is.
struct FieldToken {
  enum Kind: UInt8 {
    case absent, string, number, null, boolean, composite
    /// A value from `input.lookup`'s table: `start..<end` index the table's bytes, not the line's.
    case lookup
  }
  var kind: Kind = .absent
  /// The value bytes: a string's content without quotes, or the literal's text.
  var start: Int = 0
  var end: Int = 0
  /// The string holds escapes (JSON `\`, CSV `""`) and must be unescaped before use.
  var escaped: Bool = false
}
