"""Open an HTML file in Debian's headless Chromium with the network cut, and report what drew.

Used by the ``browser`` tests and the maps benchmark. Only ``file:`` (and inline ``data:``/
``about:``) requests are allowed; everything else is aborted, so a page that still needs a
CDN fails to draw. A missing ``/usr/bin/chromium`` is an error, never a skip: CI installs
Debian's ``chromium`` package (never a downloaded browser build).

Screenshots the tests save for people to look at go to :func:`screenshot_dir`
(``$PLANNER_SCREENSHOTS``, else ``tests/_screenshots/``, git-ignored).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: Tile servers: their blocked requests are expected offline, any other failure is not.
TILE_HOSTS = ("tile.openstreetmap.org", "basemaps.cartocdn.com")

#: Counted in every frame that has Leaflet (the report embeds the map in an iframe).
_COUNT_JS = """() => {
  const q = (s) => document.querySelectorAll(s).length;
  return {
    leaflet: typeof window.L === "object" && window.L !== null,
    overlay_paths: q(".leaflet-overlay-pane path"),
    markers: q(".leaflet-marker-pane .leaflet-marker-icon"),
    maps: q(".leaflet-container"),
    attribution: Array.from(document.querySelectorAll(".leaflet-control-attribution"))
                   .map((e) => e.innerText).join(" | "),
    layer_control: q(".leaflet-control-layers"),
  };
}"""


@dataclass
class PageReport:
    """What the page drew and said, frame by frame (main page first)."""

    frames: list[dict] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    load_s: float = float("nan")
    first_draw_s: float = float("nan")
    started: float = float("nan")  # perf_counter() when the page was asked for

    @property
    def maps(self) -> list[dict]:
        """The frames where Leaflet drew a map."""
        return [f for f in self.frames if f["leaflet"] and f["maps"]]

    def unexpected_errors(self) -> list[str]:
        """Console and page errors other than the blocked background tiles."""
        return self.page_errors + self.console_errors


def screenshot_dir() -> Path:
    """The folder for screenshots people look at (created on demand)."""
    folder = Path(os.environ.get("PLANNER_SCREENSHOTS") or Path(__file__).parent / "_screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def require_chromium() -> Path:
    """Return the Chromium path or fail with the fix (tests must not skip silently)."""
    if not CHROMIUM.exists():
        raise AssertionError(
            f"{CHROMIUM} not found: browser tests need Debian's chromium package "
            "(apt-get install -y chromium); .ci/run installs it"
        )
    return CHROMIUM


def open_offline(
    page_path: Path,
    *,
    screenshot: Path | Path | None = None,
    extra_screenshot: Path | None = None,
    wait_js: str = "() => document.querySelectorAll('.leaflet-overlay-pane path').length > 0",
    fulfil: Callable[[str], bytes | None] | None = None,
    viewport: tuple[int, int] = (1280, 860),
    timeout_ms: int = 30_000,
) -> PageReport:
    """Open ``page_path`` with no network, wait for the first shapes, and report.

    Parameters
    ----------
    page_path
        The HTML file.
    screenshot, extra_screenshot
        Where to save a PNG of the page once drawn.
    wait_js
        A JS predicate (in the main frame or any child frame) that says the map drew.
    fulfil
        For benchmarks only: returns the body for a blocked URL (e.g. a local copy of a
        CDN file), or ``None`` to keep it blocked.
    """
    with offline_page(page_path, viewport=viewport, timeout_ms=timeout_ms, fulfil=fulfil) as (
        page,
        report,
    ):
        deadline = time.perf_counter() + timeout_ms / 1000
        while time.perf_counter() < deadline:
            if any(_safe_eval(f, wait_js) for f in page.frames):
                report.first_draw_s = time.perf_counter() - report.started
                break
            page.wait_for_timeout(20)
        page.wait_for_timeout(300)  # let late errors and tile failures arrive
        report.frames = [
            r for r in (_safe_eval(f, _COUNT_JS) for f in page.frames) if r is not None
        ]
        for path in (screenshot, extra_screenshot):
            if path is not None:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(path), full_page=False)
    return report


def _safe_eval(frame, js: str):
    try:
        return frame.evaluate(js)
    except Exception:  # a frame that navigated away or is not ready yet
        return None


@contextlib.contextmanager
def offline_page(
    page_path: Path,
    *,
    viewport: tuple[int, int] = (1280, 860),
    timeout_ms: int = 30_000,
    fulfil: Callable[[str], bytes | None] | None = None,
    on_dialog: Callable[[object], None] | None = None,
) -> Iterator[tuple[object, PageReport]]:
    """Yield a Playwright page showing ``page_path`` with the network cut, and its report.

    Every request other than ``file:``/``data:``/``about:``/``blob:`` is aborted (and listed in
    ``report.blocked``); page errors and console errors (other than the blocked tiles) are
    collected, as are JavaScript dialogs (``alert`` and friends: a sign of injected script),
    unless ``on_dialog`` handles them (a test that expects a question, e.g. ``confirm``).
    ``fulfil`` (benchmarks only) returns the body for a blocked URL, or ``None`` to block it.
    """
    from playwright.sync_api import sync_playwright

    chromium = require_chromium()
    report = PageReport()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})

            def _route(route) -> None:
                url = route.request.url
                if url.startswith(("file:", "data:", "about:", "blob:")):
                    route.continue_()
                    return
                body = fulfil(url) if fulfil else None
                if body is not None:
                    route.fulfill(status=200, body=body)
                    return
                report.blocked.append(url)
                route.abort()

            def _console(msg) -> None:
                if msg.type != "error":
                    return
                where = (msg.location or {}).get("url", "")
                if msg.text.startswith("Failed to load resource") and any(
                    h in where for h in TILE_HOSTS
                ):
                    return  # background tiles are expected to fail offline
                report.console_errors.append(f"{msg.text} ({where})")

            def _dialog(dialog) -> None:
                report.page_errors.append(f"dialog opened: {dialog.message}")
                dialog.dismiss()

            page.route("**/*", _route)
            page.on("console", _console)
            page.on("pageerror", lambda exc: report.page_errors.append(str(exc)))
            page.on("dialog", on_dialog or _dialog)
            report.started = time.perf_counter()
            page.goto(Path(page_path).resolve().as_uri(), wait_until="load", timeout=timeout_ms)
            report.load_s = time.perf_counter() - report.started
            yield page, report
        finally:
            browser.close()


#: Opens every tooltip and popup of every Leaflet layer of the frame, through Leaflet's own
#: mouseover and click handlers, and returns their text (and how many shapes it touched).
_EXERCISE_JS = """() => {
  if (typeof window.L !== "object") { return null; }
  // Show every overlay of the layer control first (the comparison starts hidden).
  for (const key of Object.keys(window).filter((k) => /^layer_control_.*_layers$/.test(k))) {
    for (const layer of Object.values(window[key].overlays || {})) {
      for (const map of Object.values(window).filter((v) => v instanceof L.Map)) {
        if (!map.hasLayer(layer)) { map.addLayer(layer); }
      }
    }
  }
  const maps = Object.values(window).filter((v) => v instanceof L.Map);
  const out = {shapes: 0, tooltips: [], popups: [], layer_names: []};
  for (const map of maps) {
    const shapes = [];
    map.eachLayer((layer) => { if (layer.feature) { shapes.push(layer); } });
    for (const layer of shapes) {
      out.shapes += 1;
      const groups = Object.values(layer._eventParents || {});
      const at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
      // Propagated like a real mouse event, so the GeoJSON group's handlers run.
      layer.fire("mouseover", {latlng: at, originalEvent: new MouseEvent("mouseover")}, true);
      for (const g of groups) {
        if (g.getTooltip && g.getTooltip() && g.isTooltipOpen()) {
          out.tooltips.push(g.getTooltip().getElement().textContent);
        }
      }
      layer.fire("mouseout", {latlng: at, originalEvent: new MouseEvent("mouseout")}, true);
      layer.fire("click", {latlng: at, originalEvent: new MouseEvent("click")}, true);
      for (const g of groups) {
        if (g.getPopup && g.getPopup() && g.isPopupOpen()) {
          out.popups.push(g.getPopup().getElement().textContent);
        }
      }
      map.closePopup();
    }
    for (const el of map.getContainer().querySelectorAll(".leaflet-control-layers label span")) {
      out.layer_names.push(el.textContent.trim());
    }
  }
  return out;
}"""


def exercise_shapes(page) -> dict:
    """Hover and click every shape of every map in ``page`` and its frames; return the texts.

    Returns ``{"shapes", "tooltips", "popups", "layer_names", "pwned"}`` summed over frames;
    ``pwned`` lists the frames where ``window.__pwned`` got set (injected script ran).
    """
    total = {"shapes": 0, "tooltips": [], "popups": [], "layer_names": [], "pwned": []}
    for frame in page.frames:
        result = _safe_eval(frame, _EXERCISE_JS)
        if result:
            total["shapes"] += result["shapes"]
            for key in ("tooltips", "popups", "layer_names"):
                total[key] += result[key]
        if _safe_eval(frame, "() => window.__pwned !== undefined"):
            total["pwned"].append(frame.url[:80])
    return total


def real_mouse_on_markers(page, *, limit: int = 8) -> int:
    """Hover and click the first ``limit`` markers and circles with the real mouse."""
    done = 0
    for frame in page.frames:
        for element in frame.query_selector_all(
            ".leaflet-marker-icon.planner-hospital, path.leaflet-interactive"
        )[:limit]:
            box = element.bounding_box()
            if not box or box["width"] == 0:
                continue
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.click(x, y)
            done += 1
    return done


def pdf_page_count(pdf: bytes) -> int:
    """Number of pages of a PDF printed by Chromium."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
