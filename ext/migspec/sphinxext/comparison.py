"""``.. migspec:diff:: OLD NEW`` -- the review comparison (``migspec diff``) inside the docs.

Inputs: two spec arguments (paths relative to the directory of ``conf.py``,
or ``git:REV`` / ``git:REV:PATH`` read from the repository that directory is
in).  Outputs: for HTML builders, the same report page as ``migspec diff
--format html``, as its body fragment in a raw node; for every other builder
(text, LaTeX, man...), sections with the changes as bullet lists and the
drawings and C as literal blocks of unified diffs.  Both are in the doctree;
an ``only`` node keeps the sections out of HTML, and raw HTML is dropped by
the other writers, so one doctree serves every builder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from sphinx.addnodes import only
from sphinx.util.typing import OptionSpec

from ..comparison.compare import compare_specs
from ..comparison.report import comparison_report, render_comparison_html
from ..diagnostics import Diagnostic
from ..load.revision import read_spec_arg, spec_arg_file
from ..render.dot import render_svg
from .context import Where, logger, sphinx_location
from .directives import MigspecDirective

if TYPE_CHECKING:
    from ..comparison.report import Report
    from ..model import Spec


def _report_spec_diagnostic(d: Diagnostic, at: Where) -> None:
    where, text = sphinx_location(d, at)
    logger.warning(
        "%s [%s]",
        text,
        d.rule,
        type="migspec",
        subtype=d.rule,
        location=where,
    )


class ComparisonDirective(MigspecDirective):
    """``.. migspec:diff:: OLD NEW`` -- what changed between two versions of a spec."""

    required_arguments = 2
    has_content = False
    option_spec: ClassVar[OptionSpec] = {}

    def _load(self, arg: str, confdir: Path) -> Spec | None:
        dependency = spec_arg_file(arg, cwd=confdir)
        if dependency is not None:
            self.env.note_dependency(str(dependency))
        result = read_spec_arg(arg, cwd=confdir)
        if result.spec is None:
            for d in result.diagnostics:
                _report_spec_diagnostic(d, self.get_location())
            self.warn(f"migspec:diff: cannot read the spec '{arg}'", "diff-spec")
        return result.spec

    def run(self) -> list[nodes.Node]:
        confdir = Path(self.env.app.confdir)
        old_arg, new_arg = self.arguments
        old, new = self._load(old_arg, confdir), self._load(new_arg, confdir)
        if old is None or new is None:
            return []
        comparison = compare_specs(old, new)
        serial = self.env.new_serialno("migspec-diff")
        page_id = f"migspec-diff-{serial}"
        html = render_comparison_html(
            comparison, old, new, body_only=True, page_id=page_id, svg=render_svg
        )
        raw = nodes.raw("", html, format="html")
        fallback = only(expr="not format_html")
        fallback += self._sections(comparison_report(comparison), page_id)
        return [raw, fallback]

    def _sections(self, report: Report, page_id: str) -> nodes.section:
        signs = {"added": "+", "removed": "-", "changed": "~"}
        top = nodes.section(ids=[page_id], names=[page_id])
        top += nodes.title(text=f"Spec changes: {report.old} -> {report.new}")
        verdict = (
            "The specs are equivalent: nothing a reviewer reads differs."
            if report.equivalent
            else "The specs differ."
        )
        top += nodes.paragraph(text=verdict)
        for section in report.sections:
            part = nodes.section(ids=[f"{page_id}-{section.key}"])
            part += nodes.title(text=section.title)
            if section.note:
                part += nodes.paragraph(text=section.note)
            for block in section.blocks:
                if block.title:
                    part += nodes.rubric(text=block.title)
                if block.items:
                    bullets = nodes.bullet_list()
                    for item in block.items:
                        entry = nodes.list_item()
                        entry += nodes.paragraph(text=f"{signs[item.mark]} {item.text}")
                        if item.details:
                            inner = nodes.bullet_list()
                            for detail in item.details:
                                sub = nodes.list_item()
                                sub += nodes.paragraph(text=detail)
                                inner += sub
                            entry += inner
                        bullets += entry
                    part += bullets
                for d in block.diffs:
                    part += nodes.paragraph(text=d.title)
                    block_node = nodes.literal_block(d.unified, d.unified)
                    block_node["language"] = "diff"
                    part += block_node
            top += part
        return top
