/// The table of aggregates a feature can compute, and the vocabulary they declare themselves in.
///
/// Each aggregate is a type conforming to `Aggregate` (a plain statistic of numbers, a `Statistic` wrapped in
/// `StatisticAggregate`), in a file of its own next to its accumulator; this list is the only place that names them
/// all. The keys a feature's entry may hold and the usage text of config errors are derived from it, so they
/// cannot drift from the aggregates themselves.
enum AggregateSchema {
  /// Every aggregate, in the order config errors list them.
  static let all: [any Aggregate.Type] = [
    CountAggregate.self, StatisticAggregate<Sum>.self, StatisticAggregate<Mean>.self,
    StatisticAggregate<Minimum>.self, StatisticAggregate<Maximum>.self, StatisticAggregate<StandardDeviation>.self,
    DistinctAggregate.self, QuantileAggregate.self, ShareAggregate.self,
  ]

  /// How a feature's config entry is written.
  enum Syntax: Sendable, Equatable {
    /// A bare word that reads no field: `events: count`.
    case bare
    /// `{NAME: FIELD}`.
    case field
    /// `{NAME: FIELD, …}` with these option keys; `usage` shows how, for config errors.
    case fieldWithOptions([String], usage: String)

    /// The option keys an entry of this aggregate may hold besides its name.
    var options: [String] {
      if case .fieldWithOptions(let keys, _) = self { return keys }
      return []
    }
  }

  /// The input an aggregate reads.
  enum Input: Sendable, Equatable {
    /// None: `count` counts events.
    case none
    /// A numeric field's values, one `Double` column per field (NaN for null).
    case values(String)
    /// A field's values as hashes, for counting distinct values.
    case hashes(String)

    /// The field read, nil for `none`.
    var field: String? {
      switch self {
      case .none: nil
      case .values(let f), .hashes(let f): f
      }
    }
  }

  /// The type of an aggregate's output column (SPEC section 4: `count` and `distinct` are integers, the others
  /// floating point).
  enum Output: Sendable, Equatable {
    case integer
    case double
  }

  /// A numeric option of a feature's entry, such as `q: 0.9`, as written in the config.
  struct Option: Sendable, Equatable {
    var key: String
    var value: Double
  }

  /// The aggregate a config entry's key names.
  static func named(_ name: String) -> (any Aggregate.Type)? { all.first { $0.name == name } }

  /// Every key a feature's mapping entry may hold: the aggregates' names and their options.
  static let entryKeys: Set<String> = Set(all.map { $0.name } + all.flatMap { $0.syntax.options })

  /// What a config error says a feature's entry should look like, built from the syntax of every aggregate.
  static let usage: String = {
    let bare = all.filter { $0.syntax == .bare }.map { $0.name }
    let plain = all.filter { $0.syntax == .field }.map { $0.name }
    let withOptions = all.compactMap { a -> String? in
      if case .fieldWithOptions(_, let usage) = a.syntax { return usage }
      return nil
    }
    let mappings = ["{\(plain.joined(separator: "|")): FIELD}"] + withOptions
    return "expected \(bare.joined(separator: " or ")) or one of \(mappings.joined(separator: ", "))"
  }()
}
