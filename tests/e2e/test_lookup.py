"""Lookup tables (SPEC section 7): RIPE-Atlas-style results name a probe, and the probe's position and country come
from a table joined at decode: CSV, or Parquet as pyarrow, DuckDB and polars write it (snappy, zstd, uncompressed,
dictionary or plain pages, v1 or v2). Every row is checked against a recomputation in Python; keys that are missing or
not in the table are `unknown_key` rejects, counted in the summary and kept in `_rejects/`.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
from collections import defaultdict

import pytest
from conftest import assert_matches_reference, read_rows, reference_result, replay, run_cli, summary_problems
from reference import geohash_encode

CONFIG = """
input:
  time: {field: timestamp, format: epoch_s}
  lat: lat
  lon: lon
  dimensions: [country]
  lookup: {table: probes.csv, key: prb_id, on: id, fields: [lat, lon, country]}
areas: [{name: gh4, geohash: 4}]
windows: [{name: 1h, tumbling: 1h}]
features:
  results: count
  probes: {distinct: prb_id}
  rtt_sum: {sum: result.rtt}
"""


WRITERS = ["csv", "pyarrow-snappy", "pyarrow-v2-zstd-plain", "duckdb", "polars", "pyarrow-none-float32-ids"]


def write_table(writer: str, directory, rows: list[tuple]) -> str:
    """Writes the probe table (`id, asn, lat, lon, country, active`) with one writer; returns its file name."""
    columns = ["id", "asn", "lat", "lon", "country", "active"]
    if writer == "csv":
        with open(directory / "probes.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(columns)
            w.writerows(rows)
        return "probes.csv"
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    table = pa.table(data)
    path = directory / "probes.parquet"
    if writer == "pyarrow-snappy":
        pq.write_table(table, path)
    elif writer == "pyarrow-v2-zstd-plain":
        pq.write_table(table, path, compression="zstd", use_dictionary=False, data_page_version="2.0",
                       row_group_size=64)
    elif writer == "pyarrow-none-float32-ids":
        table = table.set_column(0, "id", pa.array(data["id"], pa.int32())).set_column(
            1, "asn", pa.array(data["asn"], pa.float32()))
        pq.write_table(table, path, compression="none", data_page_size=512)
    elif writer == "duckdb":
        import duckdb

        pq.write_table(table, directory / "staged.parquet")
        duckdb.sql(f"copy (select * from '{directory}/staged.parquet') to '{path}' (format parquet)")
    elif writer == "polars":
        import polars as pl

        pl.from_arrow(table).write_parquet(path)
    return "probes.parquet"


@pytest.mark.parametrize("writer", WRITERS)
def test_a_table_joined_at_decode_gives_positions_and_dimensions(tmp_path, writer):
    rng = random.Random(5)
    probes, rows = {}, []
    for pid in range(1000, 1200):
        lat, lon = round(rng.uniform(45, 55), 4), round(rng.uniform(0, 15), 4)
        country = rng.choice(["DE", "FR", "NL", 'Côte "d\'Ivoire"', None])
        probes[str(pid)] = (lat, lon, country)
        rows.append((pid, rng.randrange(1, 9999), lat, lon, country, rng.random() < 0.5))
    table = write_table(writer, tmp_path, rows)
    events, lines = [], []
    t0 = 1772438400
    for i in range(3000):
        pid = rng.randrange(990, 1210)  # some ids are not in the table
        e = {"prb_id": pid if rng.random() < 0.5 else str(pid), "timestamp": t0 + i * 3,
             "result": {"rtt": round(rng.uniform(1, 200), 2)}, "lat": 0, "lon": 0}
        if rng.random() < 0.02:
            del e["prb_id"]
        lines.append(json.dumps(e))
        events.append(e)
    (tmp_path / "in.ndjson").write_text("\n".join(lines) + "\n")
    (tmp_path / "c.yaml").write_text(CONFIG.replace("probes.csv", table))
    replay(tmp_path / "c.yaml", [tmp_path / "in.ndjson"], tmp_path / "out")

    expected = defaultdict(lambda: [0, set(), 0.0])
    unknown = 0
    for e in events:
        key = str(e.get("prb_id")) if "prb_id" in e else None
        if key not in probes:
            unknown += 1
            continue
        lat, lon, country = probes[key]
        hour = (e["timestamp"] - t0) // 3600
        g = expected[(hour, geohash_encode(lat, lon, 4), country)]
        g[0] += 1
        g[1].add(key)
        g[2] += e["result"]["rtt"]
    cols, rows = read_rows(tmp_path / "out")
    c = {n: i for i, n in enumerate(cols)}
    actual = {}
    for r in rows:
        hour = int((r[c["window_start"]].timestamp() - t0) // 3600)
        actual[(hour, r[c["area"]], r[c["country"]] if r[c["country"]] != "" else None)] = (r[c["results"]], r[c["probes"]], r[c["rtt_sum"]])
    assert set(actual) == set(expected)
    for k, (n, ids, total) in expected.items():
        assert actual[k][0] == n and actual[k][1] == len(ids) and abs(actual[k][2] - total) < 1e-6, k
    summary = json.loads((tmp_path / "out" / "_summary.json").read_text())
    assert unknown > 20 and summary["rejected"]["unknown_key"] == unknown
    # The reference, joining the same table, agrees row for row and on every count.
    expected = reference_result(tmp_path / "c.yaml", [tmp_path / "in.ndjson"])
    assert_matches_reference(tmp_path / "out", expected)
    assert not summary_problems(tmp_path / "out", expected)
    rejects = [json.loads(x) for x in (tmp_path / "out" / "_rejects" / "part-000001.jsonl").read_text().splitlines()]
    assert sum(r["reason"] == "unknown_key" for r in rejects) == unknown


def test_run_reloads_a_table_whose_file_changed(tmp_path):
    """`run` joins lines read after a table change with the new table: a probe added to the file is known from then
    on; lines read before stay `unknown_key` rejects."""
    import signal

    from live_harness import LiveRun, append, run_args, wait_summary

    (tmp_path / "probes.csv").write_text("id,asn,lat,lon,country\n1000,1,52.5,13.4,DE\n")
    (tmp_path / "c.yaml").write_text(CONFIG + "output: {flush_every: 200ms}\n")
    feed, out = tmp_path / "feed.ndjson", tmp_path / "out"

    def lines(pid: int, start: int, n: int) -> bytes:
        return "".join(json.dumps({"prb_id": pid, "timestamp": 1772438400 + start + i, "result": {"rtt": 1}}) + "\n"
                       for i in range(n)).encode()

    append(feed, lines(1000, 0, 5) + lines(2000, 5, 3))
    with LiveRun(run_args(tmp_path / "c.yaml", out, [feed])) as r:
        wait_summary(out, lambda s: s["lines_read"] >= 8, 60, "the first lines", r)
        # Replaced by rename, as tools that write tables usually do.
        (tmp_path / "probes.new").write_text("id,asn,lat,lon,country\n1000,1,52.5,13.4,DE\n2000,2,48.8,2.3,FR\n")
        (tmp_path / "probes.new").rename(tmp_path / "probes.csv")
        r.expect("lookup table reloaded", 30)
        append(feed, lines(2000, 8, 4))
        s = wait_summary(out, lambda s: s["lines_read"] >= 12, 60, "the lines after the reload", r)
        r.send(signal.SIGTERM)
        assert r.wait(60) == 0, r.describe()
    s = json.loads((out / "_summary.json").read_text())
    assert s["rejected"]["unknown_key"] == 3, s
    assert s["events_accepted"] == 9, s


def test_an_unusable_table_is_a_config_error_that_names_the_file_and_the_fix(tmp_path):
    """A missing table, a table without the named columns, a repeated key, and a Parquet codec the reader does not
    handle: each stops `check` and `replay` with exit 2 and a message that says what to fix; no output is written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "in.ndjson").write_text(json.dumps({"prb_id": 1, "timestamp": 1772438400}) + "\n")
    cases = {
        "missing.csv": "cannot read",
        "nocol.csv": "has no column 'country' (lookup.fields)",
        "repeat.csv": "line 3: the key '1' repeats",
        "gzip.parquet": "compression codec gzip (write the table with compression 'zstd', 'snappy' or 'none')",
        "nokey.parquet": "has no column 'id' (lookup.on)",
        "text.parquet": "not a Parquet table areaflow can read",
    }
    (tmp_path / "nocol.csv").write_text("id,lat,lon\n1,1,1\n")
    (tmp_path / "repeat.csv").write_text("id,lat,lon,country\n1,1,1,DE\n1,2,2,FR\n")
    pq.write_table(pa.table({"id": [1], "lat": [1.0], "lon": [1.0], "country": ["DE"]}), tmp_path / "gzip.parquet",
                   compression="gzip")
    pq.write_table(pa.table({"pid": [1], "lat": [1.0], "lon": [1.0], "country": ["DE"]}), tmp_path / "nokey.parquet")
    (tmp_path / "text.parquet").write_text("id,lat,lon,country\n")
    for table, message in cases.items():
        (tmp_path / "c.yaml").write_text(CONFIG.replace("probes.csv", table))
        for command in (["check", "--config", str(tmp_path / "c.yaml")],
                        ["replay", "--config", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "out"),
                         str(tmp_path / "in.ndjson")]):
            p = run_cli(command)
            err = p.stderr.decode()
            assert p.returncode == 2, (table, command[0], err)
            assert message in err and table in err and "input.lookup.table" in err, (table, err)
        assert not (tmp_path / "out").exists(), table
