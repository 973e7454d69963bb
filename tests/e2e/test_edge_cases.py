"""Small hand-made streams, one edge case of SPEC section 3 each, replayed and compared with the
reference (rows, summary, rejects and late records)."""

from __future__ import annotations

import json

import pytest

from conftest import (
    actual_table,
    compare_tables,
    reference_result,
    replay,
    side_output_problems,
    summary_problems,
)

HEADER = """\
name: edge
input:
  format: {fmt}
  time: {{field: ts, format: {tfmt}}}
  lat: lat
  lon: lon
  dimensions: [{dims}]
areas:
  - {{name: gh4, geohash: 4}}
windows:
{windows}
watermark:
  max_out_of_order: {ooo}
  allowed_lateness: {lateness}
features:
{features}
"""

DEFAULT_FEATURES = """\
  n: count
  ids: {distinct: id}
  x_sum: {sum: x}
  x_mean: {mean: x}
  x_sd: {stddev: x}
  x_min: {min: x}
  x_max: {max: x}
  x_p0: {quantile: x, q: 0}
  x_p50: {quantile: x, q: 0.5}
  x_p90: {quantile: x, q: 0.9}
  x_p100: {quantile: x, q: 1}
  x_low: {share: x, below: 0}
  x_high: {share: x, above: 10}
"""


def make_config(tmp_path, fmt="ndjson", tfmt="auto", dims="route", windows=None, ooo="10s", lateness="0s",
                features=DEFAULT_FEATURES):
    windows = windows or "  - {name: 1m, tumbling: 1m}\n  - {name: 3m, hopping: 3m, every: 1m}"
    cfg = tmp_path / "edge.yaml"
    cfg.write_text(HEADER.format(fmt=fmt, tfmt=tfmt, dims=dims, windows=windows, ooo=ooo, lateness=lateness,
                                 features=features))
    return cfg


def check(tmp_path, cfg, data: bytes, name="edge.ndjson"):
    inp = tmp_path / name
    inp.write_bytes(data)
    out = tmp_path / "out"
    replay(cfg, [inp], out)
    result = reference_result(cfg, [inp])
    problems = compare_tables(actual_table(out, result.config), result)
    problems += summary_problems(out, result)
    problems += side_output_problems(out, result)
    assert not problems, f"{len(problems)} differences from the reference:\n" + "\n".join(problems)
    return result


def rec(ts, x=1.0, id="a", route="R1", lat=52.5, lon=13.4, **extra):
    d = {"ts": ts, "id": id, "route": route, "lat": lat, "lon": lon, "x": x}
    d.update(extra)
    return json.dumps(d)


def nd(*lines) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_rfc3339_variants_and_invalid_dates(tmp_path):
    lines = [
        rec("2026-03-02T08:00:00Z"),
        rec("2026-03-02T08:00:01.5Z"),
        rec("2026-03-02T09:00:02+01:00"),
        rec("2026-03-02T03:30:03-04:30"),
        rec("2026-03-02T08:00:04.123456789Z"),
        rec("2026-03-02T08:00:05.000000000001Z"),
        rec("2026-02-29T08:00:00Z"),  # not a leap year
        rec("2026-13-02T08:00:00Z"),
        rec("2026-03-02T08:60:00Z"),
        rec("2026-03-02T08:00:00"),  # no offset
        rec("2026-03-02"),
        rec("08:00:00Z"),
        rec(""),
        rec(None),
        rec([2026]),
        rec({"t": 1}),
        rec(False),
    ]
    check(tmp_path, make_config(tmp_path), nd(*lines))


def test_auto_time_magnitudes_and_numeric_strings(tmp_path):
    s = 1772438400  # 2026-03-02T08:00:00Z
    lines = [
        rec(s),
        rec(s + 0.25),
        rec(str(s + 2)),
        rec((s + 3) * 1000 + 7),
        rec(str((s + 4) * 1000)),
        rec((s + 5) * 1_000_000 + 9),
        rec((s + 6) * 1_000_000_000 + 11),
        rec(str((s + 7) * 1_000_000_000)),
        rec(100_000_000_000),  # 1e11: milliseconds (1973)
        rec(-5),  # before the epoch, seconds
    ]
    # ooo large enough that nothing is late: only the time parsing is under test here.
    check(tmp_path, make_config(tmp_path, ooo="36500d"), nd(*lines))


def test_auto_time_json_number_with_an_exponent_is_an_epoch_time(tmp_path):
    # 1.7724384e9 and 1.772438401e12 are JSON numbers: seconds and milliseconds by magnitude.
    lines = [rec("A"), rec("B", x=2)]
    lines = [lines[0].replace('"A"', "1.7724384e9"), lines[1].replace('"B"', "1.772438401E12")]
    check(tmp_path, make_config(tmp_path), nd(*lines))


def test_times_beyond_the_nanosecond_range_are_bad_time(tmp_path):
    # areaflow holds event times as Int64 nanoseconds (1677-09-21 to 2262-04-11, documented in the README):
    # 99,999,999,999 is epoch seconds by the auto rule, the year 5138, so it cannot be placed and is a bad_time
    # reject (kept in _rejects, counted), never a silently wrong window.
    s = 1772438400
    lines = [rec(s), rec(99_999_999_999), rec(99_999_999_999.5, x=2)]
    inp = tmp_path / "far.ndjson"
    inp.write_bytes(nd(*lines))
    out = tmp_path / "out"
    replay(make_config(tmp_path, ooo="1s"), [inp], out)
    summary = json.loads((out / "_summary.json").read_text())
    assert summary["events_accepted"] == 1
    assert summary["rejected"]["bad_time"] == 2
    rejects = [json.loads(l) for f in sorted((out / "_rejects").glob("*.jsonl")) for l in f.read_text().splitlines()]
    assert [(r["line"], r["reason"]) for r in rejects] == [(2, "bad_time"), (3, "bad_time")]


@pytest.mark.parametrize("tfmt,values", [
    ("epoch_s", [1772438400, 1772438401.5, "1772438402", "1772438403.25"]),
    ("epoch_ms", [1772438400000, "1772438401000", 1772438402000.5]),
    ("epoch_us", [1772438400000000, "1772438401000000"]),
    ("epoch_ns", [1772438400000000000, "1772438401000000000"]),
    ("rfc3339", ["2026-03-02T08:00:00Z", "2026-03-02T09:00:01+01:00"]),
])
def test_explicit_time_formats(tmp_path, tfmt, values):
    bad = ["2026-03-02T08:00:00Z", 1772438400, "abc"]
    lines = [rec(v) for v in values] + [rec(v) for v in bad]
    check(tmp_path, make_config(tmp_path, tfmt=tfmt), nd(*lines))


def test_feature_values_numbers_strings_nulls_and_garbage(tmp_path):
    t = "2026-03-02T08:00:%02dZ"
    xs = [1, 2.5, "3.5", "-4", None, "abc", True, [1], {"v": 1}, "", "1e1", "0", -0.0, 0, 1e15, "5."]
    lines = [rec(t % i, x=x, id=i % 3) for i, x in enumerate(xs)]
    lines.append(json.dumps({"ts": t % 30, "id": "z", "route": "R1", "lat": 52.5, "lon": 13.4}))  # x missing
    check(tmp_path, make_config(tmp_path), nd(*lines))


def test_coordinates_edges_and_reject_precedence(tmp_path):
    t = "2026-03-02T08:00:%02dZ"
    lines = [
        rec(t % 1, lat=90, lon=180),
        rec(t % 2, lat=-90, lon=-180),
        rec(t % 3, lat=90.000001),
        rec(t % 4, lon=-180.5),
        rec(t % 5, lat=None),
        rec(t % 6, lat=True),
        rec(t % 7, lat="INF").replace('"INF"', "1e400"),  # a JSON number that overflows a double
        rec("bad", lat=95),  # bad_time before bad_coordinates
        json.dumps({"ts": "bad"}),
        "null",
        "42",
        "[]",
        "{",
        '{"ts": "2026-03-02T08:00:00Z"} trailing',
        rec(t % 8, lat=0, lon=0),
    ]
    check(tmp_path, make_config(tmp_path), nd(*lines))


def test_blank_lines_crlf_and_missing_final_newline(tmp_path):
    t = "2026-03-02T08:00:%02dZ"
    data = (rec(t % 1) + "\r\n" + "\r\n" + "  \t \n" + "\n" + rec(t % 2, x=3) + "\r\n" + rec(t % 3, x=4)).encode()
    check(tmp_path, make_config(tmp_path), data)


def test_watermark_equality_is_late_with_allowed_lateness(tmp_path):
    # ooo 10s, lateness 5s: after an event at 08:01:15, W = 08:01:05 = end(08:00-08:01) + 5s.
    lines = [
        rec("2026-03-02T08:01:14.999Z"),
        rec("2026-03-02T08:00:30Z", x=2),  # W = 08:01:04.999: on time
        rec("2026-03-02T08:01:15Z"),
        rec("2026-03-02T08:00:31Z", x=3),  # W = 08:01:05: late for [08:00, 08:01) and [07:58, 08:01)
        rec("2026-03-02T07:59:59.999Z", x=4),  # late for 1m, 3m [07:57,08:00), [07:58,08:01); not [07:59,08:02)
        rec("2026-03-02T09:00:00Z"),
        rec("2026-03-02T08:58:00Z", x=5),  # late for 1m and 3m [08:56, 08:59); not for [08:57, 09:00)
    ]
    r = check(tmp_path, make_config(tmp_path, lateness="5s"), nd(*lines))
    assert r.summary["late"] == {"1m": 3, "3m": 3}


def test_500ms_and_1d_tumbling_windows(tmp_path):
    windows = "  - {name: half, tumbling: 500ms}\n  - {name: day, tumbling: 1d}"
    t0 = 1772438400
    lines = [rec((t0 + i * 17) * 1000 + i * 37, x=i) for i in range(60)]
    check(tmp_path, make_config(tmp_path, windows=windows, ooo="1h"), nd(*lines))


def test_hopping_window_whose_size_is_not_a_multiple_of_every(tmp_path):
    # SPEC: size S every E holds every [k*E, k*E+S) that contains t; nothing requires E to divide S.
    windows = "  - {name: odd, hopping: 10m, every: 3m}"
    t0 = 1772438400
    lines = [rec((t0 + i * 17) * 1000 + i * 37, x=i) for i in range(60)]
    check(tmp_path, make_config(tmp_path, windows=windows, ooo="1h"), nd(*lines))


def test_quantiles_with_negatives_zeros_and_ties(tmp_path):
    vals = [0, 0, -5, -5, -0.5, 3, 3, 3, 1e-7, -1e-7, 250, -250, 0, 7, 7]
    lines = [rec("2026-03-02T08:00:%02dZ" % i, x=v, id=str(v)) for i, v in enumerate(vals)]
    check(tmp_path, make_config(tmp_path), nd(*lines))


def test_stddev_and_mean_are_numerically_stable_with_a_large_offset(tmp_path):
    vals = [1e9 + 0.1, 1e9 + 0.2, 1e9 + 0.3, 1e9 + 0.4, 1e9 + 0.1, 1e9 + 0.25]
    lines = [rec("2026-03-02T08:00:%02dZ" % i, x=v) for i, v in enumerate(vals)]
    lines += [rec("2026-03-02T08:01:%02dZ" % i, x=2.2) for i in range(7)]  # stddev exactly 0
    check(tmp_path, make_config(tmp_path), nd(*lines))


def test_share_threshold_is_strict(tmp_path):
    vals = [-1, 0, 0, 0.0, 10, 10, 10.000001, 11, None]
    lines = [rec("2026-03-02T08:00:%02dZ" % i, x=v) for i, v in enumerate(vals)]
    check(tmp_path, make_config(tmp_path), nd(*lines))


def test_distinct_over_strings_numbers_and_more_than_256_values(tmp_path):
    lines = [rec("2026-03-02T08:00:%02d.%03dZ" % (i // 1000, i % 1000), id="v%d" % (i % 700)) for i in range(2000)]
    lines += [rec("2026-03-02T08:01:%02dZ" % i, id=v) for i, v in enumerate(["a", "a", "b", None, "", "c"])]
    check(tmp_path, make_config(tmp_path, ooo="1h"), nd(*lines))


def test_dimension_missing_null_and_several_dimensions(tmp_path):
    t = "2026-03-02T08:00:%02dZ"
    lines = [
        rec(t % 1, route="R1", op="A"),
        rec(t % 2, route="R1", op="B"),
        rec(t % 3, route=None, op="A"),
        json.dumps({"ts": t % 4, "id": "q", "lat": 52.5, "lon": 13.4, "x": 2, "op": "A"}),
        rec(t % 5, route="R,1 \"quoted\"", op="A"),
        rec(t % 6, route="Zürich ü", op=None),
    ]
    check(tmp_path, make_config(tmp_path, dims="route, op"), nd(*lines))


def test_long_raw_line_is_cut_in_reject_records(tmp_path):
    line = '{"ts": "2026-03-02T08:00:00Z", "pad": "' + "x" * 10000 + '", "lat": 95, "lon": 1}'
    cfg = make_config(tmp_path)
    inp = tmp_path / "long.ndjson"
    inp.write_bytes(nd(rec("2026-03-02T08:00:00Z"), line))
    out = tmp_path / "out"
    replay(cfg, [inp], out)
    recs = [json.loads(x) for p in sorted((out / "_rejects").glob("*.jsonl")) for x in p.read_text().splitlines()]
    assert len(recs) == 1 and recs[0]["line"] == 2 and recs[0]["reason"] == "bad_coordinates"
    raw = recs[0]["raw"]
    assert 1024 <= len(raw.encode()) <= 4096 and raw[:1000] == line[:1000], f"raw of {len(raw)} chars"


CSV_HEADER = "ts,id,route,lat,lon,x"


def test_csv_quoting_field_counts_and_empty_fields(tmp_path):
    ms = 1772438400000
    lines = [
        CSV_HEADER,
        f"{ms},a,R1,52.5,13.4,1",
        f'"{ms + 1000}","b","R 1",52.5,13.4,"2.5"',
        f'{ms + 2000},"c ""quoted""","R,1",52.5,13.4,3',
        f"{ms + 3000},d,R1,52.5,13.4,",
        f"{ms + 4000},e,R1,52.5,13.4",
        f"{ms + 5000},f,R1,52.5,13.4,1,extra",
        f"{ms + 6000},g,,52.5,13.4,4",
        f"{ms + 7000},h,R1,,13.4,4",
        f"abc,i,R1,52.5,13.4,4",
        f"{ms + 8000},j,R1,52.5,13.4,n/a",
        "",
        f"{ms + 9000},k,R1,95,13.4,1",
    ]
    cfg = make_config(tmp_path, fmt="csv", tfmt="epoch_ms")
    check(tmp_path, cfg, ("\n".join(lines) + "\n").encode(), name="edge.csv")


def test_csv_with_crlf_line_endings(tmp_path):
    ms = 1772438400000
    lines = [CSV_HEADER] + [f"{ms + i * 1000},id{i},R1,52.5,13.4,{i}" for i in range(5)] + [""]
    cfg = make_config(tmp_path, fmt="csv", tfmt="epoch_ms")
    check(tmp_path, cfg, "\r\n".join(lines).encode(), name="edge.csv")


def test_quantile_and_distinct_sketches_on_a_large_group(tmp_path):
    import random

    rng = random.Random(5)
    lines = []
    for i in range(12000):
        r = rng.random()
        if r < 0.05:
            x = 0
        elif r < 0.35:
            x = -rng.lognormvariate(2, 2)
        else:
            x = rng.lognormvariate(1, 3)
        lines.append(rec("2026-03-02T08:%02d:%02d.%03dZ" % (i // 6000, (i // 100) % 60, i % 1000),
                         x=round(x, 6), id="id-%d" % rng.randint(0, 9000)))
    check(tmp_path, make_config(tmp_path, ooo="1h", windows="  - {name: 1h, tumbling: 1h}"), nd(*lines))


def test_each_csv_input_has_its_own_header_naming_the_fields(tmp_path):
    ms = 1772438400000
    a = [CSV_HEADER] + [f"{ms + i * 1000},a{i},R1,52.5,13.4,{i}" for i in range(5)]
    b = ["x,lon,lat,route,id,ts"] + [f"{i + 0.5},13.4,52.5,R2,b{i},{ms + (i + 5) * 1000}" for i in range(5)]
    cfg = make_config(tmp_path, fmt="csv", tfmt="epoch_ms")
    fa, fb = tmp_path / "a.csv", tmp_path / "b.csv"
    fa.write_text("\n".join(a) + "\n")
    fb.write_text("\n".join(b) + "\n")
    out = tmp_path / "out"
    replay(cfg, [fa, fb], out)
    result = reference_result(cfg, [fa, fb])
    problems = compare_tables(actual_table(out, result.config), result)
    problems += summary_problems(out, result) + side_output_problems(out, result)
    assert not problems, "\n".join(problems)


def test_empty_and_all_rejected_inputs_give_no_rows_and_a_summary(tmp_path):
    cfg = make_config(tmp_path)
    empty, bad = tmp_path / "empty.ndjson", tmp_path / "bad.ndjson"
    empty.write_bytes(b"")
    bad.write_bytes(b"\n{\nnot json\n[1]\n")
    out = tmp_path / "out"
    replay(cfg, [empty, bad], out)
    result = reference_result(cfg, [empty, bad])
    assert result.rows == []
    problems = compare_tables(actual_table(out, result.config), result)
    problems += summary_problems(out, result) + side_output_problems(out, result)
    assert not problems, "\n".join(problems)
