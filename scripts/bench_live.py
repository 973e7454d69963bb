#!/usr/bin/env python3
"""Live-mode benchmark (issue 5's speed targets), run by `make bench-live`:

1. throughput: the same zstd stream through `replay`, through `run --once` on the finished file, and through `run`
   following a file that a writer appends at full speed (1 MiB writes, frames cut anywhere); the live figure is the
   time from the writer's first byte until `_summary.json` shows every line;
2. latency: a writer appends events stamped with the wall clock at a steady rate; for every committed window the
   delay from the moment the watermark passed its end (end + max_out_of_order) to the moment its file appeared.

Usage: scripts/bench_live.py [EVENTS]   (release build at .build/release/areaflow)
"""
import json, os, shutil, subprocess, sys, tempfile, threading, time, datetime, csv, glob

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(REPO, ".build/release/areaflow")
CONFIG = os.path.join(REPO, "scripts/bench-transport-gh6.yaml")


def summary(out):
    try:
        with open(os.path.join(out, "_summary.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def timed(cmd):
    t = time.time()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.time() - t


def throughput(work, events):
    stream = os.path.join(REPO, ".bench", f"transport-{events}.ndjson.zst")
    os.makedirs(os.path.dirname(stream), exist_ok=True)
    if not os.path.exists(stream):
        subprocess.run([BIN, "generate", "transport", "-n", str(events), "--seed", "7", "-o", stream], check=True)
    lines = events
    replay = min(
        timed([BIN, "replay", "--quiet", "--overwrite", "--config", CONFIG, "--out", f"{work}/r", stream])
        for _ in range(2))
    once = []
    for _ in range(2):
        shutil.rmtree(f"{work}/o", ignore_errors=True)
        once.append(timed([BIN, "run", "--once", "--log-level", "error", "--config", CONFIG, "--out", f"{work}/o", stream]))
    once = min(once)
    follows = []
    for _ in range(2):
        growing = f"{work}/growing.zst"
        out = f"{work}/f"
        shutil.rmtree(out, ignore_errors=True)
        open(growing, "wb").close()
        cfg = f"{work}/live.yaml"
        with open(CONFIG) as f:
            text = f.read()
        with open(cfg, "w") as f:
            f.write(text.replace("flush_every: 10s", "flush_every: 1s"))
        proc = subprocess.Popen([BIN, "run", "--log-level", "error", "--config", cfg, "--out", out, growing],
                                stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        start = time.time()
        with open(stream, "rb") as src, open(growing, "ab") as dst:
            while True:
                block = src.read(1 << 20)
                if not block:
                    break
                dst.write(block)
                dst.flush()
        while True:
            s = summary(out)
            if s and s["lines_read"] >= lines:
                break
            time.sleep(0.02)
        follows.append(time.time() - start)
        proc.terminate()
        proc.wait()
    follow = min(follows)
    print(f"stream: {events:,} events ({os.path.getsize(stream)/2**20:.1f} MiB zstd), config {os.path.relpath(CONFIG, REPO)}")
    print("| path | seconds | events/s | vs replay |")
    print("|---|---:|---:|---:|")
    for name, t in [("replay", replay), ("run --once (finished file)", once),
                    ("run following a file appended at full speed (incl. up to 1 s flush)", follow)]:
        print(f"| {name} | {t:.2f} | {events/t/1e6:.2f} M | {replay/t:.2f}x |")


def latency(work, seconds=20, rate=20000, flush="2s"):
    cfg = f"{work}/latency.yaml"
    with open(cfg, "w") as f:
        f.write(f"""name: latency
input: {{format: ndjson, time: {{field: ts}}, lat: lat, lon: lon}}
areas: [{{name: gh5, geohash: 5}}]
windows: [{{name: 5s, tumbling: 5s}}]
watermark: {{max_out_of_order: 1s, idle_timeout: 1h}}
features: {{events: count}}
output: {{format: csv, flush_every: {flush}}}
""")
    feed = f"{work}/latency.ndjson"
    out = f"{work}/lat"
    shutil.rmtree(out, ignore_errors=True)
    open(feed, "w").close()
    proc = subprocess.Popen([BIN, "run", "--log-level", "error", "--config", cfg, "--out", out, feed],
                            stderr=subprocess.DEVNULL)
    seen = {}
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            s = summary(out)
            for f in (s or {}).get("files", []):
                seen.setdefault(f, time.time())
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    end = time.time() + seconds
    with open(feed, "a") as dst:
        while time.time() < end:
            now = time.time()
            ts = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).isoformat().replace("+00:00", "Z")
            dst.write("".join(f'{{"ts":"{ts}","lat":52.5{i % 10},"lon":13.4}}\n' for i in range(rate // 100)))
            dst.flush()
            time.sleep(max(0, 0.01 - (time.time() - now)))
    time.sleep(4)
    stop.set()
    watcher.join()
    proc.terminate()
    proc.wait()
    delays = []
    for f, appeared in seen.items():
        with open(os.path.join(out, f)) as fh:
            for row in csv.DictReader(fh):
                window_end = datetime.datetime.fromisoformat(row["window_end"].replace("Z", "+00:00")).timestamp()
                delays.append(appeared - (window_end + 1.0))
    delays.sort()
    print(f"latency: {len(delays)} window rows, flush_every {flush}: watermark passing a window's end -> its file "
          f"committed: median {delays[len(delays)//2]:.2f} s, max {delays[-1]:.2f} s (target <= flush_every + 1 s)")


if __name__ == "__main__":
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 2000000
    work = tempfile.mkdtemp(prefix="areaflow-bench-live-")
    try:
        throughput(work, events)
        latency(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
