"""Parquet snapshots of the bundled fixture replays, read by pyarrow, DuckDB and polars, equal the CSV snapshots
of the same replay value for value: same rows, same nulls, timestamps as UTC milliseconds."""

from __future__ import annotations

import csv
import datetime as dt
import glob
import math
import os

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import bundled, replay

KEY = ["window", "window_start", "area_scheme", "area"]


def to_ms(v) -> int:
    if isinstance(v, dt.datetime):
        assert v.tzinfo is not None and v.utcoffset() == dt.timedelta(0), f"timestamp {v!r} is not UTC"
        return int(v.timestamp() * 1000)
    return int(v)


def csv_rows(out) -> tuple[list[str], list[dict]]:
    rows, header = [], None
    for path in sorted(glob.glob(os.path.join(out, "**", "*.csv"), recursive=True)):
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames
            rows.extend(reader)
    return header, rows


def normalise_csv(header: list[str], rows: list[dict], types: dict) -> list[tuple]:
    out = []
    for r in rows:
        values = []
        for name in header:
            text = r[name]
            kind = types[name]
            if kind == "timestamp":
                values.append(int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000))
            elif text == "" and kind != "string":
                values.append(None)
            elif kind == "int":
                values.append(int(text))
            elif kind == "double":
                values.append(float(text))
            else:
                values.append(text if text != "" else None)
        out.append(tuple(values))
    return out


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@pytest.mark.parametrize("kind", ["transport", "connectivity"])
def test_parquet_is_read_identically_by_pyarrow_duckdb_and_polars(tmp_path, kind):
    config, fixture = bundled(kind)
    csv_out, pq_out = tmp_path / "csv", tmp_path / "parquet"
    replay(config, [fixture], csv_out, fmt="csv")
    replay(config, [fixture], pq_out, fmt="parquet")
    files = sorted(glob.glob(os.path.join(pq_out, "**", "*.parquet"), recursive=True))
    assert files, "no parquet files written"

    tables = [pq.read_table(f) for f in files]
    schema = tables[0].schema
    for t in tables:
        assert t.schema.equals(schema), "every part file has the same schema"
    types = {}
    for field in schema:
        if pa.types.is_timestamp(field.type):
            assert field.type.unit == "ms" and field.type.tz in ("UTC", "+00:00"), f"{field.name}: {field.type}"
            types[field.name] = "timestamp"
        elif pa.types.is_int64(field.type):
            types[field.name] = "int"
        elif pa.types.is_float64(field.type):
            types[field.name] = "double"
        else:
            assert pa.types.is_string(field.type) or pa.types.is_large_string(field.type), f"{field.name}: {field.type}"
            types[field.name] = "string"
    header, rows = csv_rows(csv_out)
    assert header == schema.names
    expected = sorted(normalise_csv(header, rows, types), key=lambda r: tuple(str(v) for v in r))
    assert len(expected) > 100

    def canon(records) -> list[tuple]:
        out = [tuple(to_ms(v) if types[n] == "timestamp" else v for n, v in zip(header, r)) for r in records]
        return sorted(out, key=lambda r: tuple(str(v) for v in r))

    arrow = pa.concat_tables(tables)
    readers = {
        "pyarrow": canon(zip(*[arrow.column(n).to_pylist() for n in header])),
        "duckdb": canon(
            duckdb.connect()
            .execute("SET TimeZone='UTC'")
            .execute(f"SELECT {', '.join(chr(34) + n + chr(34) for n in header)} FROM read_parquet('{pq_out}/**/*.parquet')")
            .fetchall()
        ),
        "polars": canon(pl.read_parquet(files).select(header).rows()),
    }
    for name, got in readers.items():
        assert len(got) == len(expected), f"{name}: {len(got)} rows, csv {len(expected)}"
        bad = [(g, e) for g, e in zip(got, expected) if not all(same(x, y) for x, y in zip(g, e))]
        assert not bad, f"{name}: {len(bad)} rows differ from csv, e.g. {bad[:2]}"
