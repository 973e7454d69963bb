/// The live map served at `GET /` (SPEC section 6): one self-contained page — inline CSS and JavaScript, no
/// external scripts, tiles, fonts or images — that draws each area's polygon from
/// `/v1/aggregates?format=geojson`, coloured by a chosen feature on a viridis scale with a legend, with
/// window, area-scheme, feature and dimension selectors, a slider over the retained windows (the open one,
/// partial, at the right end), a hover readout of every row of an area, and live updates from `/v1/stream`.
/// It reads `/v1/meta` for the names it offers. Tested in headless Chromium by `tests/e2e/test_map.py`.
enum MapPage {
  static let html: String = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>areaflow live map</title>
    <link rel="icon" href="data:,">
    <style>
      :root {
        --bg: #f6f7f9; --panel: #ffffff; --ink: #1d232b; --muted: #5f6b78; --line: #d9dee4;
        --map-bg: #eef1f4; --null: #c4c4c4; --accent: #1f6feb;
      }
      * { box-sizing: border-box; }
      html, body { margin: 0; height: 100%; }
      body {
        background: var(--bg); color: var(--ink);
        font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
        display: flex; flex-direction: column;
      }
      header {
        display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap;
        padding: 8px 14px; border-bottom: 1px solid var(--line); background: var(--panel);
      }
      header h1 { font-size: 15px; margin: 0; font-weight: 600; }
      #status { color: var(--muted); font-variant-numeric: tabular-nums; }
      #status b { color: var(--ink); font-weight: 500; }
      .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 5px; background: #b0b7bf; }
      .dot.on { background: #2da44e; }
      .dot.off { background: #cf222e; }
      main { flex: 1; display: flex; min-height: 0; }
      #mapcol { flex: 1; display: flex; flex-direction: column; min-width: 0; }
      #map { position: relative; flex: 1; min-height: 200px; background: var(--map-bg); overflow: hidden; }
      #svg { position: absolute; inset: 0; width: 100%; height: 100%; display: block; }
      #svg path.area { stroke: rgba(255, 255, 255, 0.7); stroke-width: 0.6px; cursor: crosshair; }
      #svg path.area.null { fill: var(--null); }
      #svg path.ctx { fill: none; stroke: #b9c0c8; stroke-width: 0.6px; pointer-events: none; }
      #svg path.hl { fill: none; stroke: #111; stroke-width: 2px; pointer-events: none; }
      #msg {
        position: absolute; left: 50%; top: 45%; transform: translate(-50%, -50%);
        color: var(--muted); font-size: 14px; text-align: center; pointer-events: none;
      }
      #count { position: absolute; left: 10px; bottom: 6px; color: var(--muted); font-size: 11px; pointer-events: none; }
      #timebar { padding: 8px 14px 10px; background: var(--panel); border-top: 1px solid var(--line); }
      #slider { width: 100%; margin: 0; }
      #slider-labels { display: flex; justify-content: space-between; gap: 10px; color: var(--muted); font-size: 11px; }
      #slider-label { color: var(--ink); font-size: 12px; font-weight: 500; text-align: center; }
      #slider-label.partial { color: #9a6700; }
      aside {
        width: 320px; flex: none; overflow-y: auto; background: var(--panel); border-left: 1px solid var(--line);
        padding: 10px 14px; display: flex; flex-direction: column; gap: 12px;
      }
      .controls { display: grid; grid-template-columns: auto 1fr; gap: 6px 8px; align-items: center; }
      .controls label { color: var(--muted); }
      .controls select { width: 100%; font: inherit; padding: 2px 4px; }
      h2 { font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); margin: 0 0 6px; font-weight: 600; }
      #legend-title { font-weight: 600; margin-bottom: 4px; overflow-wrap: anywhere; }
      #legend-bar { height: 14px; border-radius: 2px; border: 1px solid var(--line); }
      #legend-range { display: flex; justify-content: space-between; font-variant-numeric: tabular-nums; margin-top: 2px; }
      #legend-null { color: var(--muted); margin-top: 4px; font-size: 12px; }
      #legend-null .swatch { display: inline-block; width: 12px; height: 10px; background: var(--null); vertical-align: -1px; margin-right: 4px; }
      #legend-note { color: var(--muted); font-size: 12px; }
      #readout .hint { color: var(--muted); margin: 0; }
      #readout .area-id { font-weight: 600; font-family: ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
      #readout .sub { color: var(--muted); font-size: 12px; margin-bottom: 6px; }
      #readout table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
      #readout th, #readout td { padding: 1px 4px; border-bottom: 1px solid #eef0f2; text-align: right; white-space: nowrap; }
      #readout th:first-child, #readout td:first-child { text-align: left; color: var(--muted); font-weight: normal; }
      #readout thead th { color: var(--ink); font-weight: 600; }
      #readout tr.sel td { background: #eef4ff; }
      #readout .scroll { overflow-x: auto; }
    </style>
    </head>
    <body>
    <header>
      <h1 id="title">areaflow live map</h1>
      <div id="status" role="status">
        <span id="conn-dot" class="dot"></span><span id="conn">connecting</span>
        · latest window <b id="latest">—</b>
        · watermark <b id="watermark">—</b>
        <span id="error"></span>
      </div>
    </header>
    <main>
      <div id="mapcol">
        <div id="map">
          <svg id="svg" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet" viewBox="0 0 1 1" aria-label="map of areas">
            <g id="ctx-layer"></g><g id="area-layer"></g><g id="hl-layer"></g>
          </svg>
          <div id="msg">loading…</div>
          <div id="count"></div>
        </div>
        <div id="timebar">
          <input type="range" id="slider" min="0" max="0" step="1" value="0" disabled aria-label="window">
          <div id="slider-labels">
            <span id="slider-oldest"></span><span id="slider-label"></span><span id="slider-newest"></span>
          </div>
        </div>
      </div>
      <aside>
        <section>
          <h2>View</h2>
          <div class="controls" id="controls">
            <label for="sel-window">window</label><select id="sel-window"></select>
            <label for="sel-scheme">areas</label><select id="sel-scheme"></select>
            <label for="sel-feature">feature</label><select id="sel-feature"></select>
          </div>
        </section>
        <section id="legend">
          <h2>Legend</h2>
          <div id="legend-title">—</div>
          <div id="legend-bar"></div>
          <div id="legend-range"><span id="legend-min">—</span><span id="legend-mid"></span><span id="legend-max">—</span></div>
          <div id="legend-null"><span class="swatch"></span>no value</div>
          <div id="legend-note"></div>
        </section>
        <section>
          <h2>Area</h2>
          <div id="readout"><p class="hint">Hover an area to see its values.</p></div>
        </section>
      </aside>
    </main>
    <script>
    (function () {
      "use strict";

      var SVGNS = "http://www.w3.org/2000/svg";
      // Viridis, sampled at 11 points; colours between them are interpolated linearly in RGB.
      var RAMP = ["#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c",
                  "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725"];
      var RAMP_RGB = RAMP.map(function (h) {
        return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
      });
      var ALL = "";

      var el = function (id) { return document.getElementById(id); };
      var ui = {
        map: el("map"), svg: el("svg"), areas: el("area-layer"), ctx: el("ctx-layer"), hl: el("hl-layer"),
        msg: el("msg"), count: el("count"), slider: el("slider"),
        sliderLabel: el("slider-label"), sliderOldest: el("slider-oldest"), sliderNewest: el("slider-newest"),
        window: el("sel-window"), scheme: el("sel-scheme"), feature: el("sel-feature"), controls: el("controls"),
        legendTitle: el("legend-title"), legendBar: el("legend-bar"), legendMin: el("legend-min"),
        legendMid: el("legend-mid"), legendMax: el("legend-max"), legendNote: el("legend-note"),
        readout: el("readout"), conn: el("conn"), connDot: el("conn-dot"), latest: el("latest"),
        watermark: el("watermark"), error: el("error"), title: el("title")
      };

      var state = {
        meta: null,
        window: null, scheme: null, feature: null,
        dims: {},            // dimension name -> selected value, ALL for every value
        positions: [],       // slider positions: {start, end, final}
        sel: null,           // selected position: {open: true} or {start: "..."}
        follow: true,        // the slider is at the newest final window: follow new windows
        autoOpen: false,     // at the open window only because no window was final yet: move to the first final one
        data: null,          // last FeatureCollection shown
        areas: [],           // grouped areas of `data`
        extent: null,        // [minLon, minLat, maxLon, maxLat] for the current scheme
        hover: null,         // area id under the pointer (or last hovered)
        pointerIn: false,
        loadSeq: 0,
        connected: false
      };

      // ---------------------------------------------------------------------------------------- helpers

      function fetchJSON(url) {
        return fetch(url, { cache: "no-store", headers: { "Accept": "application/json" } }).then(function (r) {
          return r.text().then(function (text) {
            var body = null;
            try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
            if (!r.ok) {
              var err = new Error((body && body.error) || ("HTTP " + r.status));
              err.status = r.status;
              throw err;
            }
            if (body === null) { throw new Error("not JSON: " + url); }
            return body;
          });
        });
      }

      function showError(text) { ui.error.textContent = text ? "· " + text : ""; }

      function isNum(v) { return typeof v === "number" && isFinite(v); }

      function fmtNum(v) {
        if (v === null || v === undefined) { return "—"; }
        if (!isNum(v)) { return String(v); }
        if (Number.isInteger(v)) { return String(v); }
        var a = Math.abs(v);
        if (a >= 1000) { return v.toFixed(0); }
        if (a >= 100) { return v.toFixed(1); }
        if (a >= 1) { return v.toFixed(2); }
        if (a === 0) { return "0"; }
        return v.toPrecision(3);
      }

      function fmtDur(seconds) {
        var s = Number(seconds);
        if (!isNum(s)) { return String(seconds); }
        var units = [[86400, "d"], [3600, "h"], [60, "m"], [1, "s"]];
        for (var i = 0; i < units.length; i++) {
          if (s >= units[i][0] && s % units[i][0] === 0) { return (s / units[i][0]) + units[i][1]; }
        }
        return s + "s";
      }

      function fmtTime(iso, withDate) {
        if (!iso) { return "—"; }
        var m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d)?(\.\d+)?/.exec(iso);
        if (!m) { return iso; }
        var t = m[2] + (m[3] && m[3] !== ":00" ? m[3] : "");
        return withDate ? m[1] + " " + t : t;
      }

      function fmtRange(start, end) {
        var sameDay = start && end && start.slice(0, 10) === end.slice(0, 10);
        return fmtTime(start, true) + "–" + fmtTime(end, !sameDay) + " UTC";
      }

      function rampColor(t) {
        if (!isNum(t)) { t = 0.5; }
        t = Math.max(0, Math.min(1, t));
        var x = t * (RAMP_RGB.length - 1);
        var i = Math.min(Math.floor(x), RAMP_RGB.length - 2);
        var f = x - i, a = RAMP_RGB[i], b = RAMP_RGB[i + 1];
        var c = [0, 1, 2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * f); });
        return "rgb(" + c[0] + "," + c[1] + "," + c[2] + ")";
      }

      function option(select, value, text) {
        var o = document.createElement("option");
        o.value = value;
        o.textContent = text;
        select.appendChild(o);
      }

      function setOptions(select, items, current) {
        // items: [{value, text}]; keeps the selection when still offered.
        var same = select.options.length === items.length && items.every(function (it, i) {
          return select.options[i].value === it.value && select.options[i].textContent === it.text;
        });
        if (!same) {
          select.textContent = "";
          items.forEach(function (it) { option(select, it.value, it.text); });
        }
        if (current !== null && items.some(function (it) { return it.value === current; })) {
          select.value = current;
        } else if (items.length) {
          select.value = items[0].value;
        }
        return select.value;
      }

      // ---------------------------------------------------------------------------------------- URL hash

      function readHash() {
        var out = {};
        location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
          if (!kv) { return; }
          var i = kv.indexOf("=");
          if (i > 0) {
            try { out[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1)); } catch (e) { /* ignore */ }
          }
        });
        return out;
      }

      function writeHash() {
        var parts = [];
        var put = function (k, v) { parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(v)); };
        if (state.window) { put("window", state.window); }
        if (state.scheme) { put("scheme", state.scheme); }
        if (state.feature) { put("feature", state.feature); }
        Object.keys(state.dims).forEach(function (d) { if (state.dims[d] !== ALL) { put(d, state.dims[d]); } });
        var h = "#" + parts.join("&");
        if (location.hash !== h) { history.replaceState(null, "", h); }
      }

      // ---------------------------------------------------------------------------------------- meta, slider

      function windowMeta() {
        if (!state.meta) { return null; }
        var ws = state.meta.windows || [];
        for (var i = 0; i < ws.length; i++) { if (ws[i].name === state.window) { return ws[i]; } }
        return null;
      }

      function applyMeta(meta, hashPrefs) {
        state.meta = meta;
        ui.title.textContent = "areaflow live map" + (meta.name ? " — " + meta.name : "");
        document.title = (meta.name ? meta.name + " · " : "") + "areaflow live map";
        var prefs = hashPrefs || {};
        state.window = setOptions(ui.window, (meta.windows || []).map(function (w) {
          return { value: w.name, text: w.name + (w.every_s && w.every_s !== w.size_s ? " (every " + fmtDur(w.every_s) + ")" : "") };
        }), prefs.window || state.window);
        state.scheme = setOptions(ui.scheme, (meta.schemes || []).map(function (s) {
          return { value: s.name, text: s.name + (s.kind ? " (" + s.kind + ")" : "") };
        }), prefs.scheme || state.scheme);
        state.feature = setOptions(ui.feature, (meta.features || []).map(function (f) {
          return { value: f.name, text: f.name + (f.kind ? " (" + f.kind + ")" : "") };
        }), prefs.feature || state.feature);
        (meta.dimensions || []).forEach(function (d) {
          if (!(d in state.dims)) { state.dims[d] = prefs[d] !== undefined ? prefs[d] : ALL; }
          ensureDimSelect(d);
        });
        ui.watermark.textContent = meta.watermark ? fmtTime(meta.watermark, true) + " UTC" : "—";
        updatePositions();
      }

      function updatePositions() {
        var w = windowMeta();
        var prevSel = state.sel;
        var pos = [];
        if (w) {
          (w.final || []).forEach(function (x) { pos.push({ start: x.window_start, end: x.window_end, final: true }); });
          if (w.open) { pos.push({ start: w.open.window_start, end: w.open.window_end, final: false }); }
        }
        state.positions = pos;
        var finals = pos.filter(function (p) { return p.final; });
        var newestFinal = finals.length ? finals[finals.length - 1] : null;
        var sel = null;
        if (!prevSel || (state.follow && !prevSel.open) || state.autoOpen) {
          // The default and the followed position: the newest final window (the open one while there is none).
          sel = newestFinal ? { start: newestFinal.start } : (pos.length ? { open: true } : null);
        } else if (prevSel.open) {
          sel = w && w.open ? { open: true } : (newestFinal ? { start: newestFinal.start } : null);
        } else {
          var kept = finals.some(function (p) { return p.start === prevSel.start; });
          if (kept) {
            sel = prevSel;
          } else if (finals.length && prevSel.start < finals[0].start) {
            sel = { start: finals[0].start };   // evicted: the oldest retained
          } else if (newestFinal) {
            sel = { start: newestFinal.start };
          } else {
            sel = pos.length ? { open: true } : null;
          }
        }
        state.autoOpen = !!(sel && sel.open && !newestFinal && (!prevSel || state.follow || state.autoOpen));
        state.sel = sel;
        state.follow = !!(sel && !sel.open && newestFinal && sel.start === newestFinal.start);
        syncSlider();
      }

      function selIndex() {
        var s = state.sel;
        if (!s) { return -1; }
        for (var i = 0; i < state.positions.length; i++) {
          var p = state.positions[i];
          if (s.open ? !p.final : (p.final && p.start === s.start)) { return i; }
        }
        return -1;
      }

      function syncSlider() {
        var n = state.positions.length;
        ui.slider.max = String(Math.max(0, n - 1));
        ui.slider.disabled = n <= 1;
        var i = selIndex();
        ui.slider.value = String(Math.max(0, i));
        ui.slider.setAttribute("aria-valuetext", i >= 0 ? positionText(state.positions[i]) : "no window");
        ui.sliderOldest.textContent = n ? fmtTime(state.positions[0].start, false) : "";
        var last = n ? state.positions[n - 1] : null;
        ui.sliderNewest.textContent = last ? (last.final ? fmtTime(last.start, false) + " (newest final)" : "open (partial)") : "";
        labelSlider(i);
        var w = windowMeta();
        var fin = w && w.final && w.final.length ? w.final[w.final.length - 1] : null;
        ui.latest.textContent = fin ? (state.window + " " + fmtRange(fin.window_start, fin.window_end)) : "none yet";
      }

      function positionText(p) {
        return fmtRange(p.start, p.end) + (p.final ? "" : " — open, partial");
      }

      function labelSlider(i) {
        var p = i >= 0 ? state.positions[i] : null;
        ui.sliderLabel.textContent = p ? (i + 1) + "/" + state.positions.length + " · " + positionText(p) : "no window yet";
        ui.sliderLabel.className = p && !p.final ? "partial" : "";
      }

      // ---------------------------------------------------------------------------------------- data

      function load(retried) {
        var i = selIndex();
        if (i < 0 || !state.scheme) {
          state.data = null;
          state.areas = [];
          ["data-window", "data-scheme", "data-window-start", "data-window-end", "data-final"].forEach(function (a) {
            ui.map.removeAttribute(a);
          });
          render();
          ui.msg.textContent = state.meta ? "waiting for the first window…" : "loading…";
          return Promise.resolve();
        }
        var p = state.positions[i];
        var seq = ++state.loadSeq;
        var url = "v1/aggregates?window=" + encodeURIComponent(state.window) +
          "&scheme=" + encodeURIComponent(state.scheme) +
          "&at=" + encodeURIComponent(p.final ? p.start : "open") + "&format=geojson";
        return fetchJSON(url).then(function (fc) {
          if (seq !== state.loadSeq) { return; }
          showError("");
          state.data = fc;
          // What is shown, for scripts and tests: data-window, data-scheme, data-window-start, data-window-end, data-final.
          ui.map.setAttribute("data-window", String(fc.window || state.window));
          ui.map.setAttribute("data-scheme", state.scheme);
          ui.map.setAttribute("data-window-start", String(fc.window_start || ""));
          ui.map.setAttribute("data-window-end", String(fc.window_end || ""));
          ui.map.setAttribute("data-final", String(fc.final !== false));
          groupAreas();
          render();
        }, function (err) {
          if (seq !== state.loadSeq) { return; }
          if (err.status === 404 && !retried) {
            // The window left the retained set (or closed) since the meta was read: read the meta again, once.
            showError("");
            return refreshMeta(true, true);
          }
          state.data = null;
          state.areas = [];
          render();
          ui.msg.textContent = err.message;
          showError(err.message);
        });
      }

      function groupAreas() {
        var by = new Map();
        var feats = (state.data && state.data.features) || [];
        feats.forEach(function (f) {
          var props = f.properties || {};
          var id = props.area === undefined || props.area === null ? "" : String(props.area);
          var g = by.get(id);
          if (!g) { g = { id: id, geometry: f.geometry, rows: [] }; by.set(id, g); }
          if (!g.geometry && f.geometry) { g.geometry = f.geometry; }
          g.rows.push(props);
        });
        state.areas = Array.from(by.values());
        var dims = (state.meta && state.meta.dimensions) || [];
        dims.forEach(function (d) { ensureDimSelect(d); });
        if (dims.length === 0) { return; }
        // Offer every value seen in this window (plus the selected one).
        dims.forEach(function (d) {
          var seen = new Set();
          state.areas.forEach(function (a) { a.rows.forEach(function (r) { if (r[d] !== null && r[d] !== undefined) { seen.add(String(r[d])); } }); });
          if (state.dims[d] !== ALL) { seen.add(state.dims[d]); }
          var vals = Array.from(seen).sort(function (a, b) { return a.localeCompare(b, "en", { numeric: true }); });
          var items = [{ value: ALL, text: "(all)" }].concat(vals.map(function (v) { return { value: v, text: v }; }));
          state.dims[d] = setOptions(el("sel-dim-" + d), items, state.dims[d]);
        });
      }

      function ensureDimSelect(d) {
        if (el("sel-dim-" + d)) { return; }
        var label = document.createElement("label");
        label.htmlFor = "sel-dim-" + d;
        label.textContent = d;
        var s = document.createElement("select");
        s.id = "sel-dim-" + d;
        s.className = "dim-filter";
        s.setAttribute("data-dimension", d);
        option(s, ALL, "(all)");
        if (state.dims[d] && state.dims[d] !== ALL) { option(s, state.dims[d], state.dims[d]); s.value = state.dims[d]; }
        s.addEventListener("change", function () {
          state.dims[d] = s.value;
          writeHash();
          render();
        });
        ui.controls.appendChild(label);
        ui.controls.appendChild(s);
      }

      function rowsShown(area) {
        var dims = Object.keys(state.dims);
        return area.rows.filter(function (r) {
          return dims.every(function (d) { return state.dims[d] === ALL || String(r[d]) === state.dims[d]; });
        });
      }

      function areaValue(rows) {
        var best = null;
        rows.forEach(function (r) {
          var v = r[state.feature];
          if (isNum(v) && (best === null || v > best)) { best = v; }
        });
        return best;
      }

      // ---------------------------------------------------------------------------------------- drawing

      function eachRing(geom, fn) {
        if (!geom || !geom.coordinates) { return; }
        if (geom.type === "Polygon") {
          geom.coordinates.forEach(fn);
        } else if (geom.type === "MultiPolygon") {
          geom.coordinates.forEach(function (poly) { poly.forEach(fn); });
        }
      }

      function dataExtent(areas) {
        var e = [Infinity, Infinity, -Infinity, -Infinity];
        areas.forEach(function (a) {
          eachRing(a.geometry, function (ring) {
            ring.forEach(function (pt) {
              if (!isNum(pt[0]) || !isNum(pt[1])) { return; }
              if (pt[0] < e[0]) { e[0] = pt[0]; }
              if (pt[1] < e[1]) { e[1] = pt[1]; }
              if (pt[0] > e[2]) { e[2] = pt[0]; }
              if (pt[1] > e[3]) { e[3] = pt[1]; }
            });
          });
        });
        return isFinite(e[0]) ? e : null;
      }

      function projection() {
        // Equirectangular around the extent's centre, x scaled by cos(mean latitude); units are kilometres.
        var e = state.extent;
        var lon0 = (e[0] + e[2]) / 2, lat0 = (e[1] + e[3]) / 2;
        var k = Math.cos(lat0 * Math.PI / 180) * 111.32;
        return function (pt) {
          return [(pt[0] - lon0) * k, -(pt[1] - lat0) * 111.32];
        };
      }

      function pathData(geom, proj) {
        var d = [];
        eachRing(geom, function (ring) {
          var pts = [];
          ring.forEach(function (pt) {
            if (isNum(pt[0]) && isNum(pt[1])) {
              var p = proj(pt);
              pts.push(p[0].toFixed(4) + " " + p[1].toFixed(4));
            }
          });
          if (pts.length >= 3) { d.push("M" + pts.join("L") + "Z"); }
        });
        return d.join("");
      }

      function setViewBox(proj) {
        var e = state.extent;
        var a = proj([e[0], e[3]]), b = proj([e[2], e[1]]);
        var w = Math.max(b[0] - a[0], 1e-6), h = Math.max(b[1] - a[1], 1e-6);
        var pad = Math.max(w, h) * 0.04;
        ui.svg.setAttribute("viewBox", [a[0] - pad, a[1] - pad, w + 2 * pad, h + 2 * pad].map(function (v) { return v.toFixed(4); }).join(" "));
      }

      function render() {
        var areas = state.areas;
        var ext = dataExtent(areas);
        if (ext) {
          var e = state.extent;
          state.extent = e ? [Math.min(e[0], ext[0]), Math.min(e[1], ext[1]), Math.max(e[2], ext[2]), Math.max(e[3], ext[3])] : ext;
        }
        ui.areas.textContent = "";
        ui.ctx.textContent = "";
        ui.hl.textContent = "";
        var dims = (state.meta && state.meta.dimensions) || [];
        var filtered = dims.some(function (d) { return state.dims[d] !== ALL; });
        var shown = [], lo = Infinity, hi = -Infinity, nRows = 0;
        areas.forEach(function (a) {
          var rows = rowsShown(a);
          var v = rows.length ? areaValue(rows) : null;
          if (rows.length) {
            nRows += rows.length;
            if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
          }
          shown.push({ area: a, rows: rows, value: v });
        });
        var hasRange = isFinite(lo);
        updateLegend(hasRange ? lo : null, hasRange ? hi : null, filtered);
        if (!state.extent) {
          ui.count.textContent = "";
          if (state.data) { ui.msg.textContent = "no areas in this window"; }
          return;
        }
        var proj = projection();
        setViewBox(proj);
        var fragA = document.createDocumentFragment(), fragC = document.createDocumentFragment();
        var nAreas = 0;
        shown.forEach(function (s) {
          var d = pathData(s.area.geometry, proj);
          if (!d) { return; }
          var p = document.createElementNS(SVGNS, "path");
          p.setAttribute("d", d);
          p.setAttribute("fill-rule", "evenodd");
          p.setAttribute("vector-effect", "non-scaling-stroke");
          if (!s.rows.length) {
            p.setAttribute("class", "ctx");
            fragC.appendChild(p);
            return;
          }
          nAreas++;
          p.setAttribute("data-area", s.area.id);
          if (s.value === null) {
            p.setAttribute("class", "area null");
            p.setAttribute("fill", getNullColor());
          } else {
            p.setAttribute("class", "area");
            p.setAttribute("fill", rampColor(hi > lo ? (s.value - lo) / (hi - lo) : 0.5));
          }
          p.setAttribute("data-value", s.value === null ? "" : String(s.value));
          fragA.appendChild(p);
        });
        ui.ctx.appendChild(fragC);
        ui.areas.appendChild(fragA);
        ui.count.textContent = nAreas + " areas · " + nRows + " rows";
        if (!state.data) {
          ui.msg.textContent = "loading…";
        } else if (nAreas === 0) {
          ui.msg.textContent = filtered ? "no rows for this filter in this window" : "no areas in this window";
        } else {
          ui.msg.textContent = "";
        }
        if (state.hover !== null) { showReadout(state.hover, state.pointerIn); }
      }

      var nullColor = null;
      function getNullColor() {
        if (nullColor === null) {
          nullColor = getComputedStyle(document.documentElement).getPropertyValue("--null").trim() || "#c4c4c4";
        }
        return nullColor;
      }

      function updateLegend(lo, hi, filtered) {
        var f = state.meta && (state.meta.features || []).filter(function (x) { return x.name === state.feature; })[0];
        ui.legendTitle.textContent = state.feature ? state.feature + (f && f.kind ? " (" + f.kind + ")" : "") : "—";
        var stops = RAMP.map(function (c, i) { return c + " " + (100 * i / (RAMP.length - 1)).toFixed(1) + "%"; });
        ui.legendBar.style.background = "linear-gradient(to right, " + stops.join(", ") + ")";
        ui.legendMin.textContent = lo === null ? "—" : fmtNum(lo);
        ui.legendMax.textContent = hi === null ? "—" : fmtNum(hi);
        ui.legendMid.textContent = lo !== null && hi > lo ? fmtNum((lo + hi) / 2) : "";
        var dims = (state.meta && state.meta.dimensions) || [];
        var notes = [];
        var all = dims.filter(function (d) { return state.dims[d] === ALL; });
        if (all.length) { notes.push("areas with several rows: the maximum over " + all.join(", ")); }
        if (filtered) {
          notes.push("filter: " + dims.filter(function (d) { return state.dims[d] !== ALL; })
            .map(function (d) { return d + " = " + state.dims[d]; }).join(", "));
        }
        var i = selIndex();
        if (i >= 0 && !state.positions[i].final) { notes.push("open window: partial values"); }
        ui.legendNote.textContent = notes.join("; ");
      }

      // ---------------------------------------------------------------------------------------- readout

      function showReadout(id, highlight) {
        var area = null;
        for (var i = 0; i < state.areas.length; i++) { if (state.areas[i].id === id) { area = state.areas[i]; break; } }
        ui.hl.textContent = "";
        var box = ui.readout;
        box.textContent = "";
        if (!area) {
          var p0 = document.createElement("p");
          p0.className = "hint";
          p0.textContent = "Area " + id + " has no rows in this window.";
          box.appendChild(p0);
          return;
        }
        var src = ui.areas.querySelector('path[data-area="' + cssEscape(id) + '"]');
        if (src && highlight) {
          var h = document.createElementNS(SVGNS, "path");
          h.setAttribute("d", src.getAttribute("d"));
          h.setAttribute("class", "hl");
          h.setAttribute("fill-rule", "evenodd");
          h.setAttribute("vector-effect", "non-scaling-stroke");
          ui.hl.appendChild(h);
        }
        var rows = rowsShown(area);
        var dims = (state.meta && state.meta.dimensions) || [];
        var feats = ((state.meta && state.meta.features) || []).map(function (f) { return f.name; });
        var head = document.createElement("div");
        head.className = "area-id";
        head.id = "readout-area";
        head.textContent = id;
        box.appendChild(head);
        var sub = document.createElement("div");
        sub.className = "sub";
        var d = state.data || {};
        sub.textContent = state.scheme + " · " + (d.window || state.window) + " · " + fmtRange(d.window_start, d.window_end) +
          (d.final === false ? " (partial)" : "") + " · " + rows.length + (rows.length === 1 ? " row" : " rows");
        box.appendChild(sub);
        if (!rows.length) { return; }
        var wrap = document.createElement("div");
        wrap.className = "scroll";
        var table = document.createElement("table");
        var thead = document.createElement("thead");
        dims.forEach(function (dim) {
          var tr = document.createElement("tr");
          var th = document.createElement("th");
          th.textContent = dim;
          tr.appendChild(th);
          rows.forEach(function (r) {
            var c = document.createElement("th");
            c.textContent = r[dim] === null || r[dim] === undefined ? "—" : String(r[dim]);
            tr.appendChild(c);
          });
          thead.appendChild(tr);
        });
        if (!dims.length) {
          var tr0 = document.createElement("tr");
          ["feature", "value"].forEach(function (t) { var c = document.createElement("th"); c.textContent = t; tr0.appendChild(c); });
          thead.appendChild(tr0);
        }
        table.appendChild(thead);
        var tbody = document.createElement("tbody");
        feats.forEach(function (fname) {
          var tr = document.createElement("tr");
          if (fname === state.feature) { tr.className = "sel"; }
          var c0 = document.createElement("td");
          c0.textContent = fname;
          tr.appendChild(c0);
          rows.forEach(function (r) {
            var c = document.createElement("td");
            c.textContent = fmtNum(r[fname]);
            tr.appendChild(c);
          });
          tbody.appendChild(tr);
        });
        table.appendChild(tbody);
        wrap.appendChild(table);
        box.appendChild(wrap);
      }

      function clearReadout() {
        ui.hl.textContent = "";
        ui.readout.textContent = "";
        var p = document.createElement("p");
        p.className = "hint";
        p.textContent = "Hover an area to see its values.";
        ui.readout.appendChild(p);
      }

      function cssEscape(s) {
        return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, "\\$&");
      }

      ui.svg.addEventListener("mouseover", function (ev) {
        var t = ev.target;
        if (!t || !t.getAttribute) { return; }
        var id = t.getAttribute("data-area");
        if (id === null || id === state.hover) { return; }
        state.hover = id;
        showReadout(id, true);
      });
      ui.svg.addEventListener("mouseenter", function () { state.pointerIn = true; });
      ui.svg.addEventListener("mouseleave", function () { state.pointerIn = false; ui.hl.textContent = ""; });

      // ---------------------------------------------------------------------------------------- controls

      var sliderTimer = null;
      ui.slider.addEventListener("input", function () {
        var i = Number(ui.slider.value);
        var p = state.positions[i];
        if (!p) { return; }
        state.sel = p.final ? { start: p.start } : { open: true };
        state.autoOpen = false;
        var finals = state.positions.filter(function (x) { return x.final; });
        state.follow = p.final && finals.length > 0 && finals[finals.length - 1].start === p.start;
        labelSlider(i);
        ui.slider.setAttribute("aria-valuetext", positionText(p));
        clearTimeout(sliderTimer);
        sliderTimer = setTimeout(function () { load(); }, 120);
      });

      ui.window.addEventListener("change", function () {
        state.window = ui.window.value;
        state.sel = null;
        state.follow = true;
        writeHash();
        updatePositions();
        load();
      });
      ui.scheme.addEventListener("change", function () {
        state.scheme = ui.scheme.value;
        // Another scheme: other areas and another extent; nothing of the old one is drawn meanwhile.
        state.extent = null;
        state.hover = null;
        state.data = null;
        state.areas = [];
        clearReadout();
        render();
        writeHash();
        load();
      });
      ui.feature.addEventListener("change", function () {
        state.feature = ui.feature.value;
        writeHash();
        render();
      });

      // ---------------------------------------------------------------------------------------- live updates

      var metaInFlight = null;
      function refreshMeta(reload, retried) {
        if (metaInFlight) { return metaInFlight; }
        var before = JSON.stringify(state.sel), wasOpen = state.sel && state.sel.open;
        metaInFlight = fetchJSON("v1/meta").then(function (meta) {
          metaInFlight = null;
          applyMeta(meta, null);
          if (reload || JSON.stringify(state.sel) !== before || wasOpen || !state.data) { return load(retried); }
        }, function (err) {
          metaInFlight = null;
          showError("meta: " + err.message);
        });
        return metaInFlight;
      }

      var pendingTimer = null, pendingReload = false;
      function onWindowEvent(ev) {
        var d = null;
        try { d = JSON.parse(ev.data); } catch (e) { return; }
        if (!d || typeof d !== "object") { return; }
        if (d.window === state.window) { pendingReload = true; }
        // Every committed window moves the watermark; refresh the meta (debounced: a flush commits several).
        clearTimeout(pendingTimer);
        pendingTimer = setTimeout(function () {
          var reload = pendingReload;
          pendingReload = false;
          if (reload) {
            refreshMeta(false);
          } else {
            refreshMetaQuiet();
          }
        }, 250);
      }

      function refreshMetaQuiet() {
        // Status line only (another window name committed): keep the map as it is unless it is the open window.
        return fetchJSON("v1/meta").then(function (meta) {
          var wasOpen = state.sel && state.sel.open;
          var before = JSON.stringify(state.sel);
          applyMeta(meta, null);
          if (wasOpen || JSON.stringify(state.sel) !== before) { return load(); }
        }, function (err) { showError("meta: " + err.message); });
      }

      function setConnected(on) {
        state.connected = on;
        ui.conn.textContent = on ? "connected" : "disconnected";
        ui.connDot.className = "dot " + (on ? "on" : "off");
      }

      var source = null;
      function connect() {
        if (!window.EventSource) { setConnected(false); return; }
        source = new EventSource("v1/stream");
        source.addEventListener("open", function () {
          var was = state.connected;
          setConnected(true);
          if (!was && state.meta) { refreshMeta(false); }   // catch up on what was missed while away
        });
        source.addEventListener("error", function () {
          setConnected(false);
          if (source.readyState === EventSource.CLOSED) {
            source = null;
            setTimeout(connect, 5000);
          }
        });
        source.addEventListener("window", onWindowEvent);
      }

      // Watermark and open-window refresh while nothing commits (the open window's values grow).
      setInterval(function () {
        if (state.connected && !document.hidden) { refreshMetaQuiet(); }
      }, 15000);

      // ---------------------------------------------------------------------------------------- start

      function start() {
        var prefs = readHash();
        fetchJSON("v1/meta").then(function (meta) {
          Object.keys(prefs).forEach(function (k) {
            if ((meta.dimensions || []).indexOf(k) >= 0) { state.dims[k] = prefs[k]; }
          });
          applyMeta(meta, prefs);
          writeHash();
          connect();
          return load();
        }, function (err) {
          ui.msg.textContent = "cannot read v1/meta: " + err.message;
          showError(err.message);
          setTimeout(start, 3000);
        });
      }

      setConnected(false);
      ui.conn.textContent = "connecting";
      updateLegend(null, null, false);
      start();
    })();
    </script>
    </body>
    </html>
    """#
}
