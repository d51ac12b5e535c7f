"""The ``migspec diff --format html`` page in a real headless Chromium.

The page comes from the real command line.  Checked in the browser: the
changed arcs are drawn in the added / removed / changed colours (the inline
SVG's computed stroke colours), changed next-step cells are highlighted and
say old and new path, both sides of a changed flow are drawn, and the page
asked for nothing but itself and logged no error (a CSP violation would).
``MIGSPEC_SCREENSHOT=path.png`` keeps the seed page's screenshot (the docs'
``images/diff-seed.png`` is made that way).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .render_support import run_cli
from .review_support import SEED_NEW, SEED_OLD, arcs_edited, write

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

GREEN, RED, ORANGE = "rgb(44, 160, 44)", "rgb(214, 39, 40)", "rgb(255, 127, 14)"

EDGES = """
Array.from(document.querySelectorAll('#migspec-diff-fsm svg g.edge')).map(g => {
  const a = g.querySelector('a');
  const path = g.querySelector('path');
  const style = getComputedStyle(path);
  return [a ? a.getAttribute('xlink:title') : '', style.stroke, style.strokeDasharray];
})
"""


class Page:
    """One loaded page plus everything it asked for and complained about."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.url = url
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.goto(url, wait_until="load")


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_report(browser: Any, tmp_path: Path, old: str, new: str) -> Page:
    out = tmp_path / "diff.html"
    result = run_cli("diff", old, new, "--format", "html", "-o", str(out))
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    return Page(browser.new_page(viewport={"width": 1400, "height": 1000}), out.as_uri())


def test_changed_arcs_are_drawn_in_their_colours(browser: Any, tmp_path: Path) -> None:
    edited = write(tmp_path, "arcs.yaml", arcs_edited())
    view = open_report(browser, tmp_path, SEED_NEW, str(edited))
    edges = {
        title.split(":")[0]: (stroke, dash) for title, stroke, dash in view.page.evaluate(EDGES)
    }
    assert edges["RESUMING -> RUNNING"][0] == GREEN
    # Removed: drawn from the old spec, red and dashed.
    assert edges["RUNNING -> STOP"][0] == RED
    assert edges["RUNNING -> STOP"][1] not in ("", "none")
    assert edges["STOP -> RUNNING"][0] == ORANGE
    # Arcs that did not change keep their usual colours.
    assert edges["STOP -> RESUMING"][0] not in (GREEN, RED, ORANGE)
    assert edges["RUNNING_P2P -> STOP"][0] not in (GREEN, RED, ORANGE)

    cells = view.page.evaluate(
        "Array.from(document.querySelectorAll('td.md-diff')).map(td => td.title)"
    )
    assert (
        "RESUMING -> RUNNING: was RESUMING -> STOP -> RUNNING_P2P -> RUNNING, "
        "now RESUMING -> RUNNING"
    ) in cells
    assert view.requests == [view.url]
    assert view.errors == []


def test_seed_flows_side_by_side_without_network(browser: Any, tmp_path: Path) -> None:
    view = open_report(browser, tmp_path, SEED_OLD, SEED_NEW)
    page = view.page
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    sides = page.evaluate(
        "Array.from(document.querySelectorAll('.md-sides')).map(s => Array.from("
        "s.querySelectorAll('.md-side')).map(d => {"
        " const svg = d.querySelector('svg'); const r = svg.getBoundingClientRect();"
        " return [d.classList.contains('md-old') ? 'old' : 'new',"
        " d.querySelectorAll('pre .md-chg').length, r.width, r.height]; }))"
    )
    # Both flows, four device kinds each; an old and a new side, each with
    # changed lines and a drawing.
    assert len(sides) == 8
    for pair in sides:
        assert [side[0] for side in pair] == ["old", "new"]
        assert all(side[1] > 0 and side[2] > 100 and side[3] > 100 for side in pair), pair
    # No arc changed: nothing in the machine drawing carries a mark colour.
    strokes = {stroke for _title, stroke, _dash in page.evaluate(EDGES)}
    assert strokes and not strokes & {GREEN, RED, ORANGE}
    assert view.requests == [view.url]
    assert view.errors == []
    shot = os.environ.get("MIGSPEC_SCREENSHOT")
    if shot:
        # As a reader first sees it: only the docs' own device kind open.
        page.reload(wait_until="load")
        page.set_viewport_size({"width": 1400, "height": 2000})
        page.screenshot(path=shot)
