#!/usr/bin/env python3
"""Generate the committed H3 reference vectors (fixtures/h3/vectors.txt.zst).

Uses the reference implementation (the `h3` package on PyPI, 4.x). The output
is a zstd-compressed text file with one record per line:

  p LAT LNG C0 .. C15 P1 .. P15
      A test point (degrees, shortest round-trip repr) and its reference cell
      at every resolution 0..15. C15 is always hexadecimal; for r < 15, Cr is
      "=" when it equals the parent of C(r+1) at r, otherwise hexadecimal.
      Pr is the reference cellToParent(Cr, r - 1): "=" when it equals C(r-1),
      otherwise hexadecimal.
  g CELL CLAT CLNG N LAT1 LNG1 .. LATN LNGN
      Reference cellToLatLng and cellToBoundary (degrees, 10 decimals) of a
      cell, for every distinct cell of every 2nd special point, every 20th
      random point, all pentagons and all base cells.
  d CELL K N CELL1 .. CELLN
      Reference gridDisk(CELL, K) as a sorted set.

Usage: python3 scripts/h3-vectors.py [output path]
"""
import math
import os
import random
import subprocess
import sys

try:
    import h3
except ImportError:
    sys.exit("h3-vectors.py: the reference package is missing: pip install 'h3>=4,<5'")

SEED = 20261126
RANDOM_POINTS = 20000
BOUNDARY_POINTS = 3200
rng = random.Random(SEED)


def random_point():
    z = rng.uniform(-1.0, 1.0)
    return math.degrees(math.asin(z)), rng.uniform(-180.0, 180.0)


special = []  # points whose cells all get geometry and disks
randoms = []

# poles
for lng in [-180.0, -179.5, -135.0, -90.0, -45.0, 0.0, 45.0, 90.0, 135.0, 179.5, 180.0]:
    for lat in (90.0, -90.0):
        special.append((lat, lng))
for k in range(1, 13):
    for lat in (90.0 - 10.0 ** -k, -90.0 + 10.0 ** -k):
        special.append((lat, rng.uniform(-180.0, 180.0)))
for _ in range(100):
    special.append((rng.uniform(89.0, 90.0), rng.uniform(-180.0, 180.0)))
    special.append((rng.uniform(-90.0, -89.0), rng.uniform(-180.0, 180.0)))

# antimeridian, both sides and exactly +-180
for i in range(181):
    lat = -90.0 + i
    for lng in (180.0, -180.0, 179.9999999, -179.9999999, 179.999999999999, -179.999999999999):
        special.append((lat, lng))
for _ in range(200):
    lat = math.degrees(math.asin(rng.uniform(-1.0, 1.0)))
    special.append((lat, rng.choice((1, -1)) * (180.0 - rng.uniform(0.0, 0.5))))

# pentagons and their neighbourhoods at every resolution
for res in range(16):
    edge_deg = h3.average_hexagon_edge_length(res, unit="km") / 111.195
    for pent in h3.get_pentagons(res):
        lat, lng = h3.cell_to_latlng(pent)
        special.append((lat, lng))
        for dist in (0.2, 0.9, 1.6, 2.5):
            for a in range(6):
                ang = math.radians(a * 60.0 + 17.0 + 5.0 * dist)
                dlat = dist * edge_deg * math.sin(ang)
                dlng = dist * edge_deg * math.cos(ang) / max(math.cos(math.radians(lat)), 1e-6)
                plng = lng + dlng
                if plng > 180.0:
                    plng -= 360.0
                if plng < -180.0:
                    plng += 360.0
                special.append((max(-90.0, min(90.0, lat + dlat)), plng))

# every base cell: centre and the centres of its resolution 1 children
for base in sorted(h3.get_res0_cells()):
    special.append(h3.cell_to_latlng(base))
    for child in sorted(h3.cell_to_children(base, 1)):
        special.append(h3.cell_to_latlng(child))

# longitudes outside [-180, 180]
for _ in range(100):
    lat, _ = random_point()
    special.append((lat, rng.uniform(-540.0, 540.0)))

for _ in range(RANDOM_POINTS):
    randoms.append(random_point())

# points exactly on cell vertices and on edge midpoints of random cells,
# where the assignment depends on the last bits of the arithmetic
for n in range(BOUNDARY_POINTS):
    lat, lng = random_point()
    res = n % 16
    boundary = h3.cell_to_boundary(h3.latlng_to_cell(lat, lng, res))
    k = rng.randrange(len(boundary))
    a, b = boundary[k], boundary[(k + 1) % len(boundary)]
    if n % 2 == 0 or abs(a[1] - b[1]) > 180.0:
        randoms.append(a)
    else:
        randoms.append(((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0))


def fmt(x):
    return "%.10f" % x


lines = []
geometry_cells = set()
disk_cells = set()

points = [(p, True, i) for i, p in enumerate(special)] + [
    (p, False, i) for i, p in enumerate(randoms)
]
for (lat, lng), is_special, idx in points:
    cells = [h3.latlng_to_cell(lat, lng, r) for r in range(16)]
    tokens = [None] * 16
    tokens[15] = cells[15]
    for r in range(14, -1, -1):
        tokens[r] = "=" if cells[r] == h3.cell_to_parent(cells[r + 1], r) else cells[r]
    parents = []
    for r in range(1, 16):
        parent = h3.cell_to_parent(cells[r], r - 1)
        parents.append("=" if parent == cells[r - 1] else parent)
    lines.append("p %r %r %s %s" % (lat, lng, " ".join(tokens), " ".join(parents)))
    if is_special and idx % 2 == 0 or not is_special and idx % 20 == 0:
        geometry_cells.update(cells)
    if is_special and idx % 3 == 0 or not is_special and idx % 50 == 0:
        disk_cells.update(cells)

for res in range(16):
    disk_cells.update(h3.get_pentagons(res))
    geometry_cells.update(h3.get_pentagons(res))
disk_cells.update(h3.get_res0_cells())
geometry_cells.update(h3.get_res0_cells())

for cell in sorted(geometry_cells):
    clat, clng = h3.cell_to_latlng(cell)
    boundary = h3.cell_to_boundary(cell)
    coords = " ".join("%s %s" % (fmt(a), fmt(b)) for a, b in boundary)
    lines.append("g %s %s %s %d %s" % (cell, fmt(clat), fmt(clng), len(boundary), coords))

for cell in sorted(disk_cells):
    ks = (1, 2) if h3.is_pentagon(cell) or h3.get_resolution(cell) == 0 else (1,)
    for k in ks:
        disk = sorted(h3.grid_disk(cell, k))
        lines.append("d %s %d %d %s" % (cell, k, len(disk), " ".join(disk)))

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "fixtures", "h3", "vectors.txt.zst")
os.makedirs(os.path.dirname(out), exist_ok=True)
data = ("# H3 reference vectors, h3 %s, seed %d\n" % (h3.__version__, SEED) + "\n".join(lines) + "\n").encode()
with open(out, "wb") as f:
    subprocess.run(["zstd", "-19", "-q", "-c"], input=data, stdout=f, check=True)
print(
    "points=%d (special %d, random %d) geometry=%d disks=%d raw=%d bytes -> %s (%d bytes)"
    % (len(points), len(special), len(randoms), len(geometry_cells), len(disk_cells), len(data), out, os.path.getsize(out))
)
