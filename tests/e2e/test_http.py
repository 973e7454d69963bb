"""`run --http`: the API answers equal the committed snapshot rows, /metrics parses with the Prometheus client's own
text parser and agrees with `_summary.json`, and /v1/stream sends one event per committed window.

A TCP input carries the events, so the test decides when windows close (a later event moves the watermark)."""
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request

import duckdb
import pytest
from prometheus_client.parser import text_string_to_metric_families

from live_harness import LiveRun, run_args, load_summary

HTTP_RE = re.compile(r"http listening on http://[^:]+:(\d+)/")
TCP_RE = re.compile(r"listening on tcp://127\.0\.0\.1:(\d+)")

CONFIG = """name: httptest
input: {format: ndjson, time: {field: ts}, lat: lat, lon: lon, dimensions: [route]}
areas:
  - {name: gh5, geohash: 5}
  - {name: hex7, h3: 7}
windows:
  - {name: 1m, tumbling: 1m}
  - {name: 3m, hopping: 3m, every: 1m}
watermark: {max_out_of_order: 0s, idle_timeout: 1h}
features:
  events: count
  vehicles: {distinct: vehicle}
  speed_mean: {mean: speed}
  speed_p90: {quantile: speed, q: 0.9}
  slow_share: {share: speed, below: 10}
output: {format: csv, flush_every: 200ms}
http: {retain: 100}
"""


def event(minute: int, second: int, k: int) -> bytes:
    lat = 52.40 + (k % 7) * 0.02
    lon = 13.30 + (k % 5) * 0.03
    speed = "null" if k % 11 == 0 else str((k * 7) % 60)
    return (f'{{"ts":"2026-03-02T08:{minute:02d}:{second:02d}Z","lat":{lat:.5f},"lon":{lon:.5f},'
            f'"route":"R{k % 3}","vehicle":"v{k % 13}","speed":{speed}}}\n').encode()


def get(port: int, path: str, timeout: float = 10):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def get_json(port: int, path: str):
    status, _, body = get(port, path)
    return status, json.loads(body)


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class StreamReader(threading.Thread):
    """Reads /v1/stream and keeps every `window` event."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(b"GET /v1/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        self.events = []
        self.raw = b""
        self.ready = threading.Event()
        self.start()

    def run(self):
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return
                self.raw += data
                if b"areaflow window stream" in self.raw:
                    self.ready.set()
                self.events = [json.loads(m.group(1)) for m in re.finditer(rb"event: window\r?\ndata: (\{.*?\})\r?\n", self.raw)]
        except OSError:
            return


@pytest.fixture()
def server(tmp_path):
    config = tmp_path / "http.yaml"
    config.write_text(CONFIG)
    out = tmp_path / "out"
    run = LiveRun(run_args(config, out, ["tcp://127.0.0.1:0"], "--http", "127.0.0.1:0"))
    i = run.expect(HTTP_RE, 60)
    http_port = int(HTTP_RE.search(run.lines[i]).group(1))
    j = run.expect(TCP_RE, 60)
    tcp_port = int(TCP_RE.search(run.lines[j]).group(1))
    yield run, http_port, tcp_port, out
    if run.alive():
        run.send(15)
        run.wait(30)
    run.kill()


def send(tcp_port: int, data: bytes):
    with socket.create_connection(("127.0.0.1", tcp_port), timeout=30) as s:
        s.sendall(data)


def snapshot_rows(out, window: str, scheme: str, start: str):
    con = duckdb.connect()
    cur = con.execute(
        f"""select * from read_csv('{out}/{window}/{scheme}/*.csv', union_by_name=true,
            types={{'area':'VARCHAR','route':'VARCHAR'}})
            where window_start = '{start}'::timestamptz order by area, route""")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def test_api_equals_committed_rows_and_stream_reports_windows(server):
    run, http_port, tcp_port, out = server
    assert get(http_port, "/healthz")[0] == 200
    stream = StreamReader(http_port)
    assert stream.ready.wait(10), "the stream did not start"
    # Minutes 0-4 arrive; minute 5 then closes 0-4 of the 1m windows.
    payload = b"".join(event(m, s, k) for m in range(5) for k, s in enumerate(range(0, 60, 2)))
    send(tcp_port, payload + event(5, 30, 1))
    meta = wait_until(
        lambda: (lambda m: m if len(m["windows"][0]["final"]) >= 5 else None)(get_json(http_port, "/v1/meta")[1]),
        30, "five final 1m windows")
    finals = meta["windows"][0]["final"]
    assert [w["window_start"] for w in finals][:5] == [f"2026-03-02T08:0{m}:00.000Z" for m in range(5)]
    assert meta["windows"][0]["open"]["window_start"] == "2026-03-02T08:05:00.000Z"
    summary = load_summary(out)

    compared = 0
    for window in ("1m", "3m"):
        for span in get_json(http_port, "/v1/meta")[1]["windows"][0 if window == "1m" else 1]["final"]:
            start = span["window_start"]
            for scheme in ("gh5", "hex7"):
                status, body = get_json(http_port, f"/v1/aggregates?window={window}&scheme={scheme}&at={start}")
                assert status == 200, body
                assert body["final"] is True and body["window_start"] == start
                expected = snapshot_rows(out, window, scheme, start.replace("Z", "+00:00"))
                api = sorted(body["rows"], key=lambda r: (r["area"], r["route"]))
                assert len(api) == len(expected) > 0
                for a, e in zip(api, expected):
                    assert a["area"] == e["area"] and a["route"] == e["route"]
                    assert a["events"] == e["events"] and a["vehicles"] == e["vehicles"]
                    for f in ("speed_mean", "speed_p90", "slow_share"):
                        if a[f] is None:
                            assert e[f] is None
                        else:
                            assert a[f] == pytest.approx(e[f], rel=1e-12)
                compared += len(api)
    assert compared > 50

    # GeoJSON: one feature per row, each with a closed polygon ring around its area.
    status, gj = get_json(http_port, "/v1/aggregates?window=1m&scheme=hex7&format=geojson")
    assert status == 200 and gj["type"] == "FeatureCollection" and gj["final"] is True
    assert gj["features"] and all(f["geometry"]["type"] == "Polygon" for f in gj["features"])
    ring = gj["features"][0]["geometry"]["coordinates"][0]
    assert len(ring) == 7 and ring[0] == ring[-1]
    import h3
    cell = gj["features"][0]["properties"]["area"]
    lat, lng = h3.cell_to_latlng(cell)
    assert min(p[1] for p in ring) < lat < max(p[1] for p in ring)
    assert min(p[0] for p in ring) < lng < max(p[0] for p in ring)

    # An area's history: every final 1m window it has rows in, oldest first.
    area = gj["features"][0]["properties"]["area"]
    status, hist = get_json(http_port, f"/v1/areas/hex7/{area}?window=1m&last=3")
    assert status == 200
    starts = [w["window_start"] for w in hist["windows"]]
    assert starts == sorted(starts) and 1 <= len(starts) <= 3
    assert all(r["area"] == area for w in hist["windows"] for r in w["rows"])

    # The stream saw each committed window once.
    wait_until(lambda: len({(e["window"], e["window_start"]) for e in stream.events}) >= 5 + 3, 10,
               "window events on /v1/stream")
    keys = [(e["window"], e["window_start"]) for e in stream.events]
    assert len(keys) == len(set(keys))
    assert ("1m", "2026-03-02T08:00:00.000Z") in keys

    # /metrics parses with the Prometheus client's parser and agrees with the summary.
    status, headers, text = get(http_port, "/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(text.decode())}
    for name in ("areaflow_events", "areaflow_rejected", "areaflow_late_events", "areaflow_watermark_lag_seconds",
                 "areaflow_open_windows", "areaflow_rows_written", "areaflow_queue_depth",
                 "areaflow_flush_duration_seconds"):
        assert name in families, f"{name} missing from /metrics: {sorted(families)}"
    summary = load_summary(out)
    events = sum(s.value for s in families["areaflow_events"].samples if s.name == "areaflow_events_total")
    assert events == summary["events_accepted"] == len(payload.splitlines()) + 1
    rows_written = sum(s.value for s in families["areaflow_rows_written"].samples if s.name.endswith("_total"))
    assert rows_written == summary["rows_written"]

    # Bad requests name the parameter; unknown names are 404.
    status, err = get_json(http_port, "/v1/aggregates?window=1m&scheme=gh5&bbox=oops")
    assert status == 400 and "bbox" in err["error"]
    status, err = get_json(http_port, "/v1/aggregates?window=7m&scheme=gh5")
    assert status == 404 and "7m" in err["error"]

    # The map page is served whole.
    status, headers, page = get(http_port, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"<html" in page.lower()

    run.send(15)
    assert run.wait(30) == 0
