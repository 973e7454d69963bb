#!/usr/bin/env python3
"""Answer H3 queries with the reference implementation (the `h3` package on
PyPI, 4.x) for the live comparison test.

Reads lines "LAT LNG RES" (degrees) on stdin and prints, for each line,
"CELL CLAT CLNG N LAT1 LNG1 .. LATN LNGN": the reference latLngToCell, the
cell's cellToLatLng and its cellToBoundary (floats in shortest round-trip
form). Exits with status 3 and a message on stderr if `h3` cannot be imported.
"""
import sys

try:
    import h3
except ImportError as error:
    sys.stderr.write(
        "h3-live-check.py: cannot import the reference package h3 (%s); "
        "install it with: pip install 'h3>=4,<5'\n" % error
    )
    sys.exit(3)

if not h3.__version__.startswith("4."):
    sys.stderr.write("h3-live-check.py: need h3 4.x, found %s\n" % h3.__version__)
    sys.exit(3)

out = []
for line in sys.stdin:
    parts = line.split()
    if not parts:
        continue
    lat, lng, res = float(parts[0]), float(parts[1]), int(parts[2])
    cell = h3.latlng_to_cell(lat, lng, res)
    clat, clng = h3.cell_to_latlng(cell)
    boundary = h3.cell_to_boundary(cell)
    coords = " ".join("%r %r" % vertex for vertex in boundary)
    out.append("%s %r %r %d %s" % (cell, clat, clng, len(boundary), coords))
sys.stdout.write("\n".join(out) + "\n")
