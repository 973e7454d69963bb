"""Usage and config errors exit 2, name file, line, column and key, and write nothing;
`check --config` validates and describes what would be computed."""

from __future__ import annotations

import os
import re

import pytest

import synth
from conftest import BUNDLED, bundled, reference, replay, run_cli


def _config_with(tmp_path, text):
    d = tmp_path / "cfgdir"
    d.mkdir(exist_ok=True)
    (d / "regions.geojson").write_text(__import__("json").dumps(synth.regions_geojson()))
    cfg = d / "broken.yaml"
    cfg.write_text(text)
    return cfg


def _line_of(text, needle):
    for i, line in enumerate(text.splitlines()):
        if needle in line:
            return i + 1, line.index(needle.strip()) + 1
    raise AssertionError(needle)


def _assert_config_error(p, cfg, key, line, columns):
    err = (p.stderr + p.stdout).decode(errors="replace")
    assert p.returncode == 2, f"exit {p.returncode}, expected 2; output:\n{err[-2000:]}"
    assert cfg.name in err, f"message does not name the file {cfg.name}:\n{err}"
    assert key in err, f"message does not name the key {key}:\n{err}"
    if line is not None:
        assert re.search(rf"(?<!\d){line}(?!\d)", err), f"message does not name line {line}:\n{err}"
    if columns:
        alts = "|".join(str(c) for c in columns)
        assert re.search(rf"(?i)(:{line}:({alts})(?!\d))|(col(umn)?\s*({alts})(?!\d))", err), (
            f"message does not name the column ({' or '.join(map(str, columns))}) of line {line}:\n{err}"
        )
    else:
        assert re.search(r"(?i)(\d+:\d+)|(line\s*\d+)", err), f"message names no line/column:\n{err}"


def _assert_nothing_written(out):
    assert not out.exists(), f"{out} was created by a failed run"


def test_unknown_config_key_exits_2_naming_file_line_column_and_key(tmp_path, areaflow):
    text = synth.TRANSPORT_CONFIG.replace("watermark:\n", "watermark:\n  bogus_knob: 3s\n")
    cfg = _config_with(tmp_path, text)
    line, col = _line_of(text, "  bogus_knob")
    out = tmp_path / "out"
    p = run_cli(["replay", "--config", cfg, "--out", out, synth_input(tmp_path)])
    _assert_config_error(p, cfg, "bogus_knob", line, [col])
    _assert_nothing_written(out)


def test_bad_duration_exits_2_naming_file_line_column_and_key(tmp_path, areaflow):
    text = synth.TRANSPORT_CONFIG.replace("max_out_of_order: 30s", "max_out_of_order: 30 seconds")
    cfg = _config_with(tmp_path, text)
    line, col = _line_of(text, "max_out_of_order")
    value_col = col + len("max_out_of_order: ")
    out = tmp_path / "out"
    p = run_cli(["replay", "--config", cfg, "--out", out, synth_input(tmp_path)])
    _assert_config_error(p, cfg, "max_out_of_order", line, [col, value_col])
    _assert_nothing_written(out)


def test_bad_window_duration_exits_2_naming_the_key(tmp_path, areaflow):
    text = synth.TRANSPORT_CONFIG.replace("{name: 1m, tumbling: 1m}", "{name: 1m, tumbling: 1 minute}")
    cfg = _config_with(tmp_path, text)
    line, _ = _line_of(text, "tumbling: 1 minute")
    out = tmp_path / "out"
    p = run_cli(["replay", "--config", cfg, "--out", out, synth_input(tmp_path)])
    _assert_config_error(p, cfg, "tumbling", line, None)
    _assert_nothing_written(out)


def test_missing_features_exits_2_naming_file_and_key(tmp_path, areaflow):
    text = synth.TRANSPORT_CONFIG
    start = text.index("features:")
    end = text.index("output:")
    text = text[:start] + text[end:]
    cfg = _config_with(tmp_path, text)
    out = tmp_path / "out"
    p = run_cli(["replay", "--config", cfg, "--out", out, synth_input(tmp_path)])
    _assert_config_error(p, cfg, "features", None, None)
    _assert_nothing_written(out)


def test_config_error_leaves_an_existing_out_dir_untouched(tmp_path, areaflow):
    text = synth.TRANSPORT_CONFIG.replace("allowed_lateness: 10s", "allowed_lateness: soon")
    cfg = _config_with(tmp_path, text)
    out = tmp_path / "existing"
    out.mkdir()
    keep = out / "keep.txt"
    keep.write_text("mine")
    before = sorted(os.listdir(out)), out.stat().st_mtime_ns, keep.stat().st_mtime_ns
    p = run_cli(["replay", "--config", cfg, "--out", out, "--overwrite", synth_input(tmp_path)])
    assert p.returncode == 2, p.stderr.decode(errors="replace")
    assert (sorted(os.listdir(out)), out.stat().st_mtime_ns, keep.stat().st_mtime_ns) == before


def test_non_empty_out_dir_without_overwrite_exits_2_and_is_untouched(transport_ws, tmp_path, areaflow):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "something.txt").write_text("x")
    before = sorted(os.listdir(out)), out.stat().st_mtime_ns
    p = replay(transport_ws.config, [transport_ws.input], out, expect_rc=2)
    assert p.stderr, "no message for a refused output directory"
    assert (sorted(os.listdir(out)), out.stat().st_mtime_ns) == before


def test_empty_existing_out_dir_is_accepted(transport_ws, tmp_path, areaflow):
    out = tmp_path / "empty"
    out.mkdir()
    replay(transport_ws.config, [transport_ws.input], out)
    assert (out / "_summary.json").is_file()


def test_usage_error_exits_2(tmp_path, areaflow):
    out = tmp_path / "out"
    p = run_cli(["replay", "--out", out, synth_input(tmp_path)])  # no --config
    assert p.returncode == 2, p.stderr.decode(errors="replace")
    _assert_nothing_written(out)
    p = run_cli(["replay", "--config", synth_config(tmp_path), "--out", out, "--format", "xml", synth_input(tmp_path)])
    assert p.returncode == 2, p.stderr.decode(errors="replace")
    _assert_nothing_written(out)


def _assert_check_describes(config_path):
    p = run_cli(["check", "--config", config_path])
    text = (p.stdout + p.stderr).decode(errors="replace")
    assert p.returncode == 0, f"check exited {p.returncode}:\n{text[-2000:]}"
    config = reference.load_config(str(config_path))
    names = [w.name for w in config.windows] + [a.name for a in config.areas] + [f.name for f in config.features]
    missing = [n for n in names if n not in p.stdout.decode(errors="replace")]
    assert not missing, f"`check` output does not mention {missing}:\n{text[-3000:]}"


@pytest.mark.parametrize("kind", sorted(BUNDLED))
def test_check_accepts_bundled_config_and_prints_what_it_would_compute(kind, areaflow):
    config, _ = bundled(kind)
    _assert_check_describes(config)


def test_check_accepts_synthetic_config_and_prints_what_it_would_compute(transport_ws, areaflow):
    _assert_check_describes(transport_ws.config)


def test_check_rejects_a_bad_config_with_exit_2(tmp_path, areaflow):
    text = synth.TRANSPORT_CONFIG.replace("geohash: 5", "geohash: 13")
    cfg = _config_with(tmp_path, text)
    p = run_cli(["check", "--config", cfg])
    assert p.returncode == 2, p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    assert cfg.name in p.stderr.decode(errors="replace")


def synth_config(tmp_path):
    return _config_with(tmp_path, synth.TRANSPORT_CONFIG)


def synth_input(tmp_path):
    p = tmp_path / "in.ndjson"
    if not p.exists():
        p.write_text("\n".join(synth.transport_lines(50, seed=5)) + "\n")
    return p
