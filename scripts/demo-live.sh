#!/usr/bin/env bash
# make demo-live: `areaflow run --http` on both bundled fixture streams, each with its own map:
#   transport     http://127.0.0.1:8080/   (configs/transport.yaml, fixtures/transport.ndjson.zst)
#   connectivity  http://127.0.0.1:8081/   (configs/connectivity.yaml, fixtures/connectivity.csv.zst)
# The runs keep following their inputs (append to a copy in out/demo-live/feeds/ to see the map move); after
# idle_timeout the watermark follows the wall clock and the last windows close. Ctrl-C stops both cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/areaflow}
HOST=${HOST:-127.0.0.1}
rm -rf out/demo-live
mkdir -p out/demo-live/feeds
cp fixtures/transport.ndjson.zst fixtures/connectivity.csv.zst out/demo-live/feeds/
"$BIN" run --config configs/transport.yaml --out out/demo-live/transport --http "$HOST:8080" \
  out/demo-live/feeds/transport.ndjson.zst 2> out/demo-live/transport.log &
T=$!
"$BIN" run --config configs/connectivity.yaml --out out/demo-live/connectivity --http "$HOST:8081" \
  out/demo-live/feeds/connectivity.csv.zst 2> out/demo-live/connectivity.log &
C=$!
trap 'kill -TERM $T $C 2>/dev/null; wait $T $C; echo; echo "stopped; snapshots are in out/demo-live/"' INT TERM
for _ in $(seq 100); do
  grep -q "http listening" out/demo-live/transport.log 2>/dev/null && grep -q "http listening" out/demo-live/connectivity.log 2>/dev/null && break
  sleep 0.1
done
echo "areaflow live map, transport:    http://$HOST:8080/"
echo "areaflow live map, connectivity: http://$HOST:8081/"
echo "API example: curl 'http://$HOST:8080/v1/aggregates?window=1m&scheme=gh6' ; metrics: http://$HOST:8080/metrics"
echo "logs: out/demo-live/*.log — Ctrl-C to stop"
wait $T $C
