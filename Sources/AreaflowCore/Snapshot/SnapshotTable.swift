import AreaflowParquet

/// A block of finished output rows in columnar form, ready for any snapshot encoder.
///
/// The columns are those of the Parquet library's table (text, UTC milliseconds, integers, doubles), so the same
/// value feeds the CSV, NDJSON and Parquet encoders and comes back from `ParquetReader`. An alias rather than a
/// type of its own: a second, identical column model would need a conversion at every crossing into the Parquet
/// library and buy nothing.
public typealias SnapshotTable = ParquetTable
