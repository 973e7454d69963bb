/// An aggregate over one numeric field's values, written `{NAME: FIELD}` with no option: its syntax, parsing and
/// input follow from that, so such an aggregate declares only its name, output, description and accumulator.
protocol FieldAggregate: Aggregate {
  init(field: String)
  /// The numeric input field it reads.
  var field: String { get }
}

extension FieldAggregate {
  static var syntax: AggregateSchema.Syntax { .field }

  static func parse(_ entry: FeatureEntry) -> Self { Self(field: entry.field) }

  var input: AggregateSchema.Input { .values(field) }
}
