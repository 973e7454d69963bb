#!/usr/bin/env bash
# Replay benchmark: generates a 2,000,000-event transport stream once, then times in one run
#   - the floor:  zstd -dc of the same file
#   - areaflow:   replay (release build) with
#       scripts/bench-transport-1m.yaml   exactly the peer's aggregates (1m windows x geohash-6 x route)
#       scripts/bench-transport-gh6.yaml  1m + 15m-every-5m windows x geohash-6 x route
#       configs/transport.yaml            the bundled config: the above plus H3 resolution 8
#   - the peer:   DuckDB computing the per-minute geohash-6 aggregates from the same file (scripts/bench_peer.py)
# and prints the ratios; then measures peak memory of a 10,000,000-event replay of configs/transport.yaml.
# Usage: scripts/bench-replay.sh [EVENTS] [BIG_EVENTS]     (make bench builds first)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/areaflow
EVENTS=${1:-2000000}
BIG=${2:-10000000}
WORK=.bench
mkdir -p "$WORK"
STREAM="$WORK/transport-$EVENTS.ndjson.zst"
BIGSTREAM="$WORK/transport-$BIG.ndjson.zst"
[ -x "$BIN" ] || { echo "build first: swift build -c release" >&2; exit 2; }
[ -f "$STREAM" ] || "$BIN" generate transport -n "$EVENTS" --seed 7 -o "$STREAM"

seconds() { python3 -c 'import sys,time; print(f"{time.time():.6f}")'; }
best_of() {  # best_of N command... -> prints the best wall time in seconds
  local n=$1; shift; local best=""
  for _ in $(seq "$n"); do
    local s e; s=$(seconds); "$@" >/dev/null 2>&1; e=$(seconds)
    best=$(python3 -c "b='$best'; t=$e-$s; print(t if b=='' or t<float(b) else b)")
  done
  echo "$best"
}

BYTES=$(stat -c %s "$STREAM")
RAW=$(zstd -dc "$STREAM" | wc -c)
floor=$(best_of 3 sh -c "zstd -dc '$STREAM' > /dev/null")
replay1m=$(best_of 3 "$BIN" replay --quiet --overwrite --config scripts/bench-transport-1m.yaml --out "$WORK/out" "$STREAM")
replaygh6=$(best_of 3 "$BIN" replay --quiet --overwrite --config scripts/bench-transport-gh6.yaml --out "$WORK/out" "$STREAM")
replay=$(best_of 3 "$BIN" replay --quiet --overwrite --config configs/transport.yaml --out "$WORK/out" "$STREAM")
peer=$(python3 scripts/bench_peer.py "$STREAM" 2 | awk '{print $2}')
peer2=$(python3 scripts/bench_peer.py "$STREAM" 2 | awk '{print $2}')
peer=$(python3 -c "print(min($peer, $peer2))")
python3 - "$EVENTS" "$BYTES" "$RAW" "$floor" "$replay1m" "$replaygh6" "$replay" "$peer" <<'PY'
import sys
events, size, raw = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
floor, r1m, rgh6, rfull, peer = map(float, sys.argv[4:9])
print(f"stream: {events:,} events, {size/2**20:.1f} MiB zstd, {raw/2**20:.1f} MiB NDJSON; best of 3 (peer: of 2)")
print("| step | seconds | events/s | MiB/s (uncompressed) | vs zstd -dc | vs DuckDB |")
print("|---|---:|---:|---:|---:|---:|")
rows = [
    ("zstd -dc (floor)", floor),
    ("DuckDB 1m x gh6 x route (peer)", peer),
    ("areaflow 1m x gh6 x route (same aggregates as the peer)", r1m),
    ("areaflow 1m + 15m/5m x gh6 x route", rgh6),
    ("areaflow configs/transport.yaml (+ H3 res 8)", rfull),
]
for name, t in rows:
    print(f"| {name} | {t:.2f} | {events/t/1e6:.2f} M | {raw/2**20/t:.0f} | {t/floor:.1f}x | {peer/t:.2f}x |")
print(f"like for like, areaflow takes {r1m/floor:.1f}x the time of zstd -dc and is {peer/r1m:.1f}x as fast as DuckDB")
PY

if [ "$BIG" != "0" ]; then
  [ -f "$BIGSTREAM" ] || "$BIN" generate transport -n "$BIG" --seed 8 -o "$BIGSTREAM"
  /usr/bin/time -v "$BIN" replay --quiet --overwrite --config configs/transport.yaml --out "$WORK/out-big" "$BIGSTREAM" 2> "$WORK/time.txt"
  rss=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' "$WORK/time.txt")
  wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$WORK/time.txt")
  echo "peak memory, $BIG-event replay: $((rss / 1024)) MB (wall $wall)"
fi
