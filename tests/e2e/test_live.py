"""`areaflow run` (live mode, SPEC section 5) against `areaflow replay` of the same stream, with real processes,
signals, files and sockets.

The oracle: whatever `run` commits — after any number of `kill -9` and restarts, after rotation, truncation, a
quiet feed or a read-only output directory — must equal what `replay` writes for the stream that was fed in:
the same rows (none missing, none twice), the same counters, the same rejects and late records, and no torn or
staging file left behind.

Knobs: `AREAFLOW_E2E_SEED` (random choices), `AREAFLOW_E2E_CRASH_KILLS` (SIGKILLs in the zstd crash test, default
24, plus two inside the final `run --once`), `AREAFLOW_E2E_CSV_CRASH_KILLS` (in the CSV one, default 10),
`AREAFLOW_E2E_MEMORY_EVENTS` (events pushed over TCP in the memory test, default 10,000,000; the stream is generated
once and kept under `$TMPDIR/areaflow-e2e-live-cache`), `AREAFLOW_E2E_MEMORY_BOUND_MB` (its peak RSS bound, 400).

The read-only test runs the binary as `nobody` when the tests run as root (root ignores permission bits); the
disk-full test mounts a small tmpfs and is skipped where mounting is not permitted.
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from conftest import areaflow_path, skippable_frame
from live_harness import (
    LOG_CHECKPOINT_WRITTEN,
    LOG_COMMIT_STAGED,
    LOG_FLUSH_COMMITTED,
    LOG_RESUMED,
    LOG_RUN_STARTED,
    PAUSE_ENV,
    LiveRun,
    SnapshotDir,
    ZstdAppender,
    append,
    assert_same_as_replay,
    check_committed,
    generate,
    join_lines,
    last_event_time_ms,
    replay_to,
    run_args,
    run_once,
    summary_or_none,
    wait_summary,
    write_config,
)

SEED = int(os.environ.get("AREAFLOW_E2E_SEED", "20261126"))
DEBUG = ("--log-level", "debug")
STOP_SECONDS = 5.0  # SIGINT/SIGTERM: exit 0 within this


@pytest.fixture(autouse=True)
def _binary(areaflow):
    """Every test needs the binary: a missing one fails with conftest's message."""
    return areaflow


def _rfc3339(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _messy_extras(rng: random.Random) -> list[bytes]:
    """Hand-made mess on top of what `generate` already holds: every reject reason, blank lines, CRLF, a long
    line that will straddle zstd frames, non-ASCII text. `@TS@` is replaced by the time of a neighbouring line, so
    the accepted ones do not move the watermark."""
    return [
        b"{not json at all",
        b'["an", "array"]',
        b'{"ts":"yesterday","vehicle_id":"bus-x","route":"N1","lat":52.5,"lon":13.4,"speed_kmh":3}',
        b'{"vehicle_id":"bus-x","route":"N1","lat":52.5,"lon":13.4}',
        b'{"ts":"@TS@","vehicle_id":"bus-x","route":"N1","lat":"north","lon":13.4}',
        b'{"ts":"@TS@","vehicle_id":"bus-x","route":"N1","lat":95.0,"lon":13.4}',
        b"",
        b"   \t ",
        b'{"ts":"@TS@","vehicle_id":"bus-crlf","route":"M1","lat":52.51,"lon":13.39,"speed_kmh":12.5}\r',
        ("{\"ts\":\"@TS@\",\"vehicle_id\":\"bus-\u00fc\",\"route\":\"\u00dc-Bahn\","
         "\"lat\":52.52,\"lon\":13.40,\"speed_kmh\":2.5}").encode(),
        b'{"malformed": "' + b"x" * (9000 + rng.randrange(3000)),
    ]


_TS = re.compile(rb'"ts":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)"')


def _with_mess(lines: list[bytes], rng: random.Random, copies: int = 3) -> list[bytes]:
    out = list(lines)
    for _ in range(copies):
        for extra in _messy_extras(rng):
            at = rng.randrange(1, len(out))
            if b"@TS@" in extra:
                near = next(m for j in range(at - 1, -1, -1) if (m := _TS.search(out[j])))
                extra = extra.replace(b"@TS@", near.group(1))
            out.insert(at, extra)
    return out


def _checkpoint_present(out: Path) -> bool:
    d = out / "_checkpoint"
    return d.is_dir() and any(p.is_file() and p.stat().st_size > 0 for p in d.rglob("*"))


def _tree_digest(out: Path) -> dict:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


# ============================================================================================
# 1. Crash test: SIGKILL at random moments, including inside a commit, while a zstd file grows
# ============================================================================================

CRASH_KILLS = int(os.environ.get("AREAFLOW_E2E_CRASH_KILLS", "24"))
CSV_CRASH_KILLS = int(os.environ.get("AREAFLOW_E2E_CSV_CRASH_KILLS", "10"))
CRASH_LINES = 60000
# kill modes, cycled: after a random delay, inside a commit (between `commit staged` and the checkpoint / between the
# checkpoint and the renames), and the moment the process says it has started or resumed.
CRASH_MODES = ["delay", "staged", "delay", "checkpoint", "started", "delay"]
COMMIT_PAUSE_MS = 400


class _Writer(threading.Thread):
    """Appends `data` to a file in bursts cut anywhere (also inside a line). Compressed: one zstd frame per burst,
    sometimes written half, then the rest later, and now and then a skippable frame. Plain: the bytes as they are,
    sometimes in two writes with a pause between."""

    def __init__(self, path: Path, data: bytes, rng: random.Random, duration_s: float, zstd: bool = True,
                 burst: tuple[int, int] = (20_000, 300_000)):
        super().__init__(daemon=True)
        self.appender = ZstdAppender(path)
        self.path, self.data, self.rng, self.pos, self.zstd, self.burst = Path(path), data, rng, 0, zstd, burst
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.duration_s = duration_s
        self.skippable = 0
        self.halves = 0

    def write_now(self, n: int) -> None:
        """Writes the next `n` bytes at once (before the first start)."""
        chunk = self.data[self.pos:self.pos + n]
        self.pos += len(chunk)
        if self.zstd:
            self.appender.append_frame(chunk)
        else:
            append(self.path, chunk)

    def run(self):
        try:
            pause = self.duration_s / max(1, (len(self.data) - self.pos) // (sum(self.burst) // 2))
            while self.pos < len(self.data) and not self.stop.is_set():
                chunk = self.data[self.pos:self.pos + self.rng.randrange(*self.burst)]
                self.pos += len(chunk)
                split = self.rng.uniform(0.2, 0.9) if self.rng.random() < 0.25 else 0.0
                if self.zstd:
                    if self.rng.random() < 0.06:
                        append(self.path, skippable_frame(b"areaflow-live-test", self.rng.randrange(16)))
                        self.skippable += 1
                    self.appender.append_frame(chunk, split_pause_s=split)
                elif split:
                    cut = self.rng.randrange(len(chunk))
                    append(self.path, chunk[:cut])
                    time.sleep(split)
                    append(self.path, chunk[cut:])
                else:
                    append(self.path, chunk)
                self.halves += bool(split)
                self.stop.wait(self.rng.uniform(0.3, 1.7) * pause)
        except BaseException as e:  # noqa: BLE001  (reported by the test)
            self.error = e


def _kill_loop(config, out, feed, expected_rows, writer: _Writer, kills: int, rng: random.Random) -> list:
    """Starts `areaflow run` on `feed` and SIGKILLs it, again and again, until `kills` kills are done and the writer
    has finished. The first kill comes before anything is committed and the second inside the very first commit
    (no checkpoint exists yet); later ones after a random delay, inside a commit (between `commit staged` and the
    checkpoint, or between the checkpoint and the renames), or as soon as the process says it started or resumed.
    After each kill, what is committed must be whole, never twice, and a subset of replay's rows."""
    log = []
    i = 0
    try:
        while i < kills or (writer.is_alive() and i < 4 * kills):
            mode = "delay" if i == 0 else "staged" if i == 1 else CRASH_MODES[i % len(CRASH_MODES)]
            env = {PAUSE_ENV: str(COMMIT_PAUSE_MS)} if mode in ("staged", "checkpoint") else {}
            # A resumed run keeps the checkpoint's shard count whatever --threads says.
            args = run_args(config, out, [feed], *DEBUG, "--threads", rng.choice(["1", "2", "4"]))
            with LiveRun(args, env=env) as r:
                if mode == "delay":
                    time.sleep(0.0 if i == 0 else rng.choice([0.0, 0.05, rng.uniform(0.1, 2.5)]))
                elif mode == "started":
                    idx = r.wait_for(re.compile(f"{LOG_RUN_STARTED}|{LOG_RESUMED}"), timeout=60)
                    assert idx is not None, f"kill {i}: never said it started\n{r.describe()}"
                else:
                    phrase = LOG_COMMIT_STAGED if mode == "staged" else LOG_CHECKPOINT_WRITTEN
                    # Once the writer is done a run that has caught up may have nothing to commit.
                    idx = r.wait_for(phrase, timeout=60 if writer.is_alive() else 10,
                                     count=1 if i == 1 else rng.randint(1, 3))
                    assert r.alive(), f"kill {i} ({mode}): the run ended by itself\n{r.describe()}"
                    if idx is None and not writer.is_alive():
                        mode = "delay*"  # nothing left to commit: input finished
                    else:
                        assert idx is not None, f"kill {i} ({mode}): no {phrase!r} line\n{r.describe()}"
                        mode += "!"  # landed inside a commit
                assert r.alive(), f"kill {i} ({mode}): the run ended by itself\n{r.describe()}"
                r.kill()
                staged = SnapshotDir(out).leftover_staging() if out.exists() else []
                s = summary_or_none(out) if out.exists() else None
                log.append((i, mode, round(time.monotonic() - r.started_at, 2), len(staged),
                            s and s.get("lines_read")))
            if out.exists():
                check_committed(out, expected_rows, config, subset=True, what=f"after kill {i} ({mode})")
            if rng.random() < 0.3:
                time.sleep(rng.uniform(0.1, 1.0))
            i += 1
        writer.join(180)
    finally:
        writer.stop.set()
        writer.join(60)
    assert writer.error is None, f"writer failed: {writer.error!r}"
    assert writer.pos == len(writer.data), "writer did not finish"
    # `run --once` closes every window in one last commit: kill it inside that commit too.
    for phrase in (LOG_COMMIT_STAGED, LOG_CHECKPOINT_WRITTEN):
        with LiveRun(run_args(config, out, [feed], "--once", *DEBUG), env={PAUSE_ENV: "1500"}) as r:
            idx = r.wait_for(phrase, timeout=120)
            assert idx is not None and r.alive(), f"run --once: no {phrase!r} to interrupt\n{r.describe()}"
            r.kill()
        check_committed(out, expected_rows, config, subset=True, what=f"after killing run --once at {phrase!r}")
        log.append((len(log), "once:" + phrase.split()[0] + "!", round(time.monotonic() - r.started_at, 2),
                    len(SnapshotDir(out).leftover_staging()), (summary_or_none(out) or {}).get("lines_read")))
    in_commit = sum(1 for entry in log if entry[1].endswith("!"))
    print(f"\n{len(log)} kills ({in_commit} inside a commit, {sum(1 for e in log if e[3])} left staged files), "
          f"{writer.appender.frames} zstd frames, {writer.halves} bursts written in halves, "
          f"{writer.skippable} skippable frames")
    for entry in log:
        print("  kill %2d %-18s after %5.2fs, staged files %d, lines_read %s" % entry)
    assert in_commit >= min(6, kills // 4), f"only {in_commit} kills landed inside a commit"
    return log


def test_sigkill_at_random_moments_while_a_zstd_file_grows_commits_exactly_replays_rows(tmp_path):
    rng = random.Random(SEED)
    config = write_config(tmp_path / "live.yaml", flush_every="300ms", idle_timeout="1h")
    lines = generate(tmp_path / "generated.ndjson", CRASH_LINES, SEED, "--sources", 150)
    lines = _with_mess(lines, rng)
    plain = tmp_path / "stream.ndjson"
    data = join_lines(lines)
    plain.write_bytes(data)
    expected = replay_to(config, [plain], tmp_path / "replay-plain")
    assert len(expected.rows) > 1000

    live = tmp_path / "feed.ndjson.zst"
    out = tmp_path / "out"
    writer = _Writer(live, data, random.Random(SEED + 1), duration_s=25.0)
    writer.write_now(50_000)  # the file exists, with one whole frame, before the first start
    writer.start()
    log = _kill_loop(config, out, live, expected.rows, writer, CRASH_KILLS, rng)

    r = run_once(config, out, [live], *DEBUG, timeout=300)
    assert r.count(LOG_RESUMED) >= 1, f"the final run did not resume from the checkpoint\n{r.describe()}"
    # The oracle: replay of the very file that was followed (and it equals the plain stream's replay).
    replay_zst = tmp_path / "replay-zst"
    replay_to(config, [live], replay_zst)
    assert_same_as_replay(replay_zst, tmp_path / "replay-plain", config, "replay of the zstd file vs plain",
                          side_outputs=False)
    assert_same_as_replay(out, replay_zst, config, f"run after {len(log)} SIGKILLs")


REGIONS = Path(__file__).resolve().parents[2] / "fixtures" / "regions" / "sample.geojson"


def test_sigkill_while_a_csv_file_grows_with_h3_and_regions_commits_exactly_replays_rows(tmp_path):
    """The same with CSV (a header to remember across restarts: the first bytes on disk are half of it), H3
    hexagons and region polygons, and a plain file appended in pieces."""
    rng = random.Random(SEED + 20)
    config = tmp_path / "connectivity.yaml"
    config.write_text(yaml.safe_dump({
        "name": "live-csv",
        "input": {"format": "csv", "time": {"field": "ts", "format": "epoch_ms"}, "lat": "lat", "lon": "lon",
                  "dimensions": ["technology"]},
        "areas": [{"name": "gh5", "geohash": 5}, {"name": "hex7", "h3": 7},
                  {"name": "district", "regions": str(REGIONS), "id_property": "code"}],
        "windows": [{"name": "15m", "tumbling": "15m"}, {"name": "1h", "hopping": "1h", "every": "30m"}],
        "watermark": {"max_out_of_order": "1m", "allowed_lateness": "30s", "idle_timeout": "1h"},
        "features": {"tests": "count", "devices": {"distinct": "device_id"},
                     "download_p10": {"quantile": "download_mbps", "q": 0.1},
                     "download_mean": {"mean": "download_mbps"}, "latency_min": {"min": "latency_ms"},
                     "slow_share": {"share": "download_mbps", "below": 10}},
        "output": {"format": "csv", "flush_every": "300ms"},
    }, sort_keys=False))
    src = tmp_path / "generated.csv"
    p = subprocess.run([str(areaflow_path()), "generate", "connectivity", "-n", "20000", "--seed", str(SEED),
                        "--sources", "400", "-o", str(src)], capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    data = src.read_bytes()
    expected = replay_to(config, [src], tmp_path / "replay")
    assert len(expected.rows) > 1000

    feed = tmp_path / "feed.csv"
    out = tmp_path / "out"
    writer = _Writer(feed, data, random.Random(SEED + 21), duration_s=12.0, zstd=False, burst=(5_000, 120_000))
    writer.write_now(20)  # half of the header line
    writer.start()
    log = _kill_loop(config, out, feed, expected.rows, writer, CSV_CRASH_KILLS, rng)
    r = run_once(config, out, [feed], *DEBUG, timeout=300)
    assert r.count(LOG_RESUMED) >= 1, r.describe()
    assert_same_as_replay(out, tmp_path / "replay", config, f"CSV run after {len(log)} SIGKILLs")


# ============================================================================================
# 2-4. Following files: rotation by rename, copytruncate, a directory's new files
# ============================================================================================


def _split(lines, parts):
    n = len(lines)
    cuts = [n * k // parts for k in range(parts + 1)]
    return [lines[cuts[k]:cuts[k + 1]] for k in range(parts)]


def _stop(r: LiveRun, sig=signal.SIGTERM, within: float = 10.0) -> float:
    r.send(sig)
    waited = r.wait_exit(60, rc=0)
    assert waited <= within, f"took {waited:.1f}s to exit after {signal.Signals(sig).name}\n{r.describe()}"
    return waited


def test_rotation_by_rename_finishes_the_old_file_and_follows_the_new_one(tmp_path):
    config = write_config(tmp_path / "live.yaml")
    lines = generate(tmp_path / "generated.ndjson", 8000, SEED + 2, "--sources", 100)
    a, b, c, d = _split(lines, 4)
    feed = tmp_path / "feed.ndjson"
    out = tmp_path / "out"
    append(feed, join_lines(a))
    with LiveRun(run_args(config, out, [feed], *DEBUG)) as r:
        wait_summary(out, lambda s: s["lines_read"] >= len(a), 60, "the first part to be read", r)
        # Lines written just before the rename must still be read from the renamed file.
        append(feed, join_lines(b))
        os.rename(feed, tmp_path / "feed.ndjson.1")
        append(feed, join_lines(c[: len(c) // 2]))
        time.sleep(0.3)
        append(feed, join_lines(c[len(c) // 2:]))
        wait_summary(out, lambda s: s["lines_read"] >= len(a) + len(b) + len(c), 60, "the first rotation", r)
        os.rename(feed, tmp_path / "feed.ndjson.2")
        append(feed, join_lines(d))
        wait_summary(out, lambda s: s["lines_read"] >= len(lines), 60, "the second rotation", r)
        _stop(r)
    assert _checkpoint_present(out)
    run_once(config, out, [feed], *DEBUG)
    whole = tmp_path / "whole.ndjson"
    whole.write_bytes(join_lines(lines))
    replay_to(config, [whole], tmp_path / "replay")
    assert_same_as_replay(out, tmp_path / "replay", config, "rotation by rename", side_outputs=False)


@pytest.mark.parametrize("pause", [1.5, 0.0], ids=["rewritten-after-a-pause", "rewritten-at-once-and-longer"])
def test_copytruncate_rereads_the_file_from_its_start(tmp_path, pause):
    config = write_config(tmp_path / "live.yaml")
    lines = generate(tmp_path / "generated.ndjson", 8000, SEED + 3, "--sources", 100)
    a, b = lines[:3000], lines[3000:]  # b is longer than a: a size check alone cannot see the truncation
    feed = tmp_path / "feed.ndjson"
    out = tmp_path / "out"
    append(feed, join_lines(a))
    with LiveRun(run_args(config, out, [feed], *DEBUG)) as r:
        wait_summary(out, lambda s: s["lines_read"] >= len(a), 60, "the first part to be read", r)
        shutil.copyfile(feed, tmp_path / "feed.ndjson.1")  # what logrotate's copytruncate does
        os.truncate(feed, 0)
        if pause:
            time.sleep(pause)
            append(feed, join_lines(b[: len(b) // 3]))
            time.sleep(0.3)
            append(feed, join_lines(b[len(b) // 3:]))
        else:
            append(feed, join_lines(b))  # at once, and already longer than what was read
        wait_summary(out, lambda s: s["lines_read"] >= len(lines), 60, "the rewritten file to be read", r)
        _stop(r)
    run_once(config, out, [feed], *DEBUG)
    whole = tmp_path / "whole.ndjson"
    whole.write_bytes(join_lines(lines))
    replay_to(config, [whole], tmp_path / "replay")
    assert_same_as_replay(out, tmp_path / "replay", config, f"copytruncate (pause {pause}s)", side_outputs=False)


def test_directory_new_files_are_picked_up(tmp_path):
    config = write_config(tmp_path / "live.yaml")
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    out = tmp_path / "out"
    # In-order clean streams one after the other in event time, added in name order.
    start = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
    parts = []
    for k in range(3):
        ls = generate(tmp_path / f"gen{k}.ndjson", 2500, SEED + 10 + k, "--clean", "--sources", 60,
                      "--start", start.strftime("%Y-%m-%dT%H:%M:%SZ"))
        parts.append(ls)
        start = datetime.fromtimestamp(last_event_time_ms(ls) / 1000 + 60, tz=timezone.utc).replace(microsecond=0)
    append(feeds / "a-001.ndjson", join_lines(parts[0]))
    with LiveRun(run_args(config, out, [feeds], *DEBUG)) as r:
        wait_summary(out, lambda s: s["lines_read"] >= len(parts[0]), 60, "the first file", r)
        z = ZstdAppender(feeds / "b-002.ndjson.zst")
        half = len(parts[1]) // 2
        z.append_frame(join_lines(parts[1][:half]))
        time.sleep(0.3)
        z.append_frame(join_lines(parts[1][half:]))
        wait_summary(out, lambda s: s["lines_read"] >= len(parts[0]) + len(parts[1]), 60, "a new zstd file", r)
        append(feeds / "c-003.ndjson", join_lines(parts[2]))
        total = sum(map(len, parts))
        wait_summary(out, lambda s: s["lines_read"] >= total, 60, "a new plain file", r)
        _stop(r)
    run_once(config, out, [feeds], *DEBUG)
    replay_to(config, [feeds], tmp_path / "replay")
    assert_same_as_replay(out, tmp_path / "replay", config, "directory input")


@pytest.mark.parametrize("change", ["truncated-and-rewritten-longer", "deleted-and-recreated"])
def test_file_changed_while_stopped_is_read_from_its_start_on_restart(tmp_path, change):
    """File identity survives restarts: the checkpoint's position must not be applied to a different file that
    happens to sit at the same path (and maybe on a reused inode), or to a truncated one that grew past it."""
    config = write_config(tmp_path / "live.yaml")
    lines = generate(tmp_path / "generated.ndjson", 8000, SEED + 13, "--sources", 100)
    a, b = lines[:3000], lines[3000:]
    feed = tmp_path / "feed.ndjson"
    out = tmp_path / "out"
    append(feed, join_lines(a))
    with LiveRun(run_args(config, out, [feed], *DEBUG)) as r:
        wait_summary(out, lambda s: s["lines_read"] >= len(a), 60, "the first part", r)
        _stop(r)
    if change.startswith("truncated"):
        os.truncate(feed, 0)
    else:
        os.remove(feed)
    append(feed, join_lines(b))
    run_once(config, out, [feed], *DEBUG)
    whole = tmp_path / "whole.ndjson"
    whole.write_bytes(join_lines(lines))
    replay_to(config, [whole], tmp_path / "replay")
    assert_same_as_replay(out, tmp_path / "replay", config, f"file {change} while stopped", side_outputs=False)


def test_two_inputs_watermark_is_the_minimum_so_a_slower_input_is_not_late(tmp_path):
    """SPEC 5: with several inputs the watermark is the minimum over the inputs that are not idle. One in-order
    stream is dealt to two files; the first is complete at start, the second arrives over a few seconds. With the
    minimum, no event of the second is late; rows equal replay of the one stream (up to float summation order)."""
    config = write_config(tmp_path / "live.yaml", max_out_of_order="10s", idle_timeout="1h")
    lines = generate(tmp_path / "generated.ndjson", 8000, SEED + 14, "--clean", "--sources", 80)
    fast, slow = lines[0::2], lines[1::2]
    f1, f2 = tmp_path / "fast.ndjson", tmp_path / "slow.ndjson"
    append(f1, join_lines(fast))
    f2.touch()
    out = tmp_path / "out"
    with LiveRun(run_args(config, out, [f1, f2], *DEBUG)) as r:
        wait_summary(out, lambda s: s["lines_read"] >= len(fast), 60, "the complete input", r)
        for part in _split(slow, 6):
            append(f2, join_lines(part))
            time.sleep(0.5)
        wait_summary(out, lambda s: s["lines_read"] >= len(lines), 60, "the slow input", r)
        _stop(r)
    run_once(config, out, [f1, f2], *DEBUG)
    s = summary_or_none(out)
    assert s["late"] == {"1m": 0, "5m": 0}, (
        f"events of the slower input were late: the watermark ran ahead with the faster input: {s['late']}")
    whole = tmp_path / "whole.ndjson"
    whole.write_bytes(join_lines(lines))
    replay_to(config, [whole], tmp_path / "replay")
    assert_same_as_replay(out, tmp_path / "replay", config, "two inputs", side_outputs=False)


# ============================================================================================
# 5. A quiet feed still closes its windows (idle_timeout)
# ============================================================================================


def test_idle_timeout_closes_quiet_windows_without_once(tmp_path):
    now_ms = int(time.time() * 1000)
    t0 = (now_ms - 300_000) // 10_000 * 10_000  # 5 minutes ago, on a 10 s boundary
    lines = []
    for i in range(40):  # two 10 s windows: [t0, t0+10s) and [t0+10s, t0+20s), the last event at t0+19.5 s
        lines.append(('{"ts":"%s","vehicle_id":"v%d","route":"R%d","lat":%.5f,"lon":%.5f,"speed_kmh":%.1f}' % (
            _rfc3339(t0 + i * 500), i % 7, i % 2, 52.50 + (i % 5) * 0.01, 13.40 + (i % 3) * 0.01, 3.0 + i)).encode())
    feed = tmp_path / "feed.ndjson"
    feed.write_bytes(join_lines(lines))
    windows = [{"name": "10s", "tumbling": "10s"}]
    features = {"events": "count", "speed_mean": {"mean": "speed_kmh"}}
    idle_cfg = write_config(tmp_path / "idle.yaml", windows=windows, features=features, max_out_of_order="1s",
                            idle_timeout="1s", flush_every="500ms")
    busy_cfg = write_config(tmp_path / "busy.yaml", windows=windows, features=features, max_out_of_order="1s",
                            idle_timeout="1h", flush_every="500ms")
    expected = replay_to(idle_cfg, [feed], tmp_path / "replay")
    second = _rfc3339(t0 + 10_000)
    assert any(row["window_start"] == second for row in expected.rows)
    out, busy_out = tmp_path / "out", tmp_path / "out-busy"
    with LiveRun(run_args(idle_cfg, out, [feed], *DEBUG)) as r, \
            LiveRun(run_args(busy_cfg, busy_out, [feed], *DEBUG)) as busy:
        t_start = time.monotonic()
        deadline = t_start + 30
        while True:
            snap = SnapshotDir(out) if out.exists() else None
            if snap and any(row["window_start"] == second for row in snap.rows):
                break
            assert r.alive(), f"run ended by itself\n{r.describe()}"
            assert time.monotonic() < deadline, (
                f"the quiet window starting {second} was not committed within 30 s "
                f"(idle_timeout 1s, flush_every 500ms)\n{r.describe()}")
            time.sleep(0.1)
        print(f"\nidle: the last window was committed {time.monotonic() - t_start:.1f}s after start")
        check_committed(out, expected.rows, idle_cfg, subset=False, what="idle-closed windows")
        # The same feed with idle_timeout 1h must keep that window open: only the idle advance closed it.
        assert busy.alive(), busy.describe()
        busy_rows = SnapshotDir(busy_out).rows if busy_out.exists() else []
        assert not any(row["window_start"] == second for row in busy_rows), (
            "with idle_timeout 1h the last window was committed too: the watermark moved without idling")
        assert r.alive(), "run without --once ended by itself"
        _stop(r)
        _stop(busy)


# ============================================================================================
# 6-7. Standard input and TCP
# ============================================================================================


@pytest.mark.parametrize("compression", ["plain", "zstd"])
def test_stdin_run_once_equals_replay(tmp_path, compression):
    rng = random.Random(SEED + 6)
    config = write_config(tmp_path / "live.yaml")
    lines = _with_mess(generate(tmp_path / "generated.ndjson", 12000, SEED + 6, "--sources", 100), rng, copies=1)
    data = join_lines(lines)
    plain = tmp_path / "stream.ndjson"
    plain.write_bytes(data)
    if compression == "zstd":
        z = ZstdAppender(tmp_path / "unused")
        cut = len(data) // 3 + 11
        data = z.frame(data[:cut]) + z.frame(data[cut:])
    out = tmp_path / "out"
    r = LiveRun(run_args(config, out, ["-"], "--once", *DEBUG), stdin=subprocess.PIPE)
    try:
        # A live pipe: bytes arrive in pieces over a couple of seconds, then it closes.
        pos = 0
        while pos < len(data):
            n = rng.randrange(1000, 200_000)
            r.proc.stdin.write(data[pos:pos + n])
            r.proc.stdin.flush()
            pos += n
            time.sleep(rng.uniform(0.0, 0.15))
        r.proc.stdin.close()
        r.wait_exit(120, rc=0)
    finally:
        r.kill()
    replay_to(config, [plain], tmp_path / "replay")
    assert_same_as_replay(out, tmp_path / "replay", config, f"run --once - ({compression})")


def test_tcp_concurrent_clients_run_once_counts_every_line(tmp_path):
    rng = random.Random(SEED + 7)
    config = write_config(tmp_path / "live.yaml", windows=[{"name": "1m", "tumbling": "1m"}],
                          features={"events": "count", "vehicles": {"distinct": "vehicle_id"}},
                          max_out_of_order="10m")
    good = generate(tmp_path / "generated.ndjson", 30000, SEED + 7, "--clean", "--sources", 300)
    bad = [b"{oops", b'["x"]', b'{"ts":"never","lat":1,"lon":2}', b'{"ts":"2026-03-02T08:00:00Z","lat":1}']
    clients = 6
    # Round-robin chunks of 50 lines so the clients' event times stay close; the last client also sends rejects.
    shares = [[] for _ in range(clients)]
    for k in range(0, len(good), 50):
        shares[(k // 50) % clients].extend(good[k:k + 50])
    shares[-1].extend(bad * 5)
    out = tmp_path / "out"
    r = LiveRun(run_args(config, out, ["tcp://127.0.0.1:0"], "--once", *DEBUG))
    try:
        port = r.listening_port()
        # `--once` on TCP ends when every client has gone, not before the first one came.
        time.sleep(1.5)
        assert r.alive(), f"run --once on TCP ended before any client connected\n{r.describe()}"
        # Every client connects before any closes, so `--once` cannot end between two of them.
        socks = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(clients)]
        errors = []

        def send(sock, payload, seed):
            crng = random.Random(seed)
            try:
                pos = 0
                while pos < len(payload):
                    n = crng.randrange(1, 64_000)  # pieces cut anywhere, also inside a line
                    sock.sendall(payload[pos:pos + n])
                    pos += n
                    if crng.random() < 0.2:
                        time.sleep(crng.uniform(0.0, 0.05))
                sock.shutdown(socket.SHUT_WR)
                sock.close()
            except BaseException as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=send, args=(s, join_lines(share), SEED + k))
                   for k, (s, share) in enumerate(zip(socks, shares))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
        r.wait_exit(120, rc=0)
    finally:
        r.kill()
    s = summary_or_none(out)
    sent = sum(map(len, shares))
    assert s["lines_read"] == sent, s
    assert s["events_accepted"] == len(good), s
    assert sum(s["rejected"].values()) == len(bad) * 5, s
    snap = SnapshotDir(out)
    assert not snap.problems and not snap.leftover_staging()
    counted = sum(int(row["events"]) for row in snap.rows)
    assert counted + s["late"]["1m"] == len(good), (counted, s)


def test_tcp_sigterm_with_a_client_still_connected_exits_0_with_its_lines_committed(tmp_path):
    config = write_config(tmp_path / "live.yaml", windows=[{"name": "1m", "tumbling": "1m"}],
                          features={"events": "count"}, flush_every="300ms")
    lines = generate(tmp_path / "generated.ndjson", 5000, SEED + 12, "--clean", "--sources", 100)
    out = tmp_path / "out"
    with LiveRun(run_args(config, out, ["tcp://127.0.0.1:0"], *DEBUG)) as r:
        port = r.listening_port()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(join_lines(lines))
            wait_summary(out, lambda s: s["lines_read"] >= len(lines), 60, "the client's lines", r)
            # The client stays connected (and silent): a stop must not wait for it.
            waited = _stop(r, signal.SIGTERM, within=STOP_SECONDS)
            print(f"\nTCP SIGTERM with an open client: exited 0 after {waited:.2f}s")
    s = summary_or_none(out)
    assert s["lines_read"] == len(lines) and s["events_accepted"] == len(lines), s
    assert _checkpoint_present(out)
    snap = SnapshotDir(out)
    assert not snap.problems and not snap.leftover_staging()


# ============================================================================================
# 8. SIGTERM / SIGINT: exit 0 quickly, checkpoint, resume without duplicates
# ============================================================================================


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_drains_commits_checkpoints_and_restart_resumes(tmp_path, sig):
    config = write_config(tmp_path / "live.yaml", flush_every="500ms")
    lines = generate(tmp_path / "generated.ndjson", 16000, SEED + 8, "--sources", 150)
    a, b, c = lines[:6000], lines[6000:12000], lines[12000:]
    feed = tmp_path / "feed.ndjson"
    out = tmp_path / "out"
    whole = tmp_path / "whole.ndjson"
    whole.write_bytes(join_lines(lines))
    expected = replay_to(config, [whole], tmp_path / "replay")
    append(feed, join_lines(a))
    with LiveRun(run_args(config, out, [feed], *DEBUG)) as r:
        wait_summary(out, lambda s: s["lines_read"] >= len(a), 60, "the first part", r)
        r.expect(LOG_FLUSH_COMMITTED)
        if sig == signal.SIGINT:
            append(feed, join_lines(b))  # the signal arrives while this is being read
        waited = _stop(r, sig, within=STOP_SECONDS)
        print(f"\n{signal.Signals(sig).name}: exited 0 after {waited:.2f}s")
    assert _checkpoint_present(out), f"no checkpoint in {out / '_checkpoint'}"
    check_committed(out, expected.rows, config, subset=True, what=f"after {signal.Signals(sig).name}")
    assert not SnapshotDir(out).leftover_staging()
    if sig == signal.SIGTERM:
        append(feed, join_lines(b))
    append(feed, join_lines(c))
    r = run_once(config, out, [feed], *DEBUG)
    assert r.count(LOG_RESUMED) >= 1, f"restart did not resume from the checkpoint\n{r.describe()}"
    assert_same_as_replay(out, tmp_path / "replay", config, f"restart after {signal.Signals(sig).name}")


# ============================================================================================
# 9. A changed config is refused; --reset starts over
# ============================================================================================


@pytest.mark.parametrize("change", ["windows", "features"])
def test_changed_config_is_refused_and_reset_starts_over(tmp_path, change):
    config = tmp_path / "live.yaml"
    write_config(config)
    lines = generate(tmp_path / "generated.ndjson", 6000, SEED + 9, "--sources", 100)
    feed = tmp_path / "feed.ndjson"
    feed.write_bytes(join_lines(lines))
    out = tmp_path / "out"
    run_once(config, out, [feed], *DEBUG)
    assert _checkpoint_present(out)
    before = _tree_digest(out)
    # The operator edits the config in place.
    if change == "windows":
        write_config(config, windows=[{"name": "2m", "tumbling": "2m"}])
    else:
        write_config(config, features={"events": "count", "speed_max": {"max": "speed_kmh"}})
    r = run_once(config, out, [feed], *DEBUG, rc=2, timeout=60)
    err = r.stderr_text()
    assert "--reset" in err, f"the refusal does not mention --reset:\n{err}"
    assert _tree_digest(out) == before, "a refused run changed the output directory"
    r = run_once(config, out, [feed], "--reset", *DEBUG)
    assert r.count(LOG_RESUMED) == 0, r.describe()
    replay_to(config, [feed], tmp_path / "replay")
    assert_same_as_replay(out, tmp_path / "replay", config, f"--reset after a {change} change")
    # Nothing of the old config's output is left.
    old = [p for p in SnapshotDir(out).files if "/1m/" in p or "/5m/" in p] if change == "windows" else []
    assert not old, f"files of the old windows remain after --reset: {old[:5]}"


# ============================================================================================
# 10. Unwritable output: clear error, nothing torn, state kept, commits resume when writable again
# ============================================================================================


class _Sandbox:
    """A directory a run can use as an unprivileged user (root ignores permission bits, so as root the run is
    started as `nobody` and chmod really blocks it)."""

    def __init__(self):
        self.root_mode = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="areaflow-live-ro-", dir="/tmp"))
        os.chmod(self.dir, 0o755)
        self.binary = self.dir / "areaflow"
        shutil.copy2(areaflow_path(), self.binary)
        os.chmod(self.binary, 0o755)
        self.uid = self.gid = None
        if self.root_mode:
            import pwd

            nobody = pwd.getpwnam("nobody")
            self.uid, self.gid = nobody.pw_uid, nobody.pw_gid

    def own(self):
        if self.root_mode:
            for p in [self.dir, *self.dir.rglob("*")]:
                os.chown(p, self.uid, self.gid, follow_symlinks=False)

    def start(self, args, **kw) -> LiveRun:
        self.own()
        return LiveRun(args, binary=self.binary, user=self.uid, group=self.gid, env={"HOME": str(self.dir)}, **kw)

    def cleanup(self):
        for p in self.dir.rglob("*"):
            if p.is_dir():
                os.chmod(p, 0o755)
        shutil.rmtree(self.dir, ignore_errors=True)


ERROR_WORDS = re.compile(r"(?i)error|denied|fail|cannot|can't|unable|permission|read-only|no space")


def _first_commit_with_rows(out: Path, r: LiveRun, window_dir: str = "1m/gh5", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not list((out / window_dir).glob("*.csv")):
        assert r.alive(), r.describe()
        assert time.monotonic() < deadline, f"no snapshot file in {out / window_dir} within {timeout}s\n{r.describe()}"
        time.sleep(0.1)


def test_read_only_window_directory_is_reported_and_retried_without_losing_rows(tmp_path):
    box = _Sandbox()
    try:
        config = write_config(box.dir / "live.yaml", flush_every="300ms")
        lines = generate(tmp_path / "generated.ndjson", 12000, SEED + 10, "--sources", 100)
        a, b = lines[:5000], lines[5000:]
        feed = box.dir / "feed.ndjson"
        append(feed, join_lines(a))
        out = box.dir / "out"
        whole = tmp_path / "whole.ndjson"
        whole.write_bytes(join_lines(lines))
        expected = replay_to(config, [whole], tmp_path / "replay")
        locked = [out / "1m" / "gh5", out / "5m" / "gh5"]
        r = box.start(run_args(config, out, [feed], *DEBUG))
        with r:
            _first_commit_with_rows(out, r, "1m/gh5")
            _first_commit_with_rows(out, r, "5m/gh5")
            files_before = set(SnapshotDir(out).files)
            for d in locked:
                os.chmod(d, 0o555)
            mark = r.line_count()
            append(feed, join_lines(b))  # closes more windows: their files must go into the locked directories
            idx = r.wait_for(re.compile(r"gh5"), timeout=60, start=mark)
            while idx is not None and not ERROR_WORDS.search(r.lines[idx]):
                idx = r.wait_for(re.compile(r"gh5"), timeout=60, start=idx + 1)
            assert idx is not None, f"no error naming the read-only directory on stderr\n{r.describe()}"
            print(f"\nread-only: reported as: {r.lines[idx]}")
            time.sleep(2.0)
            assert r.alive(), f"the run exited instead of retrying\n{r.describe()}"
            snap = SnapshotDir(out)
            assert not snap.problems, snap.problems
            assert set(snap.files) == files_before, "files appeared in a read-only directory?"
            check_committed(out, expected.rows, config, subset=True, what="while read-only")
            retries = sum(1 for line in r.lines[mark:] if "gh5" in line and ERROR_WORDS.search(line))
            print(f"read-only: {retries} error lines so far")
            # Asked to stop while it cannot commit: it must not exit 0 claiming success.
            r.send(signal.SIGTERM)
            rc = r.wait(8)
            print(f"read-only: SIGTERM while unwritable: {'still retrying' if rc is None else f'exit {rc}'}")
            if rc is not None:
                assert rc != 0, f"exited 0 after SIGTERM although it could not commit\n{r.describe()}"
            for d in locked:
                os.chmod(d, 0o755)
            if rc is None:
                r.wait_exit(60, rc=0)
        r2 = box.start(run_args(config, out, [feed], "--once", *DEBUG))
        with r2:
            r2.wait_exit(120, rc=0)
        assert_same_as_replay(out, tmp_path / "replay", config, "after the output directory was read-only")
    finally:
        box.cleanup()


def test_disk_full_is_reported_and_retried_without_losing_rows(tmp_path):
    mnt = tmp_path / "small-disk"
    mnt.mkdir()
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mnt)], capture_output=True)
    if p.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill here: {p.stderr.decode(errors='replace').strip()}")
    try:
        config = write_config(tmp_path / "live.yaml", flush_every="300ms")
        lines = generate(tmp_path / "generated.ndjson", 12000, SEED + 11, "--sources", 100)
        a, b = lines[:5000], lines[5000:]
        feed = tmp_path / "feed.ndjson"
        append(feed, join_lines(a))
        out = mnt / "out"
        whole = tmp_path / "whole.ndjson"
        whole.write_bytes(join_lines(lines))
        expected = replay_to(config, [whole], tmp_path / "replay")
        with LiveRun(run_args(config, out, [feed], *DEBUG)) as r:
            _first_commit_with_rows(out, r)
            filler = mnt / "filler"
            with open(filler, "wb", buffering=0) as f:
                for size in (1 << 20, 4096, 1):
                    try:
                        while True:
                            f.write(b"\0" * size)
                            f.flush()
                    except OSError as e:
                        assert e.errno == errno.ENOSPC, e
            files_before = set(SnapshotDir(out).files)
            mark = r.line_count()
            append(feed, join_lines(b))
            idx = r.wait_for(ERROR_WORDS, timeout=60, start=mark)
            assert idx is not None, f"no error on stderr with the disk full\n{r.describe()}"
            print(f"\ndisk full: reported as: {r.lines[idx]}")
            time.sleep(2.0)
            assert r.alive(), f"the run exited instead of retrying\n{r.describe()}"
            snap = SnapshotDir(out)
            assert not snap.problems, f"torn files with the disk full: {snap.problems}"
            check_committed(out, expected.rows, config, subset=True, what="with the disk full")
            assert set(snap.files) >= files_before
            filler.unlink()
            mark = r.line_count()
            r.expect(LOG_FLUSH_COMMITTED, timeout=60, start=mark)
            wait_summary(out, lambda s: s["lines_read"] >= len(lines), 60, "all lines after the disk has room", r)
            _stop(r)
        run_once(config, out, [feed], *DEBUG)
        assert_same_as_replay(out, tmp_path / "replay", config, "after the disk was full")
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


# ============================================================================================
# 11. Memory stays bounded while a producer pushes 10 million events over TCP
# ============================================================================================

MEMORY_EVENTS = int(os.environ.get("AREAFLOW_E2E_MEMORY_EVENTS", "10000000"))
MEMORY_BOUND_MB = int(os.environ.get("AREAFLOW_E2E_MEMORY_BOUND_MB", "400"))
_BIG_CACHE = Path(tempfile.gettempdir()) / "areaflow-e2e-live-cache"


def _big_stream(n: int) -> Path:
    """A clean generated stream of n lines, made once and kept (it is large)."""
    path = _BIG_CACHE / f"transport-clean-{n}-seed5.ndjson"
    if path.is_file():
        return path
    _BIG_CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    p = subprocess.run([str(areaflow_path()), "generate", "transport", "-n", str(n), "--seed", "5", "--clean",
                        "-o", str(tmp)], capture_output=True, timeout=1800)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    os.replace(tmp, path)
    return path


def test_memory_stays_bounded_under_a_fast_tcp_producer(tmp_path):
    big = _big_stream(MEMORY_EVENTS)
    config = write_config(tmp_path / "live.yaml", windows=[{"name": "1m", "tumbling": "1m"}],
                          features={"events": "count"}, dimensions=(), flush_every="1s")
    out = tmp_path / "out"
    r = LiveRun(run_args(config, out, ["tcp://127.0.0.1:0"], "--once"))
    try:
        port = r.listening_port()
        sent = {}

        def produce():
            with socket.create_connection(("127.0.0.1", port), timeout=600) as sock, open(big, "rb") as f:
                t = time.monotonic()
                sock.sendfile(f)  # as fast as the kernel takes it
                sock.shutdown(socket.SHUT_WR)
                sent["seconds"] = time.monotonic() - t

        t0 = time.monotonic()
        producer = threading.Thread(target=produce, daemon=True)
        producer.start()
        samples = []  # (seconds, VmRSS kB)
        while r.alive():
            r.poll_memory()
            samples.append((time.monotonic() - t0, r.rss_kb))
            assert time.monotonic() - t0 < 1800, f"not done after 30 minutes\n{r.describe()}"
            time.sleep(0.05)
        elapsed = time.monotonic() - t0
        producer.join(60)
        r.wait_exit(10, rc=0)
    finally:
        r.kill()
    # VmHWM, not wait4's ru_maxrss: the latter also counts the forked copy of this (large) Python process before exec.
    peak_kb = r.hwm_kb
    s = summary_or_none(out)
    print(f"\nmemory: peak RSS {peak_kb / 1024:.1f} MiB (bound {MEMORY_BOUND_MB} MiB) for {MEMORY_EVENTS:,} events "
          f"({big.stat().st_size / 2**20:.0f} MiB) over TCP in {elapsed:.1f}s "
          f"({MEMORY_EVENTS / elapsed:,.0f} events/s); the producer finished sending after "
          f"{sent.get('seconds', float('nan')):.1f}s")
    if samples:
        quarter = [samples[min(len(samples) - 1, len(samples) * k // 4)] for k in range(1, 5)]
        print("memory: RSS over time: " + ", ".join(f"{kb / 1024:.0f} MiB at {t:.0f}s" for t, kb in quarter))
    assert s["events_accepted"] == MEMORY_EVENTS, s
    assert s["lines_read"] == MEMORY_EVENTS, s
    assert peak_kb < MEMORY_BOUND_MB * 1024, f"peak RSS {peak_kb / 1024:.1f} MiB over {MEMORY_BOUND_MB} MiB"
