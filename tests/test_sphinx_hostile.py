"""The Sphinx extension on hostile input: a real build, every directive.

The spec is full of markup, HTML, control and bidi characters, and names
files outside the source root; the tree holds a symlink leading out.  The
build must finish (warnings, no exception), show the spec's text as text in
the HTML, read nothing outside the roots, and say where the paths are wrong.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .source_trees import BASE
from .test_render_escape import CONTROL, RAW_CONTROLS, control_doc, hostile_doc

pytestmark = pytest.mark.slow

SECRET = "secret-outside-the-root"

INDEX = """\
Hostile
=======

.. migspec:states::

.. migspec:trace-events::

.. migspec:flow:: {flow}

.. migspec:flow:: {flow}
   :format: graphviz
   :caption: the flow

.. migspec:fsm::
   :show-refused:

.. migspec:transitions::
"""


def project(tmp_path: Path, doc: dict[str, Any]) -> Path:
    (tmp_path / "secret.rst").write_text(f"Secret\n======\n\n::\n\n   {SECRET}\n")
    src = tmp_path / "src"
    src.mkdir()
    tree = src / "tree"
    shutil.copytree(BASE, tree, ignore=shutil.ignore_patterns("expected.txt"))
    (tree / "hw/vfio/leak.c").symlink_to(tmp_path / "secret.rst")
    # Paths leading out of the tree: '..', absolute, and a symlink.
    flow = doc["flows"][0]
    flow["docs"] = {"file": "../../secret.rst", "section": "Secret"}
    doc["trace"][0]["file"] = str(tmp_path / "secret.rst")
    doc["code"]["to_string"]["file"] = "hw/vfio/leak.c"
    # The hostile text breaks rules lint gates on (formats that are not
    # formats, a flow step the machine lacks); this test is about what the
    # directives make of the text, so the spec turns those rules off.
    # (A blank step text line is flow-step-text-drawing: it does not read back.)
    doc["lint"] = {
        "disable": [
            "fsm-flow-step",
            "trace-format-invalid",
            "trace-format-arg-count",
            "flow-step-text-drawing",
        ]
    }
    (src / "spec.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    (src / "conf.py").write_text(
        'extensions = ["migspec.sphinxext"]\n'
        'migspec_spec = "spec.yaml"\n'
        'migspec_source_root = "tree"\n'
        'migspec_check = "warning"\n'
        'exclude_patterns = ["tree"]\n'
    )
    (src / "index.rst").write_text(INDEX.format(flow=flow["name"]))
    return src


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (hostile_doc, "&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
        (control_doc, "red"),
    ],
    ids=["markup", "controls"],
)
def test_build_finishes_escapes_and_reads_nothing_outside(
    tmp_path: Path, make: Callable[[], dict[str, Any]], needle: str
) -> None:
    src = project(tmp_path, make())
    out = tmp_path / "html"
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr and "Exception occurred" not in run.stderr
    page = (out / "index.html").read_text("utf-8")
    # The spec's text is there, as text.
    assert needle in page
    assert "<script>alert(1)" not in page and "<b>bold</b>" not in page
    assert not RAW_CONTROLS.search(page)
    assert CONTROL not in page
    # Three refusals, each located, and nothing from outside anywhere.
    refused = [line for line in run.stderr.splitlines() if "check-path-outside-root" in line]
    assert len(refused) == 3, run.stderr
    assert any("spec.yaml:" in line for line in refused)
    assert any("leak.c" in line for line in refused)
    assert SECRET not in run.stderr
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".txt", ".js", ".svg"):
            assert SECRET not in path.read_text("utf-8", "replace"), path
