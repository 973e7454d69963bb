import AreaflowCore
import Dispatch

/// A serial queue and the window store it owns: groups are split across shards by area, so shards never share
/// mutable state.
final class Shard: @unchecked Sendable {
  let queue: DispatchQueue
  /// Touched only on `queue`.
  let store: WindowStore

  init(index: Int, store: WindowStore) {
    queue = DispatchQueue(label: "areaflow.shard.\(index)")
    self.store = store
  }
}
