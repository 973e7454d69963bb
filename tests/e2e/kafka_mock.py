"""A librdkafka mock cluster in a process of its own, for the Kafka tests (no broker is downloaded or started).

`python3 kafka_mock.py` creates the cluster (3 mock brokers inside a confluent-kafka producer), prints
`bootstrap HOST:PORT,...` on stdout, then serves one command per line on stdin, answering `ok ...` (or `error ...`):

- `create TOPIC`: creates a topic (the mock cluster gives a topic 4 partitions on first use); answers `ok N` with its
  partition count;
- `produce TOPIC FILE`: produces the messages listed in FILE, a JSON array of `[partition, value]` (value a string),
  in order, and waits until every one is acknowledged; answers `ok N`;
- `offsets TOPIC GROUP`: the group's committed offsets, `ok {"partition": offset, ...}` as JSON.

The cluster lives as long as the process: it ends when stdin closes. `MockCluster` drives it from a test.

For a demonstration, `python3 kafka_mock.py --load TOPIC FILE [--hold SECONDS]` produces the lines of FILE (plain
text) to TOPIC, one message each, in turns over its partitions, prints `bootstrap ...` and keeps the cluster up for
SECONDS (default 600) without reading stdin.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def produce_all(producer, topic: str, messages, timeout_s: float) -> tuple[list[str], int]:
    """Produces (partition, value) messages in order with a confluent-kafka `producer`, waits for every
    acknowledgement, and returns the delivery failures and the messages still unacknowledged."""
    failures: list[str] = []

    def acked(err, _msg):
        if err is not None:
            failures.append(str(err))

    for partition, value in messages:
        while True:
            try:
                producer.produce(topic, value.encode(), partition=partition, on_delivery=acked)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    return failures, producer.flush(timeout_s)


def serve() -> None:
    from confluent_kafka import Consumer, Producer, TopicPartition

    holder = Producer({"test.mock.num.brokers": 3, "bootstrap.servers": "", "log_level": 3})
    brokers = holder.list_topics(timeout=10).brokers.values()
    bootstrap = ",".join(f"{b.host}:{b.port}" for b in sorted(brokers, key=lambda b: b.id))
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "acks": "all"})
    if "--load" in sys.argv:
        at = sys.argv.index("--load")
        topic, path = sys.argv[at + 1], sys.argv[at + 2]
        hold = float(sys.argv[sys.argv.index("--hold") + 1]) if "--hold" in sys.argv else 600.0
        partitions = len(producer.list_topics(topic, timeout=10).topics[topic].partitions)
        n = 0
        with open(path, "rb") as f:
            for line in f:
                line = line.rstrip(b"\n")
                if not line:
                    continue
                while True:
                    try:
                        producer.produce(topic, line, partition=n % partitions)
                        break
                    except BufferError:
                        producer.poll(0.05)
                n += 1
        producer.flush(60)
        print(f"bootstrap {bootstrap}", flush=True)
        print(f"produced {n} messages to {topic} ({partitions} partitions); up for {hold:.0f} s", file=sys.stderr)
        import time

        time.sleep(hold)
        return
    print(f"bootstrap {bootstrap}", flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            if words[0] == "create":
                topic = words[1]
                meta = producer.list_topics(topic, timeout=10).topics[topic]
                if meta.error is not None:
                    meta = producer.list_topics(topic, timeout=10).topics[topic]
                print(f"ok {len(meta.partitions)}", flush=True)
            elif words[0] == "produce":
                topic, path = words[1], words[2]
                messages = json.loads(Path(path).read_text())
                failures, left = produce_all(producer, topic, messages, 60)
                if failures or left:
                    print(f"error {len(failures)} failed, {left} unacknowledged: {failures[:3]}", flush=True)
                else:
                    print(f"ok {len(messages)}", flush=True)
            elif words[0] == "offsets":
                topic, group = words[1], words[2]
                c = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
                meta = c.list_topics(topic, timeout=10).topics[topic]
                parts = [TopicPartition(topic, p) for p in sorted(meta.partitions)]
                got = c.committed(parts, timeout=10)
                c.close()
                print("ok " + json.dumps({str(tp.partition): tp.offset for tp in got}), flush=True)
            else:
                print(f"error unknown command {words[0]}", flush=True)
        except Exception as e:  # noqa: BLE001  (reported to the test)
            print(f"error {e!r}", flush=True)


class MockCluster:
    """Starts `kafka_mock.py` and talks to it; use as a context manager."""

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True,
        )
        first = self.proc.stdout.readline().split()
        assert first and first[0] == "bootstrap", f"the mock cluster did not start: {first!r}"
        self.bootstrap = first[1]
        self.produced = 0

    def command(self, line: str) -> str:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        assert answer.startswith("ok"), f"mock cluster: `{line}` -> {answer!r}"
        return answer[2:].strip()

    def create(self, topic: str) -> int:
        """Creates `topic`; returns its partition count."""
        return int(self.command(f"create {topic}"))

    def produce(self, topic: str, messages: list[tuple[int, str]]) -> None:
        self.produced += 1
        path = self.workdir / f"produce-{self.produced}.json"
        path.write_text(json.dumps(messages))
        assert int(self.command(f"produce {topic} {path}")) == len(messages)

    def committed(self, topic: str, group: str) -> dict[int, int]:
        return {int(k): v for k, v in json.loads(self.command(f"offsets {topic} {group}")).items()}

    def url(self, topic: str, **options) -> str:
        query = "&".join(f"{k}={v}" for k, v in options.items())
        return f"kafka://{self.bootstrap}/{topic}" + (f"?{query}" if query else "")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


if __name__ == "__main__":
    serve()
