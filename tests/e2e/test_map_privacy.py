"""The live map and the HTTP API under `privacy` (SPEC section 8), in a real browser against `areaflow run --http`.

The server follows the bundled transport fixture with `configs/transport-publish.yaml` (k = 3 vehicles by route,
roll-up two levels, counts rounded to 5). Checked: the API never answers a number for a suppressed group, open
windows included; every published or rolled-up row has at least k vehicles (after rounding, at least 5); the map
draws suppressed areas hatched, not as values, and its legend says what the hatching means.
"""

from __future__ import annotations

import pytest
from PIL import Image

from conftest import REPO
from test_map import MapPage, MapServer, browser, get_json, http_get, serve_transport  # noqa: F401 (browser)

FEATURES = ["events", "vehicles", "speed_mean", "speed_p50", "speed_p90", "speed_max", "delay_mean", "delay_sd",
            "crawling_share"]


@pytest.fixture(scope="module")
def private_server(tmp_path_factory, areaflow) -> MapServer:
    yield from serve_transport(
        tmp_path_factory.mktemp("map-privacy"), REPO / "configs" / "transport-publish.yaml", areaflow)


def test_the_api_publishes_no_small_group(private_server):
    meta = get_json(private_server.base, "v1/meta")
    checked = {"suppressed": 0, "published": 0, "rolled_up": 0}
    for w in meta["windows"]:
        for scheme in meta["schemes"]:
            for at in ["open", "latest"]:
                path = f"v1/aggregates?window={w['name']}&scheme={scheme['name']}&at={at}"
                if at == "open":
                    # Under privacy only final windows are served: successive partial values could be subtracted.
                    status, _, _ = http_get(private_server.base + path)
                    assert status == 404, f"{path}: {status}"
                    continue
                answer = get_json(private_server.base, path)
                for row in answer.get("rows", []):
                    checked[row["disclosure"]] += 1
                    if row["disclosure"] == "suppressed":
                        assert all(row[f] is None for f in FEATURES), row
                    else:
                        assert row["vehicles"] >= 5 and row["vehicles"] % 5 == 0, row
                        assert row["events"] % 5 == 0, row
    assert checked["suppressed"] > 0 and checked["published"] + checked["rolled_up"] > 0, checked


def test_the_map_hatches_suppressed_areas(browser, private_server, tmp_path):  # noqa: F811
    m = MapPage(browser, private_server)
    try:
        page = m.page
        page.wait_for_selector("#area-layer path.area.suppressed")
        suppressed = page.eval_on_selector_all("#area-layer path.area.suppressed", "ps => ps.length")
        assert suppressed > 0
        assert page.is_visible("#legend-suppressed"), "the legend must say what the hatching means"
        assert "suppressed" in m.text("#legend-suppressed")
        # No suppressed area carries a value for the page to show.
        values = page.eval_on_selector_all(
            "#area-layer path.area.suppressed", "ps => ps.map(p => p.getAttribute('data-value'))")
        assert all(v in ("", None) for v in values), values
        png = tmp_path / "map-privacy.png"
        page.mouse.move(1, 1)
        page.locator("#map").screenshot(path=str(png))
        print(f"\nmap screenshot: {png}")
        img = Image.open(png).convert("RGB")
        colours = dict((c, n) for n, c in img.getcolors(maxcolors=img.width * img.height + 1))
        # The hatching: the null grey and white stripes are both painted.
        assert colours.get((196, 196, 196), 0) >= 20, f"no hatching grey in {png}"
        m.assert_clean()
    finally:
        m.close()


def test_the_stream_publishes_no_small_group(private_server):
    """Windows announced over `/v1/stream` carry no values, and are served with the same control."""
    import time
    from datetime import timedelta
    from urllib.parse import urlparse

    from test_http import StreamReader
    from test_map import append_events, parse_time

    port = urlparse(private_server.base).port
    stream = StreamReader(port)
    assert stream.ready.wait(30), "no stream preamble"
    meta = get_json(private_server.base, "v1/meta")
    last = max(parse_time(w["open"]["window_end"] if w.get("open") else w["final"][-1]["window_end"])
               for w in meta["windows"])
    start = last + timedelta(minutes=20)
    # Seven vehicles on one route over 15 positions: most groups hold fewer than k = 3 vehicles.
    append_events(private_server.feed, [start + timedelta(seconds=2 * i) for i in range(40)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not stream.events:
        time.sleep(0.25)
    assert stream.events, "no window arrived over /v1/stream"
    # An event names the window and counts its rows per scheme; it carries no values. The window it announces is
    # served with the same control.
    seen = {"suppressed": 0, "other": 0}
    for event in stream.events:
        assert set(event["rows"]) <= {"gh6", "hex8"} and all(isinstance(n, int) for n in event["rows"].values())
        for scheme in event["rows"]:
            answer = get_json(
                private_server.base,
                f"v1/aggregates?window={event['window']}&scheme={scheme}&at={event['window_start']}")
            for row in answer["rows"]:
                if row["disclosure"] == "suppressed":
                    seen["suppressed"] += 1
                    assert all(row[f] is None for f in FEATURES), row
                else:
                    seen["other"] += 1
                    assert row["vehicles"] >= 5, row
    assert seen["suppressed"] > 0, seen
