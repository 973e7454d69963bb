"""`output.kafka` (SPEC section 9): every final row published to a Kafka topic, exactly once for a `read_committed`
consumer, against librdkafka's mock cluster (`kafka_mock.py`, in a process of its own; it supports transactions).

The oracle is the snapshot directory of the same run: the NDJSON snapshot lines are exactly the message values, so
the topic, read from the beginning with `isolation.level=read_committed`, must hold the multiset of snapshot lines —
each once — with keys `[window, window_start, area_scheme, area, route]` matching their values.
Knob: `AREAFLOW_E2E_KAFKA_SINK_KILLS` (SIGKILLs in the crash test, default 8).
"""

from __future__ import annotations

import collections
import glob
import json
import os
import random
import time
from pathlib import Path

import yaml
from confluent_kafka import Consumer, TopicPartition

from conftest import run_cli
from kafka_mock import MockCluster
from live_harness import LiveRun, append, generate, join_lines, run_args, run_once, write_config

SEED = int(os.environ.get("AREAFLOW_E2E_SEED", "20261126"))
KILLS = int(os.environ.get("AREAFLOW_E2E_KAFKA_SINK_KILLS", "8"))
KEY_COLUMNS = ("window", "window_start", "area_scheme", "area", "route")


def _config(path: Path, cluster: MockCluster, topic: str, **extra) -> Path:
    write_config(path, fmt="ndjson", flush_every="200ms")
    cfg = yaml.safe_load(path.read_text())
    cfg["output"]["kafka"] = {"brokers": cluster.bootstrap, "topic": topic, **extra}
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def _snapshot_lines(out: Path) -> list[bytes]:
    lines = []
    for path in sorted(glob.glob(str(out / "**" / "*.ndjson"), recursive=True)):
        data = Path(path).read_bytes()
        lines += [line for line in data.split(b"\n") if line]
    return lines


def _topic(cluster: MockCluster, topic: str, isolation: str = "read_committed") -> list[tuple[bytes, bytes]]:
    """Every message of `topic`, all partitions from the beginning to their end, as a consumer would read them."""
    c = Consumer({"bootstrap.servers": cluster.bootstrap, "group.id": f"reader-{time.monotonic_ns()}",
                  "isolation.level": isolation, "enable.partition.eof": True, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest"})
    try:
        parts = sorted(c.list_topics(topic, timeout=10).topics[topic].partitions)
        c.assign([TopicPartition(topic, p, 0) for p in parts])
        open_parts, got = set(parts), []
        deadline = time.monotonic() + 60
        while open_parts and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                assert m.error().code() == -191, m.error()  # _PARTITION_EOF
                open_parts.discard(m.partition())
                continue
            got.append((m.key(), m.value()))
        assert not open_parts, f"partitions {open_parts} not read to their end"
        return got
    finally:
        c.close()


def _assert_topic_equals_snapshots(cluster: MockCluster, topic: str, out: Path, what: str) -> int:
    messages = _topic(cluster, topic)
    snapshot = _snapshot_lines(out)
    assert snapshot, f"{what}: no snapshot rows"
    values = collections.Counter(v for _, v in messages)
    twice = [v for v, n in values.items() if n > 1]
    assert not twice, f"{what}: {len(twice)} rows published more than once, e.g. {twice[:2]}"
    expected = collections.Counter(snapshot)
    missing = expected - values
    extra = values - expected
    assert not missing and not extra, (
        f"{what}: {sum(missing.values())} snapshot rows not on the topic (e.g. {list(missing)[:2]}), "
        f"{sum(extra.values())} messages not in the snapshots (e.g. {list(extra)[:2]})")
    for key, value in messages:
        row = json.loads(value)
        assert json.loads(key) == [row[c] for c in KEY_COLUMNS], (key, value)
    return len(messages)


def test_replay_publishes_every_row_once_with_deterministic_keys(tmp_path):
    lines = generate(tmp_path / "generated.ndjson", 6000, SEED, "--sources", 60)
    stream = tmp_path / "stream.ndjson"
    stream.write_bytes(join_lines(lines))
    with MockCluster(tmp_path) as cluster:
        config = _config(tmp_path / "sink.yaml", cluster, "areas")
        out = tmp_path / "replay"
        p = run_cli(["replay", "--config", config, "--out", out, "--quiet", stream],
                    timeout=300)
        assert p.returncode == 0, p.stderr.decode(errors="replace")[-3000:]
        n = _assert_topic_equals_snapshots(cluster, "areas", out, "replay")
        assert n > 500
        assert not list((out / "_kafka").glob("*/part-*")), "record files left after publication"
        first = sorted(_topic(cluster, "areas"))
        # A second replay of the same stream is a new output: it publishes its rows again, with the same keys.
        p = run_cli(["replay", "--config", config, "--out", out, "--quiet", "--overwrite", stream], timeout=300)
        assert p.returncode == 0, p.stderr.decode(errors="replace")[-3000:]
        both = collections.Counter(_topic(cluster, "areas"))
        assert all(both[m] == 2 for m in first) and sum(both.values()) == 2 * len(first)
        # Without transactions: the same messages (at least once; a compacted topic keeps one per key).
        plain = _config(tmp_path / "plain.yaml", cluster, "areas-plain", transactions=False)
        p = run_cli(["replay", "--config", plain, "--out", tmp_path / "plain", "--quiet", stream], timeout=300)
        assert p.returncode == 0, p.stderr.decode(errors="replace")[-3000:]
        assert sorted(_topic(cluster, "areas-plain")) == first


def test_run_killed_at_random_moments_publishes_every_row_exactly_once(tmp_path):
    rng = random.Random(SEED + 7)
    lines = generate(tmp_path / "generated.ndjson", 12000, SEED, "--clean", "--sources", 120)
    feed = tmp_path / "feed.ndjson"
    feed.write_bytes(b"")
    out = tmp_path / "out"
    chunks = 3 * KILLS
    step = len(lines) // chunks + 1
    with MockCluster(tmp_path) as cluster:
        config = _config(tmp_path / "sink.yaml", cluster, "areas")
        fed = 0
        kills = []
        for i in range(KILLS):
            # Every other run pauses inside each transaction, so some kills land between producing and committing.
            env = {"AREAFLOW_TEST_PUBLISH_PAUSE_MS": "300"} if i % 2 else None
            with LiveRun(run_args(config, out, [feed], "--log-level", "debug"), env=env) as r:
                deadline = time.monotonic() + rng.uniform(0.5, 2.5)
                while time.monotonic() < deadline:
                    append(feed, join_lines(lines[fed:fed + step]))
                    fed = min(len(lines), fed + step)
                    time.sleep(rng.uniform(0.05, 0.4))
                assert r.alive(), f"kill {i}: the run ended by itself\n{r.describe()}"
                r.kill()
                kills.append(round(time.monotonic() - r.started_at, 2))
        append(feed, join_lines(lines[fed:]))
        r = run_once(config, out, [feed], "--log-level", "debug", timeout=180)
        n = _assert_topic_equals_snapshots(cluster, "areas", out, f"run after {len(kills)} SIGKILLs")
        assert n > 500
        assert not list((out / "_kafka").glob("*/part-*")), "record files left after publication"
    print(f"\n{len(kills)} kills at {kills}, {n} rows published")


def test_check_validates_output_kafka(tmp_path):
    base = write_config(tmp_path / "base.yaml")
    cfg = yaml.safe_load(base.read_text())
    for kafka, words in [
        ({"brokers": "b1", "topic": "t"}, "is not HOST:PORT"),
        ({"brokers": "b1:9092", "topic": "no spaces"}, "is not a Kafka topic name"),
        ({"brokers": "b1:9092"}, "output.kafka.topic"),
        ({"brokers": "b1:9092", "topic": "t", "transactions": "maybe"}, "expected true or false"),
        ({"brokers": "b1:9092", "topic": "t", "acks": 1}, "unknown key"),
    ]:
        cfg["output"]["kafka"] = kafka
        path = tmp_path / "bad.yaml"
        path.write_text(yaml.safe_dump(cfg, sort_keys=False))
        p = run_cli(["check", "--config", path])
        assert p.returncode == 2 and words in p.stderr.decode(), (kafka, p.stderr.decode())
    cfg["output"]["kafka"] = {"brokers": "b1:9092,b2:9092", "topic": "areas"}
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    p = run_cli(["check", "--config", path])
    assert p.returncode == 0, p.stderr.decode()
    assert "Kafka topic 'areas' on b1:9092,b2:9092" in p.stdout.decode(), p.stdout.decode()
    assert "exactly once for read_committed consumers" in p.stdout.decode(), p.stdout.decode()


def test_unreachable_brokers_hold_up_publication_not_the_snapshots(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    lines = generate(tmp_path / "generated.ndjson", 3000, SEED, "--clean", "--sources", 30)
    feed = tmp_path / "feed.ndjson"
    feed.write_bytes(join_lines(lines))
    write_config(tmp_path / "sink.yaml", fmt="ndjson", flush_every="200ms")
    cfg = yaml.safe_load((tmp_path / "sink.yaml").read_text())
    cfg["output"]["kafka"] = {"brokers": f"127.0.0.1:{dead}", "topic": "areas"}
    config = tmp_path / "sink.yaml"
    config.write_text(yaml.safe_dump(cfg, sort_keys=False))
    out = tmp_path / "out"
    with LiveRun(run_args(config, out, [feed])) as r:
        r.expect("kafka publication failed", timeout=60)
        r.expect("flush committed", timeout=30)
        # The snapshots are committed; their messages wait in record files for the brokers.
        assert _snapshot_lines(out)
        assert list((out / "_kafka").glob("*/part-*.records"))
        assert r.alive(), r.describe()
        r.send(15)
        assert r.wait(60) == 1, r.describe()
    assert "kafka publication is behind at stop" in r.stderr_text()
