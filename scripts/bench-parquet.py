#!/usr/bin/env python3
"""Compare areaflow's Parquet writer with pyarrow on the same table.

Usage: bench-parquet.py FILE [AREAFLOW_SECONDS]

FILE is a Parquet file written by areaflow (the Swift benchmark test writes one and passes its best
encode time). The script reads it with pyarrow, so both writers get exactly the same table, then
times pyarrow writing that table with zstd (best of 5, to memory) and prints both sizes. It also
checks that pyarrow's rewrite reads back equal to our file, which doubles as a correctness check.
"""

import io
import os
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    path = sys.argv[1]
    ours_seconds = float(sys.argv[2]) if len(sys.argv) == 3 else None
    table = pq.read_table(path)
    ours_size = os.path.getsize(path)

    def write(**options):
        times, data = [], b""
        for _ in range(5):
            sink = io.BytesIO()
            start = time.perf_counter()
            pq.write_table(table, sink, compression="zstd", **options)
            times.append(time.perf_counter() - start)
            data = sink.getvalue()
        return min(times), data

    arrow_seconds, arrow_bytes = write()
    check = pq.read_table(io.BytesIO(arrow_bytes))
    if not check.equals(table):
        print("bench-parquet: pyarrow's rewrite does not equal the table read from our file", file=sys.stderr)
        return 1

    rows = table.num_rows
    print(f"table: {rows} rows x {table.num_columns} columns ({table.nbytes / 1e6:.1f} MB in Arrow memory)")
    if ours_seconds is not None:
        print(f"areaflow : {ours_seconds:.3f} s ({rows / ours_seconds / 1e6:.2f} M rows/s), {ours_size} bytes")
    else:
        print(f"areaflow : {ours_size} bytes")
    print(f"pyarrow  : {arrow_seconds:.3f} s ({rows / arrow_seconds / 1e6:.2f} M rows/s), {len(arrow_bytes)} bytes "
          f"(pyarrow {pa.__version__}, zstd, defaults)")
    print(f"size ratio areaflow/pyarrow: {ours_size / len(arrow_bytes):.3f}")
    ours_md, arrow_md = pq.ParquetFile(path).metadata, pq.ParquetFile(io.BytesIO(arrow_bytes)).metadata
    print(f"row groups: areaflow {ours_md.num_row_groups}, pyarrow {arrow_md.num_row_groups}")
    print("per column compressed bytes (areaflow / pyarrow, pyarrow encodings):")
    for j in range(table.num_columns):
        ours_col = sum(ours_md.row_group(g).column(j).total_compressed_size for g in range(ours_md.num_row_groups))
        arrow_col = sum(arrow_md.row_group(g).column(j).total_compressed_size for g in range(arrow_md.num_row_groups))
        encodings = sorted({e for g in range(arrow_md.num_row_groups) for e in arrow_md.row_group(g).column(j).encodings})
        print(f"  {table.column_names[j]:>14}: {ours_col:>10} / {arrow_col:>10}  {','.join(encodings)}")
    if ours_seconds is not None:
        print(f"time ratio areaflow/pyarrow: {ours_seconds / arrow_seconds:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
