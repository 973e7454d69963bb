#!/usr/bin/env python3
"""Writes fixtures/gtfs-rt/vehicle-positions.pb.zst: ten FULL_DATASET snapshots of a small bus feed, 30 s apart,
length-delimited and zstd-compressed, made with the official GTFS-Realtime Python bindings (see gtfs_rt_feed.py).
Vehicles repeat their last position in some snapshots (areaflow drops those repeats) and every snapshot also holds a
trip update and an alert (counted, not events). Reproducible: the same bytes every time.

Usage: python3 scripts/make-gtfs-rt-fixture.py        (then: areaflow replay --config configs/gtfs-rt.yaml ...)
"""

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gtfs_rt_feed import delimited, snapshots  # noqa: E402

root = Path(__file__).resolve().parent.parent
out = root / "fixtures" / "gtfs-rt" / "vehicle-positions.pb.zst"
out.parent.mkdir(parents=True, exist_ok=True)
data = delimited(snapshots(seed=7, vehicles=12, count=10, start=1_767_261_600))  # 2026-01-01T10:00:00Z
out.write_bytes(subprocess.run(["zstd", "-q", "-c", "-19"], input=data, capture_output=True, check=True).stdout)
print(f"wrote {out.relative_to(root)} ({out.stat().st_size} bytes; {len(data)} uncompressed)")
