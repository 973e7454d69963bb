"""Self-checks of the oracle (scripts/reference.py) on hand-computed cases. No binary needed."""

from __future__ import annotations

import calendar
import json
import subprocess
import sys

import pytest

from conftest import REPO, reference

T0 = calendar.timegm((2026, 3, 2, 8, 0, 0, 0, 0, 0))  # 2026-03-02T08:00:00Z in epoch seconds

BASE_CONFIG = """\
name: tiny
input:
  format: {fmt}
  time: {{field: ts, format: {tfmt}}}
  lat: lat
  lon: lon
  dimensions: [route]
areas:
  - {{name: gh5, geohash: 5}}
windows:
  - {{name: 1m, tumbling: 1m}}
  - {{name: 2m, hopping: 2m, every: 1m}}
watermark:
  max_out_of_order: 10s
  allowed_lateness: 5s
features:
  n: count
  v: {{distinct: vehicle_id}}
  s_sum: {{sum: speed}}
  s_mean: {{mean: speed}}
  s_sd: {{stddev: speed}}
  s_p90: {{quantile: speed, q: 0.9}}
  s_min: {{min: speed}}
  s_max: {{max: speed}}
  slow: {{share: speed, below: 5}}
"""


def ts(seconds_after_t0: float) -> str:
    ms = round(seconds_after_t0 * 1000)
    s, rem = divmod(T0 * 1000 + ms, 1000)
    import time

    tm = time.gmtime(s)
    return time.strftime("%Y-%m-%dT%H:%M:%S", tm) + ".%03dZ" % rem


def ev(t, speed=10.0, vehicle="bus-1", route="M10", lat=52.5, lon=13.4, **extra) -> str:
    rec = {"ts": ts(t) if isinstance(t, (int, float)) else t, "vehicle_id": vehicle, "route": route,
           "lat": lat, "lon": lon, "speed": speed}
    rec.update(extra)
    return json.dumps(rec)


def run(tmp_path, lines, fmt="ndjson", tfmt="auto", config_text=None):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(config_text or BASE_CONFIG.format(fmt=fmt, tfmt=tfmt))
    inp = tmp_path / ("in." + fmt)
    inp.write_text("\n".join(lines) + "\n")
    return reference.run_reference(reference.load_config(str(cfg)), [str(inp)])


def rows_for(result, window, start_s):
    return [r for r in result.rows if r["window"] == window and r["window_start"] == ts(start_s)]


def test_geohash_encoder_matches_published_values():
    assert reference.geohash_encode(57.64911, 10.40744, 11) == "u4pruydqqvj"
    assert reference.geohash_encode(42.6, -5.6, 5) == "ezs42"
    assert reference.geohash_encode(-25.382708, -49.265506, 7) == "6gkzwgj"


def test_h3_cells_are_lowercase_hex():
    cell = reference.h3_cell(52.5, 13.4, 8)
    assert len(cell) == 15 and cell == cell.lower() and int(cell, 16) > 0


def test_auto_time_picks_unit_by_magnitude_and_accepts_rfc3339_offsets():
    ns = T0 * 10**9
    assert reference.parse_time_ns(T0, "auto") == ns
    assert reference.parse_time_ns(T0 * 1000 + 123, "auto") == ns + 123 * 10**6
    assert reference.parse_time_ns(str(T0 * 10**6 + 5), "auto") == ns + 5000
    assert reference.parse_time_ns(T0 * 10**9 + 7, "auto") == ns + 7
    assert reference.parse_time_ns(str(T0) + ".5", "auto") == ns + 5 * 10**8
    assert reference.parse_time_ns("2026-03-02T09:00:00+01:00", "auto") == ns
    assert reference.parse_time_ns("2026-03-02T08:00:00.25Z", "auto") == ns + 25 * 10**7
    for bad in ["2026-03-02T25:00:00Z", "2026-02-30T08:00:00Z", "yesterday", "", None, True,
                "2026-03-02 08:00:00Z", "2026-03-02T08:00:00"]:
        assert reference.parse_time_ns(bad, "auto") is None, bad
    assert reference.parse_time_ns("2026-03-02T08:00:00Z", "epoch_ms") is None
    assert reference.parse_time_ns(T0, "rfc3339") is None
    assert reference.parse_time_ns(str(T0 * 1000), "epoch_ms") == ns


def test_feature_values_numbers_and_numeric_strings_else_null():
    assert reference.as_number(12.5) == 12.5
    assert reference.as_number("12.5") == 12.5
    assert reference.as_number(-3) == -3.0
    for v in [None, "abc", True, "", " 1", [1], {"a": 1}, "NaN", "inf"]:
        assert reference.as_number(v) is None, v


def test_hopping_instances_cover_every_window_containing_t():
    w = reference.Window("h", 15 * 60 * 10**9, 5 * 60 * 10**9)
    t = (T0 + 7 * 60) * 10**9
    starts = [s // 10**9 - T0 for s, _ in w.instances(t)]
    assert starts == [-5 * 60, 0, 5 * 60]  # 07:55-08:10, 08:00-08:15, 08:05-08:20
    assert [s for s, _ in w.instances(T0 * 10**9)][-1] == T0 * 10**9  # half-open: start included


def test_rejects_follow_precedence_and_blank_lines_are_skipped(tmp_path):
    lines = [
        ev(1),
        "",
        "   ",
        "[1,2]",
        '{"ts": "2026-03-02T08:00:0',
        ev("garbage", lat=95),  # bad time wins over bad coordinates
        ev(2, lat=95),
        ev(3, lon="abc"),
        json.dumps({"ts": ts(4), "lon": 13.4}),
        ev(5, lon=float("nan")).replace("NaN", '"NaN"'),
    ]
    r = run(tmp_path, lines)
    assert r.summary["lines_read"] == 10
    assert r.summary["empty_lines"] == 2
    assert r.summary["events_accepted"] == 1
    assert r.summary["rejected"] == {"malformed": 2, "bad_time": 1, "bad_coordinates": 4}
    assert [(x["line"], x["reason"]) for x in r.rejects][:3] == [(4, "malformed"), (5, "malformed"), (6, "bad_time")]


def test_csv_header_is_not_a_line_read_and_wrong_field_count_is_malformed(tmp_path):
    cfg = BASE_CONFIG.format(fmt="csv", tfmt="epoch_ms")
    lines = [
        "ts,vehicle_id,route,lat,lon,speed",
        f"{T0 * 1000 + 1},bus-1,\"M10\",52.5,13.4,3",
        f"{T0 * 1000 + 2},bus-2,M10,52.5,13.4",
        f"{T0 * 1000 + 3},bus-2,\"M,10\",52.5,13.4,",
        "",
    ]
    r = run(tmp_path, lines, fmt="csv", config_text=cfg)
    assert r.summary["lines_read"] == 4 and r.summary["header_lines"] == 1
    assert r.summary["rejected"]["malformed"] == 1 and r.rejects[0]["line"] == 3
    row = [x for x in rows_for(r, "1m", 0) if x["route"] == "M,10"][0]
    assert row["n"] == 1 and row["s_sum"] is None and row["slow"] is None


def test_watermark_lateness_boundary_is_inclusive(tmp_path):
    # max 08:01:15 -> W = 08:01:05 = end of [08:00, 08:01) + 5s: late.
    # max 08:01:14.999 -> W = 08:01:04.999: not late.
    r = run(tmp_path, [ev(75), ev(30, route="A")])
    assert r.summary["late"] == {"1m": 1, "2m": 1}
    assert {(x["window"], x["window_start"]) for x in r.late} == {("1m", ts(0)), ("2m", ts(-60))}
    assert rows_for(r, "2m", 0)[0]["n"] == 1 and rows_for(r, "2m", 0)[0]["route"] == "A"
    r2 = run(tmp_path, [ev(74.999), ev(30, route="A")])
    assert r2.summary["late"] == {"1m": 0, "2m": 0}


def test_first_event_is_never_late_and_rejected_lines_do_not_move_the_watermark(tmp_path):
    r = run(tmp_path, [ev(-7200), ev(3600, lat=95), ev(10)])
    assert r.summary["late"] == {"1m": 0, "2m": 0}
    assert r.summary["events_accepted"] == 2


def test_aggregates_on_one_group(tmp_path):
    speeds = [3.0, "4.5", None, 10, "fast", 20.0, 1.0, 7.25, 30.0, 12.0, 2.0, 8.0]
    lines = [ev(i, speed=s, vehicle="bus-%d" % (i % 4)) for i, s in enumerate(speeds)]
    lines.append(json.dumps({"ts": ts(20), "vehicle_id": None, "route": "M10", "lat": 52.5, "lon": 13.4}))
    r = run(tmp_path, lines)
    (row,) = [x for x in rows_for(r, "1m", 0) if x["area_scheme"] == "gh5"]
    vals = sorted([3.0, 4.5, 10.0, 20.0, 1.0, 7.25, 30.0, 12.0, 2.0, 8.0])
    assert row["n"] == 13
    assert row["v"] == 4
    assert row["s_sum"] == pytest.approx(sum(vals), rel=1e-12)
    assert row["s_mean"] == pytest.approx(sum(vals) / 10, rel=1e-12)
    mean = sum(vals) / 10
    assert row["s_sd"] == pytest.approx((sum((v - mean) ** 2 for v in vals) / 9) ** 0.5, rel=1e-12)
    assert row["s_p90"] == vals[8]  # floor(0.9 * 9) = 8
    assert r.quantile_bounds[reference.row_key(row, r.config)]["s_p90"] == (vals[8], vals[9])
    assert row["s_min"] == 1.0 and row["s_max"] == 30.0
    assert row["slow"] == 4 / 10


def test_nulls_stddev_below_two_values_and_share_without_values(tmp_path):
    r = run(tmp_path, [ev(1, speed=None), ev(61, speed=4)])
    a, b = rows_for(r, "1m", 0)[0], rows_for(r, "1m", 60)[0]
    assert a["n"] == 1 and a["s_sum"] is None and a["s_mean"] is None and a["s_p90"] is None
    assert a["slow"] is None and a["s_min"] is None and a["v"] == 1
    assert b["s_sd"] is None and b["s_sum"] == 4.0 and b["slow"] == 1.0


def test_regions_holes_multipolygons_overlaps_and_outside(tmp_path):
    import synth

    (tmp_path / "regions.geojson").write_text(json.dumps(synth.regions_geojson()))
    cfg = BASE_CONFIG.format(fmt="ndjson", tfmt="auto").replace(
        "  - {name: gh5, geohash: 5}", "  - {name: zones, regions: regions.geojson, id_property: code}"
    )
    la, lo = synth.CENTER
    lines = [
        ev(1, lat=la + 0.05, lon=lo - 0.1),  # A only
        ev(2, lat=la, lon=lo + 0.001),  # inside the hole of A, inside the triangle C
        ev(3, lat=la + 0.15, lon=lo - 0.2),  # B (first part)
        ev(4, lat=la - 0.15, lon=lo + 0.2),  # B (second part)
        ev(5, lat=la + 0.02, lon=lo + 0.12),  # A and C
        ev(6, lat=la + 0.5, lon=lo),  # nowhere
    ]
    r = run(tmp_path, lines, config_text=cfg)
    counts = {x["area"]: x["n"] for x in rows_for(r, "1m", 0)}
    assert counts == {"A-holed": 2, "B-multi": 2, "C-tri": 2}
    assert r.summary["outside"] == {"zones": 1}


def test_reference_cli_writes_expected_csv_and_summary(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(BASE_CONFIG.format(fmt="ndjson", tfmt="auto"))
    inp = tmp_path / "in.ndjson"
    inp.write_text(ev(1) + "\n" + ev(2, speed=None) + "\n\nnot json\n")
    out_csv, out_sum = tmp_path / "e.csv", tmp_path / "e.json"
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "reference.py"), "--config", str(cfg), str(inp),
         "--out-csv", str(out_csv), "--out-summary", str(out_sum)],
        check=True,
    )
    header = out_csv.read_text().splitlines()[0]
    assert header == "window,window_start,window_end,area_scheme,area,route,n,v,s_sum,s_mean,s_sd,s_p90,s_min,s_max,slow"
    s = json.loads(out_sum.read_text())
    assert s["lines_read"] == 4 and s["events_accepted"] == 2 and s["rejected"]["malformed"] == 1
    assert s["rows_written"] == len(out_csv.read_text().splitlines()) - 1 == 3


# --------------------------------------------------------------------------------------------
# run_reference_partitioned: the scale-out rule (each Kafka source partition stamped on its own,
# a window final once every partition's watermark has passed it)
# --------------------------------------------------------------------------------------------

FAR = 3600  # a sentinel event this much later makes every window before it final


def partitioned(tmp_path, partitions, config_text=None):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(config_text or BASE_CONFIG.format(fmt="ndjson", tfmt="auto"))
    parts = [[line.encode() for line in p] for p in partitions]
    return reference.run_reference_partitioned(reference.load_config(str(cfg)), parts)


def keyed(rows):
    return {(r["window"], r["window_start"], r["area_scheme"], r["area"], r["route"]): r for r in rows}


def test_partitioned_an_event_is_late_by_its_own_partitions_stamp_only(tmp_path):
    # p0: 08:01:15 then 08:00:30 -> stamp 08:01:05 = end of [08:00, 08:01) + 5s: late there (and for the 2m window
    # [07:59, 08:01)), kept in [08:00, 08:02).
    # p1: 08:00:30 first -> no stamp, never late, although p0 has seen 08:01:15 (replay's watermark would say late).
    r = partitioned(tmp_path, [
        [ev(75, route="A"), ev(30, route="A"), ev(FAR)],
        [ev(30, route="B"), ev(FAR)],
    ])
    assert r.summary["late"] == {"1m": 1, "2m": 1}
    assert {(x["input"], x["line"], x["window"], x["window_start"]) for x in r.late} == {
        ("partition-0", 2, "1m", ts(0)), ("partition-0", 2, "2m", ts(-60))}
    rows = keyed(r.rows)
    assert rows[("1m", ts(0), "gh5", "u33d8", "B")]["n"] == 1
    assert ("1m", ts(0), "gh5", "u33d8", "A") not in rows
    assert rows[("1m", ts(60), "gh5", "u33d8", "A")]["n"] == 1
    assert rows[("2m", ts(0), "gh5", "u33d8", "A")]["n"] == 2
    assert rows[("2m", ts(-60), "gh5", "u33d8", "B")]["n"] == 1
    assert ("2m", ts(-60), "gh5", "u33d8", "A") not in rows
    # The same lines one after the other in one stream (replay's rule): B's event is late too.
    one = tmp_path / "one"
    one.mkdir()
    flat = run(one, [ev(75, route="A"), ev(30, route="A"), ev(30, route="B"), ev(FAR)])
    assert flat.summary["late"] == {"1m": 2, "2m": 2}


def test_partitioned_a_window_is_not_final_while_one_partition_lags(tmp_path):
    # F = min(08:03:20, 08:00:20) - 10s = 08:00:10: no window has end + 5s <= F.
    r = partitioned(tmp_path, [[ev(10), ev(200)], [ev(20)]])
    assert r.rows == [] and r.summary["rows_written"] == 0
    assert r.summary["events_accepted"] == 3 and r.summary["late"] == {"1m": 0, "2m": 0}
    assert r.summary["final_watermark"] == (T0 + 10) * 1000
    # p1 catches up to 08:01:40: F = 08:01:30, so [08:00, 08:01) (and [07:59, 08:01)) are final, nothing later.
    r = partitioned(tmp_path, [[ev(10), ev(200)], [ev(20), ev(100)]])
    assert {(x["window"], x["window_start"], x["n"]) for x in r.rows} == {("1m", ts(0), 2), ("2m", ts(-60), 2)}
    assert r.summary["rows_written"] == 2 and r.summary["events_accepted"] == 4
    # A partition without any accepted event holds every window open.
    r = partitioned(tmp_path, [[ev(10), ev(FAR)], ["not json"]])
    assert r.rows == [] and r.summary["final_watermark"] is None and r.summary["rejected"]["malformed"] == 1


def test_partitioned_finality_boundary_is_inclusive(tmp_path):
    # F = 08:01:15 - 10s = 08:01:05 = end of [08:00, 08:01) + 5s: final. One millisecond less: not final.
    r = partitioned(tmp_path, [[ev(10), ev(75)], [ev(75)]])
    assert [(x["window"], x["window_start"]) for x in r.rows if x["window"] == "1m"] == [("1m", ts(0))]
    r = partitioned(tmp_path, [[ev(10), ev(75)], [ev(74.999)]])
    assert [x for x in r.rows if x["window"] == "1m"] == []


def test_partitioned_result_does_not_depend_on_the_interleaving(tmp_path):
    p0 = [ev(10, route="A", speed=3), ev(100, route="A", speed=7), ev(FAR, route="A")]
    p1 = [ev(20, route="B", speed=4), ev(50, route="B", speed=9), ev(FAR, route="B")]
    # Replay-style (one arrival order): p0 then p1 makes B's events late; p1 then p0 does not. The rows differ.
    a_dir, b_dir = tmp_path / "ab", tmp_path / "ba"
    a_dir.mkdir()
    b_dir.mkdir()
    ab, ba = run(a_dir, p0[:-1] + p1[:-1] + [ev(FAR)]), run(b_dir, p1[:-1] + p0[:-1] + [ev(FAR)])
    assert ab.summary["late"] != ba.summary["late"]
    early = lambda rows: keyed([x for x in rows if x["window_start"] < ts(FAR - 120)])  # noqa: E731
    assert early(ab.rows) != early(ba.rows)
    # Partitioned: the same rows in either order of the partitions, nothing late, and equal to the replay of the
    # time-ordered interleaving (where nothing is late either), final windows only.
    r1 = partitioned(tmp_path, [p0, p1])
    r2 = partitioned(tmp_path, [p1, p0])
    assert r1.rows == r2.rows and r1.summary["late"] == r2.summary["late"] == {"1m": 0, "2m": 0}
    assert early(r1.rows) == early(ba.rows)
    assert all(x["window_start"] < ts(FAR - 120) for x in r1.rows)  # the sentinels' windows are not final
    row = keyed(r1.rows)[("2m", ts(0), "gh5", "u33d8", "B")]
    assert row["n"] == 2 and row["s_mean"] == 6.5 and row["s_p90"] == 4.0


def test_partitioned_rejects_and_blank_lines_do_not_move_a_partitions_stamp(tmp_path):
    r = partitioned(tmp_path, [
        [ev(100), "not json", ev(30)],  # late: stamp 08:01:30 from the first event
        [ev(100, lat=95), "", ev(30), ev(100)],  # the rejected 08:01:40 sets no stamp: 08:00:30 is on time
    ])
    assert r.summary["lines_read"] == 7 and r.summary["empty_lines"] == 1
    assert r.summary["rejected"] == {"malformed": 1, "bad_time": 0, "bad_coordinates": 1}
    assert r.summary["events_accepted"] == 4
    assert r.summary["late"] == {"1m": 1, "2m": 1}
    assert {(x["input"], x["line"]) for x in r.late} == {("partition-0", 3)}
    assert [(x["input"], x["line"], x["reason"]) for x in r.rejects] == [
        ("partition-0", 2, "malformed"), ("partition-1", 1, "bad_coordinates")]
    assert {(x["window"], x["window_start"], x["n"]) for x in r.rows if x["window"] == "1m"} == {("1m", ts(0), 1)}
