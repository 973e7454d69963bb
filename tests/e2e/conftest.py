"""Shared helpers for areaflow's end-to-end tests.

The binary under test is `$AREAFLOW_BIN`, else `<repo>/.build/debug/areaflow`. A missing binary or
Python module makes the tests fail, never skip.

The oracle is `scripts/reference.py` (imported), an independent plain-Python implementation of
SPEC section 3; the CLI's snapshots are read with the contract call
`read_csv('DIR/**/*.csv', union_by_name=true)` (or read_json for NDJSON) in DuckDB and compared row
by row with the tolerances of the comparison rules.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import json
import math
import os
import pickle
import struct
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import duckdb  # noqa: F401  (fail loudly at collection when missing)
import h3  # noqa: F401
import pyarrow  # noqa: F401
import pytest
import yaml  # noqa: F401

E2E_DIR = Path(__file__).resolve().parent
REPO = E2E_DIR.parents[1]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(E2E_DIR))

import reference  # noqa: E402
import synth  # noqa: E402

FIXTURES = REPO / "fixtures"
CONFIGS = REPO / "configs"
BUNDLED = {
    "transport": (CONFIGS / "transport.yaml", FIXTURES / "transport.ndjson.zst"),
    "connectivity": (CONFIGS / "connectivity.yaml", FIXTURES / "connectivity.csv.zst"),
    "mlab-ndt": (CONFIGS / "mlab-ndt.yaml", FIXTURES / "mlab-ndt.ndjson.zst"),
    "ripe-atlas": (CONFIGS / "ripe-atlas.yaml", FIXTURES / "ripe-atlas-ping.ndjson.zst"),
}
RUN_TIMEOUT_S = int(os.environ.get("AREAFLOW_E2E_TIMEOUT", "300"))
MAX_REPORTED = 15

# --------------------------------------------------------------------------------------------
# Running the binary
# --------------------------------------------------------------------------------------------


def areaflow_path() -> Path:
    """`$AREAFLOW_BIN` (a relative path is taken from the current directory, else from the repo
    root), or `<repo>/.build/debug/areaflow`."""
    env = os.environ.get("AREAFLOW_BIN")
    if not env:
        return REPO / ".build" / "debug" / "areaflow"
    p = Path(env)
    if p.is_absolute() or p.exists():
        return p.absolute()
    return REPO / p


@pytest.fixture(scope="session")
def areaflow() -> Path:
    path = areaflow_path()
    assert path.is_file() and os.access(path, os.X_OK), (
        f"areaflow binary not found or not executable at {path} "
        "(build it with `swift build`, or set AREAFLOW_BIN)"
    )
    return path


def run_cli(args: list, timeout: int = RUN_TIMEOUT_S, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    cmd = [str(areaflow_path())] + [str(a) for a in args]
    return subprocess.run(cmd, capture_output=True, timeout=timeout, input=stdin if stdin is not None else b"")


def replay(config, inputs, out, *extra, expect_rc: int | None = 0, fmt: str = "csv") -> subprocess.CompletedProcess:
    """`areaflow replay --config CONFIG --out OUT --format FMT [extra] INPUT...`."""
    args = ["replay", "--config", config, "--out", out, "--format", fmt, "--quiet", *extra, *inputs]
    p = run_cli(args)
    if expect_rc is not None:
        assert p.returncode == expect_rc, (
            f"`areaflow {' '.join(map(str, args))}` exited {p.returncode}, expected {expect_rc}\n"
            f"stderr:\n{p.stderr.decode(errors='replace')[-3000:]}"
        )
    return p


# --------------------------------------------------------------------------------------------
# Reading snapshots (the contract calls)
# --------------------------------------------------------------------------------------------

SNAPSHOT_GLOB = {"csv": "**/*.csv", "ndjson": "**/*.ndjson", "parquet": "**/*.parquet"}


def contract_query(out_dir, fmt: str = "csv", all_varchar: bool = False) -> str:
    pattern = os.path.join(str(out_dir), SNAPSHOT_GLOB[fmt]).replace("'", "''")
    if fmt == "csv":
        extra = ", all_varchar=true" if all_varchar else ""
        return f"SELECT * FROM read_csv('{pattern}', union_by_name=true{extra})"
    if fmt == "ndjson":
        return f"SELECT * FROM read_json('{pattern}')"
    return f"SELECT * FROM read_parquet('{pattern}')"


def snapshot_files(out_dir, fmt: str = "csv") -> list[str]:
    return sorted(
        os.path.relpath(p, out_dir)
        for p in glob.glob(os.path.join(str(out_dir), SNAPSHOT_GLOB[fmt]), recursive=True)
    )


def read_rows(out_dir, fmt: str = "csv", all_varchar: bool = False) -> tuple[list[str], list[tuple]]:
    """All snapshot rows as (column names, tuples). No files -> ([], [])."""
    if not snapshot_files(out_dir, fmt):
        return [], []
    con = duckdb.connect()
    con.execute("SET threads TO 1")
    cur = con.execute(contract_query(out_dir, fmt, all_varchar))
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    con.close()
    return cols, rows


def raw_row_texts(out_dir) -> list[tuple]:
    """Every CSV row as text exactly as written (all_varchar), sorted: for exact comparisons."""
    cols, rows = read_rows(out_dir, "csv", all_varchar=True)
    return sorted((tuple(zip(cols, r)) for r in rows), key=lambda t: [(c, v is None, v or "") for c, v in t])


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def to_epoch_ms(v) -> int | None:
    """A time as read by DuckDB (TIMESTAMPTZ, TIMESTAMP or RFC 3339 text) -> epoch milliseconds."""
    if v is None:
        return None
    if isinstance(v, datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=timezone.utc)
        d = v - _EPOCH
        return (d.days * 86400 + d.seconds) * 1000 + d.microseconds // 1000
    ns = reference.parse_rfc3339_ns(str(v))
    assert ns is not None, f"not an RFC 3339 time: {v!r}"
    return ns // 1_000_000


def key_text(v) -> str | None:
    if v is None:
        return None
    return v if isinstance(v, str) else str(v)


def actual_table(out_dir, config: reference.Config, fmt: str = "csv") -> dict:
    """Snapshot rows keyed by (window, window_start ms, area_scheme, area, dims...)."""
    cols, rows = read_rows(out_dir, fmt)
    table: dict = {}
    dups = []
    for r in rows:
        rec = dict(zip(cols, r))
        key = (
            key_text(rec.get("window")),
            to_epoch_ms(rec.get("window_start")),
            key_text(rec.get("area_scheme")),
            key_text(rec.get("area")),
        ) + tuple(key_text(rec.get(d)) for d in config.dimensions)
        if key in table:
            dups.append(key)
        table[key] = rec
    assert not dups, f"{len(dups)} duplicate row keys in {out_dir}, e.g. {dups[:3]}"
    return table


def expected_table(result: reference.Result) -> dict:
    table = {}
    for row in result.rows:
        key = (
            row["window"],
            reference.parse_rfc3339_ns(row["window_start"]) // 1_000_000,
            row["area_scheme"],
            row["area"],
        ) + tuple(row[d] for d in result.config.dimensions)
        table[key] = row
    return table


# --------------------------------------------------------------------------------------------
# Comparison with the oracle
# --------------------------------------------------------------------------------------------


def _close(a: float, e: float, rel: float = 1e-9, abs_: float = 1e-9) -> bool:
    return abs(a - e) <= max(rel * abs(e), abs_)


class NotANumber(Exception):
    pass


def _num(v):
    if v is None:
        return None
    if isinstance(v, str):
        v = v.strip()
        if v == "":
            return None
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise NotANumber(f"read as {type(v).__name__} {v!r}")
    try:
        return float(v)
    except ValueError:
        raise NotANumber(f"not a number: {v!r}") from None


def check_value(feature: reference.Feature, actual, expected, bounds) -> str | None:
    """None when `actual` is acceptable for the exact `expected`, else why not."""
    try:
        a = _num(actual)
    except NotANumber as e:
        return str(e)
    if isinstance(a, float) and math.isinf(a):
        return "not finite"
    if expected is None or a is None:
        if expected is None and a is None:
            return None
        return "null mismatch"
    if isinstance(a, float) and math.isnan(a):
        return "NaN"
    agg = feature.agg
    if agg == "count":
        return None if a == expected else "count differs"
    if agg == "distinct":
        if expected <= 256:
            return None if a == expected else "distinct differs (exact up to 256)"
        return None if abs(a - expected) <= 0.02 * expected else "distinct off by more than 2%"
    if agg == "share":
        return None if abs(a - expected) <= 1e-12 else "share differs by more than 1e-12"
    if agg == "quantile":
        # Within 1% relative of the exact value at 0-based rank floor(q*(n-1)) (abs 1e-9 at 0).
        lo, hi = bounds if bounds else (expected, expected)
        if abs(a - lo) <= max(0.01 * abs(lo), 1e-9):
            return None
        hint = " (it is within 1% of the value at rank ceil(q*(n-1)): rank convention?)" if abs(a - hi) <= max(0.01 * abs(hi), 1e-9) else ""
        return f"quantile not within 1% of the rank floor(q*(n-1)) value {lo!r}{hint}"
    return None if _close(a, expected) else "differs by more than 1e-9 relative"


def compare_tables(actual: dict, result: reference.Result) -> list[str]:
    """Differences between the CLI's rows and the reference, as readable lines."""
    config = result.config
    expected = expected_table(result)
    problems: list[str] = []
    missing = sorted(set(expected) - set(actual), key=repr)
    extra = sorted(set(actual) - set(expected), key=repr)
    for k in missing[:MAX_REPORTED]:
        problems.append(f"missing row {k} expected {expected[k]}")
    if len(missing) > MAX_REPORTED:
        problems.append(f"... {len(missing)} missing rows in all")
    for k in extra[:MAX_REPORTED]:
        problems.append(f"unexpected row {k}: {actual[k]}")
    if len(extra) > MAX_REPORTED:
        problems.append(f"... {len(extra)} unexpected rows in all")
    value_problems = []
    for k in sorted(set(actual) & set(expected), key=repr):
        a, e = actual[k], expected[k]
        end = to_epoch_ms(a.get("window_end"))
        e_end = reference.parse_rfc3339_ns(e["window_end"]) // 1_000_000
        if end != e_end:
            value_problems.append(f"row {k}: window_end {a.get('window_end')} expected {e['window_end']}")
        bounds = result.quantile_bounds.get(reference.row_key(e, config), {})
        for f in config.features:
            if f.name not in a:
                value_problems.append(f"row {k}: column {f.name} absent")
                continue
            why = check_value(f, a[f.name], e[f.name], bounds.get(f.name))
            if why:
                value_problems.append(
                    f"row {k}: {f.name} ({f.agg}) actual={a[f.name]!r} expected={e[f.name]!r}: {why}"
                )
    problems += value_problems[:MAX_REPORTED]
    if len(value_problems) > MAX_REPORTED:
        problems.append(f"... {len(value_problems)} value mismatches in all")
    return problems


def assert_matches_reference(out_dir, result: reference.Result, fmt: str = "csv") -> None:
    problems = compare_tables(actual_table(out_dir, result.config, fmt), result)
    assert not problems, f"{len(problems)} differences from the reference:\n" + "\n".join(problems)


# --------------------------------------------------------------------------------------------
# Summary and side outputs
# --------------------------------------------------------------------------------------------


def load_summary(out_dir) -> dict:
    p = Path(out_dir) / "_summary.json"
    assert p.is_file(), f"{p} missing"
    return json.loads(p.read_text())


def read_jsonl_dir(d) -> list[dict]:
    recs = []
    for p in sorted(glob.glob(os.path.join(str(d), "*.jsonl"))):
        with open(p, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    recs.append(json.loads(line))
    return recs


def summary_problems(out_dir, result: reference.Result) -> list[str]:
    s = load_summary(out_dir)
    e = result.summary
    problems = []
    for k in ("lines_read", "events_accepted"):
        if s.get(k) != e[k]:
            hint = ""
            if k == "lines_read" and e["header_lines"] and s.get(k) == e[k] + e["header_lines"]:
                hint = " (differs by exactly the CSV header lines)"
            problems.append(f"{k}: actual {s.get(k)} expected {e[k]}{hint}")
    for group in ("rejected", "late") + (("outside",) if "outside" in e else ()):
        got = s.get(group)
        if not isinstance(got, dict):
            problems.append(f"{group}: missing or not an object: {got!r}")
            continue
        for k, v in e[group].items():
            if got.get(k, 0) != v:
                problems.append(f"{group}.{k}: actual {got.get(k)} expected {v}")
        for k in set(got) - set(e[group]):
            if got[k]:
                problems.append(f"{group}.{k}: unexpected {got[k]}")
    n_rows = sum(len(read_rows(out_dir, fmt)[1]) for fmt in SNAPSHOT_GLOB)
    if s.get("rows_written") != n_rows:
        problems.append(f"rows_written {s.get('rows_written')} but the snapshot files hold {n_rows} rows")
    if s.get("rows_written") != e["rows_written"]:
        problems.append(f"rows_written: actual {s.get('rows_written')} expected {e['rows_written']}")
    files = s.get("files")
    on_disk = snapshot_files(out_dir, "csv") + snapshot_files(out_dir, "ndjson") + snapshot_files(out_dir, "parquet")
    if not isinstance(files, list) or sorted(os.path.normpath(f) for f in files) != sorted(on_disk):
        problems.append(f"files {files!r:.300} != snapshot files on disk {on_disk!r:.300}")
    # The summary adds up.
    accepted_plus = s.get("events_accepted", 0) + sum((s.get("rejected") or {}).values()) + e["empty_lines"]
    if s.get("lines_read") not in (accepted_plus, accepted_plus + e["header_lines"]):
        problems.append(
            f"lines_read {s.get('lines_read')} != events_accepted + rejected + empty lines ({accepted_plus})"
        )
    return problems


def side_output_problems(out_dir, result: reference.Result) -> list[str]:
    s = load_summary(out_dir)
    problems = []
    rejects = read_jsonl_dir(Path(out_dir) / "_rejects")
    late = read_jsonl_dir(Path(out_dir) / "_late")
    for rec in rejects:
        for k in ("input", "line", "reason", "raw"):
            if k not in rec:
                problems.append(f"reject record without {k}: {rec}")
                break
    for rec in late:
        for k in ("input", "line", "window", "window_start", "raw"):
            if k not in rec:
                problems.append(f"late record without {k}: {rec}")
                break
    if problems:
        return problems[:MAX_REPORTED]
    by_reason: dict = {}
    for r in rejects:
        by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + 1
    for reason, n in result.summary["rejected"].items():
        if by_reason.get(reason, 0) != n or (s.get("rejected") or {}).get(reason) != n:
            problems.append(
                f"rejects {reason}: {by_reason.get(reason, 0)} records, summary {(s.get('rejected') or {}).get(reason)}, reference {n}"
            )
    got_rejects = {(os.path.basename(str(r["input"])), int(r["line"]), r["reason"]) for r in rejects}
    exp_rejects = {(os.path.basename(r["input"]), r["line"], r["reason"]) for r in result.rejects}
    for x in sorted(exp_rejects - got_rejects)[:5]:
        problems.append(f"reject expected but not recorded: {x}")
    for x in sorted(got_rejects - exp_rejects)[:5]:
        problems.append(f"reject recorded but not expected: {x}")
    exp_raw = {(os.path.basename(r["input"]), r["line"]): r["raw"] for r in result.rejects}
    bad_raw = [
        (r["input"], r["line"], r["raw"])
        for r in rejects
        if (os.path.basename(str(r["input"])), int(r["line"])) in exp_raw
        and not (isinstance(r["raw"], str) and r["raw"][:200] == exp_raw[(os.path.basename(str(r["input"])), int(r["line"]))][:200])
    ]
    for x in bad_raw[:5]:
        problems.append(f"reject record raw is not the input line: {x!r:.300}")
    # Late: one event counts once per window name, whether one record or one per late instance.
    exp_instances = {
        (os.path.basename(r["input"]), r["line"], r["window"], reference.parse_rfc3339_ns(r["window_start"]) // 1_000_000)
        for r in result.late
    }
    got_events: dict = {}
    for r in late:
        got_events.setdefault(r["window"], set()).add((os.path.basename(str(r["input"])), int(r["line"])))
        inst = (os.path.basename(str(r["input"])), int(r["line"]), r["window"], to_epoch_ms(r["window_start"]))
        if inst not in exp_instances and len(problems) < MAX_REPORTED:
            problems.append(f"late record for a window instance the reference does not find late: {inst}")
    for w, n in result.summary["late"].items():
        exp_events = {(os.path.basename(r["input"]), r["line"]) for r in result.late if r["window"] == w}
        got = got_events.get(w, set())
        if len(got) != n or (s.get("late") or {}).get(w) != n:
            problems.append(f"late {w}: {len(got)} events in _late, summary {(s.get('late') or {}).get(w)}, reference {n}")
        for x in sorted(exp_events - got)[:3]:
            problems.append(f"late {w}: expected late event {x} not recorded")
        for x in sorted(got - exp_events)[:3]:
            problems.append(f"late {w}: recorded late event {x} not late in the reference")
    return problems


# --------------------------------------------------------------------------------------------
# Compression helpers
# --------------------------------------------------------------------------------------------


def zstd_frame(data: bytes, level: int = 3, checksum: bool = True) -> bytes:
    args = ["zstd", "-q", "-c", f"-{level}"] + ([] if checksum else ["--no-check"])
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout


def skippable_frame(payload: bytes, nibble: int = 0xA) -> bytes:
    return struct.pack("<II", 0x184D2A50 | nibble, len(payload)) + payload


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def first_block_offset(frame: bytes) -> int:
    """Offset of the first block header in a zstd frame (after magic and frame header)."""
    assert frame[:4] == b"\x28\xb5\x2f\xfd"
    fhd = frame[4]
    fcs_flag = fhd >> 6
    single_segment = (fhd >> 5) & 1
    dict_flag = fhd & 3
    size = 1  # descriptor
    if not single_segment:
        size += 1  # window descriptor
    size += [0, 1, 2, 4][dict_flag]
    size += [1 if single_segment else 0, 2, 4, 8][fcs_flag]
    return 4 + size


def lines_bytes(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


# --------------------------------------------------------------------------------------------
# Reference results (cached on disk by content)
# --------------------------------------------------------------------------------------------

_REF_CACHE = Path(tempfile.gettempdir()) / "areaflow-e2e-reference-cache"


def reference_result(config_path, inputs) -> reference.Result:
    h = hashlib.sha256()
    h.update(Path(reference.__file__).read_bytes())
    h.update(Path(config_path).read_bytes())
    config = reference.load_config(str(config_path))
    for a in config.areas:
        if a.regions_file:
            h.update(Path(a.regions_file).read_bytes())
    lookup = (config.raw.get("input") or {}).get("lookup")
    if lookup:
        table = Path(lookup["table"])
        h.update((table if table.is_absolute() else Path(config_path).parent / table).read_bytes())
    for p in reference.expand_inputs([str(i) for i in inputs]):
        h.update(p.encode())
        h.update(Path(p).read_bytes())
    cache = _REF_CACHE / (h.hexdigest() + ".pickle")
    if cache.is_file():
        try:
            with open(cache, "rb") as f:
                return pickle.load(f)
        except Exception:
            pass
    result = reference.run_reference(config, [str(i) for i in inputs])
    result.events = []  # not needed by the tests; keeps the cache small
    _REF_CACHE.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp%d" % os.getpid())
    with open(tmp, "wb") as f:
        pickle.dump(result, f)
    os.replace(tmp, cache)
    return result


# --------------------------------------------------------------------------------------------
# Workspaces
# --------------------------------------------------------------------------------------------


class Workspace:
    """A synthetic stream with its config (and regions file) in a directory."""

    def __init__(self, root: Path, kind: str):
        self.root = root
        self.kind = kind
        root.mkdir(parents=True, exist_ok=True)
        (root / "regions.geojson").write_text(json.dumps(synth.regions_geojson()))
        if kind in ("transport", "transport_areas"):
            self.config = root / (kind + ".yaml")
            self.config.write_text(synth.TRANSPORT_CONFIG if kind == "transport" else synth.TRANSPORT_AREAS_CONFIG)
            self.lines = synth.transport_lines()
            self.input = root / "transport.ndjson"
        else:
            self.config = root / "connectivity.yaml"
            self.config.write_text(synth.CONNECTIVITY_CONFIG)
            self.lines = synth.connectivity_lines()
            self.input = root / "connectivity.csv"
        self.input.write_bytes(lines_bytes(self.lines))
        self._result = None

    @property
    def result(self) -> reference.Result:
        if self._result is None:
            self._result = reference_result(self.config, [self.input])
        return self._result


@pytest.fixture(scope="session")
def transport_ws(tmp_path_factory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("synth-transport"), "transport")


@pytest.fixture(scope="session")
def transport_areas_ws(tmp_path_factory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("synth-transport-areas"), "transport_areas")


@pytest.fixture(scope="session")
def connectivity_ws(tmp_path_factory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("synth-connectivity"), "connectivity")


class ReplayCache:
    """Replays shared between tests: (config, inputs, extra args, format) -> output dir."""

    def __init__(self, root: Path):
        self.root = root
        self.done: dict = {}

    def get(self, config, inputs, *extra, fmt: str = "csv") -> Path:
        key = (str(config), tuple(map(str, inputs)), extra, fmt)
        if key not in self.done:
            out = self.root / ("run%03d" % len(self.done))
            p = replay(config, inputs, out, *extra, fmt=fmt)
            self.done[key] = (out, p)
        return self.done[key][0]


@pytest.fixture(scope="session")
def replays(tmp_path_factory, areaflow) -> ReplayCache:
    return ReplayCache(tmp_path_factory.mktemp("replays"))


def bundled(kind: str) -> tuple[Path, Path]:
    config, fixture = BUNDLED[kind]
    assert config.is_file(), f"bundled config {config} missing"
    assert fixture.is_file(), f"bundled fixture {fixture} missing"
    return config, fixture
