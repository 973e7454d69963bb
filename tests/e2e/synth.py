"""Synthetic, deliberately messy streams in areaflow's input formats, plus matching configs.

Everything is reproducible from a seed. The streams hold what the real generator holds:
out-of-order, late and very late lines, exact duplicates, malformed lines, empty and whitespace
lines, and null/missing/string-number feature values.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

START = datetime(2026, 3, 2, 8, 0, 0, tzinfo=timezone.utc)
ROUTES = ["M10", "M41", "100", "N5", "X7"]
TECHS = ["3G", "4G", "5G", "wifi", "fibre"]
CENTER = (52.52, 13.40)


def iso_ms(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def epoch_ms(t: datetime) -> int:
    return int(round(t.timestamp() * 1000))


def _event_time(rng: random.Random, base: datetime) -> tuple[datetime, str]:
    """Event time relative to the arrival clock `base`, and what kind of disorder it has."""
    r = rng.random()
    if r < 0.80:
        return base, "ordered"
    if r < 0.92:
        return base - timedelta(milliseconds=rng.randint(100, 25_000)), "out_of_order"
    if r < 0.98:
        return base - timedelta(seconds=rng.randint(60, 900)), "late"
    return base - timedelta(seconds=rng.randint(3600, 3 * 3600)), "very_late"


def transport_lines(n: int = 3000, seed: int = 1, start: datetime = START, vehicles: int = 600,
                    duration_s: int = 2400, routes: list[str] | None = None,
                    messy: bool = True) -> list[str]:
    """NDJSON transport lines (without newlines)."""
    rng = random.Random(seed)
    routes = routes or ROUTES
    out: list[str] = []
    for i in range(n):
        base = start + timedelta(milliseconds=int(i * duration_s * 1000 / n) + rng.randint(0, 999))
        t, _kind = _event_time(rng, base) if messy else (base, "ordered")
        lat = round(CENTER[0] + rng.uniform(-0.2, 0.2), 5)
        lon = round(CENTER[1] + rng.uniform(-0.3, 0.3), 5)
        rec: dict = {
            "ts": iso_ms(t),
            "vehicle_id": "bus-%04d" % rng.randint(1, vehicles),
            "route": rng.choice(routes),
            "lat": lat,
            "lon": lon,
            "speed_kmh": round(rng.uniform(0, 60), 1),
            "delay_s": rng.randint(-60, 600),
        }
        if messy:
            r = rng.random()
            if r < 0.03:
                rec["speed_kmh"] = str(rec["speed_kmh"])  # string holding a number
            elif r < 0.05:
                rec["speed_kmh"] = None
            elif r < 0.06:
                del rec["speed_kmh"]
            elif r < 0.065:
                rec["speed_kmh"] = "fast"  # not a number -> null
            elif r < 0.07:
                rec["speed_kmh"] = 0  # zero, integer literal
            if rng.random() < 0.03:
                del rec["delay_s"]
            r = rng.random()
            if r < 0.02:
                rec["ts"] = epoch_ms(t)  # auto: epoch ms as a JSON number
            elif r < 0.03:
                rec["ts"] = str(epoch_ms(t) / 1000)  # auto: epoch seconds as a numeric string
            elif r < 0.035:
                rec["ts"] = (t + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+01:00")
        line = json.dumps(rec, separators=(",", ":"))
        if messy:
            r = rng.random()
            if r < 0.01:
                line = line[: rng.randint(1, len(line) - 2)]  # truncated JSON
            elif r < 0.013:
                line = "[1,2,3]"
            elif r < 0.015:
                line = '"just a string"'
            elif r < 0.02:
                bad = rng.choice(["2026-03-02T25:00:00Z", "yesterday", "2026-02-30T08:00:00Z", "",
                                  "2026-03-02 08:00:00", None, True])
                rec2 = dict(rec)
                rec2["ts"] = bad
                line = json.dumps(rec2, separators=(",", ":"))
            elif r < 0.023:
                rec2 = dict(rec)
                del rec2["ts"]
                line = json.dumps(rec2, separators=(",", ":"))
            elif r < 0.026:
                rec2 = dict(rec)
                rec2["lat"] = 95
                line = json.dumps(rec2, separators=(",", ":"))
            elif r < 0.029:
                rec2 = dict(rec)
                rec2["lon"] = "abc"
                line = json.dumps(rec2, separators=(",", ":"))
            elif r < 0.032:
                rec2 = dict(rec)
                del rec2["lat"]
                line = json.dumps(rec2, separators=(",", ":"))
            elif r < 0.034:
                rec2 = dict(rec)
                rec2["lon"] = -181.5
                line = json.dumps(rec2, separators=(",", ":"))
        out.append(line)
        if messy:
            r = rng.random()
            if r < 0.02:
                out.append(line)  # exact duplicate
            elif r < 0.03:
                out.append("")
            elif r < 0.035:
                out.append("   \t ")
    return out


def connectivity_lines(n: int = 3000, seed: int = 2, start: datetime = START,
                       devices: int = 500, duration_s: int = 2400) -> list[str]:
    """CSV connectivity lines, header first (without newlines)."""
    rng = random.Random(seed)
    out = ["ts,device_id,technology,lat,lon,download_mbps,upload_mbps,latency_ms"]
    for i in range(n):
        base = start + timedelta(milliseconds=int(i * duration_s * 1000 / n) + rng.randint(0, 999))
        t, _ = _event_time(rng, base)
        fields = [
            str(epoch_ms(t)),
            "dev-%05d" % rng.randint(1, devices),
            rng.choice(TECHS),
            "%.5f" % (CENTER[0] + rng.uniform(-0.2, 0.2)),
            "%.5f" % (CENTER[1] + rng.uniform(-0.3, 0.3)),
            "%.2f" % rng.uniform(0.5, 900),
            "%.2f" % rng.uniform(0.1, 200),
            str(rng.randint(3, 400)),
        ]
        r = rng.random()
        if r < 0.03:
            fields[5] = ""  # missing download
        elif r < 0.04:
            fields[6] = "n/a"  # not a number -> null
        elif r < 0.05:
            fields[7] = "-0"  # negative zero latency
        if rng.random() < 0.1:
            fields[2] = '"%s"' % fields[2]  # quoted technology
        if rng.random() < 0.05:
            fields[1] = '"%s"' % fields[1]
        line = ",".join(fields)
        r = rng.random()
        if r < 0.01:
            line = ",".join(fields[:-2])  # too few fields
        elif r < 0.015:
            line = line + ",extra"  # too many fields
        elif r < 0.02:
            line = ",".join(["abc"] + fields[1:])  # bad time
        elif r < 0.025:
            line = ",".join(fields[:3] + ["95.0"] + fields[4:])  # lat out of range
        elif r < 0.03:
            line = ",".join(fields[:4] + [""] + fields[5:])  # lon missing
        elif r < 0.033:
            line = ",".join(fields[:2] + ['"4G, but quoted with comma"'] + fields[3:])
        out.append(line)
        r = rng.random()
        if r < 0.015:
            out.append(line)
        elif r < 0.022:
            out.append("")
    return out


def regions_geojson() -> dict:
    """Three regions around the centre: a square with a hole, a multipolygon of two squares, and
    a triangle overlapping the first square (so some events fall in two regions)."""
    la, lo = CENTER

    def sq(lat0, lon0, lat1, lon1):
        return [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]

    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "A-holed", "name": "square with a hole"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        sq(la - 0.1, lo - 0.15, la + 0.1, lo + 0.15),
                        sq(la - 0.03, lo - 0.05, la + 0.03, lo + 0.05)[::-1],
                    ],
                },
            },
            {
                "type": "Feature",
                "properties": {"code": "B-multi", "name": "two squares"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [
                        [sq(la + 0.12, lo - 0.28, la + 0.19, lo - 0.1)],
                        [sq(la - 0.19, lo + 0.1, la - 0.12, lo + 0.28)],
                    ],
                },
            },
            {
                "type": "Feature",
                "properties": {"code": "C-tri", "name": "triangle"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[lo, la], [lo + 0.25, la + 0.18], [lo + 0.25, la - 0.05], [lo, la]]],
                },
            },
        ],
    }


TRANSPORT_CONFIG = """\
name: synth-transport
input:
  format: ndjson
  time: {field: ts, format: auto}
  lat: lat
  lon: lon
  dimensions: [route]
areas:
  - {name: gh5, geohash: 5}
  - {name: gh3, geohash: 3}
windows:
  - {name: 1m, tumbling: 1m}
  - {name: 10m, hopping: 10m, every: 5m}
  - {name: 1h, tumbling: 1h}
watermark:
  max_out_of_order: 30s
  allowed_lateness: 10s
  idle_timeout: 60s
features:
  events: count
  vehicles: {distinct: vehicle_id}
  speed_mean: {mean: speed_kmh}
  speed_sd: {stddev: speed_kmh}
  speed_p90: {quantile: speed_kmh, q: 0.9}
  speed_p50: {quantile: speed_kmh, q: 0.5}
  speed_min: {min: speed_kmh}
  speed_max: {max: speed_kmh}
  delay_sum: {sum: delay_s}
  delay_p10: {quantile: delay_s, q: 0.1}
  slow_share: {share: speed_kmh, below: 5}
  late_share: {share: delay_s, above: 300}
output:
  dir: out/synth-transport
  format: csv
"""

CONNECTIVITY_CONFIG = """\
name: synth-connectivity
input:
  format: csv
  time: {field: ts, format: epoch_ms}
  lat: lat
  lon: lon
  dimensions: [technology]
areas:
  - {name: gh4, geohash: 4}
  - {name: gh6, geohash: 6}
windows:
  - {name: 5m, tumbling: 5m}
  - {name: 15m, hopping: 15m, every: 5m}
watermark:
  max_out_of_order: 20s
  allowed_lateness: 0s
features:
  samples: count
  devices: {distinct: device_id}
  down_mean: {mean: download_mbps}
  down_p50: {quantile: download_mbps, q: 0.5}
  up_max: {max: upload_mbps}
  up_min: {min: upload_mbps}
  lat_sd: {stddev: latency_ms}
  lat_sum: {sum: latency_ms}
  slow_share: {share: download_mbps, below: 10}
output:
  dir: out/synth-connectivity
  format: csv
"""


# The same transport config with H3 and regions schemes (one behaviour: the other area schemes).
TRANSPORT_AREAS_CONFIG = TRANSPORT_CONFIG.replace(
    "name: synth-transport\n", "name: synth-transport-areas\n"
).replace(
    "  - {name: gh3, geohash: 3}\n",
    "  - {name: gh3, geohash: 3}\n"
    "  - {name: hex7, h3: 7}\n"
    "  - {name: hex4, h3: 4}\n"
    "  - {name: zones, regions: regions.geojson, id_property: code}\n",
)
