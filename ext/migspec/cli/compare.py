"""``migspec diff OLD NEW``: the review comparison of two versions of a spec.

``OLD`` and ``NEW`` are spec files, ``git:REV`` (the spec at
``spec/vfio-migration.yaml`` in that revision) or ``git:REV:PATH``, read with
``git show`` (nothing is checked out).  The report (``--format text``, ``json``
or ``html``) goes to stdout or ``-o FILE``.  Exit codes: 0 the specs are
equivalent, 1 they differ, 2 a spec could not be read or is invalid, git
failed, or the output could not be written (the reasons go to stderr as
located diagnostics).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..comparison.compare import compare_specs
from ..comparison.report import (
    html_page,
    render_comparison_json,
    render_comparison_text,
    render_html_page,
)
from ..load.revision import read_spec_arg
from ..render.dot import render_svg
from ..report import format_human
from ..writes import WriteError, write_atomic
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

FORMATS = ("text", "json", "html")


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.add_argument("old", metavar="OLD", help="the old spec: PATH, git:REV or git:REV:PATH")
    p.add_argument("new", metavar="NEW", help="the new spec: PATH, git:REV or git:REV:PATH")
    p.add_argument(
        "--format", choices=FORMATS, default="text", help="report format (default: text)"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write the report here, not to stdout")


def run(args: argparse.Namespace) -> int:
    first, second = read_spec_arg(args.old), read_spec_arg(args.new)
    sys.stderr.write(format_human([*first.diagnostics, *second.diagnostics]))
    old, new = first.spec, second.spec
    if old is None or new is None:
        sys.stderr.write("migspec diff: cannot compare: a spec could not be read\n")
        return EXIT_USAGE
    comparison = compare_specs(old, new)
    if args.format == "json":
        text = render_comparison_json(comparison)
    elif args.format == "html":
        page = html_page(comparison, old, new, svg=render_svg)
        for note in page.notes:
            sys.stderr.write(f"migspec diff: warning: {note}\n")
        text = render_html_page(page)
    else:
        text = render_comparison_text(comparison)
    if args.output:
        try:
            write_atomic(Path(args.output), text.encode("utf-8"))
        except WriteError as err:
            sys.stderr.write(format_human([err.diagnostic]))
            return EXIT_USAGE
    else:
        sys.stdout.write(text)
    return EXIT_OK if comparison.equivalent else EXIT_FINDINGS
