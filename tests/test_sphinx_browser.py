"""The project's own VFIO page (docs/vfio.rst, rendered by migspec's directives)
in a real headless Chromium: every diagram is drawn with a non-zero size."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

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


def test_vfio_page_diagrams_are_visible(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    out = tmp_path / "html"
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(ROOT / "docs"), str(out)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    page_file = out / "vfio.html"
    shot = Path(os.environ.get("MIGSPEC_SCREENSHOT", str(tmp_path / "vfio.png")))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(page_file.resolve().as_uri(), wait_until="load")
            # sphinx.ext.graphviz embeds SVG diagrams as <object> (or <img>).
            sizes = page.evaluate(
                "Array.from(document.querySelectorAll('object[type=\"image/svg+xml\"], img'))"
                ".filter(e => (e.data || e.src || '').includes('graphviz'))"
                ".map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
            )
            literal = page.evaluate(
                "Array.from(document.querySelectorAll('pre')).filter(p => p.textContent.includes('(RUNNING, _NONE, _RUNNING)')).length"
            )
            # A full-page capture leaves <object> diagrams below the first
            # screen unpainted: make the viewport as tall as the page instead.
            height = page.evaluate("document.documentElement.scrollHeight")
            page.set_viewport_size({"width": 1280, "height": min(int(height), 16000)})
            page.wait_for_timeout(500)
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    # The page draws the machine, a highlighted path and both flows as diagrams.
    assert len(sizes) == 4
    assert all(w > 100 and h > 100 for w, h in sizes), sizes
    # Both flows for all four device kinds, plus the bracketed drawing, as ASCII.
    assert literal >= 8
    assert shot.stat().st_size > 50_000
