import AreaflowGenerate
import Testing

@testable import AreaflowCore

/// The CSV encoder's direct path (`encode(plan, part:)`, what the sink writes) must give the bytes of the general
/// one (`encode(plan.table(part))`, columns of strings first), and the packed sort of `RowAssembler.plan` the order
/// of the former stable sort, on random rows: repeated and rolled-up areas, dimension labels that need quoting or
/// are missing, null, non-finite and extreme values, window indices before the epoch, duplicate keys.
@Suite struct CSVPlanEncodingTests {
  static let config = """
    input: {time: {field: ts, format: epoch_s}, lat: lat, lon: lon, dimensions: [route, "op,name"]}
    areas: [{name: gh5, geohash: 5}, {name: h7, h3: 7}]
    windows: [{name: 1m, tumbling: 1m}, {name: 15m, hopping: 15m, every: 5m}]
    features:
      events: count
      ids: {distinct: id}
      v_mean: {mean: v}
      v_max: {max: v}
      v_p90: {quantile: v, q: 0.9}
      v_sd: {stddev: v}
    """

  static let privacyConfig = """
    input: {time: {field: ts, format: epoch_s}, lat: lat, lon: lon, dimensions: [route]}
    areas: [{name: gh6, geohash: 6}]
    windows: [{name: 1m, tumbling: 1m}]
    features:
      n: count
      top: {max: v}
    privacy:
      min_contributors: {field: id, k: 3}
      small_groups: roll_up
      roll_up_levels: 2
    """

  static let labelTexts: [String?] = [nil, "", "M53", "a,b", "say \"hi\"", "line\nbreak", "Straße", "东京"]

  static let doubles: [Double] = [
    0, -0.0, 1, -1, 0.1, 1.0 / 3, 52.3, 1e-4, 9.9e-5, 1e-7, 123_456.789_012_3, 1e15, 1e16, 1e21, 0x1p48 + 0.5,
    .greatestFiniteMagnitude, .leastNonzeroMagnitude, .nan, .infinity, -.infinity, 1e9 + 0.25, 2.5e-300,
  ]

  /// Random rows shaped for `config`, with labels for their dimension keys.
  func randomRows(
    _ config: PipelineConfig, schemes: [any AreaScheme], count: Int, privacy: Bool, random: inout SeededRandom
  ) -> (ClosedRows, [UInt64: [String?]]) {
    var labels: [UInt64: [String?]] = [:]
    let dimensionKeys = (0..<1 + random.below(12)).map { _ in random.next() }
    for key in dimensionKeys {
      labels[key] = config.input.dimensions.map { _ in Self.labelTexts[random.below(Self.labelTexts.count)] }
    }
    // Distinct keys sharing labels, and (privacy config only) one key without labels: it ties with every other
    // combination under the label comparison, which is then no order to check against.
    if let first = dimensionKeys.first { labels[first ^ 1] = labels[first] }
    let areaPool = (0..<1 + random.below(40)).map { _ in UInt64(random.below(1 << 25)) }
    var rows = ClosedRows(features: config.features)
    let baseIndex = Int64(random.below(3_000_000)) - 1_000_000
    for _ in 0..<count {
      let scheme = random.below(schemes.count)
      let area =
        schemes[scheme] is GeohashScheme
        ? areaPool[random.below(areaPool.count)] : 0x0872_8308_3fff_ffff &+ UInt64(random.below(8)) << 45
      let dims =
        random.below(20) == 0
        ? (dimensionKeys[0] ^ 1)
        : privacy && random.below(30) == 0 ? 42 : dimensionKeys[random.below(dimensionKeys.count)]
      rows.keys.append(
        GroupKey(
          window: Int32(random.below(config.windows.count)), scheme: Int32(scheme),
          index: baseIndex + Int64(random.below(6)), area: area, dimensions: dims))
      if privacy {
        let level = UInt8(random.below(4) == 0 ? 1 + random.below(2) : 0)
        rows.levels.append(level)
        rows.suppressed.append(random.below(5) == 0)
      }
    }
    // A few exact duplicates: ties keep input order.
    for _ in 0..<count / 10 {
      let i = random.below(rows.keys.count)
      rows.keys.append(rows.keys[i])
      if privacy {
        rows.levels.append(rows.levels[i])
        rows.suppressed.append(rows.suppressed[i])
      }
    }
    let n = rows.keys.count
    rows.columns = rows.columns.map { column in
      switch column {
      case .integers:
        return .integers(
          (0..<n).map { _ in
            random.below(10) == 0
              ? nil : random.below(10) == 0 ? Int64(bitPattern: random.next()) : Int64(random.below(2000))
          })
      case .doubles:
        return .doubles(
          (0..<n).map { _ in
            switch random.below(6) {
            case 0: nil
            case 1: Self.doubles[random.below(Self.doubles.count)]
            case 2: Double(random.below(2_000_000)) / 10
            case 3: Double(bitPattern: random.next())
            default: (random.unit() - 0.5) * Double(1 << random.below(40))
            }
          })
      }
    }
    return (rows, labels)
  }

  func check(_ text: String, schemes: [any AreaScheme], privacy: Bool, seed: UInt64) throws {
    let config = try ConfigLoader(file: "c.yaml").load(text)
    let assembler = RowAssembler(config: config, schemes: schemes)
    var random = SeededRandom(seed: seed)
    for round in 0..<30 {
      let (rows, labels) = randomRows(
        config, schemes: schemes, count: round == 0 ? 1 : random.below(3000), privacy: privacy, random: &random)
      let plan = assembler.plan(rows, labels: labels)
      // The former order: one stable sort over every row's key.
      let former = assembler.generalOrder(
        rows, areas: nil, combinations: plan.rowCombination,
        dimensionRank: RowPlanTestSupport.dimensionRank(plan))
      #expect(Array(plan.parts.map(\.order).joined()) == former, "round \(round)")
      if !privacy {
        // SPEC order by the text itself: window, scheme, start, area label, dimension labels (nil first).
        let byText = rows.keys.indices.sorted { a, b in
          let (x, y) = (rows.keys[a], rows.keys[b])
          if (x.window, x.scheme, x.index) != (y.window, y.scheme, y.index) {
            return (x.window, x.scheme, x.index) < (y.window, y.scheme, y.index)
          }
          let (p, q) = (schemes[Int(x.scheme)].label(of: x.area), schemes[Int(y.scheme)].label(of: y.area))
          if p != q { return p < q }
          let (u, v) = (labels[x.dimensions] ?? [], labels[y.dimensions] ?? [])
          for (c, d) in zip(u, v) where c != d {
            guard let c else { return true }
            guard let d else { return false }
            return c < d
          }
          // Equal labels of distinct keys: the key seen first, as the former sort did.
          return plan.rowCombination[a] < plan.rowCombination[b]
        }
        #expect(Array(plan.parts.map(\.order).joined()) == byText, "round \(round)")
      }
      for part in plan.parts.indices {
        let direct = try CSVSnapshotEncoder().encode(plan, part: part)
        let general = try CSVSnapshotEncoder().encode(plan.table(part))
        #expect(direct == general, "round \(round) part \(part)")
        // Cut into random row ranges (empty ones included), as the sink does for large parts: the pieces one
        // after another are the same file.
        let n = plan.parts[part].order.count
        var cuts = [0, n] + (0..<random.below(6)).map { _ in random.below(n + 1) }
        cuts.sort()
        var pieces: [UInt8] = []
        for (k, (from, to)) in zip(cuts, cuts.dropFirst()).enumerated() {
          pieces += try CSVSnapshotEncoder().encode(plan, part: part, rows: from..<to, header: k == 0)
        }
        #expect(pieces == direct, "round \(round) part \(part) cut at \(cuts)")
      }
    }
  }

  @Test func directCSVMatchesTheTablePath() throws {
    try check(
      Self.config, schemes: [GeohashScheme(name: "gh5", precision: 5), H3Scheme(name: "h,7", resolution: 7)],
      privacy: false, seed: 11)
  }

  @Test func directCSVMatchesTheTablePathWithDisclosure() throws {
    try check(Self.privacyConfig, schemes: [GeohashScheme(name: "gh6", precision: 6)], privacy: true, seed: 12)
  }

  /// The packed order against the general sort: with areas over 60 bits (packed by rank), window indices over 56
  /// bits (not packed: the general sort runs), and explicit area ranks (region schemes).
  @Test func packedOrderMatchesTheGeneralSort() throws {
    let config = try ConfigLoader(file: "c.yaml").load(Self.config)
    let assembler = RowAssembler(
      config: config, schemes: [GeohashScheme(name: "gh5", precision: 5), H3Scheme(name: "h,7", resolution: 7)])
    var random = SeededRandom(seed: 13)
    for round in 0..<50 {
      var rows = ClosedRows(features: config.features)
      let n = 1 + random.below(5000)
      // Window indices over 56 bits: too wide to pack; areas over 60 bits: packed by rank.
      let wideIndex = round % 3 == 0
      let wideAreas = round % 3 == 1
      let combinations = (0..<n).map { _ in Int32(random.below(7)) }
      let rank = (0..<7).map { Int32($0 * 5 % 7) }
      for _ in 0..<n {
        rows.keys.append(
          GroupKey(
            window: Int32(random.below(2)), scheme: Int32(random.below(2)),
            index: wideIndex ? Int64(random.next() >> 8) : Int64(random.below(9)) - 4,
            area: wideAreas ? random.next() >> 4 : UInt64(random.below(300)), dimensions: 0))
      }
      let areas: [UInt64]? = round % 2 == 0 ? (0..<n).map { _ in UInt64(random.below(50)) } : nil
      let packed = PackedRowOrder.sorted(
        rows, windows: 2, schemes: 2, areas: areas, combinations: combinations, dimensionRank: rank)
      let general = assembler.generalOrder(rows, areas: areas, combinations: combinations, dimensionRank: rank)
      if let packed {
        #expect(packed == general, "round \(round)")
        #expect(!wideIndex || n < 100)
      } else {
        #expect(wideIndex)
      }
    }
  }
}

/// The dimension ranks a plan sorted by, recomputed the former way (labels compared per pair) for the tests.
enum RowPlanTestSupport {
  static func dimensionRank(_ plan: RowPlan) -> [Int32] {
    let labels = plan.combinations.indices.map(plan.combinationLabels)
    var rank = [Int32](repeating: 0, count: labels.count)
    let byLabels = labels.indices.sorted { a, b in
      for (p, q) in zip(labels[a], labels[b]) where p != q {
        guard let p else { return true }
        guard let q else { return false }
        return p < q
      }
      return false
    }
    for (r, i) in byLabels.enumerated() { rank[i] = Int32(r) }
    return rank
  }
}
