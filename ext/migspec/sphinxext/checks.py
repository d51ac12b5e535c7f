"""Doc CI: the source-tree check and the hand-drawn flow check, as Sphinx warnings.

Inputs: the Sphinx environment (``migspec_source_root``,
``migspec_kernel_root``, the spec) and the ``migspec:check-flow`` markers in
the documents.  Outputs: warnings located in the file that is wrong (C,
trace-events, rst or spec line; with a kernel tree, its uAPI header, its
tables and its variant drivers).

The tree check runs before documents are read, and only when one of its
inputs changed since the last build (the spec, or a file it read then: their
size and mtime are kept in the environment), so a no-op rebuild reads
nothing again.  A hand-drawn block is compared when its document is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.typing import OptionSpec

from ..check.context import Context, Tree
from ..check.docs import compare_flow
from ..diagnostics import Location
from ..expect.flows import expected_reading
from ..model import FlowStyle
from ..pipeline import check
from ..source.rst import DocFlow, parse_block
from . import context
from .directives import MigspecDirective


class check_flow_marker(nodes.General, nodes.Element):
    """Where a ``migspec:check-flow`` directive stood; removed after the check."""


class CheckFlowDirective(MigspecDirective):
    """``.. migspec:check-flow:: NAME`` before a hand-drawn literal block: compare it with the spec."""

    required_arguments = 1
    has_content = False
    option_spec: ClassVar[OptionSpec] = {
        "features": directives.unchanged,
        "style": lambda arg: directives.choice(arg, ("projected", "bracketed")),
    }

    def run(self) -> list[nodes.Node]:
        spec = self.spec()
        if spec is None:
            return []
        if self.arguments[0] not in spec.flow_map:
            known = ", ".join(spec.flow_map) or "none"
            return self.warn(f"unknown flow '{self.arguments[0]}' (flows: {known})", "flow-unknown")
        marker = check_flow_marker()
        marker["flow"] = self.arguments[0]
        marker["features"] = self.options.get("features")
        marker["style"] = self.options.get("style")
        marker["lineno"] = self.lineno
        self.set_source_info(marker)
        return [marker]


def _following_block(marker: check_flow_marker) -> nodes.literal_block | None:
    parent = marker.parent
    if parent is None:
        return None
    index = parent.index(marker)
    for sibling in parent.children[index + 1 :]:
        if isinstance(sibling, (nodes.comment, nodes.system_message, nodes.target)):
            continue
        if isinstance(sibling, nodes.literal_block):
            return sibling
        # "Text::" paragraphs put the block after the paragraph.
        if isinstance(sibling, nodes.paragraph):
            continue
        return None
    return None


def _first_line(source: list[str], block_text: str, hint: int) -> int:
    """The 1-based file line where the block's first line is (docutils' line is a hint)."""
    first = next((line.strip() for line in block_text.splitlines() if line.strip()), "")
    for lineno in range(max(1, hint - 3), min(len(source), hint + 50) + 1):
        if source[lineno - 1].strip() == first:
            return lineno
    return hint


def check_flows_in(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: compare each hand-drawn block a marker points at."""
    env = app.env
    markers = list(doctree.findall(check_flow_marker))
    if not markers:
        return
    spec = context.load(env).spec
    if spec is None:
        return

    path = Path(env.doc2path(env.docname))
    shown = context.display_path(path)
    source = path.read_text(encoding="utf-8").splitlines()
    for marker in markers:
        flow = spec.flow_map[marker["flow"]]
        where = (env.docname, marker["lineno"])
        block = _following_block(marker)
        marker.parent.remove(marker)
        if block is None:
            context.logger.warning(
                "migspec:check-flow %s: no literal block follows",
                flow.name,
                type="migspec",
                subtype="check-flow-no-block",
                location=where,
            )
            continue
        features = None
        if marker["features"]:
            try:
                features = spec.parse_device_kind(marker["features"]).features
            except ValueError as exc:
                context.logger.warning(
                    "%s", exc, type="migspec", subtype="features-unknown", location=where
                )
                continue
        style = FlowStyle(marker["style"]) if marker["style"] else None
        text = block.astext()
        first = _first_line(source, text, block.line or marker["lineno"])
        lines = text.splitlines()
        steps = parse_block(lines, first, shown, spec.notation.connector)
        start = steps[0].location if steps else Location(shown, first, 1)
        drawn = DocFlow(
            section=flow.title,
            steps=steps,
            location=start,
            title_location=start,
            end_line=first + len(lines) - 1,
        )
        ctx = Context(spec=spec, tree=Tree.at(Path(env.srcdir)))
        expected = expected_reading(spec, flow, features=features, style=style)
        compare_flow(ctx, flow, expected, drawn)
        context.report_all(env, ctx.diagnostics)


# -- the source-tree check --------------------------------------------------

_STAMPS = "migspec_check_stamps"


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def check_tree_before_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: run ``migspec check`` when one of its inputs changed."""
    settings = context.settings(env)
    roots = {
        "migspec_source_root": settings.source_root,
        "migspec_kernel_root": settings.kernel_root,
    }
    if all(root is None for root in roots.values()) or settings.threshold is None:
        return
    previous: dict[str, tuple[int, int] | None] | None = getattr(env, _STAMPS, None)
    inputs = [settings.spec_path]
    if previous is not None and all(_stamp(Path(p)) == s for p, s in previous.items()):
        return
    prepared = context.load(env)
    if prepared.spec is None:
        context.report_stopped(prepared)
        setattr(env, _STAMPS, {str(settings.spec_path): _stamp(settings.spec_path)})
        return
    for name, root in roots.items():
        if root is not None and not root.is_dir():
            context.logger.warning(
                "%s %s is not a directory",
                name,
                root,
                type="migspec",
                subtype=name.removeprefix("migspec_").replace("_", "-"),
            )
            return

    checked = check(
        prepared,
        context.display_path(settings.source_root) if settings.source_root else None,
        context.display_path(settings.kernel_root) if settings.kernel_root else None,
    )
    context.report_all(env, checked.diagnostics)
    inputs.extend(p.resolve() for p in checked.files)
    setattr(env, _STAMPS, {str(p): _stamp(p) for p in inputs})
