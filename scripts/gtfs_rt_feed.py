"""GTFS-Realtime feeds for the fixture and the end-to-end tests, made and read with the official Python bindings
(`gtfs-realtime-bindings`, module `google.transit.gtfs_realtime_pb2`), independently of areaflow's Swift decoder.

- `snapshots(...)` makes a run of FULL_DATASET FeedMessages: vehicles that move along routes, report a new position in
  some snapshots and repeat their last one (same timestamp) in others, plus trip updates and alerts that are not
  vehicle positions.
- `delimited(messages)` writes several messages length-delimited (a varint length before each).
- `reference_lines(payloads)` is what areaflow should make of a sequence of inputs: each input's messages decoded with
  the bindings, positions already seen (same vehicle.id and timestamp, across all inputs) dropped, every other
  VehiclePosition one NDJSON line shaped like the message (fields present only), a message that does not decode one
  non-JSON line (a `malformed` reject). Feeding those lines to scripts/reference.py gives the expected rows.
"""

from __future__ import annotations

import json
import math
import random

from google.protobuf.internal.decoder import _DecodeVarint32
from google.protobuf.internal.encoder import _VarintBytes
from google.transit import gtfs_realtime_pb2 as rt

ROUTES = ["10", "55", "N7"]
CENTRE = (60.1699, 24.9384)


def snapshots(seed: int, vehicles: int, count: int, start: int, step: int = 30, other: bool = True) -> list:
    """`count` FULL_DATASET snapshots `step` seconds apart from epoch second `start`."""
    rng = random.Random(seed)
    state = []
    for v in range(vehicles):
        state.append({
            "id": f"bus-{v:03d}",
            "route": ROUTES[v % len(ROUTES)],
            "trip": f"trip-{v % 5}",
            "lat": CENTRE[0] + rng.uniform(-0.05, 0.05),
            "lon": CENTRE[1] + rng.uniform(-0.08, 0.08),
            "heading": rng.uniform(0, 2 * math.pi),
            "ts": start - rng.randint(0, 20),
            "speed": rng.uniform(0, 15),
        })
    messages = []
    for k in range(count):
        now = start + k * step
        m = rt.FeedMessage()
        m.header.gtfs_realtime_version = "2.0"
        m.header.incrementality = rt.FeedHeader.FULL_DATASET
        m.header.timestamp = now
        for s in state:
            if k > 0 and rng.random() < 0.6:
                # A new report: the vehicle moved.
                s["ts"] = now - rng.randint(0, 10)
                s["speed"] = max(0.0, s["speed"] + rng.uniform(-3, 3))
                s["lat"] += math.cos(s["heading"]) * s["speed"] * step / 111_000
                s["lon"] += math.sin(s["heading"]) * s["speed"] * step / 55_000
            e = m.entity.add()
            e.id = f"vp-{s['id']}"
            vp = e.vehicle
            vp.timestamp = s["ts"]
            vp.position.latitude = s["lat"]
            vp.position.longitude = s["lon"]
            vp.position.speed = s["speed"]
            vp.position.bearing = math.degrees(s["heading"]) % 360
            vp.trip.trip_id = s["trip"]
            vp.trip.route_id = s["route"]
            vp.trip.direction_id = int(s["trip"][-1]) % 2
            vp.vehicle.id = s["id"]
            vp.vehicle.label = s["id"].upper()
            vp.current_status = rt.VehiclePosition.IN_TRANSIT_TO if s["speed"] > 1 else rt.VehiclePosition.STOPPED_AT
            vp.occupancy_status = [rt.VehiclePosition.MANY_SEATS_AVAILABLE, rt.VehiclePosition.FEW_SEATS_AVAILABLE,
                                   rt.VehiclePosition.STANDING_ROOM_ONLY][int(s["ts"]) % 3]
            vp.congestion_level = rt.VehiclePosition.RUNNING_SMOOTHLY
            vp.stop_id = f"stop-{int(s['ts']) % 7}"
        if other:
            tu = m.entity.add()
            tu.id = f"tu-{k}"
            tu.trip_update.trip.trip_id = "trip-1"
            stu = tu.trip_update.stop_time_update.add()
            stu.stop_sequence = 3
            stu.arrival.delay = 60
            al = m.entity.add()
            al.id = f"alert-{k}"
            al.alert.header_text.translation.add().text = "Diversion"
        messages.append(m)
    return messages


def delimited(messages) -> bytes:
    """Messages (or already serialized bytes) each preceded by its length as a varint."""
    out = bytearray()
    for m in messages:
        data = m if isinstance(m, (bytes, bytearray)) else m.SerializeToString()
        out += _VarintBytes(len(data)) + data
    return bytes(out)


def split_delimited(data: bytes) -> list[bytes]:
    """The messages of a length-delimited input (the framing must be intact)."""
    out, at = [], 0
    while at < len(data):
        n, at = _DecodeVarint32(data, at)
        out.append(data[at:at + n])
        at += n
    return out


def _enum(enum_type, value) -> str:
    return enum_type.Name(value)


def vehicle_dict(vp) -> dict:
    """A VehiclePosition as areaflow renders it: nested objects, only the fields present, enums by name."""
    d: dict = {}
    if vp.HasField("timestamp"):
        d["timestamp"] = vp.timestamp
    if vp.HasField("position"):
        p = vp.position
        pos = {"latitude": p.latitude, "longitude": p.longitude}
        for f in ("bearing", "odometer", "speed"):
            if p.HasField(f):
                pos[f] = getattr(p, f)
        d["position"] = pos
    if vp.HasField("trip"):
        t = vp.trip
        d["trip"] = {f: getattr(t, f) for f in ("trip_id", "route_id", "direction_id", "start_time", "start_date")
                     if t.HasField(f)}
    if vp.HasField("vehicle"):
        v = vp.vehicle
        d["vehicle"] = {f: getattr(v, f) for f in ("id", "label", "license_plate") if v.HasField(f)}
    if vp.HasField("current_stop_sequence"):
        d["current_stop_sequence"] = vp.current_stop_sequence
    if vp.HasField("stop_id"):
        d["stop_id"] = vp.stop_id
    if vp.HasField("current_status"):
        d["current_status"] = _enum(rt.VehiclePosition.VehicleStopStatus, vp.current_status)
    if vp.HasField("congestion_level"):
        d["congestion_level"] = _enum(rt.VehiclePosition.CongestionLevel, vp.congestion_level)
    if vp.HasField("occupancy_status"):
        d["occupancy_status"] = _enum(rt.VehiclePosition.OccupancyStatus, vp.occupancy_status)
    if vp.HasField("occupancy_percentage"):
        d["occupancy_percentage"] = vp.occupancy_percentage
    return d


class Deduper:
    """The positions already handed on, across inputs (areaflow's memory keeps recent timestamps per vehicle; for
    feeds that repeat recent positions, which these do, the two agree)."""

    def __init__(self):
        self.seen: set = set()
        self.counts = {"messages": 0, "malformed_messages": 0, "entities": 0, "vehicle_positions": 0,
                       "repeated_positions": 0, "other_entities": 0}

    def lines(self, payloads: list[bytes]) -> list[str]:
        """The NDJSON lines of one input given as its messages' bytes, in order."""
        out = []
        for data in payloads:
            m = rt.FeedMessage()
            try:
                m.ParseFromString(data)
            except Exception:  # noqa: BLE001 - any decode failure is a malformed message
                self.counts["malformed_messages"] += 1
                out.append("gtfs-rt: malformed FeedMessage")
                continue
            self.counts["messages"] += 1
            for e in m.entity:
                self.counts["entities"] += 1
                if not e.HasField("vehicle"):
                    self.counts["other_entities"] += 1
                    continue
                vp = e.vehicle
                if vp.HasField("timestamp") and vp.HasField("vehicle") and vp.vehicle.HasField("id"):
                    key = (vp.vehicle.id, vp.timestamp)
                    if key in self.seen:
                        self.counts["repeated_positions"] += 1
                        continue
                    self.seen.add(key)
                self.counts["vehicle_positions"] += 1
                out.append(json.dumps(vehicle_dict(vp), separators=(",", ":")))
        return out
