/// A finished group: the key and one value per feature, in config order.
public struct ClosedRow: Sendable {
  public var key: GroupKey
  public var values: [FeatureValue]

  public init(key: GroupKey, values: [FeatureValue]) {
    self.key = key
    self.values = values
  }
}
