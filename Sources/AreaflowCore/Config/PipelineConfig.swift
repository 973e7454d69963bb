/// A validated areaflow configuration: what to read, how to key events by area and time, and what to compute.
///
/// Built once at the edge by `ConfigLoader`; everything downstream trusts it.
public struct PipelineConfig: Sendable, Equatable {
  /// The config's `name`, used in logs and the summary.
  public var name: String
  public var input: InputConfig
  public var areas: [AreaSpec]
  public var windows: [WindowSpec]
  public var watermark: WatermarkConfig
  /// Output columns in config order.
  public var features: [FeatureSpec]
  public var output: OutputConfig
  /// The directory relative paths in the config are resolved against.
  public var baseDirectory: String
  /// `run --http` only: what the HTTP API keeps.
  public var http = HTTPConfig()
  /// Disclosure control (SPEC section 8), or nil: every group is published as it is.
  public var privacy: PrivacyConfig?
  /// `scale_out`: instances sharing one Kafka topic through a repartition topic, or nil for one instance.
  public var scaleOut: ScaleOutConfig?

  public init(
    name: String, input: InputConfig, areas: [AreaSpec], windows: [WindowSpec], watermark: WatermarkConfig,
    features: [FeatureSpec], output: OutputConfig, baseDirectory: String
  ) {
    self.name = name
    self.input = input
    self.areas = areas
    self.windows = windows
    self.watermark = watermark
    self.features = features
    self.output = output
    self.baseDirectory = baseDirectory
  }
}

/// How input lines are turned into events.
public struct InputConfig: Sendable, Equatable {
  public enum Format: String, Sendable, Equatable, CaseIterable {
    case ndjson, csv
    /// GTFS-Realtime FeedMessages: each vehicle position is rendered as one nested NDJSON line, then decoded as NDJSON.
    case gtfsRT = "gtfs-rt"
  }
  public var format: Format
  public var timeField: String
  public var timeFormat: TimeFormat
  public var latField: String
  public var lonField: String
  /// Extra group-by fields, taken as strings.
  public var dimensions: [String]
  /// `input.lookup`: a table joined to each event at decode, or nil.
  public var lookup: LookupSpec?
  /// `input.poll_every` (ns): how often an `http://` or `https://` GTFS-Realtime feed is fetched in `run`.
  public var pollEvery: Int64 = InputConfig.defaultPollEvery
  public static let defaultPollEvery: Int64 = 15_000_000_000

  /// How the bytes that reach the line decoder are written: a GTFS-Realtime input reaches it as NDJSON lines.
  public var lineFormat: Format { format == .csv ? .csv : .ndjson }
  /// `input.topic_field`: the field a message source (MQTT) writes each message's topic into, or nil.
  public var topicField: String?
  /// `input.topic_levels`: fields a message source fills from levels of the topic (0-based, split at `/`, so
  /// `/hfp/v2/…` has an empty level 0), sorted by field name.
  public var topicLevels: [TopicLevel] = []

  public init(
    format: Format, timeField: String, timeFormat: TimeFormat, latField: String, lonField: String,
    dimensions: [String]
  ) {
    self.format = format
    self.timeField = timeField
    self.timeFormat = timeFormat
    self.latField = latField
    self.lonField = lonField
    self.dimensions = dimensions
  }
}

/// How the event time field is written.
public enum TimeFormat: String, Sendable, Equatable, CaseIterable {
  case auto, epoch_s, epoch_ms, epoch_us, epoch_ns, rfc3339
}

/// One area scheme of the config: a name and how points map to areas.
public struct AreaSpec: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    case geohash(precision: Int)
    case h3(resolution: Int)
    /// `path` is already resolved against the config's directory.
    case regions(path: String, idProperty: String)
  }
  public var name: String
  public var kind: Kind
  /// Where the scheme is written in the config, for errors found later (a bad regions file).
  public var line: Int
  public var column: Int
  /// `regions` only: the GeoJSON property naming each region's parent area (`privacy.small_groups: roll_up`).
  public var parentProperty: String?
  public init(name: String, kind: Kind, line: Int = 0, column: Int = 0) {
    self.name = name
    self.kind = kind
    self.line = line
    self.column = column
  }
}

/// An epoch-aligned window family: tumbling when `every == size`, hopping otherwise.
public struct WindowSpec: Sendable, Equatable {
  public var name: String
  /// Window length in nanoseconds.
  public var size: Int64
  /// Distance between window starts in nanoseconds.
  public var every: Int64
  public var isTumbling: Bool { size == every }
  public init(name: String, size: Int64, every: Int64) {
    self.name = name
    self.size = size
    self.every = every
  }
}

/// Watermark and lateness settings, in nanoseconds.
public struct WatermarkConfig: Sendable, Equatable {
  public var maxOutOfOrder: Int64
  public var allowedLateness: Int64
  public var idleTimeout: Int64
  public init(maxOutOfOrder: Int64, allowedLateness: Int64, idleTimeout: Int64) {
    self.maxOutOfOrder = maxOutOfOrder
    self.allowedLateness = allowedLateness
    self.idleTimeout = idleTimeout
  }
}

/// Where and how snapshots are written.
public struct OutputConfig: Sendable, Equatable {
  public enum Format: String, Sendable, Equatable, CaseIterable { case csv, ndjson, parquet }
  public var dir: String
  public var format: Format
  /// `run` only: how often final rows and checkpoints are committed, in nanoseconds.
  public var flushEvery: Int64
  /// `output.kafka`: also publish every final row to a Kafka topic, or nil.
  public var kafka: KafkaOutputConfig?
  public init(dir: String, format: Format, flushEvery: Int64) {
    self.dir = dir
    self.format = format
    self.flushEvery = flushEvery
  }
}
