# areaflow — two commands do everything on a fresh Debian machine with the Swift toolchain:
#   make demo   installs what is missing, builds in release, replays the bundled fixtures and shows the output
#   make test   the same set-up, then the whole test suite (Swift Testing + end-to-end checks against DuckDB)

SWIFT       ?= swift
PYTHON      ?= python3
BIN_RELEASE := .build/release/areaflow
BIN_DEBUG   := .build/debug/areaflow
APT_PACKAGES := libzstd-dev zstd zlib1g-dev chromium openssl libmosquitto-dev mosquitto mosquitto-clients librdkafka-dev
PIP_PACKAGES := duckdb pyarrow polars h3 pytest PyYAML prometheus_client playwright Pillow bcrypt gtfs-realtime-bindings paho-mqtt confluent-kafka

.PHONY: setup setup-system setup-python build build-debug demo demo-live test test-swift test-e2e bench bench-memory bench-live bench-http format lint clean

setup: setup-system setup-python

# Installs only what is absent, so a prepared machine does no network work.
setup-system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

setup-python:
	@$(PYTHON) -c "import duckdb, pyarrow, polars, h3, pytest, yaml, prometheus_client, playwright, PIL, bcrypt, google.transit.gtfs_realtime_pb2, paho.mqtt, confluent_kafka" 2>/dev/null || \
	  $(PYTHON) -m pip install -q --disable-pip-version-check $(PIP_PACKAGES)

build: setup-system
	$(SWIFT) build -c release --product areaflow

build-debug: setup-system
	$(SWIFT) build --build-tests

demo: build
	@rm -rf out/transport out/connectivity
	$(BIN_RELEASE) replay --config configs/transport.yaml --out out/transport fixtures/transport.ndjson.zst
	$(BIN_RELEASE) replay --config configs/connectivity.yaml --out out/connectivity fixtures/connectivity.csv.zst
	@echo
	@echo "Snapshots are in out/transport and out/connectivity:"
	@find out/transport out/connectivity -name '*.csv' | sort | sed 's/^/  /'
	@echo
	@echo "A few rows of out/transport/1m/gh6/part-000001.csv:"
	@head -4 out/transport/1m/gh6/part-000001.csv | cut -c1-160 | sed 's/^/  /'
	@echo
	@echo "A few rows of out/connectivity/1h/gh5/part-000001.csv:"
	@head -4 out/connectivity/1h/gh5/part-000001.csv | cut -c1-160 | sed 's/^/  /'
	@echo
	@echo "Read them as one table, e.g.:"
	@echo "  python3 -c \"import duckdb; print(duckdb.sql(\\\"select * from read_csv('out/transport/**/*.csv', union_by_name=true) limit 5\\\"))\""

test: setup build-debug
	$(SWIFT) test --skip-build
	AREAFLOW_BIN=$(BIN_DEBUG) $(PYTHON) -m pytest -q tests/e2e

bench: setup build
	scripts/bench-replay.sh

# Resident memory over a 100,000,000-event replay generated on the fly (a few minutes).
bench-memory: build
	scripts/bench-memory.sh

bench-live: setup build
	$(PYTHON) scripts/bench_live.py

bench-http: setup build
	$(PYTHON) scripts/bench_http.py

# Starts `run --http` on the bundled fixture streams and prints the maps' URLs; Ctrl-C stops (drain, commit, exit 0).
demo-live: setup build
	scripts/demo-live.sh

format:
	$(SWIFT) format -i -r Sources Tests Package.swift

lint:
	$(SWIFT) format lint -r Sources Tests

clean:
	rm -rf .build out
