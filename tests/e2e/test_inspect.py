"""`areaflow inspect DIR` on all three snapshot formats, checked against DuckDB reading the same files."""

from __future__ import annotations

import json

import duckdb
import pytest

from conftest import bundled, contract_query, replay, run_cli


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    config, fixture = bundled("transport")
    root = tmp_path_factory.mktemp("inspect")
    dirs = {}
    for fmt in ("csv", "ndjson", "parquet"):
        dirs[fmt] = root / fmt
        replay(config, [fixture], dirs[fmt], fmt=fmt)
    return dirs


def inspect_json(out_dir, *extra) -> dict:
    p = run_cli(["inspect", out_dir, "--json", *extra])
    assert p.returncode == 0, p.stderr.decode()
    return json.loads(p.stdout)


@pytest.mark.parametrize("fmt", ["csv", "ndjson", "parquet"])
def test_inspect_counts_equal_duckdb(outputs, fmt):
    out = outputs[fmt]
    report = inspect_json(out, "--top", "events")
    con = duckdb.connect()
    q = contract_query(out, fmt)
    assert report["rows"] == con.execute(f"SELECT count(*) FROM ({q})").fetchone()[0]
    windows = dict(con.execute(f"SELECT \"window\", count(DISTINCT window_start) FROM ({q}) GROUP BY 1").fetchall())
    assert {w["name"]: w["windows"] for w in report["windows"]} == windows
    areas = dict(con.execute(f"SELECT area_scheme, count(DISTINCT area) FROM ({q}) GROUP BY 1").fetchall())
    assert {s["name"]: s["areas"] for s in report["area_schemes"]} == areas
    top = con.execute(
        f"SELECT area_scheme, area, sum(events) AS t FROM ({q}) GROUP BY 1, 2 ORDER BY t DESC, 1, 2 LIMIT 5"
    ).fetchall()
    assert [(a["area_scheme"], a["area"], a["value"]) for a in report["top"]["areas"]] == [
        (s, a, float(t)) for s, a, t in top
    ]
    summary = json.loads((out / "_summary.json").read_text())
    assert report["rejected"] == summary["rejected"]
    assert report["late"] == summary["late"]


def test_inspect_reports_the_same_for_every_format(outputs):
    reports = [inspect_json(outputs[f], "--top", "speed_p90") for f in ("csv", "ndjson", "parquet")]
    for r in reports:
        r.pop("files")
    assert reports[0] == reports[1] == reports[2]


def test_inspect_text_table_and_unknown_feature(outputs):
    p = run_cli(["inspect", outputs["csv"], "--top", "events"])
    text = p.stdout.decode()
    assert p.returncode == 0
    for heading in ("window", "area scheme", "top areas by events", "rejected.malformed", "late.1m"):
        assert heading in text
    bad = run_cli(["inspect", outputs["csv"], "--top", "nope"])
    assert bad.returncode == 1
    assert b"--top nope" in bad.stderr
