#!/usr/bin/env bash
# Regenerates Sources/AreaflowGTFSRealtime/gtfs-realtime.pb.swift from the committed gtfs-realtime.proto (the official
# GTFS-Realtime definition, Apache-2.0, from google/transit's gtfs-realtime/proto/). The generated file is committed,
# so building areaflow never needs protoc or swift-protobuf's plugin; only the SwiftProtobuf runtime is a dependency.
#
# Needs: protoc (Debian's protobuf-compiler) and protoc-gen-swift of the same swift-protobuf version as Package.swift.
# The plugin's first build takes about ten minutes, so build it once outside the project:
#   git clone https://github.com/apple/swift-protobuf /tmp/swift-protobuf && cd /tmp/swift-protobuf &&
#   git checkout 1.39.0 && swift build -c release --product protoc-gen-swift
# Usage: scripts/generate-gtfs-rt.sh [PATH/TO/protoc-gen-swift]   (default /tmp/swift-protobuf/.build/release/protoc-gen-swift)
set -euo pipefail
cd "$(dirname "$0")/.."
PLUGIN=${1:-/tmp/swift-protobuf/.build/release/protoc-gen-swift}
DIR=Sources/AreaflowGTFSRealtime
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 2; }
[ -x "$PLUGIN" ] || { echo "protoc-gen-swift not found at $PLUGIN (see the comment at the top of $0)" >&2; exit 2; }
protoc --plugin=protoc-gen-swift="$PLUGIN" --proto_path="$DIR" \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=FullPath \
  --swift_out="$DIR" gtfs-realtime.proto
echo "wrote $DIR/gtfs-realtime.pb.swift"
