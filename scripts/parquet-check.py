#!/usr/bin/env python3
"""Cross-check Parquet files written by areaflow's ParquetWriter against independent readers.

Usage: parquet-check.py DIR

For every DIR/NAME.parquet there must be DIR/NAME.expected.json, written by the Swift test:

  {"createdBy": str, "rowGroupSize": int, "rowCount": int,
   "columns": [{"name": str, "kind": "string"|"timestamp"|"int64"|"double", "values": [...]}]}

Values are exact and JSON-safe: strings as hex of their UTF-8 bytes, timestamps (epoch millis) and
int64 as decimal strings, doubles as the decimal string of their IEEE-754 bit pattern; null is null.

Each file is read with pyarrow, DuckDB and polars and every value is compared; the footer is checked
through pyarrow's metadata (created_by, row groups, types, statistics) and through a small Thrift
compact parser here (column_orders); a DuckDB filter on the first timestamp column must return the
right number of rows. Exits 0 when everything matches, 1 on any mismatch (listing them), 2 on usage
errors or missing modules.
"""

import json
import math
import os
import struct
import sys

try:
    import duckdb
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError as error:  # The Swift test must fail, not skip, when a reader is missing.
    print(f"parquet-check: missing Python module: {error}. Install pyarrow, duckdb and polars.", file=sys.stderr)
    sys.exit(2)


class Problems:
    """Collects mismatches so one run reports all of them."""

    def __init__(self):
        self.items = []

    def add(self, file, message):
        self.items.append(f"{file}: {message}")

    def check(self, condition, file, message):
        if not condition:
            self.add(file, message)
        return condition


# ---------------------------------------------------------------------------
# Expected values

def decode_expected(column):
    kind, raw = column["kind"], column["values"]
    if kind == "string":
        return [None if v is None else bytes.fromhex(v).decode("utf-8") for v in raw]
    if kind in ("timestamp", "int64"):
        return [None if v is None else int(v) for v in raw]
    if kind == "double":
        return [None if v is None else struct.unpack("<d", struct.pack("<Q", int(v)))[0] for v in raw]
    raise ValueError(f"unknown kind {kind}")


def same_value(kind, expected, actual):
    if expected is None or actual is None:
        return expected is None and actual is None
    if kind == "double":
        if not isinstance(actual, float):
            return False
        if math.isnan(expected):
            return math.isnan(actual)
        return struct.pack("<d", expected) == struct.pack("<d", actual)  # exact, -0.0 != 0.0
    return type(actual) is type(expected) and actual == expected


def compare_values(problems, file, reader, name, kind, expected, actual):
    if not problems.check(len(actual) == len(expected), file,
                          f"{reader}: column {name!r} has {len(actual)} values, expected {len(expected)}"):
        return
    bad = [i for i, (e, a) in enumerate(zip(expected, actual)) if not same_value(kind, e, a)]
    for i in bad[:5]:
        problems.add(file, f"{reader}: column {name!r} row {i}: got {actual[i]!r}, expected {expected[i]!r}")
    if len(bad) > 5:
        problems.add(file, f"{reader}: column {name!r}: {len(bad) - 5} more mismatching rows")


# ---------------------------------------------------------------------------
# Minimal Thrift compact reader, independent of the Swift one, for fields pyarrow does not expose.

class Compact:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def byte(self):
        b = self.data[self.pos]
        self.pos += 1
        return b

    def varint(self):
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    def zigzag(self):
        v = self.varint()
        return (v >> 1) ^ -(v & 1)

    def skip(self, t):
        if t in (1, 2):
            return
        if t == 3:
            self.pos += 1
        elif t in (4, 5, 6):
            self.varint()
        elif t == 7:
            self.pos += 8
        elif t == 8:
            n = self.varint()  # not `self.pos += self.varint()`: that reads pos before the varint moves it
            self.pos += n
        elif t in (9, 10):
            elem, n = self.list_header()
            for _ in range(n):
                if elem in (1, 2):
                    self.pos += 1  # booleans inside containers take a whole byte
                else:
                    self.skip(elem)
        elif t == 11:
            n = self.varint()
            if n:
                kv = self.byte()
                for _ in range(n):
                    self.skip(kv >> 4)
                    self.skip(kv & 0x0F)
        elif t == 12:
            for _ in self.fields():
                pass
        else:
            raise ValueError(f"bad thrift type {t}")

    def list_header(self):
        h = self.byte()
        n = h >> 4
        if n == 15:
            n = self.varint()
        return h & 0x0F, n

    def fields(self):
        """Yields (id, type) for each field of a struct; the caller must consume or skip the value."""
        last = 0
        while True:
            h = self.byte()
            t = h & 0x0F
            if t == 0:
                return
            last = last + (h >> 4) if h >> 4 else self.zigzag()
            start = self.pos
            yield last, t
            if self.pos == start:
                self.skip(t)


def footer_column_orders(path):
    """Returns the list of ColumnOrder union field ids from FileMetaData.column_orders, or None."""
    with open(path, "rb") as f:
        data = f.read()
    length = struct.unpack("<I", data[-8:-4])[0]
    reader = Compact(data[-8 - length:-8])
    orders = None
    for fid, t in reader.fields():
        if fid == 7 and t == 9:
            _, n = reader.list_header()
            orders = []
            for _ in range(n):
                ids = []
                for inner, it in reader.fields():
                    ids.append(inner)
                    reader.skip(it)
                orders.append(ids)
    return orders


# ---------------------------------------------------------------------------
# Per-reader checks

PHYSICAL = {"string": "BYTE_ARRAY", "timestamp": "INT64", "int64": "INT64", "double": "DOUBLE"}


def expected_statistics(kind, values):
    """(null_count, min, max) as Parquet should record them; min/max None when there are none."""
    present = [v for v in values if v is not None]
    nulls = len(values) - len(present)
    if kind == "double":
        present = [v for v in present if not math.isnan(v)]
    if not present:
        return nulls, None, None
    if kind == "string":
        encoded = [v.encode("utf-8") for v in present]
        return nulls, min(encoded), max(encoded)  # bytes compare unsigned, as Parquet requires
    return nulls, min(present), max(present)


def check_metadata(problems, file, path, spec, columns):
    md = pq.ParquetFile(path).metadata
    n, group = spec["rowCount"], spec["rowGroupSize"]
    problems.check(md.created_by == spec["createdBy"], file, f"created_by {md.created_by!r} != {spec['createdBy']!r}")
    problems.check(md.num_rows == n, file, f"num_rows {md.num_rows} != {n}")
    groups = (n + group - 1) // group
    problems.check(md.num_row_groups == groups, file, f"{md.num_row_groups} row groups, expected {groups}")
    problems.check(md.num_columns == len(columns), file, f"{md.num_columns} columns, expected {len(columns)}")

    for j, (name, kind, _) in enumerate(columns):
        col = md.schema.column(j)
        problems.check(col.name == name, file, f"schema column {j} is {col.name!r}, expected {name!r}")
        problems.check(col.physical_type == PHYSICAL[kind], file, f"{name}: physical type {col.physical_type}")
        lt = json.loads(col.logical_type.to_json())
        if kind == "string":
            problems.check(lt.get("Type") == "String", file, f"{name}: logical type {lt}")
            problems.check(col.converted_type == "UTF8", file, f"{name}: converted type {col.converted_type}")
        elif kind == "timestamp":
            problems.check(lt.get("Type") == "Timestamp" and lt.get("isAdjustedToUTC") is True
                           and lt.get("timeUnit") == "milliseconds", file, f"{name}: logical type {lt}")
            problems.check(col.converted_type == "TIMESTAMP_MILLIS", file, f"{name}: converted type {col.converted_type}")
        else:
            problems.check(lt.get("Type") == "None", file, f"{name}: unexpected logical type {lt}")
        want_def = 0 if kind == "timestamp" else 1
        problems.check(col.max_definition_level == want_def, file, f"{name}: max definition level {col.max_definition_level}")

    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        lo, hi = g * group, min(n, (g + 1) * group)
        problems.check(rg.num_rows == hi - lo, file, f"row group {g} has {rg.num_rows} rows, expected {hi - lo}")
        for j, (name, kind, values) in enumerate(columns):
            chunk = rg.column(j)
            where = f"row group {g} column {name!r}"
            problems.check(chunk.compression == "ZSTD", file, f"{where}: compression {chunk.compression}")
            problems.check(chunk.num_values == hi - lo, file, f"{where}: num_values {chunk.num_values}")
            stats = chunk.statistics
            if not problems.check(stats is not None, file, f"{where}: no statistics"):
                continue
            nulls, want_min, want_max = expected_statistics(kind, values[lo:hi])
            problems.check(stats.null_count == nulls, file, f"{where}: null_count {stats.null_count} != {nulls}")
            if want_min is None:
                problems.check(not stats.has_min_max, file, f"{where}: min/max present for a column without values")
                continue
            if not problems.check(stats.has_min_max, file, f"{where}: min/max missing or not trusted by pyarrow"):
                continue
            got_min, got_max = stats.min_raw, stats.max_raw
            if kind == "double":
                ok = got_min == want_min and got_max == want_max
                # Zero bounds must be written as -0.0 (min) and +0.0 (max).
                if want_min == 0:
                    ok = ok and math.copysign(1, got_min) < 0
                if want_max == 0:
                    ok = ok and math.copysign(1, got_max) > 0
            else:
                ok = got_min == want_min and got_max == want_max
            problems.check(ok, file, f"{where}: min/max {got_min!r}/{got_max!r}, expected {want_min!r}/{want_max!r}")

    orders = footer_column_orders(path)
    problems.check(orders == [[1]] * len(columns), file, f"column_orders {orders}, expected TypeDefinedOrder for each column")


def check_pyarrow(problems, file, path, columns):
    table = pq.read_table(path)
    types = {
        "string": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t),
        "timestamp": lambda t: pa.types.is_timestamp(t) and t.unit == "ms" and t.tz in ("UTC", "+00:00"),
        "int64": pa.types.is_int64,
        "double": pa.types.is_float64,
    }
    for name, kind, expected in columns:
        if not problems.check(name in table.column_names, file, f"pyarrow: no column {name!r}"):
            continue
        column = table.column(name)
        problems.check(types[kind](column.type), file, f"pyarrow: column {name!r} has type {column.type}")
        if kind == "timestamp":
            actual = column.cast(pa.int64()).to_pylist()
        else:
            actual = column.to_pylist()
        compare_values(problems, file, "pyarrow", name, kind, expected, actual)


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def check_duckdb(problems, file, path, spec, columns):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    described = {row[0]: row[1] for row in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()}
    want = {"string": "VARCHAR", "timestamp": "TIMESTAMP WITH TIME ZONE", "int64": "BIGINT", "double": "DOUBLE"}
    select = []
    for name, kind, _ in columns:
        problems.check(described.get(name) == want[kind], file, f"duckdb: column {name!r} has type {described.get(name)}")
        select.append(f"epoch_ms({quote(name)})" if kind == "timestamp" else quote(name))
    rows = con.execute(
        f"SELECT {', '.join(select)} FROM read_parquet(?, file_row_number = true) ORDER BY file_row_number",
        [path]).fetchall()
    for j, (name, kind, expected) in enumerate(columns):
        compare_values(problems, file, "duckdb", name, kind, expected, [row[j] for row in rows])

    # DuckDB's own view of the footer: one entry per row group and column, with null counts.
    meta = con.execute(
        "SELECT row_group_id, column_id, stats_null_count FROM parquet_metadata(?) ORDER BY 1, 2", [path]).fetchall()
    group = spec["rowGroupSize"]
    for row_group, column_id, null_count in meta:
        name, kind, values = columns[column_id]
        want_nulls = expected_statistics(kind, values[row_group * group:(row_group + 1) * group])[0]
        problems.check(null_count == want_nulls, file,
                       f"duckdb parquet_metadata: row group {row_group} column {name!r} null count {null_count} != {want_nulls}")

    # A range filter on the first timestamp column must keep exactly the matching rows; with
    # statistics DuckDB prunes row groups, so wrong min/max would show up as a wrong count.
    timestamps = [(name, values) for name, kind, values in columns if kind == "timestamp"]
    if timestamps and spec["rowCount"] > 0:
        name, values = timestamps[0]
        ordered = sorted(values)
        lo, hi = ordered[len(ordered) // 3], ordered[(2 * len(ordered)) // 3]
        want_count = sum(1 for v in values if lo <= v <= hi)
        got = con.execute(
            f"SELECT count(*) FROM read_parquet(?) WHERE {quote(name)} BETWEEN "
            "epoch_ms(?::BIGINT)::TIMESTAMPTZ AND epoch_ms(?::BIGINT)::TIMESTAMPTZ",
            [path, lo, hi]).fetchone()[0]
        problems.check(got == want_count, file, f"duckdb: filter {lo} <= {name} <= {hi} kept {got} rows, expected {want_count}")


def check_polars(problems, file, path, columns):
    df = pl.read_parquet(path)
    for name, kind, expected in columns:
        if not problems.check(name in df.columns, file, f"polars: no column {name!r}"):
            continue
        series = df[name]
        dtype = series.dtype
        if kind == "string":
            ok = dtype == pl.String
        elif kind == "timestamp":
            ok = dtype == pl.Datetime("ms", "UTC")
        elif kind == "int64":
            ok = dtype == pl.Int64
        else:
            ok = dtype == pl.Float64
        problems.check(ok, file, f"polars: column {name!r} has dtype {dtype}")
        actual = series.dt.epoch("ms").to_list() if kind == "timestamp" else series.to_list()
        compare_values(problems, file, "polars", name, kind, expected, actual)


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print("usage: parquet-check.py DIR", file=sys.stderr)
        return 2
    directory = sys.argv[1]
    files = sorted(f for f in os.listdir(directory) if f.endswith(".parquet"))
    if not files:
        print(f"parquet-check: no .parquet files in {directory}", file=sys.stderr)
        return 2
    problems = Problems()
    for file in files:
        path = os.path.join(directory, file)
        sidecar = os.path.join(directory, file[: -len(".parquet")] + ".expected.json")
        if not os.path.exists(sidecar):
            problems.add(file, "no .expected.json sidecar")
            continue
        with open(sidecar, encoding="utf-8") as f:
            spec = json.load(f)
        columns = [(c["name"], c["kind"], decode_expected(c)) for c in spec["columns"]]
        for label, check in (
            ("metadata", lambda: check_metadata(problems, file, path, spec, columns)),
            ("pyarrow", lambda: check_pyarrow(problems, file, path, columns)),
            ("duckdb", lambda: check_duckdb(problems, file, path, spec, columns)),
            ("polars", lambda: check_polars(problems, file, path, columns)),
        ):
            try:
                check()
            except Exception as error:  # A reader rejecting the file is a finding, not a crash.
                problems.add(file, f"{label}: {type(error).__name__}: {error}")
    versions = f"pyarrow {pa.__version__}, duckdb {duckdb.__version__}, polars {pl.__version__}"
    if problems.items:
        print(f"parquet-check: {len(problems.items)} problem(s) in {len(files)} file(s) ({versions}):", file=sys.stderr)
        for item in problems.items:
            print("  " + item, file=sys.stderr)
        return 1
    print(f"parquet-check: {len(files)} file(s) OK with {versions}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
