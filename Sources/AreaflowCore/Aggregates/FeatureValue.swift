/// A finished aggregate for one output row.
public enum FeatureValue: Sendable, Equatable {
  case integer(Int64?)
  case double(Double?)
}
