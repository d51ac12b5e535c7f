"""Flow drawings in rst vs the spec's flows, compared by meaning.

Inputs: a :class:`~migspec.check.context.Context`.  Outputs: diagnostics in
the rst file: missing or extra steps, different tuples, changed text lines
(both texts quoted).  Whitespace never matters (drawings are centred by
hand); words, brackets and tuple members do.  What the docs should show
depends on the flow's style and is the expectation's reading of it
(:func:`migspec.expect.flows.expected_reading`), which is also what
``migspec render flow-rst`` draws, so checking and generating cannot drift.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from ..align.flows import align, meaning
from ..diagnostics import Location, Note, Severity, declare
from ..expect.flows import ExpectedStep, expected_reading
from ..model import Flow
from ..source import SCOPE
from ..source.rst import DocFlow, DocLine, DocStep, LineRole
from .context import Context

DOCS_SECTION = declare(
    "check-docs-section",
    Severity.ERROR,
    "The rst file has no section (or no literal block in the section) a flow names.",
    scope=SCOPE,
    example="flows: [{docs: {file: docs/devel/vfio-migration.rst, section: Live migration save path}}]",
)
DOCS_STEP_MISSING = declare(
    "check-docs-step-missing",
    Severity.ERROR,
    "A step of the spec's flow is not drawn in the docs.",
    scope=SCOPE,
    example="(no '(FINISH_MIGRATE, _ACTIVE, _PRE_COPY_P2P)' step between its neighbours)",
)
DOCS_STEP_EXTRA = declare(
    "check-docs-step-extra",
    Severity.ERROR,
    "The docs draw a step the spec's flow does not have.",
    scope=SCOPE,
    example="                 (FINISH_MIGRATE, _COMPLETED, _STOP)\n  # not a step of the flow",
)
DOCS_TUPLE = declare(
    "check-docs-tuple",
    Severity.ERROR,
    "A drawn step's state tuple differs from the spec's (or a step has none, or two).",
    scope=SCOPE,
    example="(RUNNING, _SETUP, _RUNNING)  # the spec's step shows _PRE_COPY",
)
DOCS_TEXT = declare(
    "check-docs-text",
    Severity.WARNING,
    "A text line of a drawn step differs from the spec's, or is missing or extra.",
    scope=SCOPE,
    example="Migration thread then calls .save_setup()  # the spec: ...calls each device's .save_setup()",
)

RULES = (DOCS_SECTION, DOCS_STEP_MISSING, DOCS_STEP_EXTRA, DOCS_TUPLE, DOCS_TEXT)


def check_docs(ctx: Context) -> None:
    spec = ctx.spec
    by_file: dict[str, list[Flow]] = {}
    for flow in spec.flows:
        if flow.docs is not None:
            by_file.setdefault(flow.docs.file, []).append(flow)
    for rel, flows in by_file.items():
        first = flows[0]
        assert first.docs is not None
        if not ctx.exists(ctx.tree, rel, f"flow '{first.name}'", first.docs.location):
            continue
        sections = [f.docs.section for f in flows if f.docs is not None]
        read = ctx.rst_flows(rel, sections)
        if read is None:
            continue
        for flow in flows:
            assert flow.docs is not None
            section = flow.docs.section
            spec_note = (
                Note(message=f"flow '{flow.name}' names it here", location=flow.docs.location),
            )
            drawn = read.flows.get(section)
            if drawn is None:
                where = read.sections.get(section)
                what = (
                    f"'{section}' has no literal block"
                    if where
                    else f"no section titled '{section}'"
                )
                ctx.report(
                    [
                        DOCS_SECTION.diagnostic(
                            what,
                            where or Location(read.path),
                            notes=spec_note,
                        )
                    ]
                )
                continue
            expected = expected_reading(spec, flow)
            compare_flow(ctx, flow, expected, drawn)


# -- comparing one flow ----------------------------------------------------------


def compare_flow(
    ctx: Context, flow: Flow, expected: Sequence[ExpectedStep], drawn: DocFlow
) -> None:
    pairs = align(expected, drawn.steps)
    for k, (i, j) in enumerate(pairs):
        if i is not None and j is not None:
            _compare_step(ctx, flow, expected[i], drawn.steps[j])
        elif i is not None:
            exp = expected[i]
            # Where it would go: before the next drawn step, or at the block's end.
            following = next((drawn.steps[jj] for _, jj in pairs[k + 1 :] if jj is not None), None)
            where = (
                following.location if following else Location(drawn.location.path, drawn.end_line)
            )
            first_text = (exp.before or exp.after or ("",))[0]
            described = f"'{first_text}' / {exp.tuple_text}" if first_text else exp.tuple_text
            ctx.report(
                [
                    DOCS_STEP_MISSING.diagnostic(
                        f"flow '{flow.name}': the step {described} is not drawn here",
                        where,
                        notes=(Note(message="the spec's step", location=exp.source.location),),
                    )
                ]
            )
        elif j is not None:
            step = drawn.steps[j]
            tuple_line = step.tuples[0] if step.tuples else step.lines[0]
            ctx.report(
                [
                    DOCS_STEP_EXTRA.diagnostic(
                        f"flow '{flow.name}' has no step {tuple_line.meaning}",
                        tuple_line.location,
                        notes=(Note(message=f"flow '{flow.name}'", location=flow.location),),
                    )
                ]
            )


def _compare_step(ctx: Context, flow: Flow, exp: ExpectedStep, step: DocStep) -> None:
    spec_note = (Note(message="the spec's step", location=exp.source.location),)
    before, tuple_line, after = step.split()
    extra_tuples = [line for line in after if line.role is LineRole.TUPLE]
    after = tuple(line for line in after if line.role is LineRole.TEXT)
    if tuple_line is None or tuple_line.tuple is None:
        ctx.report(
            [
                DOCS_TUPLE.diagnostic(
                    f"flow '{flow.name}': this step has no state tuple (expected {exp.tuple_text})",
                    step.location,
                    notes=spec_note,
                )
            ]
        )
    else:
        drawn = tuple_line.tuple
        differ = [
            name
            for name, a, b in zip(
                ("VM state", "migration state", "device state"),
                drawn.members,
                exp.members,
                strict=True,
            )
            if meaning(a) != meaning(b)
        ]
        if drawn.bracketed != exp.bracketed_tuple:
            differ.append("brackets")
        if differ:
            ctx.report(
                [
                    DOCS_TUPLE.diagnostic(
                        f"flow '{flow.name}': the docs show {tuple_line.meaning}, the spec "
                        f"{exp.tuple_text} ({', '.join(differ)} differ{'s' if len(differ) == 1 else ''})",
                        tuple_line.location,
                        notes=spec_note,
                    )
                ]
            )
    for extra in extra_tuples:
        ctx.report(
            [
                DOCS_TUPLE.diagnostic(
                    f"flow '{flow.name}': a second tuple {extra.meaning} in one step "
                    "(is a connector line missing?)",
                    extra.location,
                    notes=spec_note,
                )
            ]
        )
    anchor = tuple_line or step.lines[0]
    _compare_text(ctx, flow, exp.before, before, anchor, spec_note)
    _compare_text(ctx, flow, exp.after, after, step.lines[-1], spec_note, after_tuple=True)


def _compare_text(
    ctx: Context,
    flow: Flow,
    want: Sequence[str],
    have: Sequence[DocLine],
    anchor: DocLine,
    spec_note: tuple[Note, ...],
    *,
    after_tuple: bool = False,
) -> None:
    a = [meaning(t) for t in want]
    b = [line.meaning for line in have]
    where_word = "after" if after_tuple else "before"
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        common = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(common):
            ctx.report(
                [
                    DOCS_TEXT.diagnostic(
                        f"flow '{flow.name}': the docs say '{b[j1 + k]}', the spec says "
                        f"'{a[i1 + k]}'",
                        have[j1 + k].location,
                        notes=spec_note,
                    )
                ]
            )
        for k in range(i1 + common, i2):
            where = have[j1 + common].location if j1 + common < len(have) else anchor.location
            ctx.report(
                [
                    DOCS_TEXT.diagnostic(
                        f"flow '{flow.name}': the line '{a[k]}' is missing {where_word} the tuple",
                        where,
                        notes=spec_note,
                    )
                ]
            )
        for k in range(j1 + common, j2):
            ctx.report(
                [
                    DOCS_TEXT.diagnostic(
                        f"flow '{flow.name}': the spec's step has no line '{b[k]}'",
                        have[k].location,
                        notes=spec_note,
                    )
                ]
            )
