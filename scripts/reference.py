#!/usr/bin/env python3
"""Independent reference computation of areaflow's replay semantics (SPEC sections 2-4).

This is the test oracle for the end-to-end suite. It is written to be obviously correct rather
than fast: events are processed one by one in arrival order in plain Python, then the exploded
(window, area, dimensions) contributions are aggregated with DuckDB SQL.

Usage:
    python3 scripts/reference.py --config CONFIG.yaml INPUT... \
        --out-csv EXPECTED.csv --out-summary EXPECTED_SUMMARY.json [--quantile-bounds]

Importable:
    from reference import load_config, run_reference, run_reference_partitioned
    result = run_reference(load_config(path), [input paths])
    result.rows        # list of dicts, one per output row (exact values)
    result.summary     # dict like DIR/_summary.json (+ "empty_lines", "header_lines")
    result.rejects     # list of {"input", "line", "reason", "raw"}
    result.late        # list of {"input", "line", "window", "window_start", "raw"} (one per late window instance)

    # Scale-out (SPEC section 9 with `scale_out`): Kafka source partitions as lists of NDJSON messages (one line
    # each), every partition stamped on its own, only final windows written; see run_reference_partitioned.
    result = run_reference_partitioned(load_config(path), [[b'{...}', ...], ...])

Interpretations where SPEC is silent (kept in one place so they are easy to revisit):
  * Lines are split on LF; one trailing CR is removed; a final line without LF is a line.
  * CSV: the first line of every CSV input is its header. It is not counted in `lines_read`
    (so that lines_read = accepted + rejected + empty), but line numbers are physical (header = 1).
  * Only accepted events advance the watermark (rejected lines have no trustworthy event).
  * `outside.<scheme>` counts accepted events that lie in no region, whether or not they are late.
  * A feature value (and a coordinate, and an `auto`/epoch time) may be a JSON number or a string
    holding a decimal number (optional sign, digits, optional fraction, optional exponent).
    An empty CSV field is missing.
  * `distinct` counts distinct non-null raw values: strings as they are, JSON numbers by their
    literal text, booleans as true/false. `distinct` of no values is 0 (not null).
  * A dimension value that is missing or null is null; a non-string JSON value is its JSON text.
  * Each physical line is one record, also for CSV: a quoted field holding a line break is not
    joined with the next line (both halves are then `malformed`).
  * A line that is not valid UTF-8, or holds an escaped unpaired surrogate, is `malformed`.
  * RFC 3339 needs `T` (or `t`) between date and time, an offset (`Z`, `z` or +hh:mm), and
    seconds 00-59 (no leap second 60).
  * Sums and means use compensated summation (DuckDB `fsum`), so they are close to the true values.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import functools
import gzip
import json
import math
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

NS_PER_MS = 1_000_000
NS_PER_S = 1_000_000_000

# --------------------------------------------------------------------------------------------
# Config
# --------------------------------------------------------------------------------------------

_DURATION_RE = re.compile(r"^(\d+)(ms|s|m|h|d)$")
_DURATION_UNIT_NS = {
    "ms": NS_PER_MS,
    "s": NS_PER_S,
    "m": 60 * NS_PER_S,
    "h": 3600 * NS_PER_S,
    "d": 86400 * NS_PER_S,
}


class ConfigError(Exception):
    pass


def parse_duration_ns(text: Any) -> int:
    if not isinstance(text, str):
        raise ConfigError(f"duration must be a string like 30s, got {text!r}")
    m = _DURATION_RE.match(text.strip())
    if not m:
        raise ConfigError(f"bad duration {text!r}")
    return int(m.group(1)) * _DURATION_UNIT_NS[m.group(2)]


@dataclass
class Window:
    name: str
    size_ns: int
    every_ns: int  # == size_ns for tumbling

    def instances(self, t_ns: int) -> list[tuple[int, int]]:
        """All [start, end) instances of this window that contain t, oldest first."""
        # k*every <= t < k*every + size  <=>  (t - size)/every < k <= t/every
        k_max = t_ns // self.every_ns
        k_min = (t_ns - self.size_ns) // self.every_ns + 1
        out = []
        for k in range(k_min, k_max + 1):
            start = k * self.every_ns
            end = start + self.size_ns
            assert start <= t_ns < end
            out.append((start, end))
        return out


@dataclass
class Feature:
    name: str
    agg: str  # count sum mean min max stddev quantile distinct share
    field: str | None = None
    q: float | None = None
    q_text: str | None = None
    below: float | None = None
    above: float | None = None


@dataclass
class AreaScheme:
    name: str
    kind: str  # geohash | h3 | regions
    precision: int | None = None
    regions: list | None = None  # list of (id, [polygons]) ; polygon = [outer ring, holes...]
    regions_file: str | None = None
    id_property: str | None = None


@dataclass
class Config:
    path: str
    name: str
    input_format: str
    time_field: str
    time_format: str
    lat: str
    lon: str
    dimensions: list[str]
    areas: list[AreaScheme]
    windows: list[Window]
    max_out_of_order_ns: int
    allowed_lateness_ns: int
    features: list[Feature]
    raw: dict = field(default_factory=dict)
    # input.lookup: (key field, {key text: {column: text | None}}) or None
    lookup: tuple | None = None


_AGGS = {"sum", "mean", "min", "max", "stddev", "quantile", "distinct", "share"}


def load_config(path: str) -> Config:
    with open(path, "r", encoding="utf-8") as f:
        raw = yaml_load(f.read())
    base = os.path.dirname(os.path.abspath(path))
    inp = raw["input"]
    t = inp.get("time", {"field": "ts", "format": "auto"})
    if isinstance(t, str):
        t = {"field": t, "format": "auto"}
    areas = []
    for a in raw["areas"]:
        if "geohash" in a:
            areas.append(AreaScheme(a["name"], "geohash", precision=int(a["geohash"])))
        elif "h3" in a:
            areas.append(AreaScheme(a["name"], "h3", precision=int(a["h3"])))
        elif "regions" in a:
            p = a["regions"]
            if not os.path.isabs(p):
                p = os.path.join(base, p)
            areas.append(
                AreaScheme(
                    a["name"],
                    "regions",
                    regions=load_regions(p, a["id_property"]),
                    regions_file=p,
                    id_property=a["id_property"],
                )
            )
        else:
            raise ConfigError(f"unknown area scheme {a!r}")
    windows = []
    for w in raw["windows"]:
        if "tumbling" in w:
            s = parse_duration_ns(w["tumbling"])
            windows.append(Window(w["name"], s, s))
        elif "hopping" in w:
            windows.append(
                Window(w["name"], parse_duration_ns(w["hopping"]), parse_duration_ns(w["every"]))
            )
        else:
            raise ConfigError(f"unknown window {w!r}")
    wm = raw.get("watermark", {}) or {}
    features = []
    for name, spec in raw["features"].items():
        name = str(name)
        if spec == "count" or spec == {"count": None} or (isinstance(spec, dict) and "count" in spec):
            features.append(Feature(name, "count"))
            continue
        if not isinstance(spec, dict):
            raise ConfigError(f"bad feature {name}: {spec!r}")
        aggs = [k for k in spec if k in _AGGS]
        if len(aggs) != 1:
            raise ConfigError(f"bad feature {name}: {spec!r}")
        agg = aggs[0]
        feat = Feature(name, agg, field=str(spec[agg]))
        if agg == "quantile":
            feat.q = float(spec["q"])
            feat.q_text = repr(spec["q"]) if not isinstance(spec["q"], str) else spec["q"]
        if agg == "share":
            if "below" in spec:
                feat.below = float(spec["below"])
            elif "above" in spec:
                feat.above = float(spec["above"])
            else:
                raise ConfigError(f"share needs below or above: {name}")
        features.append(feat)
    return Config(
        path=path,
        name=str(raw.get("name", "")),
        input_format=inp.get("format", "ndjson"),
        time_field=str(t.get("field", "ts")),
        time_format=t.get("format", "auto"),
        lat=str(inp.get("lat", "lat")),
        lon=str(inp.get("lon", "lon")),
        dimensions=[str(d) for d in (inp.get("dimensions") or [])],
        areas=areas,
        windows=windows,
        max_out_of_order_ns=parse_duration_ns(wm.get("max_out_of_order", "0s")),
        allowed_lateness_ns=parse_duration_ns(wm.get("allowed_lateness", "0s")),
        features=features,
        raw=raw,
        lookup=load_lookup(inp.get("lookup"), base),
    )


def load_lookup(spec: dict | None, base: str) -> tuple | None:
    """`input.lookup` (SPEC section 7): the table as {key text: {column: text or None}}, read with the csv module or
    pyarrow. Numbers become their shortest text (whole doubles without `.0`), booleans `true`/`false`."""
    if not spec:
        return None
    path = spec["table"] if os.path.isabs(spec["table"]) else os.path.join(base, spec["table"])
    # PyYAML reads a bare `on` key as the boolean true (YAML 1.1); areaflow reads it as the word.
    on, fields = str(spec["on"] if "on" in spec else spec[True]), [str(f) for f in spec["fields"]]

    def text(v):
        if v is None:
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float):
            return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
        return str(v)

    if path.lower().endswith(".parquet"):
        import pyarrow.parquet as pq

        records = pq.read_table(path, columns=[on] + fields).to_pylist()
        records = [{k: text(v) for k, v in r.items()} for r in records]
    else:
        with open(path, newline="", encoding="utf-8-sig") as f:
            records = [{k: (v if v != "" else None) for k, v in r.items()} for r in csv.DictReader(f)]
    table = {}
    for r in records:
        if r[on] is not None:
            table[r[on]] = {c: r[c] for c in fields}
    return (str(spec["key"]), table)


def get_field(obj: dict, name: str) -> Any:
    """A field by name or dotted path (SPEC section 7): `VP.lat` walks nested objects; a path that meets an array or
    a non-object is None. A flat key spelled with dots is read too."""
    if "." in name and all(name.split(".")):
        cur: Any = obj
        for seg in name.split("."):
            if not isinstance(cur, dict) or seg not in cur:
                return obj.get(name)
            cur = cur[seg]
        return cur
    return obj.get(name)


def lookup_key_text(v: Any) -> str | None:
    """The text a key value is matched by: a string's text, a number as written, a literal's spelling."""
    if v is None or isinstance(v, (dict, list)):
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def yaml_load(text: str) -> Any:
    import yaml  # PyYAML

    return yaml.safe_load(text)


# --------------------------------------------------------------------------------------------
# Regions (GeoJSON) and point-in-polygon
# --------------------------------------------------------------------------------------------


def load_regions(path: str, id_property: str) -> list:
    with open(path, "r", encoding="utf-8") as f:
        gj = json.load(f)
    regions = []
    for feat in gj["features"]:
        rid = feat["properties"][id_property]
        rid = rid if isinstance(rid, str) else json.dumps(rid)
        geom = feat["geometry"]
        if geom["type"] == "Polygon":
            polys = [geom["coordinates"]]
        elif geom["type"] == "MultiPolygon":
            polys = geom["coordinates"]
        else:
            raise ConfigError(f"unsupported geometry {geom['type']}")
        regions.append((rid, polys))
    return regions


def point_in_ring(lon: float, lat: float, ring: list) -> bool:
    """Even-odd ray casting (ray towards +lon). Ring is a list of [lon, lat]."""
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat):
            x_cross = xi + (lat - yi) * (xj - xi) / (yj - yi)
            if lon < x_cross:
                inside = not inside
        j = i
    return inside


def point_in_polygon(lon: float, lat: float, polygon: list) -> bool:
    outer, holes = polygon[0], polygon[1:]
    if not point_in_ring(lon, lat, outer):
        return False
    return not any(point_in_ring(lon, lat, h) for h in holes)


def regions_containing(lon: float, lat: float, regions: list) -> list[str]:
    out = []
    for rid, polys in regions:
        if any(point_in_polygon(lon, lat, p) for p in polys):
            out.append(rid)
    return out


# --------------------------------------------------------------------------------------------
# Geohash (own encoder) and H3
# --------------------------------------------------------------------------------------------

_GEOHASH32 = "0123456789bcdefghjkmnpqrstuvwxyz"


def geohash_encode(lat: float, lon: float, precision: int) -> str:
    lat_lo, lat_hi = -90.0, 90.0
    lon_lo, lon_hi = -180.0, 180.0
    chars = []
    bits = 0
    nbits = 0
    even = True  # even bit index -> longitude
    while len(chars) < precision:
        if even:
            mid = (lon_lo + lon_hi) / 2
            if lon >= mid:
                bits = bits * 2 + 1
                lon_lo = mid
            else:
                bits = bits * 2
                lon_hi = mid
        else:
            mid = (lat_lo + lat_hi) / 2
            if lat >= mid:
                bits = bits * 2 + 1
                lat_lo = mid
            else:
                bits = bits * 2
                lat_hi = mid
        even = not even
        nbits += 1
        if nbits == 5:
            chars.append(_GEOHASH32[bits])
            bits = 0
            nbits = 0
    return "".join(chars)


def h3_cell(lat: float, lon: float, res: int) -> str:
    import h3

    return h3.latlng_to_cell(lat, lon, res).lower()


def areas_for(scheme: AreaScheme, lat: float, lon: float) -> list[str]:
    if scheme.kind == "geohash":
        return [geohash_encode(lat, lon, scheme.precision)]
    if scheme.kind == "h3":
        return [h3_cell(lat, lon, scheme.precision)]
    return regions_containing(lon, lat, scheme.regions)


# --------------------------------------------------------------------------------------------
# Value parsing
# --------------------------------------------------------------------------------------------

_DECIMAL_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_RFC3339_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


def as_decimal(v: Any) -> Decimal | None:
    """A JSON number or a string holding a decimal number -> exact Decimal, else None."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, Decimal):
        return v if v.is_finite() else None
    if isinstance(v, float):
        return Decimal(repr(v)) if math.isfinite(v) else None
    if isinstance(v, str) and _DECIMAL_RE.match(v):
        try:
            d = Decimal(v)
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    return None


def as_number(v: Any) -> float | None:
    d = as_decimal(v)
    if d is None:
        return None
    f = float(d)
    return f if math.isfinite(f) else None


def parse_rfc3339_ns(s: str) -> int | None:
    m = _RFC3339_RE.match(s)
    if not m:
        return None
    y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
    if not 1 <= mo <= 12:
        return None
    if not 1 <= d <= calendar.monthrange(y, mo)[1]:
        return None
    if not (0 <= h <= 23 and 0 <= mi <= 59 and 0 <= sec <= 59):
        return None
    frac = m.group(7)
    frac_ns = 0
    if frac:
        digits = frac[1:]
        frac_ns = int((digits + "000000000")[:9])
    tz = m.group(8)
    offset_s = 0
    if tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        oh, om = int(tz[1:3]), int(tz[4:6])
        if oh > 23 or om > 59:
            return None
        offset_s = sign * (oh * 3600 + om * 60)
    secs = calendar.timegm((y, mo, d, h, mi, sec, 0, 0, 0)) - offset_s
    return secs * NS_PER_S + frac_ns


_EPOCH_SCALE = {"epoch_s": NS_PER_S, "epoch_ms": NS_PER_MS, "epoch_us": 1000, "epoch_ns": 1}


def parse_time_ns(v: Any, fmt: str) -> int | None:
    if v is None or isinstance(v, bool):
        return None
    num = as_decimal(v)
    if fmt == "rfc3339":
        return parse_rfc3339_ns(v) if isinstance(v, str) else None
    if fmt in _EPOCH_SCALE:
        if num is None:
            return None
        return int((num * _EPOCH_SCALE[fmt]).to_integral_value(rounding="ROUND_FLOOR"))
    if fmt == "auto":
        if num is not None:
            if num < Decimal("1e11"):
                scale = NS_PER_S
            elif num < Decimal("1e14"):
                scale = NS_PER_MS
            elif num < Decimal("1e17"):
                scale = 1000
            else:
                scale = 1
            return int((num * scale).to_integral_value(rounding="ROUND_FLOOR"))
        if isinstance(v, str):
            return parse_rfc3339_ns(v)
        return None
    raise ConfigError(f"unknown time format {fmt!r}")


def distinct_key(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if isinstance(v, (int, Decimal)):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    return json.dumps(v, sort_keys=True, separators=(",", ":"), default=str)


def dimension_value(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, Decimal)):
        return str(v)
    return json.dumps(v, sort_keys=True, separators=(",", ":"), default=str)


@functools.lru_cache(maxsize=65536)
def format_ms(ns: int) -> str:
    ms = ns // NS_PER_MS
    secs, rem = divmod(ms, 1000)
    tm = time.gmtime(secs)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rem,
    )


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


class InputError(Exception):
    pass


def decompress(data: bytes, name: str = "<input>") -> bytes:
    """Detect compression from the bytes. zstd via the `zstd` CLI (handles several frames and
    skippable frames); gzip via the standard library; anything else is plain."""
    if data[:4] == b"\x28\xb5\x2f\xfd":
        p = subprocess.run(["zstd", "-dcq"], input=data, capture_output=True)
        if p.returncode != 0:
            raise InputError(f"{name}: zstd: {p.stderr.decode(errors='replace').strip()}")
        return p.stdout
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    return data


def expand_inputs(paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        if os.path.isdir(p):
            for n in sorted(os.listdir(p)):
                fp = os.path.join(p, n)
                if os.path.isfile(fp):
                    out.append(fp)
        else:
            out.append(p)
    return out


def read_input(path: str) -> bytes:
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as f:
            data = f.read()
    return decompress(data, path)


def split_lines(data: bytes) -> list[bytes]:
    if not data:
        return []
    parts = data.split(b"\n")
    if parts[-1] == b"":
        parts.pop()
    return [p[:-1] if p.endswith(b"\r") else p for p in parts]


def is_blank(line: bytes) -> bool:
    return line.strip(b" \t\r\n\x0b\x0c") == b""


def _reject_constant(name: str):
    raise ValueError(f"non-standard JSON constant {name}")


def parse_ndjson_line(line: bytes) -> dict | None:
    try:
        text = line.decode("utf-8")
        obj = json.loads(text, parse_float=Decimal, parse_int=int, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    if "\\u" in text:
        # An escaped unpaired surrogate is not valid Unicode text: treat the line as malformed.
        try:
            json.dumps(obj, ensure_ascii=False, default=str).encode("utf-8")
        except UnicodeEncodeError:
            return None
    return obj


def parse_csv_line(line: bytes, header: list[str]) -> dict | None:
    try:
        text = line.decode("utf-8")
        rows = list(csv.reader([text], strict=True))
    except (UnicodeDecodeError, csv.Error):
        return None
    if len(rows) != 1 or len(rows[0]) != len(header):
        return None
    return {k: (v if v != "" else None) for k, v in zip(header, rows[0])}


# --------------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------------


@dataclass
class Event:
    eid: int
    input: str
    line: int
    t_ns: int
    lat: float
    lon: float
    dims: tuple
    numbers: dict  # field -> float | None
    distincts: dict  # field -> str | None


@dataclass
class Result:
    config: Config
    rows: list[dict]
    columns: list[str]
    summary: dict
    rejects: list[dict]
    late: list[dict]
    events: list[Event]
    # per output row key: {"<quantile feature>": (lo_value, hi_value)} neighbouring order statistics
    quantile_bounds: dict


def row_key(row: dict, config: Config) -> tuple:
    return (row["window"], row["window_start"], row["area_scheme"], row["area"]) + tuple(
        row[d] for d in config.dimensions
    )


class _Pipeline:
    """The per-line steps shared by `run_reference` and `run_reference_partitioned`: decoding, rejects, area
    assignment, lateness against a given watermark, and the exploded contributions for `aggregate`. The caller
    decides which watermark holds before each line; this class keeps the counters and records."""

    def __init__(self, config: Config):
        self.config = config
        self.numeric_fields: list[str] = []
        self.distinct_fields: list[str] = []
        for f in config.features:
            if f.agg in ("sum", "mean", "min", "max", "stddev", "quantile", "share"):
                if f.field not in self.numeric_fields:
                    self.numeric_fields.append(f.field)
            elif f.agg == "distinct":
                if f.field not in self.distinct_fields:
                    self.distinct_fields.append(f.field)
        self.lines_read = 0
        self.header_lines = 0
        self.empty_lines = 0
        self.rejected = {"malformed": 0, "bad_time": 0, "bad_coordinates": 0}
        if config.lookup is not None:
            self.rejected["unknown_key"] = 0
        self.late_count = {w.name: 0 for w in config.windows}
        self.outside = {a.name: 0 for a in config.areas if a.kind == "regions"}
        self.rejects: list[dict] = []
        self.late_records: list[dict] = []
        self.events: list[Event] = []
        self.contributions: list[tuple] = []  # (eid, window, start, end, scheme, area)

    def line(self, name: str, lineno: int, line: bytes, header: list[str] | None, W: int | None) -> int | None:
        """One line read (a CSV header is the caller's to skip), under the watermark `W` that holds just before it.
        Returns the event time of an accepted event, else None."""
        config = self.config
        self.lines_read += 1
        if is_blank(line):
            self.empty_lines += 1
            return None
        raw_text = line.decode("utf-8", errors="replace")
        if config.input_format == "csv":
            obj = parse_csv_line(line, header)
        else:
            obj = parse_ndjson_line(line)
        reason = None
        if obj is None:
            reason = "malformed"
        elif config.lookup is not None:
            key_field, table = config.lookup
            row = table.get(lookup_key_text(get_field(obj, key_field)))
            if row is None:
                reason = "unknown_key"
            else:
                # Joined columns take the place of the line's fields of those names.
                obj = {**obj, **row}
        if reason is None:
            t_ns = parse_time_ns(get_field(obj, config.time_field), config.time_format)
            if t_ns is None:
                reason = "bad_time"
            else:
                lat = as_number(get_field(obj, config.lat))
                lon = as_number(get_field(obj, config.lon))
                if lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
                    reason = "bad_coordinates"
        if reason is not None:
            self.rejected[reason] += 1
            self.rejects.append({"input": name, "line": lineno, "reason": reason, "raw": raw_text})
            return None

        # Accepted event.
        ev = Event(
            eid=len(self.events),
            input=name,
            line=lineno,
            t_ns=t_ns,
            lat=lat,
            lon=lon,
            dims=tuple(dimension_value(get_field(obj, d)) for d in config.dimensions),
            numbers={f: as_number(get_field(obj, f)) for f in self.numeric_fields},
            distincts={f: distinct_key(get_field(obj, f)) for f in self.distinct_fields},
        )
        self.events.append(ev)
        area_lists = [(a, areas_for(a, lat, lon)) for a in config.areas]
        for a, ids in area_lists:
            if a.kind == "regions" and not ids:
                self.outside[a.name] += 1
        for w in config.windows:
            was_late = False
            for start, end in w.instances(t_ns):
                if W is not None and W >= end + config.allowed_lateness_ns:
                    was_late = True
                    self.late_records.append(
                        {
                            "input": name,
                            "line": lineno,
                            "window": w.name,
                            "window_start": format_ms(start),
                            "raw": raw_text,
                        }
                    )
                    continue
                for a, ids in area_lists:
                    for area in ids:
                        # Window bounds in ms: multiples of durations, and int64 even for far times.
                        self.contributions.append(
                            (ev.eid, w.name, start // NS_PER_MS, end // NS_PER_MS, a.name, area)
                        )
            if was_late:
                self.late_count[w.name] += 1
        return t_ns

    def result(self, contributions: list[tuple] | None = None) -> Result:
        """The rows of `contributions` (default: all of them) and the summary of every line seen."""
        rejected = dict(self.rejected)
        if rejected.get("unknown_key") == 0:
            del rejected["unknown_key"]  # listed only when it happened, as areaflow does
        rows, columns, qbounds = aggregate(
            self.config, self.events, self.contributions if contributions is None else contributions,
            self.numeric_fields, self.distinct_fields,
        )
        summary = {
            "lines_read": self.lines_read,
            "events_accepted": len(self.events),
            "rejected": rejected,
            "late": self.late_count,
            "rows_written": len(rows),
            # Not part of areaflow's summary; used by the tests to check that the summary adds up.
            "empty_lines": self.empty_lines,
            "header_lines": self.header_lines,
        }
        if self.outside:
            summary["outside"] = self.outside
        return Result(self.config, rows, columns, summary, self.rejects, self.late_records, self.events, qbounds)


def run_reference(config: Config, inputs: list[str], input_names: list[str] | None = None) -> Result:
    """Process INPUTs in arrival order. `input_names` optionally gives the name to record for each
    input (defaults to the path)."""
    paths = expand_inputs(inputs)
    names = input_names if input_names is not None else paths
    pipe = _Pipeline(config)
    max_seen: int | None = None  # largest accepted event time so far

    for path, name in zip(paths, names):
        data = read_input(path)
        lines = split_lines(data)
        header = None
        for idx, line in enumerate(lines):
            lineno = idx + 1
            if config.input_format == "csv" and header is None:
                header = next(csv.reader([line.decode("utf-8")]))
                pipe.header_lines += 1
                continue
            # The watermark that holds just before this event arrives.
            W = None if max_seen is None else max_seen - config.max_out_of_order_ns
            t_ns = pipe.line(name, lineno, line, header, W)
            if t_ns is not None and (max_seen is None or t_ns > max_seen):
                max_seen = t_ns

    return pipe.result()


def run_reference_partitioned(config: Config, partitions: list[list[bytes]],
                              partition_names: list[str] | None = None) -> Result:
    """Scale-out semantics (SPEC section 9, `scale_out`): each source partition is its own stream, in offset order,
    one line per message (NDJSON only). Independent of how partitions are interleaved or spread over instances:

    * An event's stamp is `max(event time of the earlier accepted events of its own partition) − max_out_of_order`
      (no stamp before the partition's first accepted event, so that one is never late). It is late for a window
      instance w iff `stamp ≥ w.end + allowed_lateness`: not added to w (it may be added to other, open instances),
      recorded in `late`, counted once per window name as in SPEC 3.
    * A window instance is final iff `end + allowed_lateness ≤ F`, F = min over ALL partitions of
      (largest accepted event time of the partition − max_out_of_order). A partition without an accepted event holds F
      back (as a live partition does until `idle_timeout`): then nothing is final. Only final windows have rows;
      `rows_written` counts them. Counters (lines, rejects, late, accepted) cover every line, final or not.

    Records name the input `partition_names[p]` (default `partition-P`) and the line as the message's 1-based
    position in its partition. `result.summary["final_watermark"]` is F in epoch ms (None when nothing is final)."""
    if config.input_format != "ndjson":
        raise ConfigError("run_reference_partitioned reads NDJSON messages only")
    names = partition_names if partition_names is not None else [f"partition-{p}" for p in range(len(partitions))]
    assert len(names) == len(partitions)
    pipe = _Pipeline(config)
    maxima: list[int | None] = []
    for messages, name in zip(partitions, names):
        max_seen: int | None = None  # largest accepted event time of this partition so far
        for idx, line in enumerate(messages):
            W = None if max_seen is None else max_seen - config.max_out_of_order_ns
            t_ns = pipe.line(name, idx + 1, line, None, W)
            if t_ns is not None and (max_seen is None or t_ns > max_seen):
                max_seen = t_ns
        maxima.append(max_seen)
    final_wm = None
    if maxima and all(m is not None for m in maxima):
        final_wm = min(maxima) - config.max_out_of_order_ns
    if final_wm is None:
        final = []
    else:
        # Contributions hold window bounds in ms.
        final = [c for c in pipe.contributions if c[3] * NS_PER_MS + config.allowed_lateness_ns <= final_wm]
    result = pipe.result(final)
    result.summary["final_watermark"] = None if final_wm is None else final_wm // NS_PER_MS
    return result


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def aggregate(config, events, contributions, numeric_fields, distinct_fields):
    """Aggregate the exploded contributions with DuckDB SQL."""
    import duckdb
    import pyarrow as pa

    con = duckdb.connect()
    con.execute("SET threads TO 1")
    ev_cols = {"eid": pa.array([e.eid for e in events], pa.int64())}
    for i, d in enumerate(config.dimensions):
        ev_cols[f"d{i}"] = pa.array([e.dims[i] for e in events], pa.string())
    for i, f in enumerate(numeric_fields):
        ev_cols[f"n{i}"] = pa.array([e.numbers[f] for e in events], pa.float64())
    for i, f in enumerate(distinct_fields):
        ev_cols[f"s{i}"] = pa.array([e.distincts[f] for e in events], pa.string())
    ev_table = pa.table(ev_cols)
    c_table = pa.table(
        {
            "eid": pa.array([c[0] for c in contributions], pa.int64()),
            "window": pa.array([c[1] for c in contributions], pa.string()),
            "ws": pa.array([c[2] for c in contributions], pa.int64()),
            "we": pa.array([c[3] for c in contributions], pa.int64()),
            "area_scheme": pa.array([c[4] for c in contributions], pa.string()),
            "area": pa.array([c[5] for c in contributions], pa.string()),
        }
    )
    con.register("ev", ev_table)
    con.register("contrib", c_table)

    group_cols = ["c.window", "c.ws", "c.we", "c.area_scheme", "c.area"] + [
        f"e.d{i}" for i in range(len(config.dimensions))
    ]
    select = list(group_cols)
    quantile_lists = []
    for f in config.features:
        col = None
        if f.agg != "count" and f.agg != "distinct":
            col = f"e.n{numeric_fields.index(f.field)}"
        if f.agg == "count":
            expr = "count(*)"
        elif f.agg == "sum":
            expr = f"fsum({col})"
        elif f.agg == "mean":
            expr = f"CASE WHEN count({col}) = 0 THEN NULL ELSE fsum({col}) / count({col}) END"
        elif f.agg == "min":
            expr = f"min({col})"
        elif f.agg == "max":
            expr = f"max({col})"
        elif f.agg == "stddev":
            expr = f"stddev_samp({col})"
        elif f.agg == "distinct":
            expr = f"count(DISTINCT e.s{distinct_fields.index(f.field)})"
        elif f.agg == "share":
            op, thr = ("<", f.below) if f.below is not None else (">", f.above)
            expr = (
                f"CASE WHEN count({col}) = 0 THEN NULL ELSE "
                f"count({col}) FILTER (WHERE {col} {op} {thr!r})::DOUBLE / count({col}) END"
            )
        elif f.agg == "quantile":
            # Exact order statistics: the sorted non-null values at 0-based ranks
            # floor(q*(n-1)) and ceil(q*(n-1)), with q taken as the exact decimal written.
            qf = Fraction(f.q_text if f.q_text else repr(f.q))
            num, den = qf.numerator, qf.denominator
            n = f"count({col})"
            srt = f"list_sort(list({col}) FILTER (WHERE {col} IS NOT NULL))"
            lo = f"(({num} * ({n} - 1)) // {den})"
            hi = f"(({num} * ({n} - 1) + {den - 1}) // {den})"
            expr = (
                f"CASE WHEN {n} = 0 THEN NULL ELSE {srt}[{lo} + 1] END"
            )
            select.append(
                f"CASE WHEN {n} = 0 THEN NULL ELSE {srt}[{hi} + 1] END AS {_q('__hi__' + f.name)}"
            )
            quantile_lists.append(f.name)
        else:
            raise ConfigError(f.agg)
        select.append(f"{expr} AS {_q(f.name)}")
    sql = (
        "SELECT " + ", ".join(select) + " FROM contrib c JOIN ev e USING (eid) GROUP BY "
        + ", ".join(group_cols) + " ORDER BY " + ", ".join(group_cols)
    )
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    columns = ["window", "window_start", "window_end", "area_scheme", "area"] + config.dimensions + [
        f.name for f in config.features
    ]
    rows = []
    qbounds = {}
    for rec in cur.fetchall():
        r = dict(zip(names, rec))
        row = {
            "window": r["window"],
            "window_start": format_ms(r["ws"] * NS_PER_MS),
            "window_end": format_ms(r["we"] * NS_PER_MS),
            "area_scheme": r["area_scheme"],
            "area": r["area"],
        }
        for i, d in enumerate(config.dimensions):
            row[d] = r[f"d{i}"]
        bounds = {}
        for f in config.features:
            v = r[f.name]
            if f.agg == "quantile":
                row[f.name] = None if v is None else float(v)
                hi = r["__hi__" + f.name]
                bounds[f.name] = None if v is None else (float(v), float(hi))
            elif f.agg in ("count", "distinct"):
                row[f.name] = int(v)
            else:
                row[f.name] = None if v is None else float(v)
        rows.append(row)
        if bounds:
            qbounds[row_key(row, config)] = bounds
    con.close()
    return rows, columns, qbounds


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def format_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def write_csv(result: Result, path: str, quantile_bounds: bool = False) -> None:
    cols = list(result.columns)
    qfeats = [f.name for f in result.config.features if f.agg == "quantile"]
    if quantile_bounds:
        for q in qfeats:
            cols += [f"{q}__rank_lo", f"{q}__rank_hi"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for row in result.rows:
            vals = [format_value(row[c]) for c in result.columns]
            if quantile_bounds:
                b = result.quantile_bounds.get(row_key(row, result.config), {})
                for q in qfeats:
                    lohi = b.get(q)
                    vals += [format_value(lohi[0]), format_value(lohi[1])] if lohi else ["", ""]
            w.writerow(vals)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--out-csv", required=True)
    ap.add_argument("--out-summary", required=True)
    ap.add_argument("--out-rejects", help="write reject records (JSONL) here")
    ap.add_argument("--out-late", help="write late records (JSONL) here")
    ap.add_argument(
        "--quantile-bounds",
        action="store_true",
        help="add <q>__rank_lo/<q>__rank_hi columns: values at ranks floor/ceil(q*(n-1))",
    )
    ap.add_argument("inputs", nargs="+", metavar="INPUT")
    args = ap.parse_args(argv)
    config = load_config(args.config)
    result = run_reference(config, args.inputs)
    write_csv(result, args.out_csv, args.quantile_bounds)
    with open(args.out_summary, "w", encoding="utf-8") as f:
        json.dump(result.summary, f, indent=2)
        f.write("\n")
    for path, recs in ((args.out_rejects, result.rejects), (args.out_late, result.late)):
        if path:
            with open(path, "w", encoding="utf-8") as f:
                for r in recs:
                    f.write(json.dumps(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
