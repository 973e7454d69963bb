#!/usr/bin/env python3
"""Compare an areaflow snapshot directory with the reference, using the same rules as the tests.

    python3 tests/e2e/diff_against_reference.py --config configs/transport.yaml --out out/transport \
        fixtures/transport.ndjson.zst

Prints every difference (rows, summary, _rejects, _late) and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import conftest as C  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--out", required=True, help="the snapshot directory areaflow wrote")
    ap.add_argument("--format", default="csv", choices=["csv", "ndjson", "parquet"])
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args()
    result = C.reference_result(args.config, args.inputs)
    C.MAX_REPORTED = 10**9
    problems = C.compare_tables(C.actual_table(args.out, result.config, args.format), result)
    problems += C.summary_problems(args.out, result)
    problems += C.side_output_problems(args.out, result)
    for p in problems:
        print(p)
    print(f"{len(problems)} differences; reference: {len(result.rows)} rows, summary {result.summary}",
          file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
