"""A truncated or corrupt compressed input: exit 1, the message names the file and a byte offset,
everything before the fault is kept and the other inputs are still processed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

import synth
from conftest import (
    actual_table,
    compare_tables,
    first_block_offset,
    lines_bytes,
    load_summary,
    reference_result,
    replay,
    zstd_frame,
)

FAULT_ROUTE = "TRUNC"


def _streams(tmp_path):
    """Frame 1 (route A, 08:00-08:10), frame 2 (route TRUNC, 08:10-08:20) and a second good
    input (route B, 08:20-08:30): all in order, so whatever survives of frame 2 cannot make
    anything else late, and rows of routes A and B are known exactly."""
    start = synth.START
    a = synth.transport_lines(300, seed=11, start=start, duration_s=600, routes=["A"], messy=False)
    t = synth.transport_lines(300, seed=12, start=start + timedelta(minutes=10), duration_s=600,
                              routes=[FAULT_ROUTE], messy=False)
    b = synth.transport_lines(300, seed=13, start=start + timedelta(minutes=20), duration_s=600,
                              routes=["B"], messy=False)
    good = tmp_path / "good.ndjson"
    good.write_bytes(lines_bytes(b))
    # What the rows of routes A and B must be.
    only_a = tmp_path / "a.ndjson"
    only_a.write_bytes(lines_bytes(a))
    return lines_bytes(a), lines_bytes(t), good, only_a


def _check_fault_run(ws, bad, good, only_a, fault_offset_max):
    out = ws.root / ("out-" + bad.stem)
    p = replay(ws.config, [bad, good], out, expect_rc=1)
    err = p.stderr.decode(errors="replace")
    assert bad.name in err, f"stderr does not name {bad.name}:\n{err[-2000:]}"
    m = re.search(r"(?i)(offset|byte)[^0-9\n]{0,20}(\d+)", err)
    assert m, f"stderr names no byte offset:\n{err[-2000:]}"
    assert int(m.group(2)) <= fault_offset_max, f"byte offset {m.group(2)} beyond the file:\n{err[-2000:]}"
    expected = reference_result(ws.config, [only_a, good])
    config = expected.config
    actual = {k: v for k, v in actual_table(out, config).items() if k[-1] != FAULT_ROUTE}
    problems = compare_tables(actual, expected)
    assert not problems, "rows of the intact frame and the second input differ:\n" + "\n".join(problems)
    s = load_summary(out)
    assert s["events_accepted"] >= expected.summary["events_accepted"]


@pytest.fixture()
def fault_ws(tmp_path):
    return synth_ws(tmp_path)


def synth_ws(tmp_path):
    from conftest import Workspace

    return Workspace(tmp_path / "ws", "transport")


def test_truncated_zstd_exits_1_names_file_and_offset_keeps_rows_before_fault_and_next_input(fault_ws, tmp_path):
    a, t, good, only_a = _streams(tmp_path)
    f1, f2 = zstd_frame(a), zstd_frame(t)
    bad = tmp_path / "truncated.ndjson.zst"
    bad.write_bytes(f1 + f2[: len(f2) // 2])
    _check_fault_run(fault_ws, bad, good, only_a, fault_offset_max=bad.stat().st_size)


def test_corrupt_zstd_block_exits_1_names_file_and_offset_keeps_rows_before_fault_and_next_input(fault_ws, tmp_path):
    a, t, good, only_a = _streams(tmp_path)
    f1, f2 = zstd_frame(a), bytearray(zstd_frame(t))
    f2[first_block_offset(bytes(f2))] |= 0b110  # block type 3 is reserved: corrupt
    bad = tmp_path / "corrupt.ndjson.zst"
    bad.write_bytes(f1 + bytes(f2))
    _check_fault_run(fault_ws, bad, good, only_a, fault_offset_max=bad.stat().st_size)


def test_garbage_after_a_zstd_frame_exits_1_and_keeps_the_frame(fault_ws, tmp_path):
    a, t, good, only_a = _streams(tmp_path)
    f1, f2 = zstd_frame(a), bytearray(zstd_frame(t))
    f2[0:4] = b"\xde\xad\xbe\xef"  # not a frame magic
    bad = tmp_path / "badmagic.ndjson.zst"
    bad.write_bytes(f1 + bytes(f2))
    _check_fault_run(fault_ws, bad, good, only_a, fault_offset_max=bad.stat().st_size)


def test_truncated_gzip_exits_1_names_file_and_offset_keeps_rows_before_fault_and_next_input(fault_ws, tmp_path):
    import gzip

    a, t, good, only_a = _streams(tmp_path)
    data = gzip.compress(a + t, mtime=0)
    bad = tmp_path / "truncated.ndjson.gz"
    bad.write_bytes(data[: len(data) - 200])
    _check_fault_run(fault_ws, bad, good, only_a, fault_offset_max=bad.stat().st_size)


def test_missing_input_file_exits_1_and_processes_the_others(fault_ws, tmp_path):
    _, _, good, _ = _streams(tmp_path)
    out = fault_ws.root / "out-missing"
    p = replay(fault_ws.config, [tmp_path / "does-not-exist.ndjson", good], out, expect_rc=1)
    assert "does-not-exist.ndjson" in p.stderr.decode(errors="replace")
    expected = reference_result(fault_ws.config, [good])
    problems = compare_tables(actual_table(out, expected.config), expected)
    assert not problems, "\n".join(problems)


def test_reference_sees_the_fault_streams_as_documented(tmp_path):
    """Guards the fault tests' premise: the B input alone is never late after A and TRUNC."""
    a, t, good, only_a = _streams(tmp_path)
    ws = synth_ws(tmp_path)
    full = tmp_path / "full.ndjson"
    full.write_bytes(a + t)
    r = reference_result(ws.config, [full, good])
    assert all(v == 0 for v in r.summary["late"].values())
    assert r.summary["rejected"] == {"malformed": 0, "bad_time": 0, "bad_coordinates": 0}
