#!/usr/bin/env python3
"""HTTP API under load (issue 6), run by `make bench-http`: `run --http --once` drains a 2,000,000-event stream at
full speed, once alone and once while a bounded loopback load (RATE requests/s from 4 keep-alive clients, mixing
/v1/aggregates as JSON and GeoJSON, /v1/meta, /v1/areas and /metrics) hits the API. Prints the ingest slowdown and
the request latency percentiles, then the same load over HTTPS with basic auth (a certificate made by openssl, a
users file with a bcrypt password; the per-client rate limit raised above the load, as one address sends it all).

Usage: scripts/bench_http.py [EVENTS] [RATE]   (release build at .build/release/areaflow)
"""
import base64, http.client, json, os, re, resource, shutil, ssl, subprocess, sys, tempfile, threading, time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(REPO, ".build/release/areaflow")
CONFIG = os.path.join(REPO, "scripts/bench-transport-gh6.yaml")


client_cpu = [0.0]


PASSWORD = "bench-password"


def secure_files(work):
    """A self-signed certificate and a users file; returns the config's http block."""
    import bcrypt

    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout",
                    f"{work}/server.key", "-out", f"{work}/server.crt", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost"], check=True, capture_output=True)
    h = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=12)).decode()
    with open(f"{work}/users.yaml", "w") as f:
        f.write(f'users:\n  - {{name: bench, bcrypt: "{h}", scopes: [read, metrics]}}\n')
    return (f"http:\n  tls: {{cert: {work}/server.crt, key: {work}/server.key}}\n  users_file: {work}/users.yaml\n"
            "  limits: {rate: 10000, burst: 10000}\n")


def run_once(work, stream, load_rate, secure=False):
    out = f"{work}/out"
    shutil.rmtree(out, ignore_errors=True)
    cfg = f"{work}/http.yaml"
    with open(CONFIG) as f:
        text = f.read().replace("flush_every: 10s", "flush_every: 1s")
    text += secure_files(work) if secure else "http:\n  limits: {rate: 10000, burst: 10000}\n"
    with open(cfg, "w") as f:
        f.write(text)
    headers = {"Authorization": "Basic " + base64.b64encode(f"bench:{PASSWORD}".encode()).decode()} if secure else {}
    context = ssl.create_default_context(cafile=f"{work}/server.crt") if secure else None

    def connect():
        if secure:
            return http.client.HTTPSConnection("localhost", port, timeout=10, context=context)
        return http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    start = time.time()
    proc = subprocess.Popen([BIN, "run", "--once", "--config", cfg, "--out", out, "--http", "127.0.0.1:0", stream],
                            stderr=subprocess.PIPE, text=True)
    port = None
    for line in proc.stderr:
        m = re.search(r"http listening on https?://[^:]+:(\d+)/", line)
        if m:
            port = int(m.group(1))
            break
    ended = threading.Event()

    def drain():
        for line in proc.stderr:
            if "run stopped" in line:
                ended.set()

    threading.Thread(target=drain, daemon=True).start()
    latencies = []
    stop = threading.Event()
    errors = [0]

    def client(k):
        conn = connect()
        paths = ["/v1/aggregates?window=1m&scheme=gh6", "/v1/aggregates?window=1m&scheme=gh6&format=geojson",
                 "/v1/meta", "/metrics", "/v1/aggregates?window=15m&scheme=gh6&at=open"]
        i = k
        interval = 4.0 / load_rate
        next_at = time.time()
        area = None
        while not stop.is_set():
            path = paths[i % len(paths)]
            if i % 7 == 6 and area:
                path = f"/v1/areas/gh6/{area}?window=1m&last=5"
            i += 1
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                r = conn.getresponse()
                body = r.read()
                latencies.append(time.perf_counter() - t)
                if r.status not in (200, 404) and not ended.is_set():
                    errors[0] += 1
                    print(f"  {path}: HTTP {r.status} {body[:120]!r}", file=sys.stderr)
                if r.status == 200 and area is None and path.endswith("scheme=gh6"):
                    rows = json.loads(body)["rows"]
                    area = rows[0]["area"] if rows else None
            except (OSError, http.client.HTTPException):
                if stop.is_set() or ended.is_set() or proc.poll() is not None:
                    break
                errors[0] += 1
                print(f"  {path}: {sys.exc_info()[1]!r}", file=sys.stderr)
                conn = connect()
            next_at += interval
            time.sleep(max(0, next_at - time.time()))

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(4)] if load_rate else []
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    for t in threads:
        t.start()
    proc.wait()
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu[0] = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    elapsed = time.time() - start
    stop.set()
    for t in threads:
        t.join(2)
    return elapsed, sorted(latencies), errors[0]


def main():
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 2000000
    rate = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    stream = os.path.join(REPO, ".bench", f"transport-{events}.ndjson.zst")
    os.makedirs(os.path.dirname(stream), exist_ok=True)
    if not os.path.exists(stream):
        subprocess.run([BIN, "generate", "transport", "-n", str(events), "--seed", "7", "-o", stream], check=True)
    work = tempfile.mkdtemp(prefix="areaflow-bench-http-")
    try:
        alone = min(run_once(work, stream, 0)[0] for _ in range(2))
        print(f"stream: {events:,} events, config {os.path.relpath(CONFIG, REPO)}, run --once --http, best of 2")
        print(f"| ingest | seconds | events/s |")
        print(f"|---|---:|---:|")
        print(f"| alone | {alone:.2f} | {events/alone/1e6:.2f} M |")
        for secure in (False, True):
            loaded = [run_once(work, stream, rate, secure) for _ in range(2)]
            t, lat, errs = min(loaded, key=lambda x: x[0])
            all_lat = sorted(x for _, l, _ in loaded for x in l)
            pct = lambda p: all_lat[min(len(all_lat) - 1, int(p * len(all_lat)))] * 1000
            mode = "HTTPS + basic auth" if secure else "plain HTTP"
            print(f"| under {rate} requests/s, {mode} | {t:.2f} | {events/t/1e6:.2f} M |")
            print(f"  ingest slowdown under load: {(t/alone-1)*100:+.1f}% (the load generator itself used "
                  f"{client_cpu[0]:.2f} s of CPU on the same 2 cores during the last run)")
            print(f"  {mode}: requests {len(all_lat)}, errors {errs}; latency p50 {pct(0.5):.1f} ms, "
                  f"p90 {pct(0.9):.1f} ms, p99 {pct(0.99):.1f} ms, max {all_lat[-1]*1000:.1f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
