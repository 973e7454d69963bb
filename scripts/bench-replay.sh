#!/usr/bin/env bash
# Replay benchmark: generates a 2,000,000-event transport stream once, then times in one run, in RUNS rounds that
# each run every step once (default 5):
#   - the floor:  zstd -dc of the same file
#   - the peers:  DuckDB (2 threads) computing the same features from the same file (scripts/bench_peer.py):
#                 per-minute geohash-6 by route, and per-minute plus 15-minutes-every-5 (the two-window config)
#   - areaflow:   replay (release build) with
#       scripts/bench-transport-1m.yaml   exactly the 1m peer's aggregates (1m windows x geohash-6 x route)
#       scripts/bench-transport-gh6.yaml  1m + 15m-every-5m windows x geohash-6 x route (the two-window config),
#                                         with --threads 2 and --threads 1
#       configs/transport.yaml            the bundled config: the above plus H3 resolution 8
# and prints min, median and max seconds with the ratios of the medians; then the peak memory of a
# 10,000,000-event replay of configs/transport.yaml.
# Usage: scripts/bench-replay.sh [EVENTS] [BIG_EVENTS] [RUNS]     (make bench builds first)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/areaflow
EVENTS=${1:-2000000}
BIG=${2:-10000000}
RUNS=${3:-5}
WORK=.bench
mkdir -p "$WORK"
STREAM="$WORK/transport-$EVENTS.ndjson.zst"
BIGSTREAM="$WORK/transport-$BIG.ndjson.zst"
[ -x "$BIN" ] || { echo "build first: swift build -c release" >&2; exit 2; }
[ -f "$STREAM" ] || "$BIN" generate transport -n "$EVENTS" --seed 7 -o "$STREAM"

time_of() {  # time_of command... -> the wall time of one run, in seconds
  # Bash's own clock: reading the time from a Python process (as this script once did) put that interpreter's
  # start-up, about 0.1 s on this machine, inside every interval.
  local s e; s=$EPOCHREALTIME; "$@" >/dev/null 2>&1; e=$EPOCHREALTIME
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", e - s }'
}
peer_time() { python3 scripts/bench_peer.py "$STREAM" 2 "$1" | awk '{print $2}'; }  # peer_time MODE
replay() { "$BIN" replay --quiet --overwrite --out "$WORK/out" "$@" "$STREAM"; }

RAW=$(zstd -dc "$STREAM" | wc -c)
# Round-robin: each round runs every step once, so the floor, the peers and areaflow all meet the same slow and fast
# minutes of a shared machine, and the ratios compare runs made seconds apart.
floor=""; peer1m=""; peergh6=""; r1m=""; rgh6=""; rgh6t1=""; rfull=""
for round in $(seq "$RUNS"); do
  floor="$floor $(time_of sh -c "zstd -dc '$STREAM' > /dev/null")"
  peer1m="$peer1m $(peer_time 1m)"
  peergh6="$peergh6 $(peer_time gh6)"
  r1m="$r1m $(time_of replay --config scripts/bench-transport-1m.yaml)"
  rgh6="$rgh6 $(time_of replay --config scripts/bench-transport-gh6.yaml)"
  rgh6t1="$rgh6t1 $(time_of replay --config scripts/bench-transport-gh6.yaml --threads 1)"
  rfull="$rfull $(time_of replay --config configs/transport.yaml)"
  echo "round $round of $RUNS done" >&2
done
python3 - "$EVENTS" "$(stat -c %s "$STREAM")" "$RAW" "$RUNS" "$floor" "$peer1m" "$peergh6" "$r1m" "$rgh6" "$rgh6t1" "$rfull" <<'PY'
import statistics, sys
events, size, raw, runs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
floor, peer1m, peergh6, r1m, rgh6, rgh6t1, rfull = ([float(x) for x in a.split()] for a in sys.argv[5:12])
med = statistics.median
print(f"stream: {events:,} events, {size/2**20:.1f} MiB zstd, {raw/2**20:.1f} MiB NDJSON; {runs} rounds, each step once per round")
print("| step | seconds min / median / max | events/s (median) | vs zstd -dc | vs its DuckDB peer |")
print("|---|---:|---:|---:|---:|")
rows = [
    ("zstd -dc (floor)", floor, None),
    ("DuckDB 1m x gh6 x route (peer)", peer1m, None),
    ("DuckDB 1m + 15m/5m x gh6 x route (peer)", peergh6, None),
    ("areaflow 1m x gh6 x route (same aggregates as the 1m peer)", r1m, peer1m),
    ("areaflow 1m + 15m/5m x gh6 x route, --threads 2", rgh6, peergh6),
    ("areaflow 1m + 15m/5m x gh6 x route, --threads 1", rgh6t1, peergh6),
    ("areaflow configs/transport.yaml (+ H3 res 8)", rfull, peergh6),
]
for name, t, peer in rows:
    vs = f"{med(peer)/med(t):.2f}x" if peer else ""
    print(f"| {name} | {min(t):.2f} / {med(t):.2f} / {max(t):.2f} | {events/med(t)/1e6:.2f} M "
          f"| {med(t)/med(floor):.1f}x | {vs} |")
PY

if [ "$BIG" != "0" ]; then
  [ -f "$BIGSTREAM" ] || "$BIN" generate transport -n "$BIG" --seed 8 -o "$BIGSTREAM"
  /usr/bin/time -v "$BIN" replay --quiet --overwrite --config configs/transport.yaml --out "$WORK/out-big" "$BIGSTREAM" 2> "$WORK/time.txt"
  rss=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' "$WORK/time.txt")
  wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$WORK/time.txt")
  cpu=$(awk -F: '/User time|System time/ {s += $2} END {printf "%.1f", s}' "$WORK/time.txt")
  echo "peak memory, $BIG-event replay of configs/transport.yaml: $((rss / 1024)) MB (wall $wall, CPU ${cpu} s)"
fi
