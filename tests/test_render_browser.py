"""The generated index.html in a real headless Chromium.

Opens the page from a file:// URL with every <details> opened, takes a
full-page screenshot, checks that every inline SVG is drawn with a non-zero
size, and that the page asked for nothing but itself (no network, no
subresource at all) and logged no error (a CSP violation would be one).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from migspec.generate import generate

from .render_support import bundled

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed"),
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed"),
]


def test_index_renders_in_chromium_without_network(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    out = tmp_path / "site"
    generate(bundled(), out)
    index = out / "index.html"
    url = index.resolve().as_uri()
    requests: list[str] = []
    errors: list[str] = []
    shot = Path(os.environ.get("MIGSPEC_SCREENSHOT", str(tmp_path / "index.png")))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url, wait_until="load")
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            sizes = page.evaluate(
                "Array.from(document.querySelectorAll('svg')).map(s => {"
                " const r = s.getBoundingClientRect(); return [r.width, r.height]; })"
            )
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert len(sizes) == 1 + 4 + 2 * 4
    assert all(w > 50 and h > 50 for w, h in sizes), sizes
    assert requests == [url]
    assert errors == []
    assert shot.stat().st_size > 10_000
