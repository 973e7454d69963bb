"""Field paths (SPEC section 7): a feed whose fields sit in nested objects gives the same rows as the same events
written flat. The HSL-style nesting `{"VP": {...}}` is built here from the bundled transport fixture, with the
position one level deeper still and decoys (arrays and objects holding the same key names) that must not be read.
"""

from __future__ import annotations

import json

from conftest import BUNDLED, assert_matches_reference, read_rows, reference, reference_result, replay, summary_problems

FLAT = """
input: {format: ndjson, time: ts, lat: lat, lon: lon, dimensions: [route]}
areas: [{name: gh6, geohash: 6}, {name: hex8, h3: 8}]
windows: [{name: 1m, tumbling: 1m}, {name: 15m, hopping: 15m, every: 5m}]
watermark: {max_out_of_order: 30s}
features:
  events: count
  vehicles: {distinct: vehicle_id}
  speed_p90: {quantile: speed_kmh, q: 0.9}
  delay_sum: {sum: delay_s}
"""

NESTED = (
    FLAT.replace("time: ts", "time: VP.tst")
    .replace("lat: lat", "lat: VP.pos.lat")
    .replace("lon: lon", "lon: VP.pos.long")
    .replace("[route]", "[VP.route]")
    .replace("{distinct: vehicle_id}", "{distinct: VP.veh}")
    .replace("{quantile: speed_kmh,", "{quantile: VP.spd,")
    .replace("{sum: delay_s}", "{sum: VP.dl}")
)


def nest(line: bytes) -> bytes:
    try:
        e = json.loads(line)
    except ValueError:
        return line  # broken lines stay broken
    if not isinstance(e, dict):
        return line
    vp = {"decoy": [{"lat": 0, "tst": "x"}], "meta": {"lat": 1}}
    for flat, nested in [("ts", "tst"), ("vehicle_id", "veh"), ("route", "route"), ("speed_kmh", "spd"),
                         ("delay_s", "dl")]:
        if flat in e:
            vp[nested] = e[flat]
    pos = {k2: e[k] for k, k2 in [("lat", "lat"), ("lon", "long")] if k in e}
    if pos:
        vp["pos"] = pos
    return json.dumps({"lat": 99, "VP": vp}).encode()


def test_nested_fields_give_the_rows_of_flat_ones(tmp_path):
    _, fixture = BUNDLED["transport"]
    lines = reference.split_lines(reference.read_input(str(fixture)))
    flat_in, nested_in = tmp_path / "flat.ndjson", tmp_path / "nested.ndjson"
    flat_in.write_bytes(b"\n".join(lines) + b"\n")
    nested_in.write_bytes(b"\n".join(nest(x) for x in lines) + b"\n")
    (tmp_path / "flat.yaml").write_text(FLAT)
    (tmp_path / "nested.yaml").write_text(NESTED)
    replay(tmp_path / "flat.yaml", [flat_in], tmp_path / "flat")
    replay(tmp_path / "nested.yaml", [nested_in], tmp_path / "nested")
    flat_cols, flat_rows = read_rows(tmp_path / "flat")
    nested_cols, nested_rows = read_rows(tmp_path / "nested")
    assert nested_cols == [c if c != "route" else "VP.route" for c in flat_cols]
    assert len(flat_rows) > 1000
    assert sorted(flat_rows, key=repr) == sorted(nested_rows, key=repr)
    flat_summary = json.loads((tmp_path / "flat" / "_summary.json").read_text())
    nested_summary = json.loads((tmp_path / "nested" / "_summary.json").read_text())
    for key in ("lines_read", "events_accepted", "rejected", "late"):
        assert flat_summary[key] == nested_summary[key], key
    # And the reference, reading the same paths, agrees row for row.
    expected = reference_result(tmp_path / "nested.yaml", [nested_in])
    assert_matches_reference(tmp_path / "nested", expected)
    assert not summary_problems(tmp_path / "nested", expected)
