"""Kafka inputs (SPEC sections 7 and 9) against librdkafka's mock cluster, which `kafka_mock.py` runs in a process of
its own for each test (three mock brokers; a topic gets 4 partitions on first use). Nothing is downloaded.

The oracle is `areaflow replay` of the same lines from a file:
- `replay kafka://…` reads the partitions in turns, one message each, so a topic produced in turns from a file
  replays exactly like the file: the same rows, counters, rejects and late records, even for a messy stream.
- `run kafka://…` is a consumer-group member, SIGKILLed at random moments while the topic grows and restarted,
  then finished with `--once`: its committed rows equal replay's, none lost, none twice. Each partition is time
  ordered there, so no event is late under either watermark rule (run's minimum over partitions, replay's maximum
  in arrival order) and the interleaving of partitions cannot change a row.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from pathlib import Path

from conftest import run_cli
from kafka_mock import MockCluster
from live_harness import (
    LOG_RESUMED,
    LiveRun,
    assert_same_as_replay,
    check_committed,
    generate,
    join_lines,
    replay_to,
    run_args,
    run_once,
    write_config,
)

SEED = int(os.environ.get("AREAFLOW_E2E_SEED", "20261126"))
KILLS = int(os.environ.get("AREAFLOW_E2E_KAFKA_KILLS", "6"))
DEBUG = ("--log-level", "debug")
# A killed member leaves the group when its session times out: keep that short so a restart is assigned quickly.
GROUP_OPTIONS = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 500, "max.poll.interval.ms": 7000}


def _messages(lines: list[bytes], rng: random.Random) -> list[tuple[int, str]]:
    """Consecutive lines in messages of one to three lines, the k-th message to partition k mod 4: each partition
    keeps the file's order, and reading the partitions in turns gives back the file."""
    messages, i = [], 0
    while i < len(lines):
        n = rng.choice([1, 1, 1, 2, 3])
        value = b"\n".join(lines[i:i + n])
        # Most values end without a newline, some with one: a message never merges with the next either way.
        if rng.random() < 0.3:
            value += b"\n"
        messages.append((len(messages) % 4, value.decode()))
        i += n
    return messages


def test_replay_of_a_topic_equals_replay_of_its_lines(tmp_path):
    rng = random.Random(SEED)
    config = write_config(tmp_path / "kafka.yaml")
    lines = [line for line in generate(tmp_path / "generated.ndjson", 20000, SEED) if line.strip()]
    plain = tmp_path / "stream.ndjson"
    plain.write_bytes(join_lines(lines))
    expected = replay_to(config, [plain], tmp_path / "replay-file")
    assert len(expected.rows) > 1000
    with MockCluster(tmp_path) as cluster:
        assert cluster.create("transport") == 4
        cluster.produce("transport", _messages(lines, rng))
        out = tmp_path / "replay-kafka"
        p = run_cli(["replay", "--config", config, "--out", out, "--quiet", cluster.url("transport")], timeout=300)
        assert p.returncode == 0, p.stderr.decode(errors="replace")[-3000:]
        assert_same_as_replay(out, tmp_path / "replay-file", config, "replay of the topic")
        # start=latest: nothing to read, and the replay ends at once.
        empty = tmp_path / "replay-latest"
        p = run_cli(["replay", "--config", config, "--out", empty, "--quiet",
                     cluster.url("transport", start="latest")], timeout=120)
        assert p.returncode == 0, p.stderr.decode(errors="replace")[-3000:]
        assert json.loads((empty / "_summary.json").read_text())["lines_read"] == 0


def test_replay_of_an_unknown_topic_is_a_clear_error(tmp_path):
    config = write_config(tmp_path / "kafka.yaml")
    with MockCluster(tmp_path) as cluster:
        cluster.create("transport")
        p = run_cli(["replay", "--config", config, "--out", tmp_path / "out", "--quiet", cluster.url("nosuchtopic")],
                    timeout=120)
    assert p.returncode == 1
    assert "the topic 'nosuchtopic' does not exist" in p.stderr.decode(), p.stderr.decode()


def test_check_explains_a_kafka_input_and_refuses_bad_urls(tmp_path):
    config = write_config(tmp_path / "kafka.yaml")
    url = "kafka://b1:9092,b2:9092/transport?group=g&start=latest&security.protocol=SASL_SSL&sasl.password_env=PW"
    p = run_cli(["check", "--config", config, url])
    out = p.stdout.decode()
    assert p.returncode == 0, p.stderr.decode()
    assert "Kafka topic 'transport' on b1:9092,b2:9092" in out and "consumer group 'g'" in out
    assert "sasl.password from the environment variable PW" in out
    for bad, words in [
        ("kafka://b1:9092/transport?grup=g", "unknown option 'grup'"),
        ("kafka://b1/transport", "is not HOST:PORT"),
        ("kafka://b1:9092/", "is not a Kafka topic name"),
        ("kafka://b1:9092/t?sasl.password=hunter2", "sasl.password_env=VARIABLE"),
        ("kafka://b1:9092/t?start=yesterday", "start 'yesterday'"),
        ("kafka://b1:9092/t?group.id=x", "set by areaflow"),
        ("kafka://b1:9092/t?security.protocol=carrier-pigeon", "librdkafka refuses security.protocol"),
    ]:
        p = run_cli(["check", "--config", config, bad])
        assert p.returncode == 2 and words in p.stderr.decode(), (bad, p.stderr.decode())
        assert "hunter2" not in p.stderr.decode().split("sasl.password=hunter2")[-1]
    p = run_cli(["run", "--config", config, "--out", tmp_path / "o", "kafka://b1:9092/t"])
    assert p.returncode == 2 and "?group=NAME" in p.stderr.decode()


class _Producer(threading.Thread):
    """Produces the messages in bursts over `duration_s` seconds while `run` is killed and restarted."""

    def __init__(self, cluster: MockCluster, topic: str, messages, rng: random.Random, duration_s: float):
        super().__init__(daemon=True)
        self.cluster, self.topic, self.messages, self.rng = cluster, topic, messages, rng
        self.duration_s, self.pos, self.error = duration_s, 0, None

    def run(self):
        try:
            bursts = 30
            size = len(self.messages) // bursts + 1
            while self.pos < len(self.messages):
                n = self.rng.randrange(size // 2, size * 3 // 2)
                self.cluster.produce(self.topic, self.messages[self.pos:self.pos + n])
                self.pos += len(self.messages[self.pos:self.pos + n])
                time.sleep(self.rng.uniform(0.3, 1.7) * self.duration_s / bursts)
        except BaseException as e:  # noqa: BLE001  (reported by the test)
            self.error = e


def test_run_killed_at_random_moments_while_the_topic_grows_commits_exactly_replays_rows(tmp_path):
    rng = random.Random(SEED + 1)
    config = write_config(tmp_path / "kafka.yaml", flush_every="300ms", idle_timeout="1h")
    lines = generate(tmp_path / "generated.ndjson", 12000, SEED, "--clean", "--sources", 120)
    plain = tmp_path / "stream.ndjson"
    plain.write_bytes(join_lines(lines))
    expected = replay_to(config, [plain], tmp_path / "replay")
    assert len(expected.rows) > 500
    out = tmp_path / "out"
    with MockCluster(tmp_path) as cluster:
        cluster.create("transport")
        messages = _messages(lines, rng)
        cluster.produce("transport", messages[:200])
        producer = _Producer(cluster, "transport", messages[200:], random.Random(SEED + 2), duration_s=15.0)
        producer.start()
        url = cluster.url("transport", group="areaflow-test", **GROUP_OPTIONS)
        log = []
        for i in range(KILLS):
            with LiveRun(run_args(config, out, [url], *DEBUG)) as r:
                if i % 2 == 0:
                    # After the partitions are assigned, so some kills land while reading and committing.
                    r.expect("partitions assigned", timeout=60)
                    time.sleep(rng.uniform(0.0, 2.0))
                else:
                    time.sleep(rng.uniform(0.2, 3.0))
                assert r.alive(), f"kill {i}: the run ended by itself\n{r.describe()}"
                r.kill()
                log.append((i, round(time.monotonic() - r.started_at, 2)))
            if out.exists():
                check_committed(out, expected.rows, config, subset=True, what=f"after kill {i}")
        producer.join(120)
        assert producer.error is None, f"producer failed: {producer.error!r}"
        assert producer.pos == len(messages) - 200
        r = run_once(config, out, [url], *DEBUG, timeout=180)
        assert r.count(LOG_RESUMED) >= 1, f"the final run did not resume from the checkpoint\n{r.describe()}"
        committed = cluster.committed("transport", "areaflow-test")
    print(f"\n{len(log)} kills: {log}")
    assert_same_as_replay(out, tmp_path / "replay", config, f"run after {len(log)} SIGKILLs", side_outputs=False)
    # The group's offsets were committed after the last checkpoint: every partition read to its end.
    counts = [sum(1 for p, _ in messages if p == k) for k in range(4)]
    assert committed == {k: counts[k] for k in range(4)}, (committed, counts)


def test_unreachable_brokers_are_logged_and_healthz_answers_503(tmp_path):
    import socket
    import urllib.error
    import urllib.request

    config = write_config(tmp_path / "kafka.yaml")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        http = s.getsockname()[1]
    url = f"kafka://127.0.0.1:{dead}/transport?group=g"
    with LiveRun(run_args(config, tmp_path / "out", [url], "--http", f"127.0.0.1:{http}")) as r:
        r.expect("input unavailable", timeout=60)
        deadline = time.monotonic() + 30
        status, body = None, ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{http}/healthz", timeout=5) as resp:
                    status, body = resp.status, resp.read().decode()
            except urllib.error.HTTPError as e:
                status, body = e.code, e.read().decode()
            except OSError:
                pass
            if status == 503:
                break
            time.sleep(0.2)
        assert status == 503, (status, body, r.describe())
        assert "cannot reach the brokers" in body, body
        assert r.alive(), r.describe()
        r.send(15)
        assert r.wait(30) == 0, r.describe()
