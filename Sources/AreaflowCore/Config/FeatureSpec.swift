/// One output column: a name and the aggregate that fills it.
public struct FeatureSpec: Sendable, Equatable {
  /// An aggregate with its field and options, such as `{quantile: speed_kmh, q: 0.9}`.
  ///
  /// What an aggregate means, reads and produces is declared by its `Aggregate` type (see `AggregateSchema`); this
  /// value wraps one so that the config model stays a plain, comparable value. `ConfigLoader` makes them; the
  /// aggregates that take options also offer a constructor (`.quantile(field:q:)`, `.share(field:threshold:below:)`)
  /// for code that compares kinds.
  public struct Kind: Sendable, Equatable, CustomStringConvertible {
    let aggregate: any Aggregate

    init(_ aggregate: any Aggregate) { self.aggregate = aggregate }

    /// The aggregate's name as written in a config (`count`, `quantile`, …).
    public var name: String { type(of: aggregate).name }
    /// The input field the aggregate reads, nil for `count`.
    public var field: String? { aggregate.input.field }
    /// Whether the output column is an integer (`count`, `distinct`) rather than floating point.
    public var isInteger: Bool { type(of: aggregate).output == .integer }
    /// What it computes, in words (`check` prints it).
    public var description: String { aggregate.description }
    var input: AggregateSchema.Input { aggregate.input }
    var options: [AggregateSchema.Option] { aggregate.options }

    /// Same aggregate, same field, same options: the same column.
    public static func == (a: Kind, b: Kind) -> Bool {
      a.name == b.name && a.input == b.input && a.options == b.options
    }
  }

  public var name: String
  public var kind: Kind
  /// `privacy`: distinct contributors a group needs for this feature to be published (a p90 wants more than a
  /// count); below it the feature is null in an otherwise published row. nil: the group's `k` is enough.
  public var minContributors: Int?

  public init(name: String, kind: Kind, minContributors: Int? = nil) {
    self.name = name
    self.kind = kind
    self.minContributors = minContributors
  }
}
