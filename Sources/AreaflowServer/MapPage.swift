/// The live map served at `GET /` (SPEC section 6): one self-contained page — inline CSS and JavaScript, no
/// external scripts, tiles, fonts or images — that draws each area's polygon from
/// `/v1/aggregates?format=geojson`, coloured by a chosen feature on a viridis scale with a legend, with
/// window, area-scheme, feature and dimension selectors, a slider over the retained windows (the open one,
/// partial, at the right end), a hover readout of every row of an area, and live updates from `/v1/stream`.
/// It reads `/v1/meta` for the names it offers. Tested in headless Chromium by `tests/e2e/test_map.py`.
///
/// The page is a file of its own, `Resources/map.html`, so it is edited, diffed and checked (its script is compiled
/// by the browser in `tests/e2e/test_map.py`) as the HTML and JavaScript it is. SwiftPM embeds the file in this
/// module at build time (`.embedInCode` in Package.swift) instead of copying it into a resource bundle looked up
/// through `Bundle.module` at run time: such a bundle (`areaflow_AreaflowServer.resources`) has to travel next to
/// the executable, and a binary copied anywhere without it would stop at the first `GET /`. Embedded, the binary
/// serves the page wherever it runs, as it did when the page was a string literal.
enum MapPage {
  /// The page's UTF-8 bytes.
  static let html: [UInt8] = PackageResources.map_html
}
