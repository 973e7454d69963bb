#!/usr/bin/env python3
"""Scale-out benchmark (issue 15): k `areaflow run` instances sharing one Kafka topic, on librdkafka's mock cluster.

Builds nothing: uses .build/release/areaflow (`swift build -c release --product areaflow` first), or --bin.

What one run does:
  1. `areaflow generate transport -n N --seed 7` (plain NDJSON; empty lines dropped, as an empty Kafka message
     carries no line), and a config made from scripts/bench-transport-gh6.yaml with `flush_every: 1s`.
  2. One mock cluster (tests/e2e/kafka_mock.py); the events go to a 4-partition source topic, partitioned by
     vehicle_id, then one sentinel event per partition at 2030-01-01 (the same fields) so every real window becomes
     final in a live run. librdkafka's mock cluster keeps at most 5 MiB per partition and silently drops the oldest
     message sets beyond that: the source topic is produced lz4-compressed (--source-compression) and checked to
     start at offset 0; the repartition topics (~85 bytes per event, uncompressed) are checked the same way, which
     limits N to about 230,000.
  3. RUNS rounds, each interleaving (so that the machine's drift hits every row alike):
       replay  file     `areaflow replay` of the NDJSON file (no Kafka)
       replay  kafka    `areaflow replay` of the source topic (every partition to its end)
       run --once       one plain `run --once` on the topic (its own group; no scale_out): the no-repartition-hop
                        baseline
       scale-out k=K    K instances started at once (fresh group, repartition topic and output directory each),
                        for K in --ks (default 1,2,3); done when _summary.json shows every line read and a
                        watermark past the real data in every repartition partition (then rows_written is checked
                        to stay put for --settle seconds, which also gives the instances' idle CPU rate)
       aggregate only  after the k=1 run: one fresh instance (new group, empty output directory holding only k=1's
                        saved intake positions, so its intake starts at the end) aggregates k=1's whole
                        repartition topic: the aggregation stage's cost alone; intake = k=1 minus this
  4. Per row: wall seconds (start to done), CPU seconds (user+sys of the areaflow processes: from /proc at done for
     live runs, from wait4 for the others), events/s, CPU µs per event, peak RSS per instance (wait4), the broker's
     CPU (the mock cluster process) and the other load on the machine during the row (busy CPU in /proc/stat minus
     ours), then min / median / max over the rounds, the repartition topic's bytes per event (consumed once per
     scale-out run and summed), the outputs compared between rows, and a projection to more machines.

Usage: scripts/bench-scale-out.py [-n 200000] [--runs 3] [--ks 1,2,3] [--json FILE] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from kafka_mock import MockCluster, produce_all  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
# Short group timings: on the mock cluster a rebalance otherwise can stall ~40 s.
SESSION = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 500, "max.poll.interval.ms": 7000}
SENTINEL_TS = "2030-01-01T00:00:00Z"
# A summary watermark at or past this is past every real window (the data is in 2026).
DONE_WATERMARK = "2029-12-31T23:00:00"
PARTITIONS = 4  # the mock cluster's partitions per topic


# ----------------------------------------------------------------------------------------------------------------
# Measuring processes


def proc_cpu(pid: int) -> float | None:
    """user+sys seconds of a live process (all its threads, living and ended)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def thread_cpu(pid: int) -> dict[str, float]:
    """user+sys seconds per living thread of `pid`, by thread name (librdkafka's are `rdk:…`)."""
    out: dict[str, float] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return out
    for tid in tids:
        try:
            raw = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except FileNotFoundError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw.rsplit(")", 1)[1].split()
        out[f"{name}#{tid}"] = (int(fields[11]) + int(fields[12])) / TICK
    return out


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot (all but idle and iowait)."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(parts[:8])  # user nice system idle iowait irq softirq steal (guest is inside user)
    return (total - parts[3] - parts[4]) / TICK


def own_cpu() -> float:
    t = os.times()
    return t.user + t.system


def reap(proc: subprocess.Popen, timeout: float) -> tuple[int, float, float, int, bool]:
    """Waits for `proc` (SIGKILL after `timeout`); returns (status, user s, sys s, max RSS KiB, killed)."""
    deadline = time.monotonic() + timeout
    killed = False
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, ru.ru_utime, ru.ru_stime, ru.ru_maxrss, killed
        if time.monotonic() > deadline and not killed:
            proc.kill()
            killed = True
        time.sleep(0.02)


def alive(proc: subprocess.Popen) -> bool:
    """Whether `proc` still runs, without reaping it (wait4 reaps it later, for its rusage)."""
    return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None


def read_summary(out: Path) -> dict | None:
    try:
        return json.loads((out / "_summary.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def log_problems(path: Path) -> list[str]:
    """The warning/error/critical lines of an instance's stderr, timestamps cut."""
    found = []
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return found
    for line in text.splitlines():
        words = line.split(" ", 2)
        if len(words) == 3 and words[1] in ("warning", "error", "critical"):
            found.append(words[1] + " " + words[2])
    return found


# ----------------------------------------------------------------------------------------------------------------
# Outputs


def output_digest(out: Path) -> dict[str, tuple[int, str]]:
    """Per window/scheme folder: (data rows, sha256 of the sorted rows), sentinel-time rows (2029/2030) left out."""
    rows: dict[str, list[str]] = {}
    for f in sorted(out.rglob("*.csv")):
        rel = f.relative_to(out)
        if rel.parts[0].startswith("_") or f.name.startswith("."):
            continue
        lines = f.read_text().splitlines()
        folder = str(rel.parent)
        rows.setdefault(folder, []).extend(
            ",".join(_rounded(x) for x in line.split(","))
            for line in lines[1:] if line and "2029-" not in line and "2030-" not in line
        )
    return {
        k: (len(v), hashlib.sha256("\n".join(sorted(v)).encode()).hexdigest()[:12]) for k, v in sorted(rows.items())
    }


def _rounded(field: str) -> str:
    """A number to 9 significant digits: merges in another order differ in the last bits of sums (stddev)."""
    try:
        return format(float(field), ".9g")
    except ValueError:
        return field


def produce(bootstrap: str, topic: str, messages: list[tuple[int, str]], compression: str) -> None:
    """Produces (partition, value) messages in order and waits for every acknowledgement."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "acks": "all",
                         "compression.type": compression, "batch.num.messages": 10000})
    failures, left = produce_all(producer, topic, messages, 120)
    if failures or left:
        raise SystemExit(f"producing to {topic}: {len(failures)} failed, {left} unacknowledged: {failures[:3]}")


def low_watermarks(bootstrap: str, topic: str) -> dict[int, int]:
    """The first offset each partition still holds (the mock cluster drops the oldest past 5 MiB a partition)."""
    from confluent_kafka import Consumer, TopicPartition

    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-reader"})
    lows = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[0] for p in range(PARTITIONS)}
    c.close()
    return lows


def repartition_traffic(bootstrap: str, topic: str) -> dict:
    """Consumes the whole repartition topic once: messages, bytes, heartbeats (blocks without lines), entries."""
    from confluent_kafka import Consumer, TopicPartition

    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-reader", "enable.auto.commit": False})
    ends = {}
    for p in range(PARTITIONS):
        low, high = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
        if high > low:
            ends[p] = high
    c.assign([TopicPartition(topic, p, 0) for p in ends])
    stats = {"messages": 0, "bytes": 0, "heartbeats": 0, "heartbeat_bytes": 0, "entries": 0, "per_partition": {}}
    left = dict(ends)
    deadline = time.monotonic() + 120
    while left and time.monotonic() < deadline:
        for m in c.consume(1000, timeout=1.0):
            if m.error():
                continue
            p = m.partition()
            v = m.value() or b""
            stats["messages"] += 1
            stats["bytes"] += len(v)
            stats["per_partition"][p] = stats["per_partition"].get(p, 0) + len(v)
            # RepartitionBlock.encode: magic (length-prefixed), source, sourceCount, firstLine, lastLine, bound, idle,
            # entry count, ... (little-endian 8-byte words, the idle flag one byte).
            try:
                at = 8 + struct.unpack_from("<q", v, 0)[0]
                first, last = struct.unpack_from("<qq", v, at + 16)
                entries = struct.unpack_from("<q", v, at + 41)[0]
            except struct.error:
                continue
            stats["entries"] += entries
            if last < first:
                stats["heartbeats"] += 1
                stats["heartbeat_bytes"] += len(v)
            if m.offset() + 1 >= ends[p]:
                left.pop(p, None)
    c.close()
    stats["complete"] = not left
    stats["dropped"] = {p: lo for p, lo in low_watermarks(bootstrap, topic).items() if lo > 0}
    return stats


# ----------------------------------------------------------------------------------------------------------------
# The rows


class Bench:
    def __init__(self, args):
        self.args = args
        self.bin = str(Path(args.bin).resolve())
        self.work = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="bench-scale-out-"))
        self.work.mkdir(parents=True, exist_ok=True)
        self.results: dict[str, list[dict]] = {}
        self.problems: list[str] = []
        self.seq = 0

    # -- setup

    def prepare(self) -> None:
        a = self.args
        raw = self.work / "generated.ndjson"
        subprocess.run(
            [self.bin, "generate", "transport", "-n", str(a.n), "--seed", "7", "-o", str(raw)], check=True,
            stdout=subprocess.DEVNULL,
        )
        lines = [line for line in raw.read_text().split("\n") if line.strip()]
        self.events = self.work / "events.ndjson"
        self.events.write_text("\n".join(lines) + "\n")
        raw.unlink()
        self.lines = len(lines)
        self.total = self.lines + PARTITIONS  # + the sentinels
        self.file_bytes = self.events.stat().st_size
        base = (ROOT / "scripts" / "bench-transport-gh6.yaml").read_text()
        assert "flush_every: 10s" in base and "  dir: ../.bench/out-gh6\n" in base, "bench-transport-gh6.yaml changed"
        self.plain_text = base.replace("flush_every: 10s", "flush_every: 1s").replace("  dir: ../.bench/out-gh6\n", "")
        self.plain = self.work / "plain.yaml"
        self.plain.write_text(self.plain_text)

        msgs, sentinel_at = [], None
        for i, line in enumerate(lines):
            try:
                v = json.loads(line)
                key = v.get("vehicle_id") if isinstance(v, dict) else None
            except ValueError:
                v, key = None, None
            if sentinel_at is None and isinstance(v, dict) and isinstance(v.get("lat"), (int, float)) and isinstance(
                v.get("lon"), (int, float)
            ):
                sentinel_at = (v["lat"], v["lon"])
            partition = zlib.crc32(str(key if key is not None else i).encode()) % PARTITIONS
            msgs.append((partition, line))
        lat, lon = sentinel_at
        for p in range(PARTITIONS):
            msgs.append((p, json.dumps({
                "ts": SENTINEL_TS, "vehicle_id": "sentinel", "route": "S", "lat": lat, "lon": lon, "speed_kmh": 1.0,
                "delay_s": 0,
            })))
        self.per_partition = [sum(1 for p, _ in msgs if p == q) for q in range(PARTITIONS)]
        self.cluster = MockCluster(self.work)
        self.mock_pid = self.cluster.proc.pid
        self.cluster.create("src")
        started = time.monotonic()
        produce(self.cluster.bootstrap, "src", msgs, self.args.source_compression)
        self.produce_seconds = time.monotonic() - started
        lows = low_watermarks(self.cluster.bootstrap, "src")
        if any(lows.values()):
            raise SystemExit(
                f"the mock cluster dropped the oldest source messages (low watermarks {lows}): it keeps at most 5 MiB "
                f"per partition; use fewer events or --source-compression lz4")

    def fresh(self, what: str) -> tuple[str, Path]:
        self.seq += 1
        name = f"{what}-{self.seq}"
        out = self.work / "out" / name
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        return name, out

    def url(self, group: str | None) -> str:
        if group is None:
            return self.cluster.url("src", start="earliest")
        return self.cluster.url("src", group=group, start="earliest", **SESSION)

    # -- one measured row

    def begin(self) -> dict:
        return {"busy": machine_busy(), "mock": proc_cpu(self.mock_pid) or 0.0, "own": own_cpu(),
                "load": os.getloadavg()[0], "t": time.monotonic()}

    def end(self, mark: dict, wall: float, areaflow_cpu: float) -> dict:
        busy = machine_busy() - mark["busy"]
        mock = (proc_cpu(self.mock_pid) or 0.0) - mark["mock"]
        own = own_cpu() - mark["own"]
        span = time.monotonic() - mark["t"]
        return {"broker_cpu": mock, "others_cores": max(0.0, busy - areaflow_cpu - mock - own) / span,
                "load1": mark["load"]}

    def one_shot(self, label: str, argv: list[str], out: Path) -> dict:
        mark = self.begin()
        err = out.parent / f"{out.name}.stderr"
        started = time.monotonic()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=open(err, "w"))
        status, user, system, rss, killed = reap(p, self.args.timeout)
        wall = time.monotonic() - started
        s = read_summary(out) or {}
        row = {"wall": wall, "cpu": user + system, "cpu_total": user + system, "rss_kib": [rss], "status": status,
               "lines_read": s.get("lines_read"), "rows": s.get("rows_written"), "summary": s,
               "digest": output_digest(out)}
        row.update(self.end(mark, wall, user + system))
        if status != 0 or killed:
            self.problems.append(f"{label}: exit {status}{' (killed at the timeout)' if killed else ''}: {err}")
        for line in log_problems(err):
            self.problems.append(f"{label}: {line}")
        return row

    def scale_out(self, k: int, label: str, intake_from: Path | None = None, topic: str | None = None) -> dict:
        """k instances at once; done when every line is counted and every repartition partition is past the data."""
        name, out = self.fresh(label.replace(" ", "-").replace("=", ""))
        group = f"g-{name}"
        if topic is None:
            topic = f"rep-{name}"
            self.cluster.create(topic)
        if intake_from is not None:
            shutil.copytree(intake_from / "_checkpoint" / "intake", out / "_checkpoint" / "intake")
        cfg = self.work / f"{name}.yaml"
        cfg.write_text(self.plain_text + f"scale_out:\n  topic: {topic}\n")
        mark = self.begin()
        started = time.monotonic()
        procs, errs = [], []
        for i in range(k):
            err = out.parent / f"{name}.i{i}.stderr"
            errs.append(err)
            procs.append(subprocess.Popen(
                [self.bin, "run", "--config", str(cfg), "--out", str(out), "--instance", f"i{i}", self.url(group)],
                stdout=subprocess.DEVNULL, stderr=open(err, "w"),
            ))
        first_data = done_at = None
        series, cpu_series = [], []
        deadline = started + self.args.timeout
        s = None
        while time.monotonic() < deadline:
            time.sleep(0.2)
            now = time.monotonic() - started
            cpu_series.append((now, sum(proc_cpu(p.pid) or 0.0 for p in procs)))
            s = read_summary(out)
            if not all(alive(p) for p in procs):
                break
            if not s:
                continue
            series.append((round(now, 2), s.get("lines_read"), s.get("rows_written")))
            if first_data is None and s.get("lines_read", 0) > 0:
                first_data = now
            parts = len(list((out / "_checkpoint").glob("r*/summary.bin")))
            if (s.get("lines_read") == self.total and parts == PARTITIONS
                    and (s.get("watermark") or "") >= DONE_WATERMARK):
                done_at = now
                break
        cpu_done = [proc_cpu(p.pid) or 0.0 for p in procs]
        threads = [thread_cpu(p.pid) for p in procs]
        rows_done = (s or {}).get("rows_written")
        # Settle: rows_written must stay put; the CPU spent meanwhile is the instances' idle rate.
        changed_after = None
        if done_at is not None:
            settle_end = time.monotonic() + self.args.settle
            while time.monotonic() < settle_end:
                time.sleep(0.2)
                s2 = read_summary(out) or {}
                if s2.get("rows_written") != rows_done:
                    changed_after = s2.get("rows_written")
        cpu_settled = [proc_cpu(p.pid) or 0.0 for p in procs]
        settle_span = self.args.settle if done_at is not None else 0.0
        wall = done_at if done_at is not None else time.monotonic() - started
        for p in procs:
            if alive(p):
                p.send_signal(signal.SIGTERM)
        stop_started = time.monotonic()
        reaped = [reap(p, 30) for p in procs]
        stop_seconds = time.monotonic() - stop_started
        cpu = sum(cpu_done)
        # Busy from: the first sample (past the first second, i.e. process start-up) where the instances together
        # ran at more than a quarter of a core: before it they wait for the groups.
        busy_from = next((t for (t0, c0), (t, c) in zip(cpu_series, cpu_series[1:])
                          if t >= 1.0 and (c - c0) / (t - t0) > 0.25), None)
        row = {
            "wall": wall, "cpu": cpu, "cpu_total": sum(u + sy for _, u, sy, _, _ in reaped),
            "rss_kib": [r for _, _, _, r, _ in reaped], "status": [st for st, *_ in reaped],
            "idle_cpu_rate": (sum(cpu_settled) - cpu) / settle_span if settle_span else None,
            "first_data": first_data, "stop_seconds": stop_seconds,
            "busy": (wall - busy_from + 0.2) if busy_from is not None and done_at is not None else None, "done": done_at is not None,
            "lines_read": (s or {}).get("lines_read"), "rows": rows_done, "summary": read_summary(out) or {},
            "rows_changed_after_done": changed_after, "series": series,
            "threads": _thread_split(threads), "digest": output_digest(out), "topic": topic, "out": str(out),
            "assignments": [_assignments(e) for e in errs],
        }
        row.update(self.end(mark, wall, cpu))
        dropped = {p: lo for p, lo in low_watermarks(self.cluster.bootstrap, topic).items() if lo > 0}
        if dropped:
            self.problems.append(
                f"{label}: the mock cluster dropped the oldest repartition blocks (first offsets {dropped}; it keeps "
                f"5 MiB a partition): use fewer events")
        if done_at is None:
            self.problems.append(
                f"{label}: not done after {wall:.1f} s (lines_read {row['lines_read']} of {self.total}, "
                f"watermark {(s or {}).get('watermark')}); stderr in {out.parent}/{name}.i*.stderr")
        if changed_after is not None:
            self.problems.append(f"{label}: rows_written changed after done: {rows_done} -> {changed_after}")
        for i, (st, _, _, _, killed) in enumerate(reaped):
            if st != 0 or killed:
                self.problems.append(f"{label}: instance i{i} exit {st}{' (killed)' if killed else ''}: {errs[i]}")
        for i, e in enumerate(errs):
            for line in log_problems(e):
                self.problems.append(f"{label} i{i}: {line}")
        return row

    # -- the rounds

    def run(self) -> None:
        a = self.args
        ks = [int(x) for x in a.ks.split(",")]
        for round_ in range(a.runs):
            print(f"round {round_ + 1}/{a.runs}", file=sys.stderr, flush=True)
            name, out = self.fresh("replay-file")
            self.add("replay file", self.one_shot(
                "replay file", [self.bin, "replay", "--config", str(self.plain), "--out", str(out), "--quiet",
                                str(self.events)], out))
            name, out = self.fresh("replay-kafka")
            self.add("replay kafka", self.one_shot(
                "replay kafka", [self.bin, "replay", "--config", str(self.plain), "--out", str(out), "--quiet",
                                 self.url(None)], out))
            name, out = self.fresh("run-once")
            self.add("run --once", self.one_shot(
                "run --once", [self.bin, "run", "--config", str(self.plain), "--out", str(out), "--once",
                               self.url(f"g-{name}")], out))
            for k in ks:
                label = f"scale-out k={k}"
                row = self.scale_out(k, label)
                if k == 1 and round_ == 0 or a.traffic_every_run:
                    row["traffic"] = repartition_traffic(self.cluster.bootstrap, row["topic"])
                self.add(label, row)
                if k == 1 and not a.no_aggregate_only:
                    self.add("aggregate only", self.scale_out(
                        1, "aggregate only", intake_from=Path(row["out"]), topic=row["topic"]))

    def add(self, label: str, row: dict) -> None:
        self.results.setdefault(label, []).append(row)
        extra = ""
        if "first_data" in row:
            extra = f" first data {row['first_data'] or float('nan'):.1f} s, stop {row['stop_seconds']:.1f} s"
        print(f"  {label:16} wall {row['wall']:7.2f} s  cpu {row['cpu']:6.2f} s  rows {row['rows']}  "
              f"others {row['others_cores']:.2f} cores{extra}", file=sys.stderr, flush=True)


def _thread_split(threads: list[dict[str, float]]) -> dict:
    rdk = sum(v for t in threads for n, v in t.items() if n.startswith("rdk:"))
    other = [v for t in threads for n, v in t.items() if not n.startswith("rdk:")]
    return {"librdkafka": rdk, "areaflow": sum(other), "busiest_areaflow_thread": max(other, default=0.0)}


def _assignments(err: Path) -> dict:
    """How often the instance's partitions changed, and its last assignment, from its log."""
    changes, last_intake, last_aggregate = 0, None, None
    try:
        text = err.read_text(errors="replace")
    except FileNotFoundError:
        return {}
    for line in text.splitlines():
        if "partitions changed" in line:
            changes += 1
            try:
                agg = line.split("aggregate partitions=")[1].split("]")[0] + "]"
                intake = line.split("intake partitions=")[1].split("]")[0] + "]"
                last_intake, last_aggregate = json.loads(intake), json.loads(agg)
            except (IndexError, ValueError):
                pass
    return {"changes": changes, "intake": last_intake, "aggregate": last_aggregate}


# ----------------------------------------------------------------------------------------------------------------
# Report


def net_cpu(r: dict) -> float:
    """CPU at done less the idle rate over the time the instances waited (start to done, less busy)."""
    waited = r["wall"] - (r.get("busy") or 0.0)
    return r["cpu"] - (r["idle_cpu_rate"] or 0.0) * max(0.0, waited)


def mmm(values: list[float], fmt: str) -> str:
    vs = [v for v in values if v is not None]
    if not vs:
        return "-"
    return " / ".join(format(v, fmt) for v in (min(vs), statistics.median(vs), max(vs)))


def med(values):
    vs = [v for v in values if v is not None]
    return statistics.median(vs) if vs else None


def report(b: Bench) -> None:
    a = b.args
    n = b.lines
    print(f"\n## areaflow scale-out benchmark: {n:,} transport events (seed 7, {b.file_bytes / 1e6:.1f} MB NDJSON), "
          f"scripts/bench-transport-gh6.yaml with flush_every 1s, {a.runs} rounds, {os.cpu_count()} cores")
    print(f"source topic: {PARTITIONS} partitions by vehicle_id ({', '.join(str(x) for x in b.per_partition)} messages "
          f"incl. one sentinel each), produced in {b.produce_seconds:.1f} s; mock cluster = librdkafka's, in one process\n")
    print("| row | wall s (min / med / max) | events/s (median) | CPU s (min / med / max) | CPU µs/event (median) "
          "| peak RSS MiB per instance (max) | broker CPU s (median) | others' load, cores (median) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, rows in b.results.items():
        walls = [r["wall"] for r in rows]
        cpus = [r["cpu"] for r in rows]
        mw, mc = med(walls), med(cpus)
        rss = max(max(r["rss_kib"]) for r in rows) / 1024
        print(f"| {label} | {mmm(walls, '.2f')} | {n / mw:,.0f} | {mmm(cpus, '.2f')} | {mc / n * 1e6:.2f} "
              f"| {rss:.0f} | {med([r['broker_cpu'] for r in rows]):.2f} | {med([r['others_cores'] for r in rows]):.2f} |")

    so = {label: rows for label, rows in b.results.items() if label.startswith("scale-out")}
    if so:
        print("\nScale-out details: busy = from the first 0.2 s sample (after 1 s) where the instances ran above 0.25 "
              "core to done (group joins left out, the last flush in);\nfirst data = first _summary.json with lines; "
              "idle = CPU rate of all instances in the --settle seconds after done; net of idle = CPU at done minus "
              "idle rate x (wall - busy);\nstop = SIGTERM to exit; CPU split by thread at done (living threads); medians "
              "unless min / med / max.\n")
        print("| row | busy s (min / med / max) | events/s while busy (median) | first data s | idle CPU s/s "
              "| CPU s net of idle | µs/event net of idle | stop s | total CPU s incl. stop | librdkafka threads CPU s "
              "| busiest areaflow thread CPU s | partition changes per instance | final assignment (intake / aggregate) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for label in list(so) + (["aggregate only"] if "aggregate only" in b.results else []):
            rows = b.results[label]
            last = rows[-1]
            assign = "; ".join(f"{x.get('intake')} / {x.get('aggregate')}" for x in last["assignments"])
            changes = med([statistics.mean(x.get("changes", 0) for x in r["assignments"]) for r in rows])
            busy = [r.get("busy") for r in rows]
            net = [net_cpu(r) for r in rows]
            print(f"| {label} | {mmm(busy, '.2f')} | {n / (med(busy) or float('nan')):,.0f} "
                  f"| {med([r['first_data'] for r in rows]) or float('nan'):.1f} "
                  f"| {med([r['idle_cpu_rate'] for r in rows]) or 0:.3f} | {mmm(net, '.2f')} | {med(net) / n * 1e6:.2f} "
                  f"| {med([r['stop_seconds'] for r in rows]):.1f} "
                  f"| {med([r['cpu_total'] for r in rows]):.2f} | {med([r['threads']['librdkafka'] for r in rows]):.2f} "
                  f"| {med([r['threads']['busiest_areaflow_thread'] for r in rows]):.2f} | {changes:.1f} | {assign} |")

    # Outputs compared: every scale-out row against each other, and against run --once (same per-partition rule).
    print("\nOutputs (data rows without the sentinels' windows; digest of the sorted rows, numbers to 9 digits):")
    digests = {}
    for label, rows in b.results.items():
        for i, r in enumerate(rows):
            digests[f"{label}#{i + 1}"] = r["digest"]
    ref_key = next((k for k in digests if k.startswith("scale-out")), None)
    reference = digests.get(ref_key)
    for key, d in digests.items():
        total = sum(c for c, _ in d.values())
        late = next(r["summary"].get("late") for label, rows in b.results.items() for i, r in enumerate(rows)
                    if f"{label}#{i + 1}" == key)
        same = "" if reference is None else ("same" if d == reference else "DIFFERENT")
        print(f"  {key:22} {total:7,} rows  late {late}  {' '.join(f'{k}:{h}' for k, (_, h) in d.items())}  "
              f"{same} (vs {ref_key})")
        if key.startswith("scale-out") or key.startswith("aggregate only"):
            if reference is not None and d != reference:
                b.problems.append(f"{key}: its rows differ from {ref_key}'s")
    for label, rows in b.results.items():
        sums = {json.dumps({k: v for k, v in r["summary"].items() if k not in ("files", "rows_written", "watermark")},
                           sort_keys=True) for r in rows}
        if len(sums) > 1:
            b.problems.append(
                f"{label}: the summaries' counters differ between rounds (late: "
                f"{', '.join(str(r['summary'].get('late')) for r in rows)})"
                + ("" if label.startswith(("scale-out", "aggregate")) else
                   "; expected for a plain run: its partitions' watermarks interleave by arrival"))

    # Repartition traffic and the projection.
    k1 = b.results.get("scale-out k=1")
    traffic = next((r["traffic"] for r in (k1 or []) if "traffic" in r), None)
    plain = b.results.get("run --once")
    agg = b.results.get("aggregate only")
    print("\n### Repartition hop")
    if k1 and plain:
        c1, cp = med([r["cpu"] for r in k1]) / n * 1e6, med([r["cpu"] for r in plain]) / n * 1e6
        print(f"- CPU per event: scale-out k=1 {c1:.2f} µs vs run --once {cp:.2f} µs: the hop costs {c1 - cp:+.2f} µs "
              f"per event ({c1 / cp:.2f}x)")
        if agg:
            ca = med([r["cpu"] for r in agg]) / n * 1e6
            print(f"- of k=1's {c1:.2f} µs: aggregation (reading, decoding and merging blocks, committing) "
                  f"{ca:.2f} µs, measured alone; intake (reading, decoding, keying, stamping, encoding and producing "
                  f"blocks) the rest, {c1 - ca:.2f} µs")
    if traffic:
        per_event = traffic["bytes"] / n
        print(f"- repartition topic after k=1: {traffic['messages']:,} messages, {traffic['bytes'] / 1e6:.1f} MB = "
              f"{per_event:.0f} bytes per event ({traffic['entries']:,} entries, "
              f"{(traffic['bytes'] - traffic['heartbeat_bytes']) / max(1, traffic['entries']):.0f} bytes per entry "
              f"with headers; {traffic['heartbeats']:,} heartbeat blocks = {traffic['heartbeat_bytes'] / 1e3:.0f} kB); "
              f"source NDJSON: {b.file_bytes / n:.0f} bytes per event; per repartition partition: "
              + ", ".join(f"{traffic['per_partition'].get(p, 0) / 1e6:.1f}" for p in range(PARTITIONS)) + " MB")

    print("\n### Projection to N machines (one instance each)")
    if k1:
        net = net_cpu
        c1 = med([net(r) for r in k1]) / n * 1e6
        t1 = med([r["threads"]["busiest_areaflow_thread"] for r in k1]) / n * 1e6
        busy1 = med([r.get("busy") for r in k1])
        per_instance = min(1e6 / t1, 2e6 / c1)
        print(f"- one instance (k=1) costs {c1:.2f} µs CPU per event net of idle; its busiest thread (the scale-out "
              f"queue: intake and aggregation share one serial queue) {t1:.2f} µs: one instance tops out near "
              f"{per_instance:,.0f} events/s with 2 or more cores ({1e6 / c1:,.0f} on one core); measured here while "
              + (f"busy: {n / busy1:,.0f} events/s" if busy1 else "busy: -")
              + " (2 shared cores, the broker on them too, the last 1 s flush included)")
        for k in sorted(int(label.split("=")[1]) for label in so):
            rows = so[f"scale-out k={k}"]
            ck = med([net(r) for r in rows]) / n * 1e6
            print(f"- k={k} here: {ck:.2f} µs CPU/event net of idle ({ck / c1:.2f}x k=1), busy "
                  f"{mmm([r.get('busy') for r in rows], '.2f')} s, start to done {mmm([r['wall'] for r in rows], '.2f')} s")
        ca = med([net(r) for r in agg]) / n * 1e6 if agg else None
        if ca:
            ci = c1 - ca
            print(f"- stages: intake {ci:.2f} µs/event (k=1 minus aggregate only), parallel over the P source "
                  f"partitions; aggregation {ca:.2f} µs/event, one repartition partition aggregated by one instance on "
                  f"its serial queue, so a partition takes at most {1e6 / ca:,.0f} events/s of its own entries, and "
                  f"the R partitions {PARTITIONS} × that = {PARTITIONS * 1e6 / ca:,.0f} events/s if areas spread evenly")
        if traffic:
            shares = [traffic["per_partition"].get(p, 0) / max(1, traffic["bytes"]) for p in range(PARTITIONS)]
            print(f"- repartition topic: {traffic['bytes'] / n:.0f} bytes per event written once and read once "
                  f"(source NDJSON {b.file_bytes / n:.0f}); busiest partition {max(shares) * 100:.0f}% of the bytes "
                  f"(even: {100 / PARTITIONS:.0f}%)")
        print(f"- instances with work: at most min(P, R) = {PARTITIONS} here; further instances only wait (and idle at "
              f"{med([r['idle_cpu_rate'] for r in k1]) or 0:.3f} cores each). More machines need topics with more "
              f"partitions (a new repartition topic means a new output directory: its partition count is in the "
              f"checkpoint's fingerprint).")
        print("\n| N machines | instances with work (P = R = 4) | events/s, ~N × one instance | repartition MB/s in (and out) "
              "| the same with P = R = 4N |")
        print("|---:|---:|---:|---:|---:|")
        per_event = traffic["bytes"] / n if traffic else 0
        for machines in (1, 2, 4, 8, 16):
            useful = min(machines, PARTITIONS)
            rate = useful * per_instance
            free = machines * per_instance
            print(f"| {machines} | {useful} | {rate:,.0f} | {rate * per_event / 1e6:,.0f} | {free:,.0f} events/s, "
                  f"{free * per_event / 1e6:,.0f} MB/s |")



def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=200_000, help="events (default 200,000)")
    ap.add_argument("--runs", type=int, default=3, help="rounds (default 3)")
    ap.add_argument("--ks", default="1,2,3", help="instance counts (default 1,2,3)")
    ap.add_argument("--bin", default=str(ROOT / ".build" / "release" / "areaflow"))
    ap.add_argument("--timeout", type=float, default=180, help="seconds before a row counts as stalled")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds rows_written must stay put after done")
    ap.add_argument("--keep", help="work directory to keep (default: a temporary one, deleted)")
    ap.add_argument("--json", help="write every measurement to this file")
    ap.add_argument("--source-compression", default="lz4",
                    help="compression.type of the source topic's producer (default lz4: librdkafka's mock cluster "
                         "keeps at most 5 MiB per partition, ~36,000 uncompressed events)")
    ap.add_argument("--traffic-every-run", action="store_true", help="consume every scale-out run's repartition topic")
    ap.add_argument("--no-aggregate-only", action="store_true", help="skip the aggregation-only row")
    args = ap.parse_args()
    if not Path(args.bin).exists():
        print(f"{args.bin} is missing: swift build -c release --product areaflow", file=sys.stderr)
        return 2
    b = Bench(args)
    started = time.monotonic()
    try:
        b.prepare()
        b.run()
    finally:
        if hasattr(b, "cluster"):
            b.cluster.close()
    report(b)
    print("\n### Problems seen")
    seen = {}
    for p in b.problems:
        # The same warning of different instances, runs and offsets counts once.
        key = re.sub(r"@\d+", "@N", re.sub(r" i\d+:", ":", re.sub(r"rep-[\w-]+", "rep-…", p)))
        if "COMMITFAIL" in p and "Group rebalance in progress" in p:
            key = key.split(":")[0] + (": warning (librdkafka COMMITFAIL): an offset commit to the group refused "
                                       "during a rebalance (Group rebalance in progress)")
        seen[key] = seen.get(key, 0) + 1
    for p, c in seen.items():
        print(f"- {p}" + (f" (×{c})" if c > 1 else ""))
    if not seen:
        print("- none")
    print(f"\n(whole run {time.monotonic() - started:.0f} s; work directory {b.work})")
    if args.json:
        Path(args.json).write_text(json.dumps({"n": b.lines, "results": b.results, "problems": b.problems},
                                              indent=1, default=str))
    if not args.keep:
        shutil.rmtree(b.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
