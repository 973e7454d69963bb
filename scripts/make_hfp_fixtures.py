#!/usr/bin/env python3
"""Makes the small HSL High-Frequency Positioning (HFP) fixtures under fixtures/hfp/, deterministically.

HSL (Helsinki Region Transport) publishes vehicle positions over MQTT (mqtt.hsl.fi) on topics such as
`/hfp/v2/journey/ongoing/vp/bus/0022/00854/1052/1/Kamppi/08:04/1201162/5/60;24/19/74/61` with a JSON payload
`{"VP": {"desi": "52", "veh": 854, "tst": "2024-05-06T08:00:01.123Z", "spd": 8.12, "lat": 60.17, "long": 24.94,
"dl": -30, ...}}`, and archives the same fields as hourly CSV files. These fixtures imitate both, small:

- `vp-messages.jsonl.zst`: one MQTT message per line, `{"topic": "...", "payload": "<the JSON payload text>"}`, in
  publishing order (vehicles a few seconds out of order with each other; a few positions without GPS, `lat` and
  `long` null, as HSL sends them). `tests/e2e/test_mqtt.py` publishes these to a broker.
- `archive/vp-2024-05-06T08.csv.zst`, `archive/vp-2024-05-06T09.csv.zst`: the same positions, flat, as hourly zstd CSV
  files with a header row (`configs/hfp-archive.yaml`).

Usage: python3 scripts/make_hfp_fixtures.py [--out fixtures/hfp] [--seed 2024]
The output depends only on the seed (and on the `zstd` CLI's level-19 output being stable, which it is for a version).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

START = datetime(2024, 5, 6, 8, 42, 0, tzinfo=timezone.utc)
DURATION_S = 36 * 60  # 08:42 to 09:18: two hourly archive files
REPORT_EVERY_S = 60
CENTER = (60.1699, 24.9384)  # Helsinki, Rautatientori

# (mode, route id, designation, operator, headsign, direction) — a few real-looking HSL routes.
ROUTES = [
    ("bus", "1052", "52", 22, "Kamppi", "1"),
    ("bus", "1550", "550", 12, "Itäkeskus", "2"),
    ("bus", "2194", "194", 18, "Espoon keskus", "1"),
    ("tram", "1004", "4", 40, "Munkkiniemi", "1"),
    ("tram", "1007", "7", 40, "Pasila", "2"),
    ("metro", "31M1", "M1", 50, "Vuosaari", "1"),
]
ARCHIVE_COLUMNS = ["desi", "dir", "oper", "veh", "tst", "tsi", "spd", "hdg", "lat", "long", "acc", "dl", "odo",
                   "drst", "oday", "start", "loc", "stop", "route", "occu"]


def hsl_geohash(lat: float, lon: float) -> str:
    """HSL's topic "geohash": integer degrees, then the decimals of latitude and longitude paired, 3 levels."""
    la, lo = f"{lat:.3f}".split("."), f"{lon:.3f}".split(".")
    return f"{la[0]};{lo[0]}/" + "/".join(la[1][k] + lo[1][k] for k in range(3))


def rfc3339(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def vehicles(rng: random.Random) -> list[dict]:
    out = []
    for mode, route, desi, oper, headsign, direction in ROUTES:
        for k in range(rng.randint(2, 4)):
            angle = rng.uniform(0, 2 * math.pi)
            out.append({
                "mode": mode, "route": route, "desi": desi, "oper": oper, "headsign": headsign, "dir": direction,
                "veh": rng.randint(10, 1400), "lat": CENTER[0] + rng.uniform(-0.04, 0.04),
                "long": CENTER[1] + rng.uniform(-0.08, 0.08), "heading": angle,
                "speed": {"bus": 8.0, "tram": 6.0, "metro": 14.0}[mode] * rng.uniform(0.5, 1.3),
                "delay": rng.randint(-240, 60), "odo": rng.randint(0, 20000), "start": f"{7 + k % 3:02d}:{rng.randint(0, 59):02d}",
                "phase": rng.uniform(0, REPORT_EVERY_S),
            })
    return out


def positions(seed: int) -> list[tuple[datetime, dict, str]]:
    """(publishing time, VP payload fields, topic), in publishing order."""
    rng = random.Random(seed)
    fleet = vehicles(rng)
    events = []
    for v in fleet:
        t = v["phase"]
        while t < DURATION_S:
            step = REPORT_EVERY_S * rng.uniform(0.8, 1.2)
            stopped = rng.random() < 0.15
            spd = 0.0 if stopped else max(0.0, v["speed"] * rng.uniform(0.6, 1.4))
            v["heading"] += rng.uniform(-0.4, 0.4)
            metres = spd * step
            v["lat"] += metres * math.cos(v["heading"]) / 111_320
            v["long"] += metres * math.sin(v["heading"]) / (111_320 * math.cos(math.radians(v["lat"])))
            v["odo"] += int(metres)
            v["delay"] += rng.randint(-20, 12)
            ts = START + timedelta(seconds=t, milliseconds=rng.randint(0, 999))
            no_gps = rng.random() < 0.01
            vp = {
                "desi": v["desi"], "dir": v["dir"], "oper": v["oper"], "veh": v["veh"], "tst": rfc3339(ts),
                "tsi": int(ts.timestamp()), "spd": round(spd, 2), "hdg": int(math.degrees(v["heading"])) % 360,
                "lat": None if no_gps else round(v["lat"], 6), "long": None if no_gps else round(v["long"], 6),
                "acc": round(rng.uniform(-1.0, 1.0), 2), "dl": v["delay"], "odo": v["odo"],
                "drst": 1 if stopped and rng.random() < 0.5 else 0, "oday": ts.strftime("%Y-%m-%d"),
                "jrn": rng.randint(1, 999), "line": rng.randint(1, 2000), "start": v["start"], "loc": "GPS",
                "stop": None, "route": v["route"], "occu": rng.choice([0, 0, 0, 10, 50, 100]),
            }
            topic = (f"/hfp/v2/journey/ongoing/vp/{v['mode']}/{v['oper']:04d}/{v['veh']:05d}/{v['route']}/"
                     f"{v['dir']}/{v['headsign']}/{v['start']}/{rng.randint(1000000, 2999999)}/3/"
                     f"{hsl_geohash(v['lat'], v['long'])}")
            # Publishing lags the position by up to 3 s, so vehicles interleave slightly out of order.
            events.append((ts + timedelta(milliseconds=rng.randint(0, 3000)), vp, topic))
            t += step
    events.sort(key=lambda e: (e[0], e[2]))
    return events


def zstd(data: bytes) -> bytes:
    return subprocess.run(["zstd", "-q", "-19", "-c"], input=data, capture_output=True, check=True).stdout


def csv_cell(v) -> str:
    if v is None:
        return ""
    s = str(v)
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "fixtures" / "hfp"))
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()
    out = Path(args.out)
    (out / "archive").mkdir(parents=True, exist_ok=True)
    events = positions(args.seed)
    messages = b"".join(
        json.dumps({"topic": topic, "payload": json.dumps({"VP": vp}, separators=(",", ":"), ensure_ascii=False)},
                   ensure_ascii=False).encode() + b"\n"
        for _, vp, topic in events)
    (out / "vp-messages.jsonl.zst").write_bytes(zstd(messages))
    hours: dict[str, list[str]] = {}
    for _, vp, _ in events:
        hours.setdefault(vp["tst"][:13], []).append(",".join(csv_cell(vp[c]) for c in ARCHIVE_COLUMNS))
    for hour, rows in sorted(hours.items()):
        text = ",".join(ARCHIVE_COLUMNS) + "\n" + "".join(r + "\n" for r in rows)
        (out / "archive" / f"vp-{hour}.csv.zst").write_bytes(zstd(text.encode()))
    print(f"{len(events)} positions; {len(hours)} hourly archive files in {out}")


if __name__ == "__main__":
    main()
