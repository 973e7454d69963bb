"""The live map (`GET /`, SPEC section 6) in a real browser against a real `areaflow run --http`.

The server follows a copy of the bundled transport fixture with a config derived from `configs/transport.yaml`
(`watermark.idle_timeout: 1s`, `output.flush_every: 500ms`, so windows turn final and are served within
seconds). The page is opened in Debian's headless Chromium (the `chromium` package), driven by Playwright through
`executable_path` (no browser download), and checked as a person would see it:

- its script compiles: every inline `<script>` of `Sources/AreaflowServer/Resources/map.html` is parsed by the
  browser (no server needed), so a syntax error fails with the browser's message, and the server sends that file;
- it loads with no console error or warning and no page error, and fetches nothing from another origin;
- the legend shows the feature and numbers, and a screenshot of the map holds many pixels of several colours
  (Pillow; the PNG is saved in the test's tmp dir and its path printed);
- the feature selector re-colours the areas; hovering an area shows its id and every row and feature;
- the window slider has one position per final window in `/v1/meta` plus one for the open window;
- the dimension filter keeps only that value's rows;
- a new window committed while the page is open arrives over `/v1/stream` and the page follows it.

Knobs: `AREAFLOW_E2E_CHROMIUM` (the browser binary; default `chromium` on PATH), `AREAFLOW_E2E_MAP_URL` (test
an already running server, e.g. `make demo-live`, instead of starting one; the live-update test then waits for the
server's own next window instead of appending to its input).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from PIL import Image
from playwright.sync_api import sync_playwright

from conftest import REPO, bundled, lines_bytes, zstd_frame
from live_harness import LiveRun

START_TIMEOUT_S = 120  # healthz and a first final window, debug build on a busy 2-core VM
LIVE_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 20_000
VIEWPORT = {"width": 1280, "height": 800}
# Strings a self-contained page may hold that look like URLs: XML namespaces, not fetched.
NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml", "http://www.w3.org/1999/xlink")
# The page as committed; the binary embeds this file at build time.
PAGE_SOURCE = REPO / "Sources" / "AreaflowServer" / "Resources" / "map.html"


# --------------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------------


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes, str]:
    """(status, body, content type); a refused connection is status 0."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers.get("Content-Type", "")
    except (urllib.error.URLError, ConnectionError, socket.timeout):
        return 0, b"", ""


def get_json(base: str, path: str):
    status, body, _ = http_get(base + path)
    assert status == 200, f"GET {path}: status {status}, body {body[:300]!r}"
    return json.loads(body)


def aggregates(server: "MapServer", shown: dict, geojson: bool = False) -> dict:
    """The API's answer for the window a page shows (`MapPage.shown()`)."""
    q = {"window": shown["window"], "scheme": shown["scheme"], "at": shown["start"]}
    if geojson:
        q["format"] = "geojson"
    return get_json(server.base, "v1/aggregates?" + urllib.parse.urlencode(q))


def final_starts(server: "MapServer", name: str) -> list[str]:
    """window_start of each final window of `name` in /v1/meta now, oldest first."""
    return [f["window_start"] for f in window_meta(get_json(server.base, "v1/meta"), name)["final"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def window_meta(meta: dict, name: str) -> dict:
    return next(w for w in meta["windows"] if w["name"] == name)


def slider_positions(w: dict) -> int:
    return len(w.get("final") or []) + (1 if w.get("open") else 0)


class MapServer:
    def __init__(self, base: str, run: LiveRun | None, feed: Path | None):
        self.base = base
        self.run = run
        self.feed = feed

    def describe(self) -> str:
        return self.run.describe() if self.run else self.base


def wait_ready(base: str, run: LiveRun | None) -> dict:
    """Polls /healthz (200) and /v1/meta (a window name with a final window); returns the meta."""
    deadline = time.monotonic() + START_TIMEOUT_S
    last = "nothing yet"
    while time.monotonic() < deadline:
        if run is not None and not run.alive():
            raise AssertionError(f"areaflow run exited before serving: {run.describe()}")
        status, body, _ = http_get(base + "healthz", timeout=2)
        if status == 200:
            status, body, _ = http_get(base + "v1/meta", timeout=2)
            if status == 200:
                meta = json.loads(body)
                if any(w.get("final") for w in meta.get("windows", [])):
                    return meta
                last = f"/v1/meta without a final window: {body[:300]!r}"
            else:
                last = f"/v1/meta: status {status} {body[:200]!r}"
        else:
            last = f"/healthz: status {status}"
        time.sleep(0.25)
    raise AssertionError(
        f"not ready within {START_TIMEOUT_S}s ({last}): {run.describe() if run else base}"
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory, areaflow) -> MapServer:
    external = os.environ.get("AREAFLOW_E2E_MAP_URL")
    if external:
        base = external.rstrip("/") + "/"
        wait_ready(base, None)
        yield MapServer(base, None, None)
        return
    config_path, _ = bundled("transport")
    yield from serve_transport(tmp_path_factory.mktemp("map"), config_path, areaflow)


def serve_transport(root: Path, config_path: Path, areaflow) -> "Iterator[MapServer]":
    """Starts `run --http` on a copy of the bundled transport fixture with `config_path` made quick (idle timeout
    1 s, flush every 500 ms), yields the server once it serves a final window, and stops it."""
    _, fixture = bundled("transport")
    out = root / "out"
    cfg = yaml.safe_load(config_path.read_text())
    cfg.setdefault("watermark", {})["idle_timeout"] = "1s"
    cfg.setdefault("output", {})["flush_every"] = "500ms"
    cfg["output"]["dir"] = str(out)
    config = root / config_path.name
    config.write_text(yaml.safe_dump(cfg, sort_keys=False))
    feed = root / "transport.ndjson.zst"  # a copy: the live-update test appends to it
    shutil.copyfile(fixture, feed)
    port = free_port()
    args = ["run", "--config", config, "--out", out, "--http", f"127.0.0.1:{port}", feed]
    run = LiveRun([str(a) for a in args], binary=areaflow)
    try:
        base = f"http://127.0.0.1:{port}/"
        wait_ready(base, run)
        yield MapServer(base, run, feed)
    finally:
        run.send(signal.SIGTERM)
        if run.wait(30) is None:
            run.kill()


# --------------------------------------------------------------------------------------------
# Browser
# --------------------------------------------------------------------------------------------


def chromium_path() -> str:
    path = os.environ.get("AREAFLOW_E2E_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    assert os.path.isfile(path) and os.access(path, os.X_OK), (
        f"Chromium not found at {path}: install Debian's `chromium` package (apt-get install chromium) "
        "or set AREAFLOW_E2E_CHROMIUM"
    )
    return path


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield b
        finally:
            b.close()


class MapPage:
    """One open map page, with everything the browser reported about it."""

    def __init__(self, browser, server: MapServer, fragment: str = ""):
        self.server = server
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.failed: list[str] = []
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.page.set_default_timeout(PAGE_TIMEOUT_MS)
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", self._request)
        self.page.on("requestfailed", self._failed)
        self.page.goto(server.base + fragment)
        self.page.wait_for_selector("#area-layer path.area")

    def _request(self, req):
        url = req.url
        if not (url.startswith(self.server.base) or url.startswith("data:")):
            self.foreign.append(url)

    def _failed(self, req):
        # The open EventSource is cut when the page closes; anything else that fails is a fault.
        if not self.closing:
            self.failed.append(f"{req.url}: {req.failure}")

    closing = False

    def close(self):
        self.closing = True
        self.context.close()

    def assert_clean(self):
        bad = [(t, m) for t, m in self.console if t in ("error", "warning", "assert")]
        assert not bad, f"console errors or warnings: {bad}"
        assert not self.errors, f"page errors: {self.errors}"
        assert not self.foreign, f"requests to other origins (the page must be self-contained): {self.foreign}"
        assert not self.failed, f"failed requests: {self.failed}"

    # ---- reading the page ----

    def attr(self, selector: str, name: str) -> str | None:
        return self.page.get_attribute(selector, name)

    def shown(self) -> dict:
        """What the map shows, from #map's data-* attributes."""
        return self.page.eval_on_selector(
            "#map",
            "m => ({window: m.dataset.window, scheme: m.dataset.scheme, start: m.dataset.windowStart,"
            " end: m.dataset.windowEnd, final: m.dataset.final})",
        )

    def fills(self) -> dict:
        return dict(self.page.eval_on_selector_all(
            "#area-layer path.area", "ps => ps.map(p => [p.getAttribute('data-area'), p.getAttribute('fill')])"))

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector)

    def select(self, selector: str, value: str):
        """Choose an option; for a window name or scheme, wait until the map shows data for it."""
        self.page.select_option(selector, value)
        if selector in ("#sel-window", "#sel-scheme"):
            key = "window" if selector == "#sel-window" else "scheme"
            self.page.wait_for_function(
                f"v => document.getElementById('map').dataset.{key} === v"
                " && document.querySelectorAll('#area-layer path.area').length > 0", arg=value)

    def consistent(self, fn, tries: int = 5):
        """(shown window, fn()) with the same window shown before and after fn: a window committed meanwhile
        may move the page to it (it follows the newest), then fn runs again."""
        for _ in range(tries):
            before = self.shown()
            got = fn()
            if self.shown() == before:
                return before, got
            time.sleep(0.5)
        raise AssertionError(f"the page kept changing windows: {self.shown()}")

    def hover_some_area(self) -> str:
        """Moves the mouse onto an area that is topmost at its bounding box centre; returns its id."""
        found = self.page.evaluate(
            """() => {
                for (const p of document.querySelectorAll('#area-layer path.area')) {
                    const r = p.getBoundingClientRect();
                    const x = r.left + r.width / 2, y = r.top + r.height / 2;
                    if (r.width >= 4 && r.height >= 4 && document.elementFromPoint(x, y) === p)
                        return [x, y, p.getAttribute('data-area')];
                }
                return null;
            }"""
        )
        assert found, "no area of the map can be hovered at its centre"
        x, y, area = found
        self.page.mouse.move(x - 30, y - 30)
        self.page.mouse.move(x, y, steps=3)
        return area


@pytest.fixture
def open_map(browser, server):
    pages = []

    def _open(fragment: str = "") -> MapPage:
        p = MapPage(browser, server, fragment)
        pages.append(p)
        return p

    yield _open
    for p in pages:
        p.close()


# --------------------------------------------------------------------------------------------
# Pixels
# --------------------------------------------------------------------------------------------


def colour_stats(png: Path) -> tuple[float, dict]:
    """(share of clearly coloured pixels, {colour bucket: pixels}) of a screenshot. Clearly coloured: channels
    spread by at least 40 (the background, the grey of null values, outlines and text are not); buckets are
    32 levels per channel."""
    img = Image.open(png).convert("RGB")
    total = img.width * img.height
    coloured = 0
    buckets: dict = {}
    for count, (r, g, b) in img.getcolors(maxcolors=total + 1):
        if max(r, g, b) - min(r, g, b) >= 40:
            coloured += count
            key = (r // 32, g // 32, b // 32)
            buckets[key] = buckets.get(key, 0) + count
    return coloured / total, buckets


def parse_rgb(text: str) -> tuple[int, int, int] | None:
    m = re.fullmatch(r"\s*rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)\s*", text or "")
    if m:
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    m = re.fullmatch(r"\s*#([0-9a-fA-F]{6})\s*", text or "")
    if m:
        h = m.group(1)
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    return None


NUMBER = re.compile(r"-?\d+(\.\d+)?")


# --------------------------------------------------------------------------------------------
# Waiting and feeding
# --------------------------------------------------------------------------------------------


def append_events(feed: Path, when: list[datetime]) -> None:
    lines = []
    for i, t in enumerate(when):
        ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)
        event = {"ts": ts, "vehicle_id": f"bus-9{i % 7:03d}", "route": "M41", "lat": 52.52 + 0.004 * (i % 5),
                 "lon": 13.40 + 0.006 * (i % 3), "speed_kmh": 20.0 + i, "delay_s": 30 + i}
        lines.append(json.dumps(event))
    with open(feed, "ab") as f:
        f.write(zstd_frame(lines_bytes(lines)))


def parse_time(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def fmt_hhmm(ts: str) -> str:
    return ts[11:16]


def wait_until(cond, what: str, server: MapServer, m: MapPage, timeout: float = LIVE_TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(0.25)
    raise AssertionError(f"{what} within {timeout}s; page shows {m.shown()}, status {m.text('#status')!r};"
                         f" console {m.console}; {server.describe()}")


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def test_page_is_self_contained(server):
    status, body, ctype = http_get(server.base)
    assert status == 200 and ctype.startswith("text/html"), f"GET /: {status} {ctype}"
    html = body.decode()
    assert html.lstrip().lower().startswith("<!doctype html>")
    for pattern in (r"<script[^>]*\ssrc\s*=", r"<link[^>]*stylesheet", r"@import", r"<img\b", r"<iframe\b",
                    r"url\(\s*['\"]?(?!data:)[a-z]+:"):
        assert not re.search(pattern, html, re.I), f"the page loads something from outside: {pattern}"
    urls = [u for u in re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s\"'<>)]*", html)
            if not any(u.startswith(n) for n in NAMESPACES)]
    assert not urls, f"external URLs in the page: {urls[:5]}"


class InlineScripts(HTMLParser):
    """Collects the text of every `<script>` element without a `src`."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            assert "src" not in dict(attrs), "the page must not load scripts"
            self._inside = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.scripts[-1] += data


def syntax_errors(browser, scripts: list[str]) -> list[str]:
    """The browser's SyntaxError for each script that does not parse. `new Function` compiles a script's text
    without running it, so nothing is fetched and no server is needed."""
    context = browser.new_context()
    try:
        page = context.new_page()
        return page.evaluate(
            """scripts => scripts.flatMap((src, i) => {
                try { new Function(src); return []; }
                catch (e) { return [`script ${i + 1}: ${e.name}: ${e.message}`]; }
            })""",
            scripts,
        )
    finally:
        context.close()


def test_page_script_compiles(browser):
    parser = InlineScripts()
    parser.feed(PAGE_SOURCE.read_text(encoding="utf-8"))
    parser.close()
    scripts = [s for s in parser.scripts if s.strip()]
    assert scripts, f"no inline script in {PAGE_SOURCE}"
    errors = syntax_errors(browser, scripts)
    assert not errors, f"{PAGE_SOURCE}: {errors}"
    # The check itself: one stray brace must be reported.
    broken = syntax_errors(browser, [scripts[0] + "\n}"])
    assert len(broken) == 1 and "SyntaxError" in broken[0], broken


def test_served_page_is_the_resource_file(server):
    status, body, _ = http_get(server.base)
    assert status == 200, f"GET /: {status}"
    assert body == PAGE_SOURCE.read_bytes(), f"GET / does not serve {PAGE_SOURCE} as committed (rebuild?)"


def test_map_draws_coloured_areas_with_a_legend(open_map, server, tmp_path):
    m = open_map()
    meta = get_json(server.base, "v1/meta")
    page = m.page
    # Default view: the first window name, scheme and feature, at the newest final window.
    first = meta["windows"][0]
    shown = m.shown()
    assert shown["window"] == first["name"] and shown["scheme"] == meta["schemes"][0]["name"], shown
    assert shown["final"] == "true", shown
    assert page.eval_on_selector("#sel-feature", "s => s.value") == meta["features"][0]["name"]
    # The legend: present, names the feature, shows numbers at both ends.
    page.wait_for_function("() => /\\d/.test(document.getElementById('legend-max').textContent)")
    legend = m.text("#legend")
    assert meta["features"][0]["name"] in m.text("#legend-title"), legend
    lo, hi = m.text("#legend-min"), m.text("#legend-max")
    assert NUMBER.fullmatch(lo.strip()) and NUMBER.fullmatch(hi.strip()), f"legend range {lo!r}..{hi!r}"
    assert float(lo) <= float(hi)
    assert page.is_visible("#legend-bar")
    # The legend as rendered: its colour bar in a screenshot shows the ramp, not one flat colour.
    bar_png = tmp_path / "legend.png"
    page.locator("#legend-bar").screenshot(path=str(bar_png))
    from PIL import Image
    bar = Image.open(bar_png).convert("RGB")
    colours = {bar.getpixel((x, y)) for x in range(bar.width) for y in range(bar.height)}
    assert len(colours) >= 5, f"legend bar screenshot has {len(colours)} colours: {bar_png}"

    # Every area of the API answer is drawn (one polygon per area, whatever its number of rows).
    def api_and_page():
        return aggregates(server, m.shown(), geojson=True), set(m.fills())

    shown, (fc, drawn) = m.consistent(api_and_page)
    at = shown["start"]
    assert fc["window_start"] == at, f"at={at} answered window_start {fc['window_start']}"
    areas = {f["properties"]["area"] for f in fc["features"]}
    assert drawn == areas, f"drawn {len(drawn)} areas, the API has {len(areas)}: {sorted(drawn ^ areas)[:5]}"

    # A richer view for the pixels: the largest window name (most areas) and a continuous feature.
    big = max(meta["windows"], key=lambda w: w.get("size_s") or 0)
    if big["name"] != first["name"]:
        m.select("#sel-window", big["name"])
    continuous = [f["name"] for f in meta["features"] if f["kind"] in ("mean", "quantile")]
    feature = (continuous or [meta["features"][0]["name"]])[0]
    m.select("#sel-feature", feature)
    page.wait_for_function("f => document.getElementById('legend-title').textContent.startsWith(f)", arg=feature)
    page.mouse.move(1, 1)
    png = tmp_path / "map.png"
    page.locator("#map").screenshot(path=str(png))
    print(f"\nmap screenshot: {png}")
    share, buckets = colour_stats(png)
    big_buckets = {k: v for k, v in buckets.items() if v >= 50}
    assert share >= 0.02, f"only {share:.2%} of the map's pixels are coloured ({png})"
    assert len(big_buckets) >= 5, f"only {len(big_buckets)} distinct colours with >= 50 pixels ({png}): {big_buckets}"
    # The colours painted are the areas' fills.
    img = Image.open(png).convert("RGB")
    present = {c for _, c in img.getcolors(maxcolors=img.width * img.height + 1)}
    fills = {parse_rgb(f) for f in m.fills().values()} - {None}
    painted = {f for f in fills if f in present}
    assert len(painted) >= min(5, len(fills)), f"{len(painted)} of {len(fills)} area fills appear in the screenshot"
    m.assert_clean()


def test_feature_selector_recolours(open_map, server):
    m = open_map()
    meta = get_json(server.base, "v1/meta")
    names = [f["name"] for f in meta["features"]]
    other = next((n for n in names[1:] if n.startswith("speed")), names[-1])

    def switch():
        m.select("#sel-feature", names[0])
        m.page.wait_for_function("f => document.getElementById('legend-title').textContent.startsWith(f)", arg=names[0])
        before = m.fills()
        m.select("#sel-feature", other)
        m.page.wait_for_function("f => document.getElementById('legend-title').textContent.startsWith(f)", arg=other)
        return before, m.fills()

    _, (before, after) = m.consistent(switch)
    assert before and set(after) == set(before), "the areas drawn changed with the feature"
    changed = sum(1 for a in before if before[a] != after[a])
    assert changed >= max(1, len(before) // 10), f"only {changed} of {len(before)} areas changed colour"
    assert f"feature={other}" in m.page.url
    m.assert_clean()


def test_hover_shows_the_area_and_all_its_rows(open_map, server):
    m = open_map()
    meta = get_json(server.base, "v1/meta")

    def hover():
        area = m.hover_some_area()
        m.page.wait_for_function(
            "a => (document.getElementById('readout-area') || {}).textContent === a", arg=area)
        header = m.page.eval_on_selector_all("#readout thead tr:first-child th", "ts => ts.map(t => t.textContent)")
        cells = m.page.eval_on_selector_all(
            "#readout tbody tr", "trs => trs.map(tr => Array.from(tr.cells).map(c => c.textContent))")
        return area, m.text("#readout"), header, cells

    shown, (area, readout, header, cells) = m.consistent(hover)
    for f in meta["features"]:
        assert f["name"] in readout, f"feature {f['name']} missing from the readout:\n{readout}"
    for d in meta["dimensions"]:
        assert d in readout
    # With the dimension filter at "(all)", every row of that area in the shown window is listed.
    api = aggregates(server, shown)
    rows = [r for r in api["rows"] if r["area"] == area]
    assert rows, f"area {area} drawn but not in the API rows"
    if meta["dimensions"]:
        d = meta["dimensions"][0]
        assert header[0] == d
        assert sorted(header[1:]) == sorted("—" if r[d] is None else str(r[d]) for r in rows), (header, rows)
    count = next((f["name"] for f in meta["features"] if f["kind"] == "count"), None)
    if count:
        line = next(c for c in cells if c[0] == count)
        assert sorted(line[1:]) == sorted(str(r[count]) for r in rows), (line, rows)
    assert m.page.locator("#hl-layer path").count() == 1, "the hovered area is not outlined"
    m.assert_clean()


def test_slider_has_a_position_per_retained_window(open_map, server):
    m = open_map()
    meta = get_json(server.base, "v1/meta")
    for w in meta["windows"]:
        if m.page.eval_on_selector("#sel-window", "s => s.value") != w["name"]:
            if not w.get("final") and not w.get("open"):
                continue
            m.select("#sel-window", w["name"])
        # The meta may move on between our read and the page's: compare a consistent pair.
        for _ in range(5):
            wm = window_meta(get_json(server.base, "v1/meta"), w["name"])
            n = int(m.attr("#slider", "max")) + 1
            wm2 = window_meta(get_json(server.base, "v1/meta"), w["name"])
            if wm == wm2:
                break
            time.sleep(0.5)
        assert n == slider_positions(wm), (
            f"{w['name']}: the slider has {n} positions, /v1/meta lists {len(wm['final'])} final"
            f" + {'1 open' if wm.get('open') else 'no open'} window"
        )
        finals = wm["final"]
        # At the newest final window first; the oldest at 0; the open one (partial) at the right end.
        if finals:
            wait_until(lambda: m.shown()["start"] == final_starts(server, w["name"])[-1],
                       f"{w['name']}: the page does not start at the newest final window", server, m, timeout=10)
            finals = window_meta(get_json(server.base, "v1/meta"), w["name"])["final"]
            m.page.locator("#slider").fill("0")
            m.page.wait_for_function(
                "s => document.getElementById('map').dataset.windowStart === s", arg=finals[0]["window_start"])
            assert "partial" not in m.text("#slider-label")
        if wm.get("open"):
            m.page.locator("#slider").fill(str(n - 1))
            m.page.wait_for_function("() => document.getElementById('map').dataset.final === 'false'")
            assert "partial" in m.text("#slider-label") and "partial" in m.text("#slider-newest")
    m.assert_clean()


def test_dimension_filter(open_map, server):
    meta = get_json(server.base, "v1/meta")
    if not meta["dimensions"]:
        pytest.fail("the transport config has dimensions; /v1/meta lists none")
    d = meta["dimensions"][0]
    m = open_map()
    sel = f"#sel-dim-{d}"
    assert m.page.eval_on_selector(sel, "s => s.value") == "", "the dimension filter does not start at (all)"
    assert m.page.eval_on_selector(sel, "s => s.options[0].textContent") == "(all)"

    def areas_by_value() -> dict:
        api = aggregates(server, m.shown())
        by_value: dict = {}
        for r in api["rows"]:
            by_value.setdefault(r[d], set()).add(r["area"])
        return by_value

    _, by_value = m.consistent(areas_by_value)
    value = max((v for v in by_value if v is not None), key=lambda v: len(by_value[v]))
    m.page.select_option(sel, str(value))
    # Only the areas with a row for that value are coloured (the others are outlines).
    wait_until(lambda: m.consistent(lambda: set(m.fills()) == areas_by_value().get(value, set()))[1],
               f"the areas drawn for {d}={value} are not those of the API", server, m, timeout=20)
    assert m.page.locator("#ctx-layer path").count() > 0, "no outline of the areas filtered out"

    def hover():
        area = m.hover_some_area()
        m.page.wait_for_function("a => (document.getElementById('readout-area') || {}).textContent === a", arg=area)
        return m.page.eval_on_selector_all("#readout thead tr:first-child th", "ts => ts.map(t => t.textContent)")

    _, header = m.consistent(hover)
    assert header == [d, str(value)], header
    assert f"{d}={value}" in m.page.url
    m.assert_clean()


def test_live_update_follows_new_windows(open_map, server):
    """A window committed while the page is open: the page reads the meta again; at the newest window it moves
    to the new one, elsewhere it stays where it is."""
    meta = get_json(server.base, "v1/meta")
    name = meta["windows"][0]["name"]
    m = open_map()
    m.page.wait_for_function("() => document.getElementById('conn').textContent === 'connected'")
    assert m.shown()["window"] == name

    def newest_final():
        return (final_starts(server, name) or [None])[-1]

    def feed_after(newest: str | None):
        """Makes a newer final window of `name` with rows (appending events to the input), or waits for one."""
        if server.feed is None:
            return
        wm = parse_time(get_json(server.base, "v1/meta")["watermark"] or newest)
        t1 = wm.replace(second=0, microsecond=0) + timedelta(minutes=5)
        size = timedelta(seconds=window_meta(meta, name)["size_s"])
        # Events in one window, then one far enough ahead that the watermark passes its end.
        when = [t1 + timedelta(seconds=5 * i) for i in range(6)] + [t1 + size * 3 + timedelta(minutes=2)]
        append_events(server.feed, when)

    # 1. Not at the newest position (the oldest): a new window does not move the slider.
    def oldest_final():
        return final_starts(server, name)[0]

    m.page.locator("#slider").fill("0")
    wait_until(lambda: m.shown()["start"] == oldest_final(), "the slider did not go to the oldest window", server, m)
    oldest = m.shown()["start"]
    start_newest = newest_final()
    feed_after(start_newest)
    wait_until(lambda: newest_final() != start_newest, "no new final window in /v1/meta", server, m)

    def slider_matches_meta():
        return int(m.attr("#slider", "max")) + 1 == slider_positions(window_meta(get_json(server.base, "v1/meta"), name))

    wait_until(slider_matches_meta, "the slider did not grow with the meta", server, m)

    def oldest_or_its_successor():  # (the oldest may have left the retained windows)
        return m.shown()["start"] in (oldest, oldest_final())

    wait_until(oldest_or_its_successor, "the page left the oldest window on a new window", server, m, timeout=10)

    # 2. At the newest final window (the right end, or one left of it when there is an open window): the page
    # follows the next one.
    m.page.focus("#slider")
    m.page.keyboard.press("End")
    if window_meta(get_json(server.base, "v1/meta"), name).get("open"):
        m.page.keyboard.press("ArrowLeft")
    wait_until(lambda: m.shown()["start"] == newest_final(), "the slider did not move to the newest final window",
               server, m)
    newest = m.shown()["start"]
    feed_after(newest)
    wait_until(lambda: newest_final() != newest, "no second new final window in /v1/meta", server, m)
    wait_until(lambda: m.shown()["start"] == newest_final(), "the page did not follow to the new window", server, m)
    latest = m.shown()["start"]
    assert parse_time(latest) > parse_time(newest)
    wait_until(lambda: fmt_hhmm(newest_final()) in m.text("#latest"), "the status line does not name the latest window",
               server, m)
    assert m.text("#conn") == "connected"
    m.assert_clean()
