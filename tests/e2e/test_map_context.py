"""The map people can read (SPEC section 6): it pans and zooms, draws the outlines of the config's regions scheme
as context under any scheme, and draws raster tiles only when the config names a tile server (`http.basemap`).

The tile server is a local HTTP server started here that answers every `/{z}/{x}/{y}.png` with one flat-coloured
PNG and records what was asked for; the page must ask it for tiles covering the areas and paint them.
"""

from __future__ import annotations

import http.server
import io
import re
import threading
from pathlib import Path

import pytest
import yaml
from PIL import Image

from conftest import REPO, bundled
from test_map import MapPage, MapServer, browser, get_json, serve_transport  # noqa: F401 (browser: fixture)

TILE_COLOUR = (255, 0, 200)


class TileServer:
    def __init__(self):
        buf = io.BytesIO()
        Image.new("RGB", (256, 256), TILE_COLOUR).save(buf, format="PNG")
        png = buf.getvalue()
        self.requests: list[tuple[int, int, int]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                m = re.fullmatch(r"/(\d+)/(\d+)/(\d+)\.png", self.path)
                if not m:
                    self.send_response(404)
                    self.end_headers()
                    return
                outer.requests.append(tuple(int(g) for g in m.groups()))
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png)))
                self.end_headers()
                self.wfile.write(png)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture(scope="module")
def tiles():
    t = TileServer()
    yield t
    t.close()


@pytest.fixture(scope="module")
def context_server(tmp_path_factory, areaflow, tiles) -> MapServer:
    root = tmp_path_factory.mktemp("map-context")
    config_path, _ = bundled("transport")
    cfg = yaml.safe_load(config_path.read_text())
    cfg["areas"].append({"name": "district", "regions": str(REPO / "fixtures/regions/sample.geojson"),
                         "id_property": "code"})
    cfg["http"] = {"basemap": f"http://127.0.0.1:{tiles.port}/{{z}}/{{x}}/{{y}}.png"}
    config = root / "context.yaml"
    config.write_text(yaml.safe_dump(cfg, sort_keys=False))
    yield from serve_transport(root, config, areaflow)


def view_box(m: MapPage) -> list[float]:
    return [float(x) for x in m.attr("#svg", "viewBox").split()]


def test_region_outlines_tiles_and_pan_zoom(browser, context_server, tiles, tmp_path):  # noqa: F811
    meta = get_json(context_server.base, "v1/meta")
    assert meta["outlines"] == ["district"]
    assert meta["basemap"].startswith("http://127.0.0.1:")
    m = MapPage(browser, context_server)
    try:
        page = m.page
        # Context: every region of the file is outlined, under the first scheme's (geohash) areas.
        regions = len(get_json(context_server.base, "v1/outlines/district")["features"])
        assert regions == 10
        page.wait_for_function(f"() => document.querySelectorAll('#outline-layer path.outline').length === {regions}")
        # Tiles: asked for and painted under the areas.
        page.wait_for_function("() => document.querySelectorAll('#tile-layer image.tile').length > 0")
        page.wait_for_function("n => window.performance.getEntriesByType('resource')"
                               ".filter(e => e.name.endsWith('.png')).length >= n", arg=1)
        assert tiles.requests, "no tile was requested"
        zooms = {z for z, _, _ in tiles.requests}
        assert all(8 <= z <= 16 for z in zooms), zooms
        for z, x, y in tiles.requests:  # Berlin's tiles at that zoom
            assert abs(x / 2 ** z - (13.4 + 180) / 360) < 0.01 and abs(y / 2 ** z - 0.33) < 0.02, (z, x, y)
        page.mouse.move(1, 1)
        png = tmp_path / "context.png"
        page.locator("#map").screenshot(path=str(png))
        print(f"\nmap screenshot: {png}")
        img = Image.open(png).convert("RGB")
        tinted = sum(n for n, c in img.getcolors(maxcolors=img.width * img.height + 1)
                     if c[0] > 200 and c[1] < 90 and c[2] > 150)
        assert tinted > 1000, f"the tiles are not painted ({png})"
        # Zoom with the wheel over the map: the view box shrinks around the pointer.
        home = view_box(m)
        box = page.locator("#svg").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, -400)
        page.wait_for_function("() => document.getElementById('map').dataset.zoomed === 'true'")
        zoomed = view_box(m)
        assert zoomed[2] < home[2] * 0.9 and zoomed[3] < home[3] * 0.9, (home, zoomed)
        # Pan by dragging: the view box moves, its size stays.
        page.mouse.move(box["x"] + 200, box["y"] + 200)
        page.mouse.down()
        page.mouse.move(box["x"] + 300, box["y"] + 250, steps=5)
        page.mouse.up()
        panned = view_box(m)
        assert panned[0] < zoomed[0] and panned[1] < zoomed[1], (zoomed, panned)
        assert abs(panned[2] - zoomed[2]) < 1e-6
        # A double click goes back to the whole data extent.
        page.mouse.dblclick(box["x"] + 10, box["y"] + 10)
        page.wait_for_function("() => document.getElementById('map').dataset.zoomed === 'false'")
        assert view_box(m) == home
        # The only other origin asked is the configured tile server.
        tile_host = f"http://127.0.0.1:{tiles.port}/"
        assert m.foreign and all(u.startswith(tile_host) for u in m.foreign), m.foreign
        m.foreign.clear()
        m.assert_clean()
    finally:
        m.close()
