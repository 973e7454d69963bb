"""Scale-out (SPEC section 9, `scale_out: {topic: NAME}`): several `areaflow run --instance NAME` share one Kafka
topic, one consumer group and one output directory, against librdkafka's mock cluster (`kafka_mock.py`).

Each instance reads the source partitions the group gives it, sends the stamped events through the repartition
topic keyed by (scheme, area), aggregates the repartition partitions it is given (group `G.aggregate`) and commits
their rows as `DIR/<window>/<scheme>/part-rNN-NNNNNN.csv`; `DIR/_summary.json` sums every repartition partition.

The oracle is `reference.run_reference_partitioned`: every source partition stamped on its own (its own largest
event time so far − max_out_of_order), rows only for windows final under the minimum over all partitions. The
stream is messy on purpose (out-of-order, late and very late events, malformed lines, null and string numbers), one
partition runs 150 s behind the others and one 45 s ahead (so a topic-wide watermark would make other events late),
and one sentinel event per partition a day later makes every real window final.

- `test_instances_killed_and_joining_equal_one_instance_and_the_reference`: a, b, c start on the first half of the
  topic, b is SIGKILLed once the summary shows progress, the rest is produced, d joins; the shared directory must
  equal one instance alone on the same topic (another group, another directory, another repartition topic) and the
  reference, row for row, with equal counters and side outputs, and no row twice.
- `test_rebalance_while_an_instance_is_inside_a_commit`: every commit pauses before and after its checkpoint
  (`AREAFLOW_TEST_COMMIT_PAUSE_MS`); b joins while a commits, a is SIGKILLed, c joins; equal to the reference.
- `test_instances_killed_at_random_moments_and_restarted_under_their_names`: while the topic grows, a random
  instance is SIGKILLed and started again under the same name, three times; all stop mid-stream and a new
  instance e resumes alone; equal to the reference.
- `check` and `run` refuse a `scale_out` config without exactly one Kafka input (exit 2, naming `scale_out`).

A binary without the feature fails these tests (its `check` refuses the config); they are never skipped.
Knob: `AREAFLOW_E2E_SEED`.
"""

from __future__ import annotations

import collections
import json
import os
import random
import re
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

import reference
import synth
from conftest import _num, actual_table, check_value, compare_tables, run_cli, snapshot_files
from kafka_mock import MockCluster
from live_harness import PAUSE_ENV, LiveRun, SnapshotDir, run_args, summary_or_none, write_config

SEED = int(os.environ.get("AREAFLOW_E2E_SEED", "20261126"))
TOPIC = "transport"
PARTITIONS = 4
# A SIGKILLed member leaves the group when its session times out: short, so its partitions move on quickly.
GROUP_OPTIONS = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 500, "max.poll.interval.ms": 7000}
LAGS_S = (0, 0, -150, 45)  # each source partition's clock against the others'
DONE_TIMEOUT_S = 150
PART_FILE_RE = re.compile(r"^[^/]+/[^/]+/part-r\d{2,}-\d{6,}\.csv$")
LOG_STARTED = "scale-out started"
LOG_FLUSH = "flush committed"
LOG_ASSIGNED = "intake partitions"  # logged on every change of an instance's source partitions

FEATURES = {
    "events": "count",
    "vehicles": {"distinct": "vehicle_id"},
    "speed_mean": {"mean": "speed_kmh"},
    "speed_p90": {"quantile": "speed_kmh", "q": 0.9},
    "crawling_share": {"share": "speed_kmh", "below": 5},
}


# --------------------------------------------------------------------------------------------
# Config and stream
# --------------------------------------------------------------------------------------------


def scale_out_config(path: Path, repartition_topic: str) -> Path:
    """Two geohash schemes (an event goes to two (scheme, area) keys, so to up to two repartition partitions, yet is
    one line, one accepted event and at most one late event per window name), 1m tumbling and 5m every 1m."""
    write_config(
        path, areas=[{"name": "gh5", "geohash": 5}, {"name": "gh4", "geohash": 4}], features=FEATURES,
        max_out_of_order="30s", allowed_lateness="10s", idle_timeout="600s", flush_every="500ms",
    )
    cfg = yaml.safe_load(path.read_text())
    cfg["scale_out"] = {"topic": repartition_topic}
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def _line(rng: random.Random, t, vehicle: str) -> str:
    lat = round(synth.CENTER[0] + rng.uniform(-0.2, 0.2), 5)
    lon = round(synth.CENTER[1] + rng.uniform(-0.3, 0.3), 5)
    rec: dict = {"ts": synth.iso_ms(t), "vehicle_id": vehicle, "route": rng.choice(synth.ROUTES), "lat": lat,
                 "lon": lon, "speed_kmh": round(rng.uniform(0, 60), 1)}
    r = rng.random()
    if r < 0.03:
        rec["speed_kmh"] = str(rec["speed_kmh"])
    elif r < 0.05:
        rec["speed_kmh"] = None
    elif r < 0.06:
        del rec["speed_kmh"]
    elif r < 0.065:
        rec["speed_kmh"] = "fast"
    r = rng.random()
    if r < 0.03:
        rec["ts"] = synth.epoch_ms(t)
    elif r < 0.04:
        rec["ts"] = str(synth.epoch_ms(t) / 1000)
    line = json.dumps(rec, separators=(",", ":"))
    r = rng.random()
    if r < 0.004:
        line = line[: rng.randint(1, len(line) - 2)]  # truncated: malformed
    elif r < 0.006:
        line = "[1,2,3]"  # not an object: malformed
    elif r < 0.009:
        line = json.dumps({**rec, "ts": rng.choice(["yesterday", "2026-03-02T25:00:00Z", None])})  # bad_time
    elif r < 0.012:
        line = json.dumps({**rec, "lat": 95})  # bad_coordinates
    elif r < 0.014:
        line = json.dumps({k: v for k, v in rec.items() if k != "lon"})  # bad_coordinates
    return line


def make_partitions(seed: int, per_partition: int, duration_s: int = 2400) -> list[list[str]]:
    """One list of NDJSON lines (one message each) per source partition, spread by vehicle (vehicle k is on
    partition k mod 4), each roughly time ordered on its own clock (`LAGS_S`), then one sentinel a day later."""
    rng = random.Random(seed)
    parts = []
    for p in range(PARTITIONS):
        vehicles = ["bus-%04d" % k for k in range(p, 480, PARTITIONS)]
        lines = []
        for i in range(per_partition):
            base = synth.START + timedelta(
                seconds=LAGS_S[p], milliseconds=int(i * duration_s * 1000 / per_partition) + rng.randint(0, 999))
            t, _kind = synth._event_time(rng, base)  # ordered, out of order (< 25 s), late (1-15 min), very late
            lines.append(_line(rng, t, rng.choice(vehicles)))
        sentinel = synth.START + timedelta(days=1, seconds=p)
        lines.append(json.dumps({"ts": synth.iso_ms(sentinel), "vehicle_id": "sentinel", "route": "M10",
                                 "lat": synth.CENTER[0], "lon": synth.CENTER[1], "speed_kmh": 1.0}))
        parts.append(lines)
    return parts


def messages(parts: list[list[str]], lo: float, hi: float) -> list[tuple[int, str]]:
    """The [lo, hi) fraction of every partition's messages, the partitions' messages interleaved."""
    out = []
    slices = [p[int(len(p) * lo):int(len(p) * hi)] for p in parts]
    for i in range(max(len(s) for s in slices)):
        for p, s in enumerate(slices):
            if i < len(s):
                out.append((p, s[i]))
    return out


def expected_result(config: Path, parts: list[list[str]]) -> reference.Result:
    result = reference.run_reference_partitioned(
        reference.load_config(str(config)), [[line.encode() for line in p] for p in parts])
    s = result.summary
    # The stream holds what it is meant to (else the test would prove little).
    assert len(result.rows) > 2000, len(result.rows)
    assert all(s["rejected"][k] > 10 for k in ("malformed", "bad_time", "bad_coordinates")), s
    assert all(n > 100 for n in s["late"].values()), s
    return result


# --------------------------------------------------------------------------------------------
# Instances
# --------------------------------------------------------------------------------------------


def kafka_url(cluster: MockCluster, group: str) -> str:
    return cluster.url(TOPIC, group=group, start="earliest", **GROUP_OPTIONS)


def require_feature(config: Path) -> None:
    """Fails (never skips) with a clear message when the binary does not know `scale_out`."""
    p = run_cli(["check", "--config", config, "kafka://127.0.0.1:9/transport?group=g"], timeout=60)
    if p.returncode != 0:
        pytest.fail("the binary under test refuses a scale_out config with one Kafka input (does it have "
                    f"scale-out?): exit {p.returncode}\n{p.stderr.decode(errors='replace')[-2000:]}", pytrace=False)
    p = run_cli(["run", "--help"], timeout=60)
    if "--instance" not in p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace"):
        pytest.fail("the binary under test has no `run --instance` (does it have scale-out?)", pytrace=False)


class Instances:
    """The `areaflow run --instance NAME` processes of one test, by name."""

    def __init__(self, config: Path, out: Path, url: str, env: dict | None = None):
        self.config, self.out, self.url, self.env = config, out, url, env
        self.runs: dict[str, LiveRun] = {}
        self.killed: set[str] = set()

    def start(self, name: str) -> LiveRun:
        """Starts (or, after a SIGKILL, starts again) the instance `name`; waits for its `scale-out started`."""
        if name in self.runs:
            assert name in self.killed, f"instance {name} is already running"
            self.runs[name].__exit__(None, None, None)
            self.killed.discard(name)
        r = LiveRun(run_args(self.config, self.out, [self.url], "--instance", name), env=self.env)
        self.runs[name] = r
        r.expect(LOG_STARTED, timeout=60)
        return r

    def kill(self, name: str) -> None:
        self.runs[name].kill()
        self.killed.add(name)

    def check_alive(self, what: str) -> None:
        dead = [n for n, r in self.runs.items() if n not in self.killed and not r.alive()]
        if dead:
            pytest.fail(f"{what}: instance(s) {dead} exited by themselves\n{self.describe()}", pytrace=False)

    def stop(self) -> None:
        """SIGTERM every live instance at once; each must exit 0."""
        live = [n for n in self.runs if n not in self.killed]
        for n in live:
            self.runs[n].send(signal.SIGTERM)
        bad = []
        for n in live:
            rc = self.runs[n].wait(90)
            if rc != 0:
                bad.append(f"{n}: {'still running 90 s after SIGTERM' if rc is None else f'exit {rc}'}")
        if bad:
            pytest.fail(f"SIGTERM did not stop the instances cleanly: {bad}\n{self.describe()}", pytrace=False)

    def describe(self, lines: int = 25) -> str:
        out = []
        for n, r in self.runs.items():
            rc = r.proc.returncode
            state = "SIGKILLed" if n in self.killed else ("running" if rc is None else f"exit {rc}")
            with r._cond:
                tail = r.lines[-lines:]
            out.append(f"--- instance {n} ({state}), last {len(tail)} stderr lines:\n" + "\n".join(tail))
        return "\n".join(out)

    def close(self) -> None:
        for r in self.runs.values():
            r.__exit__(None, None, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wait_done(out: Path, result: reference.Result, instances: list[Instances], what: str,
              timeout: float = DONE_TIMEOUT_S) -> dict:
    """Until `_summary.json` has read every line and the committed rows stopped changing: they stand still for 2 s
    once as many rows as the reference's are committed, else for 15 s (so a missing row is reported, not waited
    for; a rebalance pauses commits for a few seconds)."""
    total = result.summary["lines_read"]
    expected_rows = result.summary["rows_written"]
    deadline = time.monotonic() + timeout
    last, since, s = None, time.monotonic(), None
    while time.monotonic() < deadline:
        for group in instances:
            group.check_alive(what)
        s = summary_or_none(out)
        if s is not None and s.get("lines_read") == total:
            state = (s.get("rows_written"), len(snapshot_files(out)))
            if state != last:
                last, since = state, time.monotonic()
            elif time.monotonic() - since >= (2.0 if s.get("rows_written") == expected_rows else 15.0):
                return s
        else:
            last = None
        time.sleep(0.25)
    brief = None if s is None else {k: s.get(k) for k in ("lines_read", "events_accepted", "rows_written")}
    pytest.fail(
        f"{what}: timed out after {timeout:.0f} s waiting until {out}/_summary.json has lines_read == {total} "
        f"(every line produced) and the rows stop changing (the reference has {expected_rows} rows); "
        f"last summary {brief}\n" + "\n".join(g.describe() for g in instances), pytrace=False)


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def output_problems(out: Path, result: reference.Result) -> list[str]:
    """The shared directory against the reference: rows (no key twice), summary counters, files, side outputs."""
    problems = compare_tables(actual_table(out, result.config), result)  # actual_table fails on a duplicate key
    snap = SnapshotDir(out)
    problems += snap.problems
    left = [f for f in snap.leftover_staging() if not f.endswith(".lock")]
    if left:
        problems.append(f"staging/temporary files left behind: {left[:10]}")
    files = snapshot_files(out)
    odd = [f for f in files if not PART_FILE_RE.match(f)]
    if odd:
        problems.append(f"snapshot files not named <window>/<scheme>/part-rNN-NNNNNN.csv: {odd[:10]}")
    # Dozens of areas over 4 repartition partitions: every partition has rows.
    rs = {int(m.group(1)) for f in files if (m := re.search(r"/part-r(\d+)-", f))}
    if rs != set(range(PARTITIONS)):
        problems.append(f"part files of repartition partitions {sorted(rs)}, expected {list(range(PARTITIONS))}")
    s = summary_or_none(out)
    e = result.summary
    if s is None:
        return problems + ["no _summary.json"]
    for k in ("lines_read", "events_accepted", "rejected", "late"):
        if s.get(k) != e[k]:
            problems.append(f"_summary.json {k}: {s.get(k)!r}, the reference has {e[k]!r}")
    if s.get("rows_written") != len(snap.rows):
        problems.append(f"_summary.json rows_written {s.get('rows_written')} but {len(snap.rows)} rows on disk")
    if sorted(os.path.normpath(f) for f in (s.get("files") or [])) != files:
        problems.append(f"_summary.json files ({len(s.get('files') or [])}) are not the {len(files)} snapshot files "
                        f"on disk: first listed {sorted(s.get('files') or [])[:4]}, on disk {files[:4]}")
    # Side outputs: the raw lines (so whatever names the input and line of a Kafka message), each once.
    rejects, p1 = snap.side_records("_rejects")
    late, p2 = snap.side_records("_late")
    problems += p1 + p2
    got = collections.Counter((r.get("reason"), r.get("raw")) for r in rejects)
    exp = collections.Counter((r["reason"], r["raw"]) for r in result.rejects)
    if got != exp:
        problems.append(f"_rejects: {sum(got.values())} records, the reference has {sum(exp.values())}; missing "
                        f"{list((exp - got).elements())[:3]}, extra or twice {list((got - exp).elements())[:3]}")
    # Where the records name the source partition (`…/TOPIC#P`), their line is the message's place in it.
    where = re.compile(r"#(\d+)$")
    if rejects and all(where.search(str(r.get("input"))) for r in rejects + late):
        def place(r):
            return int(where.search(str(r["input"])).group(1)), int(r["line"])
        got_at = collections.Counter(place(r) + (r.get("reason"),) for r in rejects)
        exp_at = collections.Counter((int(r["input"].split("-")[1]), r["line"], r["reason"]) for r in result.rejects)
        if got_at != exp_at:
            problems.append(f"_rejects (partition, line, reason): missing {list((exp_at - got_at).elements())[:5]}, "
                            f"extra or twice {list((got_at - exp_at).elements())[:5]}")
        got_at = set(place(r) + (r.get("window"),) for r in late)
        exp_at = set((int(r["input"].split("-")[1]), r["line"], r["window"]) for r in result.late)
        if got_at != exp_at:
            problems.append(f"_late (partition, line, window): missing {sorted(exp_at - got_at)[:5]}, "
                            f"not late in the reference {sorted(got_at - exp_at)[:5]}")
    got_late = collections.Counter(
        (r.get("window"), reference.parse_rfc3339_ns(str(r.get("window_start"))), r.get("raw")) for r in late)
    exp_late = collections.Counter(
        (r["window"], reference.parse_rfc3339_ns(r["window_start"]), r["raw"]) for r in result.late)
    if got_late != exp_late:
        if sum(got_late.values()) == sum(e["late"].values()) and not (got_late - exp_late):
            pass  # one record per late event and window name (not per window instance) is fine too
        else:
            problems.append(
                f"_late: {sum(got_late.values())} records, the reference has {sum(exp_late.values())} (one per late "
                f"window instance); missing {list((exp_late - got_late).elements())[:3]}, extra or twice "
                f"{list((got_late - exp_late).elements())[:3]}")
    return problems


def assert_committed_subset(out: Path, result: reference.Result, what: str) -> None:
    """Mid-run: every committed row is a final row of the reference with its final values, and none is there twice
    (rows of windows not final yet are simply not there)."""
    if not snapshot_files(out):
        return
    problems = [p for p in compare_tables(actual_table(out, result.config), result)
                if not p.startswith("missing row") and not p.endswith("missing rows in all")]
    if problems:
        pytest.fail(f"{what}: committed rows that are not final rows of the reference:\n" + "\n".join(problems),
                    pytrace=False)


def assert_output_matches(out: Path, result: reference.Result, what: str) -> None:
    problems = output_problems(out, result)
    if problems:
        pytest.fail(f"{what}: {len(problems)} problems in {out}:\n" + "\n".join(problems[:60]), pytrace=False)


def assert_same_rows(multi: Path, solo: Path, config: reference.Config) -> None:
    """Several instances' directory, read as one table, equals one instance's: the same keys, counts and distinct
    counts exact, sums and means within 1e-9, quantiles within 2% (each within 1% of the true value)."""
    a, b = actual_table(multi, config), actual_table(solo, config)
    problems = [f"row only in the shared directory: {k}" for k in sorted(set(a) - set(b), key=repr)[:10]]
    problems += [f"row only in the one instance's: {k}" for k in sorted(set(b) - set(a), key=repr)[:10]]
    for k in sorted(set(a) & set(b), key=repr):
        for f in config.features:
            x, y = a[k].get(f.name), b[k].get(f.name)
            if f.agg == "quantile":
                xa, ya = _num(x), _num(y)
                ok = (xa is None) == (ya is None) and (xa is None or abs(xa - ya) <= max(0.02 * abs(ya), 1e-9))
                why = None if ok else "quantiles more than 2% apart"
            else:
                why = check_value(f, x, None if _num(y) is None else _num(y), None)
            if why and len(problems) < 40:
                problems.append(f"row {k}: {f.name} shared {x!r}, one instance {y!r}: {why}")
    if problems:
        pytest.fail(f"the shared directory ({len(a)} rows) differs from one instance's ({len(b)} rows):\n"
                    + "\n".join(problems), pytrace=False)


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def test_instances_killed_and_joining_equal_one_instance_and_the_reference(tmp_path, areaflow):
    rng = random.Random(SEED)
    config = scale_out_config(tmp_path / "scale.yaml", "transport-repartition")
    solo_config = scale_out_config(tmp_path / "solo.yaml", "transport-repartition-solo")
    require_feature(config)
    parts = make_partitions(SEED, per_partition=6000)
    result = expected_result(config, parts)
    out, solo_out = tmp_path / "shared", tmp_path / "solo"
    with MockCluster(tmp_path) as cluster:
        for topic in (TOPIC, "transport-repartition", "transport-repartition-solo"):
            assert cluster.create(topic) == PARTITIONS
        cluster.produce(TOPIC, messages(parts, 0.0, 0.5))
        with Instances(config, out, kafka_url(cluster, "fleet")) as fleet, \
                Instances(solo_config, solo_out, kafka_url(cluster, "solo")) as solo:
            solo.start("solo")
            for name in ("a", "b", "c"):
                fleet.start(name)
            deadline = time.monotonic() + 90
            while True:
                fleet.check_alive("waiting for progress")
                s = summary_or_none(out)
                if s is not None and (s.get("lines_read") or 0) >= 1000:
                    break
                assert time.monotonic() < deadline, (
                    f"no progress within 90 s: _summary.json {s}\n{fleet.describe()}")
                time.sleep(0.1)
            time.sleep(rng.uniform(0.0, 1.0))
            fleet.kill("b")
            cluster.produce(TOPIC, messages(parts, 0.5, 1.0))
            time.sleep(rng.uniform(2.0, 4.0))
            assert_committed_subset(out, result, "after b was SIGKILLed")
            fleet.start("d")
            time.sleep(2.0)
            assert_committed_subset(out, result, "after d joined")
            wait_done(out, result, [fleet, solo], "instances a, c, d (b SIGKILLed)")
            wait_done(solo_out, result, [fleet, solo], "the one instance")
            fleet.stop()
            solo.stop()
        offsets = {g: cluster.committed(TOPIC, g) for g in ("fleet", "solo")}
    commits = {n: r.count(LOG_FLUSH) for n, r in fleet.runs.items()}
    print(f"\nshared: {len(snapshot_files(out))} files, commits per instance {commits}; reference: "
          f"{result.summary['rows_written']} rows, late {result.summary['late']}, rejected {result.summary['rejected']}")
    assert_output_matches(out, result, "instances a, b (SIGKILLed), c, d in one directory")
    assert_output_matches(solo_out, result, "one instance")
    assert_same_rows(out, solo_out, result.config)
    # The source offsets reach the group after the checkpoints: every partition read to its end.
    ends = {p: len(parts[p]) for p in range(PARTITIONS)}
    assert offsets == {"fleet": ends, "solo": ends}, (offsets, ends)


def test_rebalance_while_an_instance_is_inside_a_commit(tmp_path, areaflow):
    rng = random.Random(SEED + 1)
    config = scale_out_config(tmp_path / "scale.yaml", "transport-repartition")
    require_feature(config)
    parts = make_partitions(SEED + 1, per_partition=4000)
    result = expected_result(config, parts)
    out = tmp_path / "shared"
    with MockCluster(tmp_path) as cluster:
        for topic in (TOPIC, "transport-repartition"):
            assert cluster.create(topic) == PARTITIONS
        cluster.produce(TOPIC, messages(parts, 0.0, 0.4))
        with Instances(config, out, kafka_url(cluster, "fleet"), env={PAUSE_ENV: "400"}) as fleet:
            a = fleet.start("a")
            a.expect(LOG_FLUSH, timeout=90)
            b = fleet.start("b")  # the rebalance lands while a is inside its commits
            cluster.produce(TOPIC, messages(parts, 0.4, 1.0))
            # a has handed partitions over (inside its paused commits) and b works on them: now a goes.
            b.expect(LOG_ASSIGNED, timeout=60)
            time.sleep(rng.uniform(1.0, 3.0))
            fleet.check_alive("before a is SIGKILLed")
            fleet.kill("a")
            assert_committed_subset(out, result, "after a was SIGKILLed")
            fleet.start("c")
            wait_done(out, result, [fleet], "instances b, c (a SIGKILLed)")
            fleet.stop()
    assert_output_matches(out, result, "instances a (SIGKILLed), b, c with paused commits")


def test_scale_out_needs_exactly_one_kafka_input(tmp_path, areaflow):
    config = scale_out_config(tmp_path / "scale.yaml", "transport-repartition")
    require_feature(config)
    stream = tmp_path / "stream.ndjson"
    stream.write_text("\n".join(make_partitions(SEED, per_partition=5)[0]) + "\n")
    k1 = "kafka://127.0.0.1:9/transport?group=g"
    k2 = "kafka://127.0.0.1:9/other?group=g"
    cases = [
        (["check", "--config", config, stream], "a file instead of a Kafka input"),
        (["check", "--config", config, k1, k2], "two Kafka inputs"),
        (["check", "--config", config, k1, stream], "a Kafka input and a file"),
        (["run", "--config", config, "--out", tmp_path / "o1", "--instance", "a", stream], "run with a file"),
        (["run", "--config", config, "--out", tmp_path / "o2", "--instance", "a", k1, k2], "run with two inputs"),
        (["run", "--config", config, "--out", tmp_path / "o3", "--instance", "a"], "run without an input"),
    ]
    for args, what in cases:
        p = run_cli(args, timeout=60)
        err = p.stderr.decode(errors="replace")
        assert p.returncode == 2 and "scale_out" in err, (
            f"{what}: `areaflow {' '.join(map(str, args))}` exited {p.returncode} (expected 2, "
            f"with a message naming scale_out)\nstderr: {err[-1500:]}")
    assert not any((tmp_path / o).exists() for o in ("o1", "o2", "o3")), "a refused run wrote its --out"
    # A scale_out section without its topic is a config error naming the key.
    cfg = yaml.safe_load(config.read_text())
    cfg["scale_out"] = {}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(cfg, sort_keys=False))
    p = run_cli(["check", "--config", bad, k1], timeout=60)
    assert p.returncode == 2 and "scale_out" in p.stderr.decode(errors="replace"), p.stderr.decode(errors="replace")



def test_instances_killed_at_random_moments_and_restarted_under_their_names(tmp_path, areaflow):
    """While the topic grows in bursts, a random instance is SIGKILLed and started again under the same name (its
    old group member still holds partitions until its session times out), three times; then every instance is
    stopped mid-stream and a new one, e, resumes alone from the shared directory. Equal to the reference."""
    rng = random.Random(SEED + 2)
    config = scale_out_config(tmp_path / "scale.yaml", "transport-repartition")
    require_feature(config)
    parts = make_partitions(SEED + 2, per_partition=3000)
    result = expected_result(config, parts)
    out = tmp_path / "shared"
    kills = []
    with MockCluster(tmp_path) as cluster:
        for topic in (TOPIC, "transport-repartition"):
            assert cluster.create(topic) == PARTITIONS
        cluster.produce(TOPIC, messages(parts, 0.0, 0.2))
        with Instances(config, out, kafka_url(cluster, "fleet")) as fleet:
            fleet.start("a")
            fleet.start("b")
            cuts = [0.2, 0.4, 0.6, 0.8, 1.0]
            for i in range(3):
                cluster.produce(TOPIC, messages(parts, cuts[i], cuts[i + 1]))
                time.sleep(rng.uniform(0.5, 3.0))
                name = rng.choice(["a", "b"])
                fleet.check_alive(f"before kill {i}")
                fleet.kill(name)
                kills.append(name)
                assert_committed_subset(out, result, f"after kill {i} ({name})")
                fleet.start(name)
            time.sleep(rng.uniform(0.5, 3.0))
            fleet.stop()  # every instance at once, in the middle of the stream
        assert_committed_subset(out, result, "after every instance stopped")
        cluster.produce(TOPIC, messages(parts, cuts[3], cuts[4]))
        with Instances(config, out, kafka_url(cluster, "fleet")) as rest:
            rest.start("e")  # a new name resumes from the shared directory alone
            wait_done(out, result, [rest], f"instance e after a, b (SIGKILLs of {kills}, each restarted) stopped")
            rest.stop()
    print(f"\nkilled and restarted: {kills}")
    assert_output_matches(out, result, f"instances a, b SIGKILLed ({kills}) and restarted, stopped, then e alone")
