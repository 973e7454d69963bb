"""`generate` is reproducible and realistic (messy); `replay` reports to stderr unless --quiet."""

from __future__ import annotations

import json

import pytest

from conftest import bundled, reference, reference_result, run_cli


def _generate(tmp_path, kind, n, seed, name):
    out = tmp_path / name
    p = run_cli(["generate", kind, "-n", n, "--seed", seed, "-o", out])
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return out


@pytest.mark.parametrize("kind", ["transport", "connectivity"])
def test_generate_is_reproducible_from_seed_and_compresses_by_file_name(kind, tmp_path, areaflow):
    a = _generate(tmp_path, kind, 3000, 5, "a.zst")
    b = _generate(tmp_path, kind, 3000, 5, "b.zst")
    c = _generate(tmp_path, kind, 3000, 6, "c.zst")
    plain = _generate(tmp_path, kind, 3000, 5, "plain.txt")
    assert a.read_bytes()[:4] == b"\x28\xb5\x2f\xfd" and plain.read_bytes()[:4] != b"\x28\xb5\x2f\xfd"
    da, db, dc = (reference.decompress(p.read_bytes()) for p in (a, b, c))
    assert da == db, "same seed, different streams"
    assert da == plain.read_bytes(), "the .zst and the plain stream of one seed differ"
    assert da != dc, "different seeds, same stream"
    lines = reference.split_lines(da)
    assert len(lines) - (1 if kind == "connectivity" else 0) == 3000


@pytest.mark.parametrize("kind", ["transport", "connectivity"])
def test_generated_stream_holds_every_kind_of_mess_and_replays_like_the_reference(kind, tmp_path, areaflow):
    from conftest import actual_table, compare_tables, replay, side_output_problems, summary_problems

    config, _ = bundled(kind)
    stream = _generate(tmp_path, kind, 20000, 3, "s.zst")
    r = reference_result(config, [stream])
    s = r.summary
    assert all(v > 0 for v in s["rejected"].values()), s["rejected"]
    assert s["empty_lines"] > 0 and all(v > 0 for v in s["late"].values()), s
    lines = reference.split_lines(reference.decompress(stream.read_bytes()))
    events = [x for x in lines if x.strip()]
    assert len(events) > len(set(events)), "no exact duplicate lines"
    very_late = [x for x in r.late if x["window"] == r.config.windows[-1].name]
    assert very_late, "no late events for the longest window"
    out = tmp_path / "out"
    replay(config, [stream], out)
    problems = compare_tables(actual_table(out, r.config), r) + summary_problems(out, r) + side_output_problems(out, r)
    assert not problems, "\n".join(problems)


def test_replay_writes_a_short_human_summary_to_stderr_unless_quiet(transport_ws, tmp_path, areaflow):
    args = ["replay", "--config", transport_ws.config, "--format", "csv"]
    p = run_cli(args + ["--out", tmp_path / "loud", transport_ws.input])
    assert p.returncode == 0
    err = p.stderr.decode(errors="replace")
    s = json.loads((tmp_path / "loud" / "_summary.json").read_text())
    digits = err.replace(",", "").replace("_", "")
    assert str(s["events_accepted"]) in digits and str(s["lines_read"]) in digits, err
    q = run_cli(args + ["--quiet", "--out", tmp_path / "quiet", transport_ws.input])
    assert q.returncode == 0 and q.stderr == b"", q.stderr.decode(errors="replace")
