#!/usr/bin/env bash
# Memory over a long replay: `areaflow generate transport -n EVENTS | areaflow replay --config CONFIG -`, the
# stream made on the fly so no file of that size is needed, with the replay's resident memory sampled every
# INTERVAL seconds from /proc. Prints one line per sample (seconds, events so far, RSS MB) and the peak; memory that
# is flat as the stream grows is what a months-long `run` needs too.
# Usage: scripts/bench-memory.sh [EVENTS] [CONFIG] [INTERVAL]     (default 100,000,000, configs/transport.yaml, 10)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/areaflow
EVENTS=${1:-100000000}
CONFIG=${2:-configs/transport.yaml}
INTERVAL=${3:-10}
OUT=.bench/out-memory
[ -x "$BIN" ] || { echo "build first: swift build -c release" >&2; exit 2; }
mkdir -p .bench
"$BIN" generate transport -n "$EVENTS" --seed 9 \
  | "$BIN" replay --quiet --overwrite --config "$CONFIG" --out "$OUT" - &
pipeline=$!
sleep 1
replay=$(pgrep -n -f "areaflow replay --quiet --overwrite --config $CONFIG --out $OUT") || true
[ -n "$replay" ] || { echo "replay did not start" >&2; exit 1; }
start=$(date +%s)
peak=0
echo "| seconds | RSS MB |"
echo "|---:|---:|"
while kill -0 "$replay" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$replay/status" 2>/dev/null || echo 0)
  [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
  echo "| $(( $(date +%s) - start )) | $rss |"
  sleep "$INTERVAL"
done
wait "$pipeline"
hwm=$(python3 -c "import json; s=json.load(open('$OUT/_summary.json')); print(s['events_accepted'], s['rows_written'])")
echo "done: $EVENTS events generated, accepted and rows written: $hwm; peak sampled RSS $peak MB"
