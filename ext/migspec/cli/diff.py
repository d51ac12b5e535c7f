"""``migspec diff OLD NEW``: what changed between two versions of a spec.

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
    from ..report import format_human
    from ..review import diff_specs, load_pair

    old, new, diagnostics = load_pair(args.old, args.new)
    sys.stderr.write(format_human(diagnostics))
    if old is None or new is None:
        sys.stderr.write("migspec diff: cannot compare: a spec could not be read\n")
        return EXIT_USAGE
    diff = diff_specs(old, new)
    if args.format == "json":
        from ..render.diff import render_diff_json

        text = render_diff_json(diff)
    elif args.format == "html":
        from ..render.diff import html_page, render_html_page
        from ..render.dot import render_svg

        page = html_page(diff, old, new, svg=render_svg)
        for note in page.notes:
            sys.stderr.write(f"migspec diff: warning: {note}\n")
        text = render_html_page(page)
    else:
        from ..render.diff import kind_labels, render_diff_text

        text = render_diff_text(diff, kind_labels(old, new))
    if args.output:
        from ..writes import WriteError, write_atomic

        try:
            write_atomic(Path(args.output), text.encode("utf-8"))
        except WriteError as err:
            sys.stderr.write(format_human([err.diagnostic]))
            return EXIT_USAGE
    else:
        sys.stdout.write(text)
    return EXIT_OK if diff.equivalent else EXIT_FINDINGS
