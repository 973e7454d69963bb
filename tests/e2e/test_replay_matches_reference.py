"""`areaflow replay` equals the independent reference, row by row, and its summary adds up."""

from __future__ import annotations

import re

import pytest

from conftest import (
    assert_matches_reference,
    BUNDLED,
    bundled,
    load_summary,
    read_rows,
    reference_result,
    side_output_problems,
    snapshot_files,
    summary_problems,
)

RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


# ---- bundled configs on their fixtures ------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(BUNDLED))
def test_bundled_config_replay_equals_reference_row_by_row(kind, replays):
    config, fixture = bundled(kind)
    out = replays.get(config, [fixture])
    assert_matches_reference(out, reference_result(config, [fixture]))


@pytest.mark.parametrize("kind", sorted(BUNDLED))
def test_bundled_config_replay_summary_adds_up_and_equals_reference(kind, replays):
    config, fixture = bundled(kind)
    out = replays.get(config, [fixture])
    problems = summary_problems(out, reference_result(config, [fixture]))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", sorted(BUNDLED))
def test_bundled_config_rejects_and_late_records_match_summary_and_reference(kind, replays):
    config, fixture = bundled(kind)
    out = replays.get(config, [fixture])
    problems = side_output_problems(out, reference_result(config, [fixture]))
    assert not problems, "\n".join(problems)


# ---- synthetic messy streams (every edge case on purpose) -----------------------------------


@pytest.mark.parametrize("ws_name", ["transport_ws", "connectivity_ws"])
def test_synthetic_stream_replay_equals_reference_row_by_row(ws_name, request, replays):
    ws = request.getfixturevalue(ws_name)
    out = replays.get(ws.config, [ws.input])
    assert_matches_reference(out, ws.result)


@pytest.mark.parametrize("ws_name", ["transport_ws", "connectivity_ws"])
def test_synthetic_stream_summary_adds_up_and_equals_reference(ws_name, request, replays):
    ws = request.getfixturevalue(ws_name)
    out = replays.get(ws.config, [ws.input])
    problems = summary_problems(out, ws.result)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("ws_name", ["transport_ws", "connectivity_ws"])
def test_synthetic_stream_rejects_and_late_records_match_summary_and_reference(ws_name, request, replays):
    ws = request.getfixturevalue(ws_name)
    out = replays.get(ws.config, [ws.input])
    problems = side_output_problems(out, ws.result)
    assert not problems, "\n".join(problems)


def test_every_accepted_event_is_in_some_row_or_late(transport_ws, replays):
    """For a tumbling window and a point scheme, the counts add up to accepted minus late."""
    out = replays.get(transport_ws.config, [transport_ws.input])
    s = load_summary(out)
    cols, rows = read_rows(out)
    for window, scheme in [("1m", "gh5"), ("1h", "gh3"), ("1m", "gh3")]:
        total = sum(r[cols.index("events")] for r in rows if r[cols.index("window")] == window
                    and r[cols.index("area_scheme")] == scheme)
        assert total == s["events_accepted"] - s["late"][window], (window, scheme)


def test_two_inputs_are_one_stream_in_the_order_given(transport_ws, tmp_path, replays):
    half = len(transport_ws.lines) // 2
    a, b = tmp_path / "a.ndjson", tmp_path / "b.ndjson"
    a.write_text("\n".join(transport_ws.lines[:half]) + "\n")
    b.write_text("\n".join(transport_ws.lines[half:]) + "\n")
    out = replays.get(transport_ws.config, [a, b])
    result = reference_result(transport_ws.config, [a, b])
    assert_matches_reference(out, result)
    problems = side_output_problems(out, result)
    assert not problems, "\n".join(problems)


def test_snapshot_layout_columns_in_contract_order_and_times_rfc3339_utc(transport_ws, replays):
    out = replays.get(transport_ws.config, [transport_ws.input])
    result = transport_ws.result
    files = snapshot_files(out)
    assert files, "no snapshot files"
    expected_header = result.columns
    for rel in files:
        parts = rel.split("/")
        assert len(parts) == 3 and re.fullmatch(r"part-\d{6}\.csv", parts[2]), rel
        with open(out / rel, encoding="utf-8") as f:
            header = f.readline().rstrip("\r\n").split(",")
        assert header == expected_header, f"{rel}: header {header}"
        window, scheme = parts[0], parts[1]
        assert window in {w.name for w in result.config.windows}, rel
        assert scheme in {a.name for a in result.config.areas}, rel
    cols, rows = read_rows(out, all_varchar=True)
    bad = [r for r in rows if not (RFC3339_Z.match(r[1]) and RFC3339_Z.match(r[2]))]
    assert not bad, f"times not RFC 3339 UTC with Z: {bad[:3]}"
    ints = [c for c in ("events", "vehicles") if c in cols]
    bad = [r for r in rows for c in ints if r[cols.index(c)] is not None and not re.fullmatch(r"-?\d+", r[cols.index(c)])]
    assert not bad, f"count/distinct not written as integers: {bad[:3]}"


def test_h3_and_regions_schemes_equal_reference_row_by_row(transport_areas_ws, replays):
    out = replays.get(transport_areas_ws.config, [transport_areas_ws.input])
    assert_matches_reference(out, transport_areas_ws.result)
    cols, rows = read_rows(out, all_varchar=True)
    h3_rows = [r for r in rows if r[3] in ("hex7", "hex4")]
    assert h3_rows and all(re.fullmatch(r"[0-9a-f]{15}", r[4]) for r in h3_rows), "H3 cells must be lowercase hex"


def test_regions_outside_count_and_summary_equal_reference(transport_areas_ws, replays):
    out = replays.get(transport_areas_ws.config, [transport_areas_ws.input])
    problems = summary_problems(out, transport_areas_ws.result)
    assert not problems, "\n".join(problems)
