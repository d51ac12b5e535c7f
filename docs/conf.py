"""Sphinx configuration for the migspec documentation.

Sphinx with migspec's own extension (the VFIO page is rendered by its
directives) and one local extension, ``_ext/rulesdoc.py``, which generates
the rules page from migspec's own rule catalog.  Build with
``sphinx-build -W -b html docs docs/_build/html``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Document the migspec of this checkout, not whichever one is installed.
sys.path.insert(0, str(HERE.parent / "ext"))
sys.path.insert(0, str(HERE / "_ext"))

import migspec  # noqa: E402

project = "migspec"
author = "migspec developers"
copyright = "migspec developers"
version = release = migspec.__version__

extensions = ["rulesdoc", "migspec.sphinxext"]

# migspec's own extension renders the VFIO page (vfio.rst) from the bundled
# spec; diagrams as SVG so they stay sharp.
graphviz_output_format = "svg"

root_doc = "index"
exclude_patterns = ["_build"]
highlight_language = "yaml"
nitpicky = True
# Rule summaries quote syntax ('%s', 'name(type arg, ...) "format"'); typographic
# quotes and ellipses would make it wrong to copy.
smartquotes = False

html_theme = "alabaster"
html_title = f"migspec {release}"
# QEMU's flow drawings are 80 columns wide: give the body room for them.
html_theme_options = {
    "description": "One YAML spec for a device state machine",
    "page_width": "1180px",
}
