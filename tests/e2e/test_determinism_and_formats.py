"""Results depend only on the input and the config: not on threads, batch sizes, output format,
compression or how the inputs are handed over."""

from __future__ import annotations

import math

from conftest import (
    actual_table,
    assert_matches_reference,
    gzip_bytes,
    load_summary,
    raw_row_texts,
    reference_result,
    replay,
    skippable_frame,
    snapshot_files,
    summary_problems,
    zstd_frame,
)

COUNTERS = ("lines_read", "events_accepted", "rejected", "late", "outside", "rows_written")


def _counters(out):
    s = load_summary(out)
    return {k: s.get(k) for k in COUNTERS}


def _assert_same_rows(out_a, out_b, what):
    a, b = raw_row_texts(out_a), raw_row_texts(out_b)
    assert a, f"{what}: no rows"
    if a != b:
        sa, sb = set(a), set(b)
        only_a, only_b = sorted(sa - sb)[:5], sorted(sb - sa)[:5]
        raise AssertionError(
            f"{what}: rows differ ({len(a)} vs {len(b)} rows)\nonly in first: {only_a}\nonly in second: {only_b}"
        )
    assert _counters(out_a) == _counters(out_b), what


def test_threads_1_and_4_give_identical_rows(transport_ws, replays):
    one = replays.get(transport_ws.config, [transport_ws.input], "--threads", "1")
    four = replays.get(transport_ws.config, [transport_ws.input], "--threads", "4")
    _assert_same_rows(one, four, "--threads 1 vs --threads 4")


def test_batch_size_7_and_100000_give_identical_rows(transport_ws, replays):
    small = replays.get(transport_ws.config, [transport_ws.input], "--batch-size", "7")
    large = replays.get(transport_ws.config, [transport_ws.input], "--batch-size", "100000")
    _assert_same_rows(small, large, "--batch-size 7 vs --batch-size 100000")


def test_connectivity_threads_and_batch_sizes_give_identical_rows(connectivity_ws, replays):
    a = replays.get(connectivity_ws.config, [connectivity_ws.input], "--threads", "1", "--batch-size", "7")
    b = replays.get(connectivity_ws.config, [connectivity_ws.input], "--threads", "4", "--batch-size", "100000")
    _assert_same_rows(a, b, "connectivity --threads 1 --batch-size 7 vs --threads 4 --batch-size 100000")


def _same_value(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    fa, fb = float(a), float(b)
    return fa == fb or (math.isnan(fa) and math.isnan(fb))


def test_ndjson_output_equals_csv_output(transport_ws, replays):
    csv_out = replays.get(transport_ws.config, [transport_ws.input])
    nd_out = replays.get(transport_ws.config, [transport_ws.input], fmt="ndjson")
    assert snapshot_files(nd_out, "ndjson") and not snapshot_files(nd_out, "csv")
    config = transport_ws.result.config
    c, n = actual_table(csv_out, config, "csv"), actual_table(nd_out, config, "ndjson")
    assert set(c) == set(n), f"row keys differ: csv-only {sorted(set(c) - set(n), key=repr)[:3]}, ndjson-only {sorted(set(n) - set(c), key=repr)[:3]}"
    diffs = []
    for k in c:
        for f in config.features:
            if not _same_value(c[k].get(f.name), n[k].get(f.name)):
                diffs.append((k, f.name, c[k].get(f.name), n[k].get(f.name)))
    assert not diffs, f"{len(diffs)} values differ between csv and ndjson, e.g. {diffs[:5]}"
    assert _counters(csv_out) == _counters(nd_out)


def test_multi_frame_zstd_with_skippable_frame_gzip_and_plain_give_identical_rows(transport_ws, tmp_path, replays):
    data = transport_ws.input.read_bytes()
    # Cut inside lines so a line spans two frames.
    cut1, cut2 = len(data) // 3 + 7, 2 * len(data) // 3 + 3
    zst = tmp_path / "stream.bin"  # no telling suffix: compression is detected from the bytes
    zst.write_bytes(
        zstd_frame(data[:cut1])
        + skippable_frame(b"areaflow skippable frame payload", 0xA)
        + zstd_frame(data[cut1:cut2], checksum=False, level=1)
        + skippable_frame(b"", 0x0)
        + zstd_frame(data[cut2:], level=19)
    )
    gz = tmp_path / "stream.zst"  # a misleading suffix on gzip bytes
    gz.write_bytes(gzip_bytes(data))
    plain = replays.get(transport_ws.config, [transport_ws.input])
    out_zst = replays.get(transport_ws.config, [zst])
    out_gz = replays.get(transport_ws.config, [gz])
    _assert_same_rows(plain, out_zst, "multi-frame zstd vs plain")
    _assert_same_rows(plain, out_gz, "gzip vs plain")
    assert_matches_reference(out_zst, reference_result(transport_ws.config, [zst]))


def test_stdin_dash_equals_file_input(transport_ws, tmp_path, replays):
    from conftest import run_cli

    out = tmp_path / "out"
    p = run_cli(["replay", "--config", transport_ws.config, "--out", out, "--format", "csv", "--quiet", "-"],
                stdin=zstd_frame(transport_ws.input.read_bytes()))
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-2000:]
    _assert_same_rows(replays.get(transport_ws.config, [transport_ws.input]), out, "stdin (zstd) vs file")


def test_directory_input_reads_its_files_in_name_order(transport_ws, tmp_path, replays):
    d = tmp_path / "dir"
    d.mkdir()
    lines = transport_ws.lines
    third = len(lines) // 3
    # Written out of name order on purpose; name order is b0 < b1 < b2.
    (d / "b2.ndjson").write_text("\n".join(lines[2 * third:]) + "\n")
    (d / "b0.ndjson").write_bytes(zstd_frame(("\n".join(lines[:third]) + "\n").encode()))
    (d / "b1.ndjson").write_text("\n".join(lines[third:2 * third]) + "\n")
    out = replays.get(transport_ws.config, [d])
    assert_matches_reference(out, reference_result(transport_ws.config, [d]))


def test_overwrite_replaces_a_previous_snapshot(transport_ws, tmp_path):
    import synth
    from datetime import timedelta

    previous = tmp_path / "previous.ndjson"
    previous.write_text("\n".join(synth.transport_lines(
        200, seed=99, routes=["STALE"], start=synth.START - timedelta(days=1), messy=False)) + "\n")
    out = tmp_path / "out"
    replay(transport_ws.config, [previous], out)
    replay(transport_ws.config, [transport_ws.input], out, "--overwrite")
    assert_matches_reference(out, transport_ws.result)
    problems = summary_problems(out, transport_ws.result)
    assert not problems, "\n".join(problems)


def test_parquet_output_equals_csv_output_with_utc_millisecond_timestamps(transport_ws, replays):
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv_out = replays.get(transport_ws.config, [transport_ws.input])
    pq_out = replays.get(transport_ws.config, [transport_ws.input], fmt="parquet")
    files = snapshot_files(pq_out, "parquet")
    assert files and not snapshot_files(pq_out, "csv")
    config = transport_ws.result.config
    for rel in files:
        schema = pq.read_schema(pq_out / rel)
        for col in ("window_start", "window_end"):
            t = schema.field(col).type
            assert t == pa.timestamp("ms", tz="UTC") or t == pa.timestamp("ms", tz="+00:00"), f"{rel}: {col} is {t}"
        for f in config.features:
            if f.agg in ("count", "distinct"):
                assert pa.types.is_integer(schema.field(f.name).type), f"{rel}: {f.name} is {schema.field(f.name).type}"
    c, p = actual_table(csv_out, config, "csv"), actual_table(pq_out, config, "parquet")
    assert set(c) == set(p), f"row keys differ: csv-only {sorted(set(c) - set(p), key=repr)[:3]}, parquet-only {sorted(set(p) - set(c), key=repr)[:3]}"
    diffs = [(k, f.name, c[k].get(f.name), p[k].get(f.name)) for k in c for f in config.features
             if not _same_value(c[k].get(f.name), p[k].get(f.name))]
    assert not diffs, f"{len(diffs)} values differ between csv and parquet, e.g. {diffs[:5]}"
