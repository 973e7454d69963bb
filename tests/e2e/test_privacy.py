"""Disclosure control (SPEC section 8) against an independent recomputation in Python.

A synthetic stream in time order (no late events) is replayed under `privacy`; every row is checked against the
exact event sets recomputed here: no group below k is published, suppressed rows carry no numbers, rolled-up rows
equal an exact aggregation of the suppressed children they stand for, the published rows of a window, scheme and
route are disjoint (so no subtraction of published numbers isolates a small group), counts are rounded, and
pseudonyms equal Python's own HMAC-SHA-256. The key never appears in any output or log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import re
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import h3
import pytest

import subprocess

from conftest import REPO as REPO_ROOT
from conftest import areaflow_path, read_rows
from reference import geohash_encode as geohash
from reference import load_regions, regions_containing

KEY = "k3y-for-tests-only-7a1f"
K = 4
START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
WINDOW = timedelta(minutes=10)


def make_events(seed: int = 11) -> list[dict]:
    """1200 events over 20 minutes: three busy places that clear k and scattered ones that do not."""
    rng = random.Random(seed)
    busy = [(52.5200, 13.4050), (52.5000, 13.3000), (52.4500, 13.5000)]
    events = []
    for i in range(1200):
        t = START + timedelta(seconds=i)
        if rng.random() < 0.6:
            lat, lon = busy[rng.randrange(3)]
            lat += rng.uniform(-0.001, 0.001)
            lon += rng.uniform(-0.001, 0.001)
            vehicle = f"bus-{rng.randrange(30):03d}"
        else:
            lat = 52.40 + rng.uniform(0, 0.2)
            lon = 13.20 + rng.uniform(0, 0.4)
            vehicle = f"bus-{rng.randrange(200):03d}"
        events.append(
            {
                "ts": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "vehicle_id": vehicle,
                "route": f"R{rng.randrange(2)}",
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "speed": round(rng.uniform(0, 60), 1),
            }
        )
    return events


def config_text(
    out: Path, *, roll_up: bool, round_counts: int = 1, dims: str = "[route]", privacy: str = "", max_k: int = 0,
    regions: Path | None = None,
) -> str:
    small = "roll_up\n  roll_up_levels: 2" if roll_up else "suppress"
    rounding = f"\n  round_counts: {round_counts}" if round_counts > 1 else ""
    block = privacy or (
        f"privacy:\n  min_contributors: {{field: vehicle_id, k: {K}}}\n  small_groups: {small}{rounding}\n"
        "  pseudonymise: {fields: [vehicle_id], key_env: AREAFLOW_TEST_KEY}\n"
    )
    return f"""name: privacy
input: {{format: ndjson, time: ts, lat: lat, lon: lon, dimensions: {dims}}}
areas:
  - {{name: gh6, geohash: 6}}
  - {{name: hex8, h3: 8}}
{f"  - {{name: district, regions: {regions}, id_property: code, parent_property: borough}}" if regions else ""}
windows:
  - {{name: 10m, tumbling: 10m}}
watermark: {{max_out_of_order: 0s, allowed_lateness: 0s}}
features:
  events: count
  vehicles: {{distinct: vehicle_id}}
  speed_sum: {{sum: speed}}
  speed_max: {{max: speed{f", min_contributors: {max_k}" if max_k else ""}}}
output: {{dir: {out}, format: csv}}
{block}"""


def run_replay(tmp_path: Path, text: str, events_path: Path, name: str, env_key: str | None = KEY):
    cfg = tmp_path / f"{name}.yaml"
    out = tmp_path / name
    cfg.write_text(text.replace("__OUT__", str(out)))
    env = dict(os.environ)
    env.pop("AREAFLOW_TEST_KEY", None)
    if env_key is not None:
        env["AREAFLOW_TEST_KEY"] = env_key
    proc = subprocess.run(
        [str(areaflow_path()), "replay", "--config", str(cfg), "--out", str(out), str(events_path)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    return proc, out


def write_events(tmp_path: Path, events: list[dict], extra: list[str] = ()) -> Path:
    path = tmp_path / "events.ndjson"
    path.write_text("".join(json.dumps(e) + "\n" for e in events) + "".join(line + "\n" for line in extra))
    return path


REGIONS = REPO_ROOT / "fixtures" / "regions" / "sample.geojson"
# The regions test gives the sample districts a parent: D01–D05 are "North", D06–D10 "South".
PARENT = {f"D{i:02d}": ("North" if i <= 5 else "South") for i in range(1, 11)}
DISTRICTS = load_regions(str(REGIONS), "code")


def ancestor(scheme: str, area: str, level: int) -> str | None:
    if level == 0:
        return area
    if scheme == "district":
        return PARENT.get(area) if level == 1 else None
    if scheme == "gh6":
        return area[:-level] if level < len(area) else None
    res = h3.get_resolution(area) - level
    return h3.cell_to_parent(area, res) if res >= 0 else None


def base_groups(events: list[dict], districts: bool = False) -> dict:
    """(window start, scheme, area, route) -> events, at the schemes' own areas."""
    groups = defaultdict(list)
    for e in events:
        t = datetime.strptime(e["ts"], "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=timezone.utc)
        w = START + ((t - START) // WINDOW) * WINDOW
        start = w.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        groups[(start, "gh6", geohash(e["lat"], e["lon"], 6), e["route"])].append(e)
        groups[(start, "hex8", h3.latlng_to_cell(e["lat"], e["lon"], 8), e["route"])].append(e)
        if districts:
            for d in regions_containing(e["lon"], e["lat"], DISTRICTS):
                groups[(start, "district", d, e["route"])].append(e)
    return groups


def contributors(evs: list[dict]) -> int:
    return len({e["vehicle_id"] for e in evs})


def expected_rows(events: list[dict], levels: int, districts: bool = False) -> dict:
    """(window start, scheme, area, route, level) -> (disclosure, events): the rule of SPEC section 8, recomputed."""
    rows = {}
    pending = defaultdict(list)  # (start, scheme, route) -> [(origin area, events)]
    for (start, scheme, area, route), evs in base_groups(events, districts).items():
        if contributors(evs) >= K:
            rows[(start, scheme, area, route, 0)] = ("published", evs)
        else:
            rows[(start, scheme, area, route, 0)] = ("suppressed", evs)
            pending[(start, scheme, route)].append((area, evs))
    for level in range(1, levels + 1):
        nxt = defaultdict(list)
        for (start, scheme, route), children in pending.items():
            parents = defaultdict(list)
            origins = {}
            for origin, evs in children:
                parent = ancestor(scheme, origin, level)
                if parent is None:
                    continue
                parents[parent].extend(evs)
                origins[parent] = origin
            for parent, evs in parents.items():
                if contributors(evs) >= K:
                    rows[(start, scheme, parent, route, level)] = ("rolled_up", evs)
                else:
                    nxt[(start, scheme, route)].append((origins[parent], evs))
        pending = nxt
    return rows


def actual_rows(out: Path) -> dict:
    header, rows = read_rows(out)
    col = {name: i for i, name in enumerate(header)}
    result = {}
    for r in rows:
        start = r[col["window_start"]]
        start = start.strftime("%Y-%m-%dT%H:%M:%S.000Z") if hasattr(start, "strftime") else str(start)
        key = (start, r[col["area_scheme"]], r[col["area"]], r[col["route"]], int(r[col["area_level"]]))
        assert key not in result, f"two rows for {key}"
        result[key] = {name: r[i] for name, i in col.items()}
    return result


def round5(n: int, r: int) -> int:
    return (n + r // 2) // r * r


@pytest.fixture(scope="module")
def events() -> list[dict]:
    return make_events()


@pytest.mark.parametrize("roll_up", [False, True])
def test_no_small_group_is_published_and_rows_equal_an_exact_recomputation(tmp_path, events, roll_up):
    path = write_events(tmp_path, events)
    proc, out = run_replay(tmp_path, config_text(Path("__OUT__"), roll_up=roll_up), path, "o")
    assert proc.returncode == 0, proc.stderr
    expected = expected_rows(events, 2 if roll_up else 0)
    actual = actual_rows(out)
    assert set(actual) == set(expected), (
        f"missing {sorted(set(expected) - set(actual))[:5]}, extra {sorted(set(actual) - set(expected))[:5]}"
    )
    kinds = defaultdict(int)
    for key, (disclosure, evs) in expected.items():
        row = actual[key]
        kinds[disclosure] += 1
        assert row["disclosure"] == disclosure, key
        if disclosure == "suppressed":
            assert contributors(evs) < K
            assert all(row[f] is None for f in ("events", "vehicles", "speed_sum", "speed_max")), (key, row)
            continue
        assert contributors(evs) >= K, key
        assert row["events"] == len(evs), key
        assert row["vehicles"] == contributors(evs), key
        assert abs(row["speed_sum"] - sum(e["speed"] for e in evs)) < 1e-6, key
        assert row["speed_max"] == max(e["speed"] for e in evs), key
    assert kinds["published"] > 5 and kinds["suppressed"] > 50, kinds
    if roll_up:
        assert kinds["rolled_up"] > 5, kinds
    summary = json.loads((out / "_summary.json").read_text())
    assert summary["privacy"] == {"suppressed_groups": kinds["suppressed"], "rolled_up_groups": kinds["rolled_up"]}


def test_published_rows_cannot_be_differenced(tmp_path, events):
    """Within a window, scheme and route, the published and rolled-up rows hold disjoint events, each from at least
    k contributors: any sum or difference of published numbers covers whole rows, so no group below k is isolated."""
    path = write_events(tmp_path, events)
    proc, out = run_replay(tmp_path, config_text(Path("__OUT__"), roll_up=True), path, "o")
    assert proc.returncode == 0, proc.stderr
    actual = actual_rows(out)
    by_part = defaultdict(list)
    expected = expected_rows(events, 2)
    for key, row in actual.items():
        if row["disclosure"] != "suppressed":
            by_part[(key[0], key[1], key[3])].append(expected[key][1])
    assert by_part
    for part, sets in by_part.items():
        seen = set()
        for evs in sets:
            ids = {id(e) for e in evs}
            assert not seen & ids, f"{part}: a published row shares events with another"
            seen |= ids
            assert contributors(evs) >= K


def test_counts_are_rounded(tmp_path, events):
    path = write_events(tmp_path, events)
    proc, out = run_replay(tmp_path, config_text(Path("__OUT__"), roll_up=True, round_counts=5), path, "o")
    assert proc.returncode == 0, proc.stderr
    expected = expected_rows(events, 2)
    checked = 0
    for key, row in actual_rows(out).items():
        disclosure, evs = expected[key]
        if disclosure == "suppressed":
            continue
        assert row["events"] % 5 == 0 and row["vehicles"] % 5 == 0, (key, row)
        assert row["events"] == round5(len(evs), 5), key
        assert row["vehicles"] == round5(contributors(evs), 5), key
        checked += 1
    assert checked > 5


def test_pseudonyms_equal_hmac_sha256_and_the_key_is_nowhere(tmp_path, events):
    bad = [
        '{"ts":"2026-03-02T08:00:05.000Z","vehicle_id":"bus-secret-1","route":"R0","lat":95.0,"lon":13.4,"speed":1}',
        '{"ts":"2026-03-02T08:00:06.000Z","vehicle_id":"bus-secret-2","route":"R0","lat":52.5,"lon"',
        '{"ts":"2026-03-02T07:30:00.000Z","vehicle_id":"bus-secret-3","route":"R1","lat":52.5,"lon":13.4,"speed":2}',
        # A repeated key (the scan reads the last) and an escaped key (not matched to the field): fail closed.
        '{"ts":"bad","vehicle_id":"bus-secret-4","vehicle_id":"x","route":"R0","lat":52.5,"lon":13.4}',
        '{"ts":"bad","vehicle_\\u0069d":"bus-secret-5","route":"R0","lat":52.5,"lon":13.4}',
    ]
    path = write_events(tmp_path, events, bad)
    privacy = "privacy:\n  pseudonymise: {fields: [vehicle_id], key_env: AREAFLOW_TEST_KEY}\n"
    text = config_text(Path("__OUT__"), roll_up=False, dims="[route, vehicle_id]", privacy=privacy)
    proc, out = run_replay(tmp_path, text, path, "o")
    assert proc.returncode == 0, proc.stderr
    header, rows = read_rows(out)
    col = header.index("vehicle_id")
    seen = {r[col] for r in rows}
    expected = {
        hmac.new(KEY.encode(), e["vehicle_id"].encode(), hashlib.sha256).hexdigest() for e in events
    }
    assert seen == expected
    # Distinct counts count the same identities as without pseudonyms.
    plain_text = config_text(Path("__OUT__"), roll_up=False, privacy="\n")
    proc2, plain = run_replay(tmp_path, plain_text, write_events(tmp_path, events), "plain")
    assert proc2.returncode == 0, proc2.stderr
    pseud_text = config_text(Path("__OUT__"), roll_up=False, privacy=privacy)
    proc3, pseud = run_replay(tmp_path, pseud_text, write_events(tmp_path, events), "pseud")
    assert proc3.returncode == 0, proc3.stderr
    assert sorted(read_rows(plain)[1]) == sorted(read_rows(pseud)[1])
    # Side outputs: the bad-coordinates line keeps its pseudonym, the broken line keeps no line, the late line
    # keeps its pseudonym; no raw identifier and never the key anywhere.
    rejects = [json.loads(x) for x in (out / "_rejects" / "part-000001.jsonl").read_text().splitlines()]
    late = [json.loads(x) for f in sorted((out / "_late").glob("*.jsonl")) for x in f.read_text().splitlines()]
    by_reason = {r["reason"]: r for r in rejects}
    assert hmac.new(KEY.encode(), b"bus-secret-1", hashlib.sha256).hexdigest() in by_reason["bad_coordinates"]["raw"]
    assert "raw" not in by_reason["malformed"]
    assert sum(1 for r in rejects if r["reason"] == "bad_time" and "raw" not in r) == 2
    assert late and hmac.new(KEY.encode(), b"bus-secret-3", hashlib.sha256).hexdigest() in late[0]["raw"]
    everything = proc.stdout + proc.stderr
    for f in out.rglob("*"):
        if f.is_file():
            everything += f.read_bytes().decode("utf-8", "replace")
    assert KEY not in everything
    assert "bus-secret" not in everything
    assert "bus-0" not in everything


def test_raw_lines_false_keeps_no_line(tmp_path, events):
    bad = ['{"ts":"2026-03-02T08:00:05.000Z","vehicle_id":"bus-x","route":"R0","lat":95.0,"lon":13.4,"speed":1}']
    path = write_events(tmp_path, events, bad)
    privacy = "privacy:\n  raw_lines: false\n"
    proc, out = run_replay(tmp_path, config_text(Path("__OUT__"), roll_up=False, privacy=privacy), path, "o")
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(x) for x in (out / "_rejects" / "part-000001.jsonl").read_text().splitlines()]
    assert records and all(set(r) == {"input", "line", "reason"} for r in records)


@pytest.mark.parametrize("how", ["unset", "empty", "missing_file"])
def test_a_missing_key_is_a_config_error(tmp_path, events, how):
    path = write_events(tmp_path, events[:10])
    if how == "missing_file":
        privacy = f"privacy:\n  pseudonymise: {{fields: [vehicle_id], key_file: {tmp_path / 'no-such-key'}}}\n"
        text = config_text(Path("__OUT__"), roll_up=False, privacy=privacy)
        proc, out = run_replay(tmp_path, text, path, "o")
    else:
        text = config_text(Path("__OUT__"), roll_up=False)
        proc, out = run_replay(tmp_path, text, path, "o", env_key=None if how == "unset" else "")
    assert proc.returncode == 2, proc.stderr
    assert "privacy.pseudonymise" in proc.stderr and ("key_env" in proc.stderr or "key_file" in proc.stderr)
    assert not out.exists() or not any(out.iterdir()), "nothing may be written"


def test_a_feature_can_need_more_contributors_than_the_group(tmp_path, events):
    """`speed_max` with min_contributors 6 (k = 4): null in published rows of 4 or 5 vehicles, a value from 6."""
    path = write_events(tmp_path, events)
    proc, out = run_replay(tmp_path, config_text(Path("__OUT__"), roll_up=True, max_k=6), path, "o")
    assert proc.returncode == 0, proc.stderr
    expected = expected_rows(events, 2)
    hidden = shown = 0
    for key, row in actual_rows(out).items():
        disclosure, evs = expected[key]
        if disclosure == "suppressed":
            continue
        assert row["events"] == len(evs), key
        if contributors(evs) < 6:
            assert row["speed_max"] is None, (key, row)
            hidden += 1
        else:
            assert row["speed_max"] == max(e["speed"] for e in evs), key
            shown += 1
    assert hidden > 0 and shown > 0, (hidden, shown)


def test_run_with_privacy_resumes_after_sigterm_and_sigkill_like_replay(tmp_path):
    """`run` under privacy (roll-up, rounding, pseudonyms): stopped by SIGTERM, killed by SIGKILL, restarted; the
    rows, the side records and the privacy counts equal a replay of the whole feed. The hidden contributor counters
    and the counts survive the checkpoint."""
    import signal
    import time

    import yaml
    from live_harness import (LiveRun, append, assert_same_as_replay, generate, join_lines, replay_to, run_args,
                              run_once, summary_or_none, wait_summary, write_config)

    config = write_config(tmp_path / "live.yaml", flush_every="300ms")
    cfg = yaml.safe_load(config.read_text())
    cfg["areas"] = [{"name": "gh6", "geohash": 6}, {"name": "hex8", "h3": 8}]
    cfg["privacy"] = {
        "min_contributors": {"field": "vehicle_id", "k": 3}, "small_groups": "roll_up", "roll_up_levels": 2,
        "round_counts": 5, "pseudonymise": {"fields": ["vehicle_id"], "key_env": "AREAFLOW_TEST_KEY"},
    }
    config.write_text(yaml.safe_dump(cfg, sort_keys=False))
    env = {"AREAFLOW_TEST_KEY": KEY}
    lines = generate(tmp_path / "generated.ndjson", 12000, 21, "--sources", 120)
    a, b, c = lines[:4000], lines[4000:8000], lines[8000:]
    whole = tmp_path / "whole.ndjson"
    whole.write_bytes(join_lines(lines))
    os.environ["AREAFLOW_TEST_KEY"] = KEY
    try:
        replay_to(config, [whole], tmp_path / "replay")
    finally:
        del os.environ["AREAFLOW_TEST_KEY"]
    feed, out = tmp_path / "feed.ndjson", tmp_path / "out"
    append(feed, join_lines(a))
    with LiveRun(run_args(config, out, [feed]), env=env) as r:
        wait_summary(out, lambda s: s["lines_read"] >= len(a), 60, "the first part", r)
        r.send(signal.SIGTERM)
        assert r.wait(60) == 0, r.describe()
    append(feed, join_lines(b))
    with LiveRun(run_args(config, out, [feed]), env=env) as r:
        wait_summary(out, lambda s: s["lines_read"] >= len(a) + len(b) // 2, 60, "part of the second part", r)
        time.sleep(0.2)
        r.kill()
    append(feed, join_lines(c))
    run_once(config, out, [feed], env=env)
    assert_same_as_replay(out, tmp_path / "replay", config, "run under privacy after SIGTERM and SIGKILL")
    assert summary_or_none(out)["privacy"] == summary_or_none(tmp_path / "replay")["privacy"]
    everything = "".join(p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file())
    assert "bus-" not in everything and KEY not in everything


def test_regions_roll_up_through_their_parent_property(tmp_path, events):
    """Districts roll up into their `parent_property` (one level); parents equal an exact aggregation."""
    geo = json.loads(REGIONS.read_text())
    for f in geo["features"]:
        f["properties"]["borough"] = PARENT[f["properties"]["code"]]
    regions = tmp_path / "districts.geojson"
    regions.write_text(json.dumps(geo))
    path = write_events(tmp_path, events)
    proc, out = run_replay(tmp_path, config_text(Path("__OUT__"), roll_up=True, regions=regions), path, "o")
    assert proc.returncode == 0, proc.stderr
    expected = expected_rows(events, 2, districts=True)
    actual = actual_rows(out)
    assert set(actual) == set(expected), (
        f"missing {sorted(set(expected) - set(actual))[:5]}, extra {sorted(set(actual) - set(expected))[:5]}"
    )
    parents = 0
    for key, (disclosure, evs) in expected.items():
        row = actual[key]
        assert row["disclosure"] == disclosure, key
        if disclosure == "suppressed":
            assert row["events"] is None
            continue
        assert row["events"] == len(evs) and row["vehicles"] == contributors(evs), key
        parents += key[1] == "district" and key[4] == 1
    assert parents > 0, "no district rolled up into its borough"


def test_inspect_and_check_show_privacy_but_never_the_key(tmp_path, events):
    path = write_events(tmp_path, events)
    text = config_text(Path("__OUT__"), roll_up=True)
    proc, out = run_replay(tmp_path, text, path, "o")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((out / "_summary.json").read_text())["privacy"]
    env = dict(os.environ, AREAFLOW_TEST_KEY=KEY)
    shown = subprocess.run([str(areaflow_path()), "inspect", str(out)], capture_output=True, text=True, env=env)
    assert shown.returncode == 0, shown.stderr
    assert re.search(rf"privacy\.suppressed_groups\s+{summary['suppressed_groups']}\n", shown.stdout), shown.stdout
    check = subprocess.run(
        [str(areaflow_path()), "check", "--config", str(tmp_path / "o.yaml")], capture_output=True, text=True,
        env=env)
    assert check.returncode == 0, check.stderr
    assert f"at least {K} distinct vehicle_id" in check.stdout and "AREAFLOW_TEST_KEY" in check.stdout
    assert KEY not in shown.stdout + shown.stderr + check.stdout + check.stderr
