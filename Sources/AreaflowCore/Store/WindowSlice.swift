/// One slice of event time, `[index · length, (index + 1) · length)`, shared by every window of a config: the
/// groups (area scheme × area × dimensions) that had events in it, each a slot of the owning `WindowStore`.
///
/// A window's row is the merge of the slices it covers, so an event updates one slice group however many hopping
/// windows contain it.
final class WindowSlice {
  let index: Int64
  /// The slice's groups by key (an empty table, new or reused from a dropped slice).
  let table: SlotTable
  /// Slots in the order their groups first appeared (merges walk them in this order, so results are deterministic).
  var slots: [Int32] = []

  init(index: Int64, table: SlotTable) {
    self.index = index
    self.table = table
  }
}
