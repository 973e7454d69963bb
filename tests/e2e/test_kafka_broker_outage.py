"""A broker that disappears and comes back loses nothing (issue 14): `run kafka://…` reads a topic, every broker of
the mock cluster goes down for a while (connections dropped, new ones refused, data kept), more events are produced
once they are back, and the run, finished with `--once`, commits the rows of `replay` on the same lines: none lost,
none twice. The outage is visible meanwhile: logged, and `/healthz` answers 503.

The cluster is librdkafka's mock cluster in a small C program (`kafka_mock_brokers.c`, compiled here), because the
Python mock cannot take a broker down.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from confluent_kafka import Producer

from live_harness import LiveRun, assert_same_as_replay, generate, join_lines, replay_to, run_args, run_once, \
    wait_summary, write_config

HERE = Path(__file__).resolve().parent
GROUP_OPTIONS = "session.timeout.ms=6000&heartbeat.interval.ms=500&max.poll.interval.ms=7000"


class OutageCluster:
    def __init__(self, workdir: Path):
        binary = workdir / "kafka_mock_brokers"
        subprocess.run(["gcc", "-O1", "-o", str(binary), str(HERE / "kafka_mock_brokers.c"), "-lrdkafka"],
                       check=True, capture_output=True)
        self.proc = subprocess.Popen([str(binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        first = self.proc.stdout.readline().split()
        assert first and first[0] == "bootstrap", first
        self.bootstrap = first[1]

    def command(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "ok", line

    def close(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def produce(bootstrap: str, lines: list[bytes], first: int, partitions: int = 4) -> None:
    """Line k of the stream to partition k mod 4, as test_kafka.py does: each partition keeps the file's order, so
    with a clean (time-ordered) stream no event is late under run's per-partition watermark or replay's."""
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    for k, line in enumerate(lines, start=first):
        p.produce("transport", line, partition=k % partitions)
        p.poll(0)
    assert p.flush(60) == 0


def healthz(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_brokers_that_go_down_and_come_back_lose_nothing(tmp_path):
    config = write_config(tmp_path / "kafka.yaml", flush_every="300ms", idle_timeout="1h")
    lines = [x for x in generate(tmp_path / "generated.ndjson", 6000, 20261129, "--clean", "--sources", 60) if x]
    (tmp_path / "stream.ndjson").write_bytes(join_lines(lines))
    half = len(lines) // 2
    cluster = OutageCluster(tmp_path)
    try:
        cluster.command("create transport 4")
        produce(cluster.bootstrap, lines[:half], 0)
        expected = replay_to(config, [tmp_path / "stream.ndjson"], tmp_path / "replay")
        assert len(expected.rows) > 200
        url = f"kafka://{cluster.bootstrap}/transport?group=outage&{GROUP_OPTIONS}"
        out = tmp_path / "out"
        with LiveRun(run_args(config, out, [url], "--http", "127.0.0.1:0")) as r:
            i = r.expect(re.compile(r"http listening on http://[0-9.]+:(\d+)/"), 60)
            http = int(re.search(r":(\d+)/", r.lines[i]).group(1))
            wait_summary(out, lambda s: s["lines_read"] >= half, 90, "the first half", r)
            cluster.command("down")
            deadline = time.monotonic() + 60
            while healthz(http) != 503:
                assert time.monotonic() < deadline, "healthz never reported the outage\n" + r.describe()
                time.sleep(0.5)
            assert r.alive()
            cluster.command("up")
            produce(cluster.bootstrap, lines[half:], half)
            wait_summary(out, lambda s: s["lines_read"] >= len(lines), 120, "every line after the outage", r)
            deadline = time.monotonic() + 60
            while healthz(http) != 200:
                assert time.monotonic() < deadline, "healthz stayed unhealthy after the brokers came back"
                time.sleep(0.5)
            r.send(signal.SIGTERM)
            r.wait_exit(60)
        run_once(config, out, [url], timeout=180)
    finally:
        cluster.close()
    assert_same_as_replay(out, tmp_path / "replay", config, "run through a broker outage", side_outputs=False)
