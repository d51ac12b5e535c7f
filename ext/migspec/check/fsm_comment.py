"""The state-machine comment above the uAPI enum vs what the spec says it must list.

Inputs: a :class:`~migspec.check.context.Context` with a kernel tree.
Outputs: diagnostics at the comment's lines in the kernel's uAPI header:
an arc or refused pair the spec has and the comment does not list (or the
reverse), a state under the wrong feature flags, a path rule or removal
sentence the comment lacks, has beyond the spec, or words otherwise.  The differences are
:func:`migspec.align.fsm_comment.align`'s, which ``update`` mends.
"""

from __future__ import annotations

from ..align.fsm_comment import (
    ArcExtra,
    ArcMissing,
    Difference,
    RuleDiffers,
    RuleExtra,
    RuleMissing,
    StateExtra,
    StateMisplaced,
    align,
)
from ..align.rendered_comment import rendered_comment
from ..diagnostics import Diagnostic, Location, Note, Severity, declare
from ..source import SCOPE
from ..source.fsm_comment import CommentWords
from .context import Context

COMMENT_NOT_FOUND = declare(
    "check-comment-not-found",
    Severity.ERROR,
    "The uAPI header has no block comment right above the state enum.",
    scope=SCOPE,
    example="enum vfio_device_mig_state {  /* with no comment above it */",
)
COMMENT_ARC = declare(
    "check-comment-arc",
    Severity.ERROR,
    "An arc the spec has is not listed in the uAPI comment, or the comment lists one it lacks.",
    scope=SCOPE,
    doc="""
    The comment above the state enum lists, in paragraphs, every arc a
    device with every feature implements (the spec's arcs without
    ``without``) and ``any -> ERROR``.  An arc missing from it is reported
    where it would go (the paragraph listing the arcs it is grouped with);
    a listed arc the spec does not have, at its line.
    """,
    example="arcs:\n  - {from: RUNNING, to: PRE_COPY, features: [PRE_COPY]}"
    "  # the comment has no 'RUNNING -> PRE_COPY'",
)
COMMENT_REFUSED = declare(
    "check-comment-refused",
    Severity.ERROR,
    "A refused pair of the spec is not listed as refused in the uAPI comment, or the reverse.",
    scope=SCOPE,
    example="refused:\n  - {from: STOP_COPY, to: PRE_COPY}  # no 'not permitted' paragraph lists it",
)
COMMENT_STATE = declare(
    "check-comment-state",
    Severity.ERROR,
    "A state is listed in the uAPI comment under other feature flags than it needs, or not at all.",
    scope=SCOPE,
    example="states:\n  - {name: PRE_COPY, features: [STOP_COPY, PRE_COPY]}"
    "  # listed under VFIO_MIGRATION_P2P",
)
COMMENT_RULE = declare(
    "check-comment-rule",
    Severity.ERROR,
    "A path rule or removal sentence of the uAPI comment is missing, extra, or says otherwise"
    " than the spec.",
    scope=SCOPE,
    doc="""
    The comment's path rules state each group's ``interior``; a rule on a
    group the spec lacks (or whose ``interior`` needs no rule) is extra, and
    a rule in migspec's words that states another ``interior`` than the
    spec's differs.  A rule in words of its own (the kernel's) is prose: it
    counts for its group and is kept.  The sentence that a feature's arcs
    are removed without it is compared by feature, both ways, and by the
    states it names.  Each is reported at the comment's line.
    """,
    example="groups:\n  - {name: saving, interior: never}"
    "  # the comment's rule lets paths pass within the saving group",
)

RULES = (COMMENT_NOT_FOUND, COMMENT_ARC, COMMENT_REFUSED, COMMENT_STATE, COMMENT_RULE)


def check_fsm_comment(ctx: Context) -> None:
    spec = ctx.spec
    k = spec.code.kernel
    tree = ctx.kernel
    if k is None or tree is None:
        return
    if not ctx.exists(tree, k.header, f"enum {spec.machine.enum}", spec.machine.location):
        return
    cfile = ctx.c_file(k.header, tree=tree)
    if cfile is None:
        return
    text = cfile.source.decode("utf-8", errors="replace")
    if f"enum {spec.machine.enum}" not in text:
        return  # check_enum reports the missing enum
    rendered = rendered_comment(spec)
    words = CommentWords.of(rendered.expected)
    read = rendered.read_header(text, cfile.path)
    if read is None:
        ctx.report(
            [
                COMMENT_NOT_FOUND.diagnostic(
                    f"no block comment right above enum {spec.machine.enum}",
                    Location(cfile.path),
                    notes=(Note(message="the spec names the header here", location=k.location),),
                )
            ]
        )
        return
    ctx.report(
        [_diagnostic(d, cfile.path) for d in align(read, rendered.read, rendered.expected, words)]
    )


def _diagnostic(d: Difference, path: str) -> Diagnostic:
    at = Location(path, d.line, 1)
    if isinstance(d, ArcMissing):
        a, b = d.pair
        rule = COMMENT_REFUSED if d.refused else COMMENT_ARC
        what = "refused pair" if d.refused else "arc"
        where = "with the arcs it is grouped with" if d.into else "in a paragraph of its own"
        return rule.diagnostic(f"the comment does not list the {what} {a} -> {b} ({where})", at)
    if isinstance(d, ArcExtra):
        a, b = d.pair
        rule = COMMENT_REFUSED if d.refused else COMMENT_ARC
        what = "refuses" if d.refused else "lists the arc"
        return rule.diagnostic(f"the comment {what} {a} -> {b}, which the spec does not", at)
    if isinstance(d, StateMisplaced):
        wanted = " | ".join(d.wanted)
        if d.entry is None:
            return COMMENT_STATE.diagnostic(
                f"the comment does not list state {d.name} (under {wanted})", at
            )
        return COMMENT_STATE.diagnostic(
            f"state {d.name} is listed under {' | '.join(d.listed_under)}; it needs {wanted}", at
        )
    if isinstance(d, StateExtra):
        return COMMENT_STATE.diagnostic(
            f"the comment lists state {d.name}, which the spec lacks", at
        )
    if isinstance(d, RuleExtra):
        return COMMENT_RULE.diagnostic(
            f"the comment has the {d.what} '{d.text}', which the spec does not", at
        )
    if isinstance(d, RuleDiffers):
        return COMMENT_RULE.diagnostic(
            f"the comment's {d.what} says '{d.text}'; the spec's says '{d.wanted}'", at
        )
    assert isinstance(d, RuleMissing)
    return COMMENT_RULE.diagnostic(f"the comment lacks the {d.what}: {d.text}", at)
