import Testing

@testable import AreaflowCore

/// Field paths into nested objects (SPEC section 7), read in place by the same scan as plain fields.
@Suite struct FieldPathTests {
  func decode(_ lines: [String]) throws -> (EventBatch, FieldPlan) {
    let config = try ConfigLoader(file: "c.yaml").load(
      """
      input:
        time: {field: VP.tst, format: rfc3339}
        lat: VP.lat
        lon: VP.long
        dimensions: [VP.route]
      areas: [{name: g, geohash: 5}]
      windows: [{name: w, tumbling: 1m}]
      features:
        n: count
        speed: {sum: VP.spd}
        deep: {sum: a.b.c}
        plain: {sum: a}
        vehicles: {distinct: VP.veh}
      """)
    let decoder = BatchDecoder(config: config, schemes: [GeohashScheme(name: "g", precision: 5)])
    let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
    return (decoder.decode(LineChunk(input: 0, inputName: "in", bytes: bytes, firstLine: 1)), decoder.plan)
  }

  @Test func pathsReachNestedValuesAnywhereInTheLine() throws {
    let (batch, plan) = try decode([
      #"{"VP":{"veh":1,"tst":"2026-03-02T08:00:01Z","lat":60.17,"long":24.94,"spd":5.5,"route":"550"},"a":{"b":{"c":7}}}"#,
      // Keys in another order, a nested array holding a decoy `lat`, whitespace.
      #"{ "a" : { "b" : { "x": [1, {"c": 100}], "c" : 2 } }, "VP" : { "x": [{"lat": 9}], "long":24.94, "lat":60.17, "tst":"2026-03-02T08:00:02Z", "spd": 1.5, "veh": 2, "route": "551" } }"#,
    ])
    #expect(batch.count == 2 && batch.rejects.isEmpty)
    #expect(batch.lats == [60.17, 60.17] && batch.lons == [24.94, 24.94])
    #expect(batch.values[plan.valueColumn("VP.spd")] == [5.5, 1.5])
    #expect(batch.values[plan.valueColumn("a.b.c")] == [7, 2])
    let labels = batch.newDimensionLabels.values.map { $0.first ?? nil }.compactMap { $0 }.sorted()
    #expect(labels == ["550", "551"])
  }

  @Test func aPathThatMeetsAnArrayOrAScalarIsNull() throws {
    let (batch, plan) = try decode([
      #"{"VP":{"tst":"2026-03-02T08:00:01Z","lat":60.17,"long":24.94},"a":{"b":[1,2]}}"#,  // a.b.c null
      #"{"VP":{"tst":"2026-03-02T08:00:01Z","lat":60.17,"long":24.94},"a":{"b":3}}"#,  // a.b.c null
      #"{"VP":[1,2]}"#,  // required time null: bad_time
      #"{"VP":{"tst":"2026-03-02T08:00:01Z","lat":{"v":1},"long":24.94}}"#,  // lat an object: bad_coordinates
      #"{"VP":{"tst":"2026-03-02T08:00:01Z","lat":60.17,"long":24.94},"a":5}"#,  // `a` read as a plain field too
    ])
    #expect(batch.count == 3)
    let reasons = batch.rejects.map(\.reason)
    #expect(reasons == [.bad_time, .bad_coordinates])
    let deep = plan.valueColumn("a.b.c")
    let plainColumn = plan.valueColumn("a")
    let deepValues = batch.values[deep]
    #expect(deepValues.allSatisfy { $0.isNaN })
    #expect(batch.values[plainColumn].map { $0.isNaN ? -1 : $0 } == [-1, -1, 5])
  }

  @Test(arguments: [
    ("{table: p.csv, key: id, on: id}", "input.lookup.fields"),
    ("{table: p.json, key: id, on: id, fields: [lat]}", "input.lookup.table"),
    ("{table: p.csv, key: id, on: id, fields: [id]}", "input.lookup.fields"),
    ("{table: p.csv, key: id, on: id, fields: [lat, lat]}", "input.lookup.fields"),
    ("{table: p.csv, on: id, fields: [lat]}", "input.lookup.key"),
  ])
  func lookupConfigsThatCannotWorkAreRefused(lookup: String, key: String) {
    #expect {
      _ = try ConfigLoader(file: "c.yaml").load(
        """
        input: {time: ts, lat: lat, lon: lon, lookup: \(lookup)}
        areas: [{name: g, geohash: 5}]
        windows: [{name: w, tumbling: 1m}]
        features: {n: count}
        """)
    } throws: { error in
      (error as? ConfigError)?.key == key
    }
  }

  @Test func aLookupTableIsReadLikeCSVAndRefusesRepeatedKeys() throws {
    let table = try LookupTable(
      csv: Array("id,lat,name\r\n1,52.5,\"a \"\"b\"\"\"\n2,,c\n".utf8), on: "id", fields: ["name", "lat"])
    #expect(table.count == 2)
    #expect {
      _ = try LookupTable(csv: Array("id,lat\n1,2\n1,3\n".utf8), on: "id", fields: ["lat"])
    } throws: { error in
      "\(error)".contains("repeats")
    }
    #expect {
      _ = try LookupTable(csv: Array("id,lat\n1,2\n".utf8), on: "id", fields: ["lon"])
    } throws: { error in
      "\(error)".contains("no column 'lon'")
    }
  }

  /// A flat key that happens to contain dots still matches the field spelled the same way.
  @Test func aFlatDottedKeyStillMatches() throws {
    let (batch, plan) = try decode([
      #"{"VP.tst":"2026-03-02T08:00:01Z","VP.lat":60.17,"VP.long":24.94,"VP.spd":3.5,"a.b.c":4}"#
    ])
    #expect(batch.count == 1)
    #expect(batch.values[plan.valueColumn("VP.spd")] == [3.5])
    #expect(batch.values[plan.valueColumn("a.b.c")] == [4])
  }
}
