#!/usr/bin/env python3
"""Writes the small fixtures of the nested and joined feeds (deterministic; rerun to regenerate):

- fixtures/mlab-ndt.ndjson.zst: M-Lab NDT-style speed tests, nested JSON (`a.MeanThroughputMbps`,
  `client.Geo.Latitude`), made from the first rows of fixtures/connectivity.csv.zst so the values are the same
  realistic ones; lines that are not valid CSV records there stay broken here.
- fixtures/ripe-atlas-ping.ndjson.zst and fixtures/ripe-atlas-probes.csv: RIPE-Atlas-style ping results that name
  a probe (`prb_id`) but carry no coordinates, and the probe table that has them. Some results name a probe the table
  does not know (`unknown_key` rejects) and some lost every packet (`avg: -1`, as RIPE Atlas writes it).

Usage: python3 scripts/make-feed-fixtures.py
"""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"


def zstd(data: bytes) -> bytes:
    return subprocess.run(["zstd", "-q", "-19", "-c"], input=data, check=True, capture_output=True).stdout


def number(text: str):
    try:
        return json.loads(text) if text.strip() == text and text not in ("", "NaN", "Infinity") else text
    except ValueError:
        return text


def rfc3339_ms(text: str) -> str:
    try:
        ms = int(text)
    except ValueError:
        return text
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def mlab(rows: int = 4000) -> None:
    raw = subprocess.run(["zstd", "-dc", str(FIXTURES / "connectivity.csv.zst")], check=True,
                         capture_output=True).stdout
    lines = raw.decode("utf-8", errors="replace").split("\n")
    header, body = lines[0].split(","), lines[1 : rows + 1]
    rng = random.Random(11)
    out = []
    for i, line in enumerate(body):
        try:
            rec = next(csv.reader([line], strict=True)) if line.strip() else None
        except csv.Error:
            rec = None
        if rec is None or len(rec) != len(header):
            out.append(line)  # blank or broken stays so: a malformed line in both feeds
            continue
        r = dict(zip(header, rec))
        asn = {"wifi": 3320, "4G": 6805, "5G": 3209, "fiber": 8881}.get(r["technology"], 680)
        test = {
            "id": f"ndt-{i:06d}",
            "a": {
                "UUID": f"ndt-{i:06d}-{rng.randrange(1 << 32):08x}",
                "TestTime": rfc3339_ms(r["ts"]),
                "CongestionControl": "bbr",
                "MeanThroughputMbps": number(r["download_mbps"]),
                "MinRTT": number(r["latency_ms"]),
                "LossRate": round(rng.random() * 0.05, 4),
            },
            "client": {
                "Geo": {"CountryCode": "DE", "Latitude": number(r["lat"]), "Longitude": number(r["lon"])},
                "Network": {"ASNumber": asn, "Technology": r["technology"]},
            },
            "server": {"Site": "ber01", "Geo": {"Latitude": 52.52, "Longitude": 13.40}},
            # Decoys: arrays and other objects holding the same names, which no path must read.
            "raw": [{"Latitude": 0, "TestTime": "x"}],
        }
        out.append(json.dumps(test, separators=(",", ":")))
    (FIXTURES / "mlab-ndt.ndjson.zst").write_bytes(zstd(("\n".join(out) + "\n").encode()))


def ripe_atlas(probes: int = 240, results: int = 6000) -> None:
    rng = random.Random(23)
    table = io.StringIO()
    w = csv.writer(table, lineterminator="\n")
    w.writerow(["id", "asn_v4", "country_code", "latitude", "longitude", "status"])
    ids = []
    for pid in rng.sample(range(1000, 60000), probes):
        country, (lat0, lon0) = rng.choice([("DE", (52.5, 13.4)), ("NL", (52.37, 4.9)), ("FR", (48.86, 2.35)),
                                            ("PL", (52.23, 21.01))])
        lat, lon = round(lat0 + rng.gauss(0, 0.4), 4), round(lon0 + rng.gauss(0, 0.6), 4)
        w.writerow([pid, rng.choice([3320, 1136, 3215, 5617, 8881]), country, lat, lon,
                    rng.choice(["Connected", "Connected", "Disconnected"])])
        ids.append(pid)
    (FIXTURES / "ripe-atlas-probes.csv").write_text(table.getvalue())
    t0 = 1772438400  # 2026-03-02T08:00:00Z
    lines = []
    for i in range(results):
        pid = rng.choice(ids) if rng.random() < 0.97 else rng.randrange(60000, 70000)  # some probes are unknown
        sent = 3
        rcvd = sent if rng.random() < 0.9 else rng.randrange(0, sent)
        rtts = sorted(round(rng.lognormvariate(3.0, 0.5), 3) for _ in range(rcvd))
        res = {
            "fw": 5080, "msm_id": 1001 + i % 3, "prb_id": pid, "dst_addr": "193.0.14.129",
            "timestamp": t0 + i * 2 + rng.randrange(0, 30),
            "sent": sent, "rcvd": rcvd,
            "avg": round(sum(rtts) / rcvd, 3) if rcvd else -1,
            "min": rtts[0] if rcvd else -1, "max": rtts[-1] if rcvd else -1,
            "result": [{"rtt": r} for r in rtts] + [{"x": "*"}] * (sent - rcvd),
        }
        lines.append(json.dumps(res, separators=(",", ":")))
    (FIXTURES / "ripe-atlas-ping.ndjson.zst").write_bytes(zstd(("\n".join(lines) + "\n").encode()))


if __name__ == "__main__":
    mlab()
    ripe_atlas()
    for name in ("mlab-ndt.ndjson.zst", "ripe-atlas-ping.ndjson.zst", "ripe-atlas-probes.csv"):
        print(f"fixtures/{name}: {(FIXTURES / name).stat().st_size} bytes")
