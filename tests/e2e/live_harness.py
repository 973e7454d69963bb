"""Helpers for the end-to-end tests of `areaflow run` (live mode): real processes, signals, files and sockets.

- `LiveRun` starts `areaflow run`, drains its stderr on a thread (so a chatty process never blocks on a full pipe),
  and lets a test wait for a log phrase (`commit staged`, `checkpoint written`, `flush committed`, ...), send a
  signal, SIGKILL it, and read its peak resident memory.
- `SnapshotDir` reads what a run has committed exactly as a reader would (the contract glob `DIR/**/*.csv`, every
  file parsed with the csv module), and checks it: no file that fails to parse, no leftover staging file, no
  duplicate row, and rows equal to (or, mid-run, a subset of) what `replay` writes for the same stream.
- `ZstdAppender` appends a stream to a file as zstd frames made by the `zstd` CLI, the way a logger does, and can
  stop in the middle of a frame.

The binary is the one conftest uses: `$AREAFLOW_BIN`, else `<repo>/.build/debug/areaflow`.
"""

from __future__ import annotations

import collections
import csv
import glob
import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import yaml

from conftest import areaflow_path, lines_bytes, zstd_frame  # noqa: F401  (re-exported for the tests)

# Generous: a debug build on a busy 2-core VM.
START_TIMEOUT_S = 60
EXIT_TIMEOUT_S = 120
POLL_S = 0.05

LOG_RUN_STARTED = "run started"
LOG_RESUMED = "resumed from checkpoint"
LOG_COMMIT_STAGED = "commit staged"
LOG_CHECKPOINT_WRITTEN = "checkpoint written"
LOG_FLUSH_COMMITTED = "flush committed"
LISTENING_RE = re.compile(r"listening on tcp://([0-9.]+):(\d+)")
PAUSE_ENV = "AREAFLOW_TEST_COMMIT_PAUSE_MS"


# --------------------------------------------------------------------------------------------
# Configs
# --------------------------------------------------------------------------------------------

# Transport features of every kind the crash test compares: count, distinct, mean, quantile, share.
TRANSPORT_FEATURES = {
    "events": "count",
    "vehicles": {"distinct": "vehicle_id"},
    "speed_mean": {"mean": "speed_kmh"},
    "speed_p90": {"quantile": "speed_kmh", "q": 0.9},
    "crawling_share": {"share": "speed_kmh", "below": 5},
}


def write_config(
    path: Path,
    *,
    windows=None,
    areas=None,
    features=None,
    dimensions=("route",),
    max_out_of_order="30s",
    allowed_lateness="0s",
    idle_timeout="1h",
    flush_every="300ms",
    fmt="csv",
) -> Path:
    """A transport config (NDJSON, `ts`/`lat`/`lon`) written as YAML to `path`."""
    cfg = {
        "name": "live-test",
        "input": {
            "format": "ndjson",
            "time": {"field": "ts", "format": "auto"},
            "lat": "lat",
            "lon": "lon",
            "dimensions": list(dimensions),
        },
        "areas": areas or [{"name": "gh5", "geohash": 5}],
        "windows": windows
        or [{"name": "1m", "tumbling": "1m"}, {"name": "5m", "hopping": "5m", "every": "1m"}],
        "watermark": {
            "max_out_of_order": max_out_of_order,
            "allowed_lateness": allowed_lateness,
            "idle_timeout": idle_timeout,
        },
        "features": features or TRANSPORT_FEATURES,
        "output": {"format": fmt, "flush_every": flush_every},
    }
    if not dimensions:
        del cfg["input"]["dimensions"]
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def feature_names(config_path: Path) -> tuple[list[str], set[str]]:
    """(feature column names in order, the floating-point ones)."""
    cfg = yaml.safe_load(Path(config_path).read_text())
    names, floats = [], set()
    for name, spec in cfg["features"].items():
        names.append(name)
        kind = spec if isinstance(spec, str) else next(k for k in spec if k not in ("q", "below", "above"))
        if kind not in ("count", "distinct"):
            floats.add(name)
    return names, floats


# --------------------------------------------------------------------------------------------
# Streams
# --------------------------------------------------------------------------------------------


def generate(path: Path, n: int, seed: int, *extra) -> list[bytes]:
    """`areaflow generate transport -n N --seed S [extra] -o PATH`; returns the lines (without newlines)."""
    p = subprocess.run(
        [str(areaflow_path()), "generate", "transport", "-n", str(n), "--seed", str(seed), *map(str, extra),
         "-o", str(path)],
        capture_output=True, timeout=600,
    )
    assert p.returncode == 0, f"generate failed: {p.stderr.decode(errors='replace')[-2000:]}"
    data = Path(path).read_bytes()
    assert data.endswith(b"\n")
    return data[:-1].split(b"\n")


def join_lines(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def last_event_time_ms(lines: list[bytes]) -> int:
    """Largest `ts` (RFC 3339) among well-formed lines, in epoch ms."""
    import reference

    best = None
    for line in lines:
        try:
            ts = json.loads(line)["ts"]
        except Exception:
            continue
        ns = reference.parse_rfc3339_ns(ts) if isinstance(ts, str) else None
        if ns is not None and (best is None or ns > best):
            best = ns
    assert best is not None
    return best // 1_000_000


def append(path: Path, data: bytes) -> None:
    """Appends and flushes, as a logger does (O_APPEND)."""
    fd = os.open(str(path), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    finally:
        os.close(fd)


class ZstdAppender:
    """Appends bytes to a file as independent zstd frames (the `zstd` CLI), optionally half a frame at a time."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.frames = 0
        self.half_frames = 0

    def frame(self, data: bytes, level: int = 3) -> bytes:
        return zstd_frame(data, level=level, checksum=self.frames % 2 == 0)

    def append_frame(self, data: bytes, split_pause_s: float = 0.0, stop: threading.Event | None = None) -> None:
        f = self.frame(data, level=1 + self.frames % 5)
        self.frames += 1
        if split_pause_s > 0 and len(f) > 8:
            cut = len(f) // 2
            append(self.path, f[:cut])
            self.half_frames += 1
            # An unfinished frame must wait for its bytes; a kill may come meanwhile.
            if stop is not None:
                stop.wait(split_pause_s)
            else:
                time.sleep(split_pause_s)
            append(self.path, f[cut:])
        else:
            append(self.path, f)


# --------------------------------------------------------------------------------------------
# Running `areaflow run`
# --------------------------------------------------------------------------------------------


def run_args(config, out, inputs, *extra) -> list[str]:
    return ["run", "--config", str(config), "--out", str(out), *map(str, extra), *map(str, inputs)]


class LiveRun:
    """One `areaflow run` process. stderr is collected line by line on a thread."""

    def __init__(self, args: list[str], env: dict | None = None, stdin=subprocess.DEVNULL, user: int | None = None,
                 group: int | None = None, binary: Path | None = None, cwd: Path | None = None):
        self.cmd = [str(binary or areaflow_path())] + [str(a) for a in args]
        full_env = dict(os.environ)
        full_env.pop(PAUSE_ENV, None)
        full_env.update(env or {})
        kwargs = {}
        if user is not None:
            kwargs["user"] = user
            kwargs["group"] = group if group is not None else user
            kwargs["extra_groups"] = []
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            self.cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env,
            cwd=str(cwd) if cwd else None, **kwargs,
        )
        self.pid = self.proc.pid
        self.lines: list[str] = []
        self.stdout_chunks: list[bytes] = []
        self._cond = threading.Condition()
        self._eof = False
        self.rusage = None
        self.hwm_kb = 0  # largest VmHWM seen by `poll_memory`
        self.rss_kb = 0  # VmRSS at the last `poll_memory`
        self._err_thread = threading.Thread(target=self._read_stderr, daemon=True)
        self._out_thread = threading.Thread(target=self._read_stdout, daemon=True)
        self._err_thread.start()
        self._out_thread.start()

    # ---- output ----

    def _read_stderr(self):
        for raw in iter(self.proc.stderr.readline, b""):
            with self._cond:
                self.lines.append(raw.decode(errors="replace").rstrip("\r\n"))
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _read_stdout(self):
        for chunk in iter(lambda: self.proc.stdout.read(65536), b""):
            self.stdout_chunks.append(chunk)

    def stderr_text(self, last: int = 6000) -> str:
        with self._cond:
            text = "\n".join(self.lines)
        return text[-last:]

    def describe(self) -> str:
        rc = self.proc.returncode
        return (f"`{' '.join(self.cmd)}` (pid {self.pid}, {'running' if rc is None else f'exit {rc}'})\n"
                f"stderr (tail):\n{self.stderr_text()}")

    def count(self, needle: str | re.Pattern) -> int:
        with self._cond:
            return sum(1 for line in self.lines if _matches(needle, line))

    def wait_for(self, needle: str | re.Pattern, timeout: float = START_TIMEOUT_S, start: int = 0,
                 count: int = 1, stop: threading.Event | None = None) -> int | None:
        """Index of the `count`-th stderr line at index >= `start` matching `needle`; None when the process ended,
        `stop` was set or `timeout` passed first."""
        deadline = time.monotonic() + timeout
        seen = 0
        i = start
        with self._cond:
            while True:
                while i < len(self.lines):
                    if _matches(needle, self.lines[i]):
                        seen += 1
                        if seen >= count:
                            return i
                    i += 1
                if self._eof or (stop is not None and stop.is_set()):
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(min(left, 0.2))

    def expect(self, needle, timeout: float = START_TIMEOUT_S, start: int = 0, count: int = 1) -> int:
        i = self.wait_for(needle, timeout, start, count)
        assert i is not None, f"no stderr line matching {needle!r} (#{count}) within {timeout}s from {self.describe()}"
        return i

    def line_count(self) -> int:
        with self._cond:
            return len(self.lines)

    def listening_port(self, timeout: float = START_TIMEOUT_S) -> int:
        i = self.expect(LISTENING_RE, timeout)
        return int(LISTENING_RE.search(self.lines[i]).group(2))

    # ---- process ----

    def alive(self) -> bool:
        if self.proc.returncode is not None:
            return False
        self._reap(block=False)
        return self.proc.returncode is None

    def poll_memory(self) -> int:
        """Reads VmHWM (peak RSS, kB) from /proc while the process lives; keeps the largest."""
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        self.hwm_kb = max(self.hwm_kb, int(line.split()[1]))
                    elif line.startswith("VmRSS:"):
                        self.rss_kb = int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
        return self.hwm_kb

    def _reap(self, block: bool) -> None:
        """wait4 ourselves to get the child's rusage (ru_maxrss = its peak RSS)."""
        if self.proc.returncode is not None:
            return
        try:
            pid, status, rusage = os.wait4(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            # Somebody else reaped it (Popen); fall back.
            self.proc.wait()
            return
        if pid == 0:
            return
        self.rusage = rusage
        self.proc.returncode = os.waitstatus_to_exitcode(status)

    def send(self, sig: int) -> None:
        if self.alive():
            os.kill(self.pid, sig)

    def wait(self, timeout: float = EXIT_TIMEOUT_S) -> int | None:
        """Exit status, or None when still running after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            self.poll_memory()
            if not self.alive():
                self._finish_threads()
                return self.proc.returncode
            if time.monotonic() >= deadline:
                return None
            time.sleep(POLL_S)

    def wait_exit(self, timeout: float = EXIT_TIMEOUT_S, rc: int | None = 0) -> float:
        """Waits for the exit (failing after `timeout`), checks the status; returns the seconds waited."""
        t0 = time.monotonic()
        got = self.wait(timeout)
        waited = time.monotonic() - t0
        if got is None:
            self.kill()
            raise AssertionError(f"did not exit within {timeout}s: {self.describe()}")
        if rc is not None:
            assert got == rc, f"exit status {got}, expected {rc}: {self.describe()}"
        return waited

    def kill(self) -> None:
        """SIGKILL and reap."""
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._reap(block=True)
        self._finish_threads()

    def _finish_threads(self):
        self._err_thread.join(10)
        self._out_thread.join(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                if stream:
                    stream.close()
            except Exception:
                pass


def _matches(needle, line: str) -> bool:
    if isinstance(needle, re.Pattern):
        return needle.search(line) is not None
    return needle in line


def run_once(config, out, inputs, *extra, timeout: float = EXIT_TIMEOUT_S, rc: int | None = 0, env=None,
             **kwargs) -> LiveRun:
    """`areaflow run --once ...` to its end."""
    r = LiveRun(run_args(config, out, inputs, "--once", *extra), env=env, **kwargs)
    try:
        r.wait_exit(timeout, rc)
    finally:
        r.kill()
    return r


# --------------------------------------------------------------------------------------------
# Reading a snapshot directory
# --------------------------------------------------------------------------------------------


STAGING_HINTS = (".staged", ".tmp", ".partial", ".inprogress", "~")


def is_staging_name(name: str) -> bool:
    return name.startswith(".") or any(h in name for h in STAGING_HINTS)


def load_summary(out) -> dict | None:
    p = Path(out) / "_summary.json"
    if not p.is_file():
        return None
    return json.loads(p.read_text())


def summary_or_none(out) -> dict | None:
    """`_summary.json` as it stands; None when absent (or being replaced right now, retried once)."""
    for _ in range(3):
        try:
            return load_summary(out)
        except (json.JSONDecodeError, OSError):
            time.sleep(0.05)
    return load_summary(out)  # a third failure raises: a torn summary is a bug


def wait_summary(out, predicate, timeout: float, what: str, run: LiveRun | None = None) -> dict:
    """Polls `_summary.json` until `predicate(summary)` holds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        s = summary_or_none(out)
        if s is not None:
            last = s
            if predicate(s):
                return s
        if run is not None and not run.alive():
            raise AssertionError(f"run exited while waiting for {what}; last summary {_brief(last)}\n{run.describe()}")
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last summary {_brief(last)}"
                         + (f"\n{run.describe()}" if run else ""))


def _brief(s):
    if not s:
        return s
    return {k: s.get(k) for k in ("lines_read", "events_accepted", "rejected", "late", "rows_written", "watermark")}


COUNTERS = ("lines_read", "empty_lines", "events_accepted", "rejected", "late", "outside")


def counters(s: dict) -> dict:
    return {k: s.get(k) for k in COUNTERS}


class SnapshotDir:
    """What is committed under an output directory, read as a reader would."""

    def __init__(self, out, fmt: str = "csv"):
        self.out = Path(out)
        self.fmt = fmt
        self.problems: list[str] = []
        self.files = sorted(glob.glob(os.path.join(str(self.out), f"**/*.{fmt}"), recursive=True))
        self.rows: list[dict] = []
        for path in self.files:
            self._read(path)

    def _read(self, path: str):
        rel = os.path.relpath(path, self.out)
        try:
            with open(path, newline="", encoding="utf-8") as f:
                data = f.read()
        except FileNotFoundError:
            self.problems.append(f"{rel}: listed but gone")
            return
        if not data.endswith("\n"):
            self.problems.append(f"{rel}: does not end with a newline (torn?), {len(data)} bytes")
        reader = csv.reader(data.splitlines())
        try:
            header = next(reader)
        except StopIteration:
            self.problems.append(f"{rel}: empty file")
            return
        for n, rec in enumerate(reader, start=2):
            if len(rec) != len(header):
                self.problems.append(f"{rel}:{n}: {len(rec)} fields, header has {len(header)}")
                continue
            row = dict(zip(header, rec))
            row["__file"] = rel
            self.rows.append(row)

    def leftover_staging(self) -> list[str]:
        """Files or directories with staging/hidden/temporary names anywhere under the directory."""
        found = []
        for root, dirs, files in os.walk(self.out):
            for name in dirs + files:
                if is_staging_name(name):
                    found.append(os.path.relpath(os.path.join(root, name), self.out))
        return sorted(found)

    def side_records(self, kind: str) -> tuple[list[dict], list[str]]:
        """`_rejects` or `_late` records; (records, problems: files or lines that do not parse)."""
        recs, problems = [], []
        for path in sorted(glob.glob(os.path.join(str(self.out), kind, "*.jsonl"))):
            with open(path, encoding="utf-8", errors="replace") as f:
                data = f.read()
            if data and not data.endswith("\n"):
                problems.append(f"{os.path.relpath(path, self.out)}: does not end with a newline (torn?)")
            for n, line in enumerate(data.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    recs.append(json.loads(line))
                except json.JSONDecodeError as e:
                    problems.append(f"{os.path.relpath(path, self.out)}:{n}: {e}")
        return recs, problems


def row_key(row: dict, features: list[str]) -> tuple:
    return tuple(sorted((k, v) for k, v in row.items() if k not in features and k != "__file"))


def _float_close(a: str, e: str) -> bool:
    if a == e:
        return True
    if a == "" or e == "":
        return False
    fa, fe = float(a), float(e)
    return abs(fa - fe) <= max(1e-9 * abs(fe), 1e-12)


def compare_rows(actual: list[dict], expected: list[dict], features: list[str], floats: set[str],
                 subset: bool = False, limit: int = 12) -> tuple[list[str], int]:
    """Problems (missing, extra and duplicate rows, differing values) and how many float cells differ as text
    while within 1e-9 relative. With `subset`, rows of `expected` may be missing (a run still going)."""
    problems: list[str] = []
    exp: dict = {}
    for r in expected:
        exp[row_key(r, features)] = r
    seen: dict = collections.defaultdict(list)
    for r in actual:
        seen[row_key(r, features)].append(r)
    dups = [(k, rs) for k, rs in seen.items() if len(rs) > 1]
    for k, rs in dups[:limit]:
        problems.append(f"duplicate row ({len(rs)}x, files {[r['__file'] for r in rs]}): {dict(k)}")
    if len(dups) > limit:
        problems.append(f"... {len(dups)} duplicated row keys in all")
    extra = [k for k in seen if k not in exp]
    for k in extra[:limit]:
        problems.append(f"row not in replay's output: {dict(k)} {_features(seen[k][0], features)}")
    if len(extra) > limit:
        problems.append(f"... {len(extra)} rows not in replay's output in all")
    if not subset:
        missing = [k for k in exp if k not in seen]
        for k in missing[:limit]:
            problems.append(f"row missing (replay has it): {dict(k)} {_features(exp[k], features)}")
        if len(missing) > limit:
            problems.append(f"... {len(missing)} missing rows in all")
    diffs, text_only = [], 0
    for k, rs in seen.items():
        e = exp.get(k)
        if e is None:
            continue
        for f in features:
            a, x = rs[0].get(f), e.get(f)
            if a == x:
                continue
            if a is not None and x is not None and f in floats and _float_close(a, x):
                text_only += 1
                continue
            diffs.append(f"{dict(k)}: {f} = {a!r}, replay has {x!r}")
    problems += diffs[:limit]
    if len(diffs) > limit:
        problems.append(f"... {len(diffs)} differing values in all")
    return problems, text_only


def _features(row: dict, features: list[str]) -> dict:
    return {f: row.get(f) for f in features}


def check_committed(out, expected_rows: list[dict], config, subset: bool, what: str) -> SnapshotDir:
    """Every committed file parses, no duplicates, rows equal (or are a subset of) `expected_rows`."""
    snap = SnapshotDir(out)
    features, floats = feature_names(config)
    problems = list(snap.problems)
    p, _ = compare_rows(snap.rows, expected_rows, features, floats, subset=subset)
    problems += p
    assert not problems, f"{what}: {len(problems)} problems in {out}:\n" + "\n".join(problems[:40])
    return snap


def side_multiset(records: list[dict], kind: str) -> collections.Counter:
    if kind == "_rejects":
        return collections.Counter((int(r["line"]), r["reason"]) for r in records)
    return collections.Counter((int(r["line"]), r["window"], str(r["window_start"])) for r in records)


def replay_to(config, inputs, out) -> SnapshotDir:
    """`areaflow replay` of the same stream: the oracle of every live test."""
    p = subprocess.run(
        [str(areaflow_path()), "replay", "--config", str(config), "--out", str(out), "--quiet",
         *map(str, inputs)],
        capture_output=True, timeout=600,
    )
    assert p.returncode == 0, f"replay failed ({p.returncode}): {p.stderr.decode(errors='replace')[-3000:]}"
    snap = SnapshotDir(out)
    assert not snap.problems, snap.problems
    return snap


def assert_same_as_replay(out, replay_out, config, what: str, side_outputs: bool = True) -> None:
    """Final check of a live output directory against replay's: files, rows, counters, rejects and late."""
    live, rep = SnapshotDir(out), SnapshotDir(replay_out)
    features, floats = feature_names(config)
    problems = list(live.problems)
    left = live.leftover_staging()
    if left:
        problems.append(f"staging/temporary files left behind: {left[:10]}")
    p, text_only = compare_rows(live.rows, rep.rows, features, floats)
    problems += p
    s, rs = summary_or_none(out), summary_or_none(replay_out)
    if s is None:
        problems.append("no _summary.json")
    else:
        if counters(s) != counters(rs):
            problems.append(f"summary counters differ:\n  run    {counters(s)}\n  replay {counters(rs)}")
        if s.get("rows_written") != len(live.rows):
            problems.append(f"rows_written {s.get('rows_written')} but {len(live.rows)} rows on disk")
        listed = sorted(s.get("files") or [])
        on_disk = sorted(os.path.relpath(f, out) for f in live.files)
        if listed != on_disk:
            problems.append(f"_summary.json files {listed[:6]}... ({len(listed)}) != files on disk "
                            f"{on_disk[:6]}... ({len(on_disk)})")
    if side_outputs:
        for kind in ("_rejects", "_late"):
            got, gp = live.side_records(kind)
            exp, _ = rep.side_records(kind)
            problems += gp
            g, e = side_multiset(got, kind), side_multiset(exp, kind)
            if g != e:
                dup = [k for k, n in g.items() if n > 1]
                problems.append(
                    f"{kind}: {sum(g.values())} records, replay has {sum(e.values())}; "
                    f"missing {sorted((e - g).elements())[:5]}, extra {sorted((g - e).elements())[:5]}, "
                    f"duplicated {dup[:5]}")
    if text_only:
        print(f"{what}: {text_only} float cells differ from replay as text but within 1e-9")
    assert not problems, f"{what}: {len(problems)} differences from replay:\n" + "\n".join(problems[:60])
