"""GTFS-Realtime input (SPEC section 7, `input.format: gtfs-rt`): archived FeedMessages in `replay` and a polled
HTTP feed in `run`, checked against the independent reference on the de-duplicated positions.

The feeds are made here with the official Python bindings (scripts/gtfs_rt_feed.py). What areaflow should compute is
found without areaflow: the bindings decode every message, positions already seen (same vehicle.id and timestamp)
are dropped, every other VehiclePosition becomes one NDJSON line (a message that does not decode one broken line),
and scripts/reference.py runs on those lines with the same config in NDJSON form.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
import time
from pathlib import Path

import yaml
from conftest import (
    REPO,
    assert_matches_reference,
    gzip_bytes,
    load_summary,
    read_jsonl_dir,
    read_rows,
    reference_result,
    replay,
    run_cli,
    summary_problems,
    zstd_frame,
)
from gtfs_rt_feed import Deduper, delimited, snapshots
from live_harness import LiveRun, run_args

START = 1_767_261_600  # 2026-01-01T10:00:00Z
# A length-delimited field announced longer than the message: the official bindings refuse it too.
CORRUPT = b"\x0a\x05\x0a\x03\x32\x2e\x30\x12\x7f\x01"
DEBUG = ("--log-level", "debug")

CONFIG = {
    "name": "gtfs-rt-test",
    "input": {
        "format": "gtfs-rt",
        "time": {"field": "timestamp", "format": "epoch_s"},
        "lat": "position.latitude",
        "lon": "position.longitude",
        "dimensions": ["trip.route_id"],
    },
    "areas": [{"name": "gh6", "geohash": 6}, {"name": "hex8", "h3": 8}],
    "windows": [{"name": "1m", "tumbling": "1m"}, {"name": "5m", "hopping": "5m", "every": "1m"}],
    "watermark": {"max_out_of_order": "60s", "allowed_lateness": "0s", "idle_timeout": "1h"},
    "features": {
        "positions": "count",
        "vehicles": {"distinct": "vehicle.id"},
        "speed_mean": {"mean": "position.speed"},
        "speed_max": {"max": "position.speed"},
        "bearing_sd": {"stddev": "position.bearing"},
        "stopped": {"share": "position.speed", "below": 1},
    },
    "output": {"format": "csv", "flush_every": "300ms"},
}


def write_configs(tmp: Path, **input_extra) -> tuple[Path, Path]:
    """(the gtfs-rt config for areaflow, the same config reading flat NDJSON for the reference)."""
    cfg = json.loads(json.dumps(CONFIG))
    cfg["input"].update(input_extra)
    gtfs = tmp / "gtfs-rt.yaml"
    gtfs.write_text(yaml.safe_dump(cfg, sort_keys=False))
    ref = json.loads(json.dumps(CONFIG))
    ref["input"]["format"] = "ndjson"
    flat = tmp / "reference.yaml"
    flat.write_text(yaml.safe_dump(ref, sort_keys=False))
    return gtfs, flat


def flatten(line: str) -> str:
    """A nested line as flat keys spelled with dots (the reference reads flat keys), broken lines unchanged."""
    try:
        obj = json.loads(line)
    except ValueError:
        return line
    flat = {}
    for k, v in obj.items():
        if isinstance(v, dict):
            for k2, v2 in v.items():
                flat[f"{k}.{k2}"] = v2
        else:
            flat[k] = v
    return json.dumps(flat)


def expected(tmp: Path, ref_config: Path, inputs: list[list[bytes]], dedupe: Deduper | None = None):
    """The reference on the de-duplicated positions of `inputs` (each a list of message payloads), one NDJSON
    file per input so line numbers agree."""
    dedupe = dedupe or Deduper()
    paths = []
    for i, payloads in enumerate(inputs):
        p = tmp / "expected" / f"{i:02d}.ndjson"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("".join(flatten(x) + "\n" for x in dedupe.lines(payloads)))
        paths.append(p)
    return reference_result(ref_config, paths), dedupe.counts


def assert_feed_counts(out: Path, counts: dict, **at_least) -> None:
    feed = load_summary(out)["gtfs_rt"]
    for key, value in counts.items():
        assert feed[key] == value, f"gtfs_rt.{key}: {feed[key]} != {value} (all: {feed})"
    for key, value in at_least.items():
        assert feed[key] >= value, f"gtfs_rt.{key}: {feed[key]} < {value} (all: {feed})"
    assert feed["entities"] == feed["vehicle_positions"] + feed["repeated_positions"] + feed["other_entities"]


# --------------------------------------------------------------------------------------------
# Archives in replay
# --------------------------------------------------------------------------------------------


def test_archives_of_every_layout_and_compression_give_the_reference_rows(tmp_path):
    msgs = [m.SerializeToString() for m in snapshots(seed=3, vehicles=15, count=12, start=START)]
    archive = tmp_path / "archive"
    archive.mkdir()
    # A directory is its files in name order: single messages plain, gzip and zstd; a repeated FULL_DATASET
    # snapshot; a zstd length-delimited file with a corrupt message in the middle and a repeat; a gzip one.
    files = [
        ("00-snapshot.pb", [msgs[0]], lambda b: b),
        ("01-snapshot.pb", [msgs[1]], gzip_bytes),
        ("02-snapshot.pb", [msgs[2]], zstd_frame),
        ("03-repeated.pb", [msgs[2]], lambda b: b),
        ("04-delimited.pb", [msgs[3], msgs[4], CORRUPT, msgs[5], msgs[5]], zstd_frame),
        ("05-delimited.pb", msgs[6:12], gzip_bytes),
    ]
    for name, payloads, compress in files:
        data = payloads[0] if len(payloads) == 1 else delimited(payloads)
        (archive / name).write_bytes(compress(data))
    config, ref_config = write_configs(tmp_path)
    out = tmp_path / "out"
    replay(config, [archive], out)
    result, counts = expected(tmp_path, ref_config, [p for _, p, _ in files])
    assert counts["repeated_positions"] > 15 and counts["malformed_messages"] == 1
    assert_matches_reference(out, result)
    assert not summary_problems(out, result), summary_problems(out, result)
    assert_feed_counts(out, counts)
    summary = load_summary(out)
    assert summary["lines_read"] == counts["vehicle_positions"] + 1
    assert summary["rejected"]["malformed"] == 1
    rejects = read_jsonl_dir(out / "_rejects")
    assert len(rejects) == 1, rejects
    assert rejects[0]["reason"] == "malformed" and rejects[0]["input"].endswith("04-delimited.pb")
    assert "malformed FeedMessage at byte" in rejects[0]["raw"] and "04-delimited.pb" in rejects[0]["raw"]


def test_bundled_fixture_config_and_check(tmp_path):
    config = REPO / "configs" / "gtfs-rt.yaml"
    fixture = REPO / "fixtures" / "gtfs-rt" / "vehicle-positions.pb.zst"
    out = tmp_path / "out"
    replay(config, [fixture], out)
    raw = subprocess.run(["zstd", "-dc", str(fixture)], capture_output=True, check=True).stdout
    from gtfs_rt_feed import split_delimited

    ref = yaml.safe_load(config.read_text())
    ref["input"]["format"] = "ndjson"
    del ref["input"]["poll_every"]
    ref_config = tmp_path / "reference.yaml"
    ref_config.write_text(yaml.safe_dump(ref, sort_keys=False))
    result, counts = expected(tmp_path, ref_config, [split_delimited(raw)])
    assert counts["vehicle_positions"] > 50 and counts["repeated_positions"] > 20 and counts["other_entities"] == 20
    assert_matches_reference(out, result)
    assert_feed_counts(out, counts)
    check = run_cli(["check", "--config", str(config)])
    assert check.returncode == 0, check.stderr
    text = check.stdout.decode()
    for words in ("gtfs-rt", "VehiclePosition", "repeated_positions", "poll_every", "If-None-Match"):
        assert words in text, f"{words!r} not in check output:\n{text}"


def test_replay_of_a_feed_url_is_a_clear_usage_error(tmp_path):
    config, _ = write_configs(tmp_path)
    p = run_cli(["replay", "--config", str(config), "--out", str(tmp_path / "out"), "http://127.0.0.1:9/feed"])
    assert p.returncode == 2, p
    assert "run --once" in p.stderr.decode() and "http://127.0.0.1:9/feed" in p.stderr.decode()
    bad = tmp_path / "bad.yaml"
    cfg = dict(CONFIG, input=dict(CONFIG["input"], format="ndjson", poll_every="1s"))
    bad.write_text(yaml.safe_dump(cfg, sort_keys=False))
    p = run_cli(["check", "--config", str(bad)])
    assert p.returncode == 2 and "input.poll_every" in p.stderr.decode() and "gtfs-rt" in p.stderr.decode(), p


# --------------------------------------------------------------------------------------------
# A polled feed in run
# --------------------------------------------------------------------------------------------


class Feed:
    """A GTFS-Realtime feed on a local HTTP server, answering each request by a script: serve a body (with ETag and
    Last-Modified, or without either), be slow, fail with a status, or go away (connection refused) for a while."""

    def __init__(self, script: list[tuple]):
        self.script = script
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.body = b""
        self.etag = None
        self.down = threading.Event()
        self.server = None
        self.port = 0
        self.start()

    def start(self):
        feed = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                with feed.lock:
                    n = len(feed.requests)
                    feed.requests.append(dict(self.headers))
                    step = feed.script[n] if n < len(feed.script) else feed.script[-1]
                try:
                    feed.answer(self, step)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def answer(self, h, step):
        kind = step[0]
        if kind == "status":
            h.send_response(step[1])
            h.send_header("Content-Length", "0")
            h.end_headers()
            if len(step) > 2 and step[2] == "then-down":
                self.down.set()
            return
        if kind == "slow":
            time.sleep(step[1])
            step = ("serve", step[2])
        _, body, *opts = step
        tagged = "untagged" not in opts
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"' if tagged else None
        if tagged and h.headers.get("If-None-Match") == etag:
            h.send_response(304)
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", "application/x-protobuf")
        h.send_header("Content-Length", str(len(body)))
        if tagged:
            h.send_header("ETag", etag)
            h.send_header("Last-Modified", "Thu, 01 Jan 2026 10:00:00 GMT")
        h.end_headers()
        h.wfile.write(body)


def test_polled_feed_through_304s_repeats_slowness_errors_and_a_restart_gives_the_reference_rows(tmp_path):
    msgs = [m.SerializeToString() for m in snapshots(seed=5, vehicles=10, count=5, start=START)]
    script = [
        ("serve", msgs[0]),
        ("serve", msgs[0]),  # a conditional request: 304
        ("serve", msgs[1]),
        ("status", 500),
        ("slow", 3.0, msgs[2]),  # beyond the 1 s timeout
        ("serve", msgs[2], "untagged"),
        ("serve", msgs[2], "untagged"),  # the same body again: nothing new by its hash
        ("serve", msgs[3]),
        ("status", 503, "then-down"),  # then connection refused for a while
        ("serve", msgs[4]),
    ]
    feed = Feed(script)
    config, ref_config = write_configs(tmp_path, poll_every="200ms")
    out = tmp_path / "out"
    url = f"http://127.0.0.1:{feed.port}/vehicle-positions"
    try:
        with LiveRun(run_args(config, out, [url], *DEBUG)) as r:
            assert feed.down.wait(60), f"the feed was not polled through its script\n{r.describe()}"
            feed.stop()
            r.expect("connection refused", timeout=30)
            time.sleep(1.0)
            feed.start()  # the same port again
            deadline = time.monotonic() + 60
            while len(feed.requests) < len(script) + 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            # The last body was served, then a 304: it was decoded and handed on before that next fetch.
            assert len(feed.requests) >= len(script) + 2, r.describe()
            r.send(15)
            r.wait_exit(rc=0)
            log = r.stderr_text(20000)
        for words in ("HTTP status 500", "timed out", "HTTP status 503", "connection refused", "the feed answers again"):
            assert words in log, f"{words!r} not logged:\n{log[-4000:]}"
        # Conditional requests carried the last validators.
        assert feed.requests[1].get("If-None-Match") and feed.requests[1].get("If-Modified-Since"), feed.requests[1]
        assert "If-None-Match" not in feed.requests[0]
        # A restart: the checkpoint's memory keeps the last body's positions from being counted again, and
        # `--once` ends when the feed has nothing new, closing every window.
        with LiveRun(run_args(config, out, [url], "--once", *DEBUG)) as r2:
            r2.wait_exit(rc=0)
    finally:
        feed.stop()
    result, counts = expected(tmp_path, ref_config, [msgs[0:5] + [msgs[4]]])
    assert_matches_reference(out, result)
    summary = load_summary(out)
    assert summary["lines_read"] == counts["vehicle_positions"]
    assert summary["events_accepted"] == result.summary["events_accepted"]
    assert_feed_counts(out, counts, fetch_errors=4)


def test_a_feed_that_stops_changing_goes_idle_and_its_windows_close(tmp_path):
    msgs = [m.SerializeToString() for m in snapshots(seed=9, vehicles=6, count=2, start=START)]
    feed = Feed([("serve", msgs[0]), ("serve", msgs[1])])
    config, ref_config = write_configs(tmp_path, poll_every="200ms")
    # Short windows: an idle input's watermark advances by the wall time that passes, so they close in seconds.
    for path in (config, ref_config):
        cfg = yaml.safe_load(path.read_text())
        cfg["windows"] = [{"name": "10s", "tumbling": "10s"}]
        cfg["watermark"] = {"max_out_of_order": "1s", "allowed_lateness": "0s", "idle_timeout": "1s"}
        path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    out = tmp_path / "out"
    try:
        with LiveRun(run_args(config, out, [f"http://127.0.0.1:{feed.port}/feed"], *DEBUG)) as r:
            # Only 304s after the second body: the input goes idle, the watermark follows the clock, and every
            # window closes without --once or a signal.
            deadline = time.monotonic() + 60
            result, _ = expected(tmp_path, ref_config, [msgs])
            want = len(result.rows)
            while time.monotonic() < deadline:
                if (out / "_summary.json").exists() and load_summary(out)["rows_written"] >= want:
                    break
                time.sleep(0.2)
            assert r.alive(), r.describe()
            assert load_summary(out)["rows_written"] == want, r.describe()
            r.send(15)
            r.wait_exit(rc=0)
    finally:
        feed.stop()
    assert_matches_reference(out, result)


def test_an_unreachable_feed_is_a_clear_error_and_the_run_goes_on(tmp_path):
    msgs = [m.SerializeToString() for m in snapshots(seed=11, vehicles=8, count=4, start=START)]
    archive = tmp_path / "positions.pb"
    archive.write_bytes(delimited(msgs))
    config, ref_config = write_configs(tmp_path, poll_every="200ms")
    # A port nothing listens on (bound, then closed).
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    out = tmp_path / "out"
    with LiveRun(run_args(config, out, [f"http://127.0.0.1:{port}/feed", archive], "--once", *DEBUG)) as r:
        r.wait_exit(rc=0)
        log = r.stderr_text(20000)
    assert "fetching the feed failed" in log and "connection refused" in log and f"127.0.0.1:{port}" in log, log
    result, counts = expected(tmp_path, ref_config, [msgs])
    assert_matches_reference(out, result)
    assert_feed_counts(out, counts, fetch_errors=1)
