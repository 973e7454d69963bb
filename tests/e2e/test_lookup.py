"""Lookup tables (SPEC section 7): RIPE-Atlas-style results name a probe, and the probe's position and country come
from a CSV table joined at decode. Every row is checked against a recomputation in Python; keys that are missing or
not in the table are `unknown_key` rejects, counted in the summary and kept in `_rejects/`.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict

from conftest import read_rows, replay
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


def test_a_table_joined_at_decode_gives_positions_and_dimensions(tmp_path):
    rng = random.Random(5)
    probes = {}
    with open(tmp_path / "probes.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "asn", "lat", "lon", "country"])
        for pid in range(1000, 1200):
            lat, lon = round(rng.uniform(45, 55), 4), round(rng.uniform(0, 15), 4)
            country = rng.choice(["DE", "FR", "NL", 'Côte "d\'Ivoire"'])
            probes[str(pid)] = (lat, lon, country)
            w.writerow([pid, rng.randrange(1, 9999), lat, lon, country])
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
    (tmp_path / "c.yaml").write_text(CONFIG)
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
        actual[(hour, r[c["area"]], r[c["country"]])] = (r[c["results"]], r[c["probes"]], r[c["rtt_sum"]])
    assert set(actual) == set(expected)
    for k, (n, ids, total) in expected.items():
        assert actual[k][0] == n and actual[k][1] == len(ids) and abs(actual[k][2] - total) < 1e-6, k
    summary = json.loads((tmp_path / "out" / "_summary.json").read_text())
    assert unknown > 20 and summary["rejected"]["unknown_key"] == unknown
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
