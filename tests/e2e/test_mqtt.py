"""`areaflow run mqtt://…` (SPEC section 7) against a real broker: Debian's `mosquitto`, started by each test on a
free port with a config of its own, fed with HSL High-Frequency Positioning messages (fixtures/hfp, made by
scripts/make_hfp_fixtures.py) by a paho-mqtt publisher.

The oracle: the topic is written into each message's JSON line the way `input.topic_field`/`topic_levels` say
(`inject` below), the lines go to a file, and `replay` of that file (itself checked against scripts/reference.py)
must give the rows `run` committed — none missing, none twice — and the same counters and side records. A last
message an hour later closes every window before it, so the comparison covers all windows but that message's.

What MQTT can promise, and what these tests hold `run` to (README, "MQTT"):
- QoS 1 with a persistent session (`clean=false` and a fixed `client_id`): messages published while areaflow is
  stopped (SIGTERM) are kept by the broker and counted after the restart, exactly once.
- An unreachable broker is logged (host, port, reason), retried with backoff, counted in `/metrics`, makes
  `/healthz` answer 503 with the reason, and the run goes on and connects when the broker appears.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
import yaml

from conftest import CONFIGS, FIXTURES, assert_matches_reference, reference, reference_result, run_cli
from live_harness import (
    LiveRun,
    SnapshotDir,
    compare_rows,
    counters,
    feature_names,
    replay_to,
    run_args,
    side_multiset,
    summary_or_none,
    wait_summary,
)

HFP_MESSAGES = FIXTURES / "hfp" / "vp-messages.jsonl.zst"
FILTER = "/hfp/v2/journey/ongoing/vp/#"
CONNECTED = "connected to the MQTT broker"
SUBSCRIBED = "subscribed"
DEBUG = ("--log-level", "debug")


@pytest.fixture(autouse=True)
def _binary(areaflow):
    return areaflow


# --------------------------------------------------------------------------------------------
# A broker of the test's own
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """Debian's mosquitto on 127.0.0.1:`port`, anonymous, sessions kept in memory while it runs."""

    def __init__(self, directory: Path, port: int | None = None):
        self.port = port or free_port()
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.conf = self.dir / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "persistence false\n"
            # The persistent-session test queues a few hundred messages while areaflow is stopped.
            "max_queued_messages 100000\n"
            f"log_dest file {self.dir / 'mosquitto.log'}\n"
            "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n")
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Broker":
        self.proc = subprocess.Popen(["mosquitto", "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                assert self.proc.poll() is None, f"mosquitto exited: {self.proc.stderr.read().decode()}"
                time.sleep(0.05)
        raise AssertionError(f"mosquitto did not listen on {self.port}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Publisher:
    """A paho-mqtt client that publishes at QoS 1 and waits for every PUBACK."""

    def __init__(self, port: int):
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-publisher-{os.getpid()}")
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def publish(self, messages: list[tuple[str, bytes]], qos: int = 1) -> None:
        infos = [self.client.publish(topic, payload, qos=qos) for topic, payload in messages]
        for info in infos:
            info.wait_for_publish(30)
            assert info.is_published()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


# --------------------------------------------------------------------------------------------
# Messages and the lines `run` makes of them
# --------------------------------------------------------------------------------------------


def hfp_messages() -> list[tuple[str, bytes]]:
    """(topic, payload) of the bundled HFP fixture, in publishing order."""
    out = []
    for line in reference.split_lines(reference.read_input(str(HFP_MESSAGES))):
        m = json.loads(line)
        out.append((m["topic"], m["payload"].encode()))
    return out


def json_string(s: str) -> bytes:
    """JSON-escaped the way areaflow writes the topic: `"` `\\` and control characters escaped, UTF-8 kept."""
    out = bytearray(b'"')
    for b in s.encode():
        if b == 0x22:
            out += b'\\"'
        elif b == 0x5C:
            out += b"\\\\"
        elif b == 0x0A:
            out += b"\\n"
        elif b == 0x0D:
            out += b"\\r"
        elif b == 0x09:
            out += b"\\t"
        elif b < 0x20:
            out += b"\\u%04x" % b
        else:
            out.append(b)
    return bytes(out + b'"')


def inject(topic: str, payload: bytes, topic_field: str | None, levels: dict[str, int]) -> bytes:
    """The lines `run` makes of one message (README, "MQTT"): the topic field first, then the levels by name,
    written after the `{` of every object line; a newline closes the message."""
    if not payload:
        return b""
    fields = b""
    if topic_field:
        fields += json_string(topic_field) + b":" + json_string(topic) + b","
    parts = topic.split("/")
    for name in sorted(levels):
        if levels[name] < len(parts):
            fields += json_string(name) + b":" + json_string(parts[levels[name]]) + b","
    out = []
    body = payload[:-1] if payload.endswith(b"\n") else payload
    for line in body.split(b"\n"):
        stripped = line.lstrip(b" \t\r")
        if fields and stripped.startswith(b"{"):
            at = len(line) - len(stripped)
            rest = line[at + 1:]
            empty = rest.lstrip(b" \t\r").startswith(b"}")
            line = line[:at + 1] + (fields[:-1] if empty else fields) + rest
        out.append(line + b"\n")
    return b"".join(out)


def hfp_config(tmp_path: Path, name: str = "hfp.yaml", **changes) -> Path:
    """configs/hfp.yaml with a short flush interval (and `changes` to `input`)."""
    cfg = yaml.safe_load((CONFIGS / "hfp.yaml").read_text())
    cfg["output"]["flush_every"] = "300ms"
    cfg["input"].update(changes)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))
    return path


def messy_stream() -> list[tuple[str, bytes]]:
    """The fixture's messages, with a message of two lines, a payload ending in a newline, a broken one, an array
    and an empty one mixed in, and a last message an hour later that closes every window before it."""
    msgs = hfp_messages()
    (t1, p1), (_, p2) = msgs[10], msgs[11]
    msgs[10:12] = [(t1, p1 + b"\n" + p2)]  # one message, two lines
    topic = msgs[20][0]
    msgs.insert(30, (topic, msgs[30][1] + b"\n"))
    msgs.insert(40, (topic, b'{"VP": {"tst": "2024-05-06T08:50:00Z", "lat": 60.17'))  # cut short: malformed
    msgs.insert(50, (topic, b'["not", "an", "object"]'))
    msgs.insert(60, (topic, b""))  # an empty message is no line, like an empty line
    last = json.loads(msgs[-1][1])
    tst = datetime.strptime(last["VP"]["tst"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    last["VP"]["tst"] = (tst + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    msgs.append((msgs[-1][0], json.dumps(last, separators=(",", ":")).encode()))
    return msgs


def flattened(path: Path, out: Path) -> Path:
    """The reference reads flat keys only: each object's `VP` fields become keys spelled `VP.name`, which areaflow
    reads the same as the nested path (SPEC section 7); other lines are kept as they are."""
    lines = []
    for line in path.read_bytes().split(b"\n")[:-1]:
        try:
            obj = json.loads(line)
        except ValueError:
            lines.append(line)
            continue
        if isinstance(obj, dict) and isinstance(obj.get("VP"), dict):
            vp = obj.pop("VP")
            obj.update({f"VP.{k}": v for k, v in vp.items()})
            line = json.dumps(obj, ensure_ascii=False).encode()
        lines.append(line)
    out.write_bytes(b"".join(x + b"\n" for x in lines))
    return out


def closing_time_ms(msgs) -> int:
    return reference.parse_rfc3339_ns(json.loads(msgs[-1][1])["VP"]["tst"]) // 1_000_000


def write_lines(path: Path, msgs, config: Path) -> int:
    """Writes the lines `run` makes of `msgs` to `path`; returns how many lines that is."""
    cfg = yaml.safe_load(config.read_text())["input"]
    data = b"".join(inject(t, p, cfg.get("topic_field"), cfg.get("topic_levels") or {}) for t, p in msgs)
    path.write_bytes(data)
    return data.count(b"\n")


def mqtt_url(port: int, **options) -> str:
    query = "&".join(f"{k}={v}" for k, v in options.items())
    return f"mqtt://127.0.0.1:{port}/{FILTER}" + (f"?{query}" if query else "")


def assert_run_equals_replay(out: Path, replay_out: Path, config: Path, closing_ms: int, what: str) -> None:
    """Every replay row of a window that the closing message closes is committed by `run`, once, with the same
    values; no other row is; counters and side records are equal."""
    max_ooo_ms = 10_000
    live, rep = SnapshotDir(out), SnapshotDir(replay_out)
    features, floats = feature_names(config)
    expected = [r for r in rep.rows if to_ms(r["window_end"]) <= closing_ms - max_ooo_ms]
    assert expected and len(expected) < len(rep.rows)
    problems = list(live.problems) + compare_rows(live.rows, expected, features, floats)[0]
    s, rs = summary_or_none(out), summary_or_none(replay_out)
    if counters(s) != counters(rs):
        problems.append(f"summary counters differ:\n  run    {counters(s)}\n  replay {counters(rs)}")
    for kind in ("_rejects", "_late"):
        got, gp = live.side_records(kind)
        exp, _ = rep.side_records(kind)
        problems += gp
        if side_multiset(got, kind) != side_multiset(exp, kind):
            problems.append(f"{kind}: run has {len(got)} records, replay {len(exp)}")
    assert not problems, f"{what}: {len(problems)} differences from replay:\n" + "\n".join(problems[:40])


def to_ms(text: str) -> int:
    return reference.parse_rfc3339_ns(text) // 1_000_000


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def test_mqtt_run_counts_every_message_like_replay_and_the_reference(tmp_path):
    config = hfp_config(tmp_path)
    msgs = messy_stream()
    lines = write_lines(tmp_path / "messages.ndjson", msgs, config)
    replay_to(config, [tmp_path / "messages.ndjson"], tmp_path / "replay")
    flat = flattened(tmp_path / "messages.ndjson", tmp_path / "flat.ndjson")
    assert_matches_reference(tmp_path / "replay", reference_result(config, [flat]))
    out = tmp_path / "out"
    with Broker(tmp_path / "broker") as broker, LiveRun(run_args(config, out, [mqtt_url(broker.port)], *DEBUG)) as r:
        r.expect(SUBSCRIBED)
        pub = Publisher(broker.port)
        pub.publish(msgs)
        pub.close()
        s = wait_summary(out, lambda s: s["lines_read"] >= lines, 60, "every message's lines", r)
        r.send(signal.SIGTERM)
        r.wait_exit(30)
    assert s["lines_read"] == lines
    rejected = summary_or_none(out)["rejected"]
    assert rejected["malformed"] == 2 and rejected["bad_coordinates"] >= 1, rejected
    connected = [x for x in r.lines if CONNECTED in x]
    assert connected and f"port={broker.port}" in connected[0], connected
    assert_run_equals_replay(out, tmp_path / "replay", config, closing_time_ms(msgs), "run over MQTT")
    # The topic reached the events: rows by mode, and the raw lines of rejects carry it.
    modes = {row["mode"] for row in SnapshotDir(out).rows}
    assert modes == {"bus", "tram", "metro"}, modes
    rejects, _ = SnapshotDir(out).side_records("_rejects")
    assert all(r["input"].startswith(f"mqtt://127.0.0.1:{broker.port}/") for r in rejects), rejects[:2]
    assert any('"topic":"/hfp/v2/journey/ongoing/vp/' in r["raw"] for r in rejects), rejects[:2]


def test_persistent_session_keeps_messages_published_while_stopped_and_counts_each_once(tmp_path):
    config = hfp_config(tmp_path)
    msgs = messy_stream()
    half = len(msgs) // 2
    lines = write_lines(tmp_path / "messages.ndjson", msgs, config)
    first_lines = write_lines(tmp_path / "first.ndjson", msgs[:half], config)
    replay_to(config, [tmp_path / "messages.ndjson"], tmp_path / "replay")
    out = tmp_path / "out"
    url = mqtt_url(0, qos=1, client_id=f"areaflow-test-{os.getpid()}", clean="false")
    with Broker(tmp_path / "broker") as broker:
        url = url.replace("127.0.0.1:0/", f"127.0.0.1:{broker.port}/")
        pub = Publisher(broker.port)
        with LiveRun(run_args(config, out, [url], *DEBUG)) as r:
            r.expect(SUBSCRIBED)
            pub.publish(msgs[:half])
            wait_summary(out, lambda s: s["lines_read"] >= first_lines, 60, "the first half", r)
            r.send(signal.SIGTERM)
            r.wait_exit(30)
        # Published while areaflow is stopped: the broker keeps them for the session.
        pub.publish(msgs[half:])
        with LiveRun(run_args(config, out, [url], *DEBUG)) as r:
            r.expect("resumed from checkpoint")
            i = r.expect(CONNECTED)
            assert "session_present=true" in r.lines[i], r.lines[i]
            wait_summary(out, lambda s: s["lines_read"] >= lines, 60, "the second half", r)
            time.sleep(1)  # nothing more may come (a message counted twice would show here)
            r.send(signal.SIGTERM)
            r.wait_exit(30)
        pub.close()
    assert summary_or_none(out)["lines_read"] == lines
    assert_run_equals_replay(out, tmp_path / "replay", config, closing_time_ms(msgs), "across a SIGTERM restart")


def _http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_unreachable_broker_is_logged_retried_and_reported_then_connected(tmp_path):
    config = hfp_config(tmp_path)
    port = free_port()
    out = tmp_path / "out"
    with LiveRun(run_args(config, out, [mqtt_url(port)], "--http", "127.0.0.1:0", *DEBUG)) as r:
        i = r.expect(re.compile(r"http listening on http://[0-9.]+:(\d+)/"))
        http = int(re.search(r":(\d+)/", r.lines[i]).group(1))
        r.expect("cannot connect to the MQTT broker", count=2, timeout=20)
        failure = next(x for x in r.lines if "cannot connect to the MQTT broker" in x)
        for part in ("127.0.0.1", str(port), "Connection refused", "retry_in_s"):
            assert part in failure, failure
        status, body = _http_get(f"http://127.0.0.1:{http}/healthz")
        assert status == 503 and f"127.0.0.1:{port}" in body, (status, body)
        _, metrics = _http_get(f"http://127.0.0.1:{http}/metrics")
        m = re.search(r"areaflow_mqtt_connect_failures_total\{[^}]*\} (\d+)", metrics)
        assert m and int(m.group(1)) >= 2, metrics[-2000:]
        assert r.alive()
        with Broker(tmp_path / "broker", port=port):
            r.expect(CONNECTED, timeout=40)
            r.expect(SUBSCRIBED, timeout=10)
            msgs = hfp_messages()[:50]
            pub = Publisher(port)
            pub.publish(msgs)
            pub.close()
            wait_summary(out, lambda s: s["lines_read"] >= 50, 60, "the messages after connecting", r)
            status, _ = _http_get(f"http://127.0.0.1:{http}/healthz")
            assert status == 200
            r.send(signal.SIGTERM)
            r.wait_exit(30)


def test_mqtt_url_and_option_errors_are_clear_and_exit_2(tmp_path):
    config = hfp_config(tmp_path)
    cases = [
        ("mqtt://127.0.0.1:1883", "no topic filter"),
        ("mqtt://127.0.0.1:1883/a/#?qos=2", "qos=2"),
        ("mqtt://127.0.0.1:1883/a/#?retain=1", "unknown option 'retain'"),
        ("mqtt://127.0.0.1:1883/a/#?clean=false", "needs a fixed client_id"),
        ("mqtt://user:secret@127.0.0.1:1883/a/#", "password_env"),
        ("mqtt://127.0.0.1:1883/a/#/b", "'#' must be a whole level and the last one"),
        ("mqtt://127.0.0.1:1883/a/#?username=u&password_env=AREAFLOW_TEST_NO_SUCH_VAR", "AREAFLOW_TEST_NO_SUCH_VAR"),
        ("mqtt://127.0.0.1:99999/a/#", "not a port"),
    ]
    for url, needle in cases:
        p = run_cli(["run", "--config", config, "--out", tmp_path / "out", url], timeout=30)
        err = p.stderr.decode()
        assert p.returncode == 2 and needle in err, (url, p.returncode, err)
        assert "secret" not in err, err
    p = run_cli(["replay", "--config", config, "--out", tmp_path / "replayed", mqtt_url(1883)], timeout=30)
    assert p.returncode == 2 and "not finite" in p.stderr.decode(), p.stderr.decode()
    assert not (tmp_path / "replayed").exists()


def test_check_explains_an_mqtt_input(tmp_path):
    config = hfp_config(tmp_path)
    url = mqtt_url(1883, qos=1, client_id="areaflow-1", clean="false", username="reader",
                   password_env="HFP_PASSWORD")
    p = run_cli(["check", "--config", config, url], timeout=30)
    text = p.stdout.decode()
    assert p.returncode == 0, p.stderr.decode()
    for part in ("127.0.0.1:1883", f"'{FILTER}'", "QoS 1", "persistent session as client 'areaflow-1'",
                 "password from $HFP_PASSWORD", "topic written into each object line as 'topic'", "mode: level 6"):
        assert part in text, (part, text)
    p = run_cli(["check", "--config", config, "mqtt://127.0.0.1:1883/x?clean=false"], timeout=30)
    assert p.returncode == 2 and "client_id" in p.stderr.decode()


def test_topic_field_needs_ndjson(tmp_path):
    cfg = yaml.safe_load((CONFIGS / "hfp-archive.yaml").read_text())
    cfg["input"]["topic_field"] = "topic"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    p = run_cli(["check", "--config", path], timeout=30)
    err = p.stderr.decode()
    assert p.returncode == 2 and "input.topic_field" in err and "ndjson" in err, err


def test_csv_messages_each_carry_their_header(tmp_path):
    cfg = yaml.safe_load((CONFIGS / "hfp-archive.yaml").read_text())
    cfg["output"]["flush_every"] = "300ms"
    config = tmp_path / "csv.yaml"
    config.write_text(yaml.safe_dump(cfg, sort_keys=False))
    archive = sorted((FIXTURES / "hfp" / "archive").iterdir())[0]
    text = reference.read_input(str(archive)).decode().splitlines()
    header, rows = text[0], text[1:101]
    # Ten messages of ten records, each a CSV document with its header; the columns in another order in one.
    msgs = [("hfp/csv", ("\n".join([header] + rows[k:k + 10])).encode()) for k in range(0, 100, 10)]
    cols = header.split(",")
    order = list(reversed(range(len(cols))))
    swapped = [",".join(cols[i] for i in order)] + [",".join(r.split(",")[i] for i in order) for r in rows[90:100]]
    msgs[-1] = ("hfp/csv", "\n".join(swapped).encode())
    out = tmp_path / "out"
    with Broker(tmp_path / "broker") as broker, LiveRun(
            run_args(config, out, [f"mqtt://127.0.0.1:{broker.port}/hfp/#"], *DEBUG)) as r:
        r.expect(SUBSCRIBED)
        pub = Publisher(broker.port)
        pub.publish(msgs)
        pub.close()
        s = wait_summary(out, lambda s: s["lines_read"] >= 100, 60, "the CSV records", r)
        r.send(signal.SIGTERM)
        r.wait_exit(30)
    # The same records as one CSV file: the same counts (the header of every message is a header, not a record).
    (tmp_path / "same.csv").write_text("\n".join([header] + rows) + "\n")
    replay_to(config, [tmp_path / "same.csv"], tmp_path / "replay")
    expected = summary_or_none(tmp_path / "replay")
    assert expected["events_accepted"] >= 95
    for key in ("lines_read", "events_accepted", "rejected"):
        assert s[key] == expected[key], (key, s, expected)


class SecureBroker(Broker):
    """mosquitto with a TLS listener (a certificate made here by openssl) and a password file: no anonymous access."""

    def __init__(self, directory: Path, user: str, password: str):
        super().__init__(directory)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout",
             str(self.dir / "broker.key"), "-out", str(self.dir / "broker.crt"), "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
        (self.dir / "passwd").write_text("")
        subprocess.run(["mosquitto_passwd", "-b", str(self.dir / "passwd"), user, password], check=True,
                       capture_output=True)
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            f"certfile {self.dir / 'broker.crt'}\nkeyfile {self.dir / 'broker.key'}\n"
            "allow_anonymous false\n"
            f"password_file {self.dir / 'passwd'}\n"
            # Started as root (CI), mosquitto would switch to its own user, who cannot read the test's directory.
            "user root\n"
            "persistence false\n"
            f"log_dest file {self.dir / 'mosquitto.log'}\n")


def test_tls_and_login_with_a_password_from_the_environment(tmp_path):
    """`mqtts://` checks the broker's certificate against `cafile` and logs in with `username` and the password in
    `password_env`; every message is counted, a wrong password is a clear, retried error, and the password never
    appears in a log line."""
    config = hfp_config(tmp_path)
    msgs = hfp_messages()[:80]
    secret = "broker-secret-4711"
    with SecureBroker(tmp_path / "broker", "areaflow", secret) as broker:
        ca = broker.dir / "broker.crt"
        url = f"mqtts://127.0.0.1:{broker.port}/{FILTER}?cafile={ca}&username=areaflow&password_env=AREAFLOW_MQTT_PW"
        out = tmp_path / "out"
        with LiveRun(run_args(config, out, [url], *DEBUG), env={"AREAFLOW_MQTT_PW": secret}) as r:
            r.expect(SUBSCRIBED, timeout=30)
            pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"secure-publisher-{os.getpid()}")
            pub.tls_set(ca_certs=str(ca))
            pub.username_pw_set("areaflow", secret)
            pub.connect("127.0.0.1", broker.port)
            pub.loop_start()
            for info in [pub.publish(t, p, qos=1) for t, p in msgs]:
                info.wait_for_publish(30)
            pub.disconnect()
            pub.loop_stop()
            s = wait_summary(out, lambda s: s["lines_read"] >= len(msgs), 60, "the messages over TLS", r)
            r.send(signal.SIGTERM)
            r.wait_exit(30)
        assert s["lines_read"] == len(msgs)
        assert secret not in "\n".join(r.lines)
        with LiveRun(run_args(config, tmp_path / "out2", [url], *DEBUG), env={"AREAFLOW_MQTT_PW": "wrong"}) as r:
            r.expect("the MQTT broker refused the connection", timeout=30)
            failure = next(x for x in r.lines if "the MQTT broker refused the connection" in x)
            assert "not authorised" in failure and f"port={broker.port}" in failure, failure
            assert r.alive()
            r.send(signal.SIGTERM)
            r.wait_exit(30)
        assert "wrong" not in "\n".join(x for x in r.lines if "password" in x.lower())
