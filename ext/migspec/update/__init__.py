"""Update stage: rewrite the generated regions of a source tree in place.

Inputs: a resolved :class:`~migspec.model.Spec` and a QEMU-layout source
root.  Outputs: an :class:`UpdatePlan` -- for each file that must change, its
old and new bytes and the snapshot taken when it was read -- plus
diagnostics located in the source files; :func:`apply_plan` then writes the
plan atomically (:func:`migspec.writes.write_atomic`), refusing a file that
changed since it was read.  ``migspec update --check/--diff/--write`` is a
thin front end over these two functions.

Regions, one module each: the to-string switch (:mod:`.to_string`), the
predicates (:mod:`.predicates`), the spec's sections of trace-events files
(:mod:`.trace_events`), the flow drawings in rst (:mod:`.flows`).  Finding a
region is :mod:`.regions`' job; a region that cannot be found without
guessing is an error, and its file is then left untouched.  Edits keep every
byte outside what they rewrite, so a plan's diff is what a reviewer wants to
read, and a second run plans nothing.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from ..align.kernel_walk import walk_differences
from ..align.rendered_comment import Rendered, rendered_comment
from ..diagnostics import Diagnostic, InternalError, Location, Note, Rule, Severity
from ..expect.code import PredicateExpectation, ToStringExpectation, expect_code
from ..expect.kernel import expect_kernel_tables
from ..expect.trace import TraceSectionExpectation, expect_trace
from ..load.files import check_regular
from ..load.trace_events import parse_trace_events
from ..model import Flow, Spec
from ..render.c import render_c_enum
from ..render.kernel import render_kernel_table
from ..source import FILE_MISSING, FILE_UNREADABLE, read_bytes
from ..source.c import CReader, read_enum
from ..source.kernel import read_spec_kernel_tables
from ..source.rst import parse_flows
from ..writes import RULES as WRITE_RULES
from ..writes import Snapshot, WriteError, confine, digest, sweep_temporaries, write_atomic
from . import regions
from .flows import flow_edits
from .fsm_comment import comment_edits
from .kernel_tables import RenderedTables, arcs_comment_edits, table_edits
from .predicates import predicate_edits
from .to_string import to_string_edits
from .trace_events import section_edits
from .uapi_enum import RenderedEnum, enum_edits, rendered_lines

RULES: tuple[Rule[Any], ...] = regions.RULES


@dataclass(frozen=True, slots=True, kw_only=True)
class FileUpdate:
    """One file that must change: what it held when read, what it will hold."""

    rel: str  # relative to the root, '/'-separated
    display: str  # as diagnostics show it
    old: bytes = field(repr=False)
    new: bytes = field(repr=False)
    snapshot: Snapshot

    def diff(self) -> bytes:
        """A unified diff with ``a/`` and ``b/`` prefixes (``git apply`` takes it)."""
        return unified_diff(self.rel, self.old, self.new)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdatePlan:
    root: Path
    files: tuple[FileUpdate, ...]  # only files whose bytes change, in spec order
    diagnostics: tuple[Diagnostic, ...]

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    def diff(self) -> bytes:
        return b"".join(f.diff() for f in self.files)


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplyResult:
    written: tuple[str, ...]  # relative paths
    diagnostics: tuple[Diagnostic, ...]


# -- what the spec generates, by file --------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """One region the spec puts in a file: where the spec names it, and what it must hold."""

    file: str
    named: Location
    why: str  # how "no such file" names it: "mig_state_to_str()", "flow 'save'"
    # A to-string or predicate expectation, a trace section's, a flow, or
    # the uAPI comment or the kernel's tables the spec implies.
    expected: (
        ToStringExpectation
        | PredicateExpectation
        | TraceSectionExpectation
        | Flow
        | Rendered
        | RenderedTables
        | RenderedEnum
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Rewrite:
    """How ``update`` rewrites one sort of region.

    ``syntax`` says how its file is read and edited ("C": tree-sitter and byte
    edits; "trace-events" and "rst": line edits); ``targets`` lists the
    regions of that sort a spec owns.  The artefact registry
    (:mod:`migspec.artefacts`) names one per rewritten artefact.
    """

    syntax: str
    targets: Callable[[Spec], tuple[Target, ...]]


def _to_string_targets(spec: Spec) -> tuple[Target, ...]:
    expected = expect_code(spec).to_string
    if expected is None:
        return ()
    ts = expected.to_string
    return (Target(file=ts.file, named=ts.location, why=f"{ts.function}()", expected=expected),)


def _predicate_targets(spec: Spec) -> tuple[Target, ...]:
    return tuple(
        Target(
            file=e.predicate.file,
            named=e.predicate.location,
            why=f"{e.predicate.function}()",
            expected=e,
        )
        for e in expect_code(spec).predicates
    )


def _trace_targets(spec: Spec) -> tuple[Target, ...]:
    return tuple(
        Target(
            file=e.file,
            named=e.section.location,
            why=f"trace section '# {e.title}'",
            expected=e,
        )
        for e in expect_trace(spec)
    )


def _flow_targets(spec: Spec) -> tuple[Target, ...]:
    return tuple(
        Target(file=f.docs.file, named=f.docs.location, why=f"flow '{f.name}'", expected=f)
        for f in spec.flows
        if f.docs is not None
    )


def _comment_targets(spec: Spec) -> tuple[Target, ...]:
    kernel = spec.code.kernel
    if kernel is None:
        return ()
    rendered = rendered_comment(spec)
    return (
        Target(
            file=rendered.expected.file,
            named=kernel.location,
            why=f"the comment above enum {spec.machine.enum}",
            expected=rendered,
        ),
    )


def _kernel_table_targets(spec: Spec) -> tuple[Target, ...]:
    kernel = spec.code.kernel
    if kernel is None or spec.error_state is None:
        return ()
    expected = expect_kernel_tables(spec)
    text = render_kernel_table(spec)
    cfile = CReader().parse_bytes(text.encode("utf-8"), "<rendered>")
    read, _ = read_spec_kernel_tables(cfile, spec)
    rendered = RenderedTables(
        expected=expected, file=kernel.file, function=kernel.function, text=text, read=read
    )
    code = expect_code(spec)
    enum_text = render_c_enum(spec)
    enum = RenderedEnum(
        file=kernel.header,
        enum=spec.machine.enum,
        constants=code.enum,
        lines=rendered_lines(enum_text, code.enum),
        sentinels=spec.machine.sentinels,
    )
    return (
        Target(
            file=kernel.file,
            named=kernel.location,
            why=f"{kernel.next_table} and {kernel.flags_table}",
            expected=rendered,
        ),
        # The kernel's uAPI header is where the enum is defined (QEMU's copy
        # is imported by QEMU's script, so only the kernel's is rewritten).
        Target(file=kernel.header, named=kernel.location, why=f"enum {enum.enum}", expected=enum),
    )


TO_STRING = Rewrite(syntax="C", targets=_to_string_targets)
PREDICATES = Rewrite(syntax="C", targets=_predicate_targets)
TRACE_SECTIONS = Rewrite(syntax="trace-events", targets=_trace_targets)
FLOW_DRAWINGS = Rewrite(syntax="rst", targets=_flow_targets)
# The kernel's files: the uAPI header (the comment on the machine, the enum)
# and the file of the lookup (its two tables); one syntax, so that the
# header's two regions are one file's jobs.
FSM_COMMENT = Rewrite(syntax="kernel", targets=_comment_targets)
KERNEL_TABLES = Rewrite(syntax="kernel", targets=_kernel_table_targets)


_E = TypeVar("_E")


@dataclass
class _Jobs:
    """The regions one file holds, in the order the rewrites name them."""

    targets: list[tuple[str, Target]] = field(default_factory=list)  # (syntax, target)

    @property
    def named(self) -> Location:
        """Where the spec names the file first (for "no such file")."""
        return self.targets[0][1].named

    @property
    def why(self) -> str:
        return self.targets[0][1].why

    @property
    def syntaxes(self) -> set[str]:
        return {syntax for syntax, _ in self.targets}

    def expected(self, cls: type[_E]) -> list[_E]:
        return [t.expected for _, t in self.targets if isinstance(t.expected, cls)]


def _jobs(spec: Spec, rewrites: Sequence[Rewrite]) -> dict[str, _Jobs]:
    jobs: dict[str, _Jobs] = {}
    for rewrite in rewrites:
        for target in rewrite.targets(spec):
            jobs.setdefault(target.file, _Jobs()).targets.append((rewrite.syntax, target))
    return jobs


# -- planning --------------------------------------------------------------------


def plan_update(
    spec: Spec, root: str | os.PathLike[str], rewrites: Sequence[Rewrite]
) -> UpdatePlan:
    """What ``update --write`` would write under ``root`` for ``rewrites``;
    nothing is written.  (:func:`migspec.artefacts.plan_update` passes every
    rewrite the artefact registry names.)

    Pure apart from reading files.  Paths in diagnostics are ``root`` joined
    with the file's path in the tree, as ``migspec check`` shows them.
    """

    base = Path(root)
    shown = os.fspath(root)
    reader = CReader()
    files: list[FileUpdate] = []
    diagnostics: list[Diagnostic] = []
    for rel, jobs in _jobs(spec, rewrites).items():
        display = os.path.normpath(os.path.join(shown, rel))
        where = Location(display)
        try:
            path = confine(base, rel)
        except WriteError as err:
            diagnostics.append(replace(err.diagnostic, location=where))
            continue
        except (OSError, RuntimeError) as err:  # a symlink loop, say
            diagnostics.append(FILE_UNREADABLE.diagnostic(f"cannot resolve {rel}: {err}", where))
            continue
        if len(jobs.syntaxes) > 1:
            diagnostics.append(
                regions.REGION_AMBIGUOUS.diagnostic(
                    f"the spec names this file as {' and '.join(sorted(jobs.syntaxes))}; left as it is",
                    where,
                    notes=(Note(message="named here", location=jobs.named),),
                )
            )
            continue
        # Read as check reads it (load.files): regular files only, within
        # the size limit; a FIFO is refused by name, never opened.
        refused = check_regular(path)
        if refused is not None and not refused.exists:
            diagnostics.append(
                FILE_MISSING.diagnostic(
                    f"{refused.reason} (the spec names it for {jobs.why})",
                    where,
                    notes=(Note(message="named here", location=jobs.named),),
                )
            )
            continue
        got, found = read_bytes(path, display)
        if got is None:
            diagnostics.extend(found)
            continue
        data = got
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError as err:
            reason = err.strerror or err.__class__.__name__
            diagnostics.append(FILE_UNREADABLE.diagnostic(f"cannot read: {reason}", where))
            continue
        # Two rewrites of one file that touch the same bytes (regions.EditOverlap)
        # are a migspec bug: it propagates, and nothing is written.
        new, found = _plan_file(spec, jobs, data, display, reader)
        diagnostics.extend(found)
        if new is not None and new != data:
            files.append(
                FileUpdate(
                    rel=Path(rel).as_posix(),
                    display=display,
                    old=data,
                    new=new,
                    snapshot=Snapshot(digest(data), mode),
                )
            )
    ordered = sorted(set(diagnostics), key=Diagnostic.sort_key)
    kept = tuple(d for d in ordered if d.rule not in spec.disabled_rules)
    return UpdatePlan(root=base, files=tuple(files), diagnostics=kept)


def _plan_file(
    spec: Spec, jobs: _Jobs, data: bytes, display: str, reader: Any
) -> tuple[bytes | None, list[Diagnostic]]:
    """The file's new bytes (None: leave it alone) and what stopped or worried us.

    Verified before it is returned (as black verifies before it writes): the
    new text, read again, must need no further rewrite.  Anything else is a
    migspec bug: :class:`InternalError`, and nothing is written.
    """
    new, diagnostics, _ = _rewrite(spec, jobs, data, display, reader)
    if new is None or new == data:
        return new, diagnostics
    _, again, edits = _rewrite(spec, jobs, new, display, reader)
    # What update said it leaves by hand is still there (perhaps moved down).
    said = {(d.rule, d.message) for d in diagnostics}
    problems = [d for d in again if (d.rule, d.message) not in said]
    if edits or problems:
        found = "; ".join(f"{d.message} [{d.rule}]" for d in problems) or (
            f"read again, it needs {edits} more edit{'' if edits == 1 else 's'}"
        )
        raise InternalError(
            f"{display}: the rewritten file does not read back as the spec says ({found})"
        )
    return new, diagnostics


# (new bytes or None, diagnostics, how many edits made them)
_Rewrite = tuple[bytes | None, list[Diagnostic], int]


def _text_of(data: bytes, display: str) -> tuple[str | None, list[Diagnostic]]:
    """A file's text for a line rewrite, or why it is left as it is (not UTF-8)."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as err:
        return None, [
            regions.REGION_FORM.diagnostic(
                f"the file is not UTF-8 (byte {err.start}); left as it is", Location(display)
            )
        ]


def _rewrite(spec: Spec, jobs: _Jobs, data: bytes, display: str, reader: Any) -> _Rewrite:
    if "kernel" in jobs.syntaxes:
        if any(isinstance(t.expected, (RenderedEnum, Rendered)) for _, t in jobs.targets):
            return _plan_uapi_header(spec, jobs, data, display, reader)
        return _plan_tables(spec, jobs.expected(RenderedTables), data, display, reader)
    if "C" in jobs.syntaxes:
        return _plan_c(spec, jobs, data, display, reader)
    text, refused = _text_of(data, display)
    if text is None:
        return None, refused, 0
    if "trace-events" in jobs.syntaxes:
        return _plan_trace(jobs.expected(TraceSectionExpectation), text, display)
    return _plan_rst(spec, jobs.expected(Flow), text, display)


def _plan_c(spec: Spec, jobs: _Jobs, data: bytes, display: str, reader: Any) -> _Rewrite:
    cfile = reader.parse_bytes(data, display)
    edits: list[regions.ByteEdit] = []
    diagnostics: list[Diagnostic] = []
    code = expect_code(spec)
    for switch in jobs.expected(ToStringExpectation):
        more, found = to_string_edits(code, switch, cfile, reader)
        edits.extend(more)
        diagnostics.extend(found)
    for expected in jobs.expected(PredicateExpectation):
        more, found = predicate_edits(code, expected, cfile, reader)
        edits.extend(more)
        diagnostics.extend(found)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return None, diagnostics, 0
    return regions.apply_byte_edits(data, edits), diagnostics, len(edits)


def _plan_trace(sections: Sequence[TraceSectionExpectation], text: str, display: str) -> _Rewrite:
    parsed = parse_trace_events(text, display)
    lines = regions.split_lines(text)
    newline = regions.newline_of(text)
    edits: list[regions.LineEdit] = []
    diagnostics: list[Diagnostic] = []
    for section in sections:
        more, found = section_edits(section, parsed, lines, newline)
        edits.extend(more)
        diagnostics.extend(found)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return None, diagnostics, 0
    new = regions.apply_line_edits(lines, edits, newline).encode("utf-8")
    return new, diagnostics, len(edits)


def _plan_tables(
    spec: Spec, rendered: Sequence[RenderedTables], data: bytes, display: str, reader: Any
) -> _Rewrite:
    cfile = reader.parse_bytes(data, display)
    text = data.decode("utf-8", errors="surrogateescape")
    lines = regions.split_lines(text)
    newline = regions.newline_of(text)
    edits: list[regions.LineEdit] = []
    diagnostics: list[Diagnostic] = []
    by_hand: list[Diagnostic] = []
    error = spec.error_state
    for one in rendered:
        parsed, _ = read_spec_kernel_tables(cfile, spec)
        more, found = table_edits(one, parsed, lines, newline, display)
        edits.extend(more)
        diagnostics.extend(found)
        if not found:
            arc_edits, no_comment = arcs_comment_edits(one, parsed, lines, newline, display)
            edits.extend(arc_edits)
            by_hand.extend(no_comment)
        # The loop is code, not data: the tables are rewritten, the loop is reported.
        by_hand.extend(
            regions.BY_HAND.diagnostic(
                f"{message}; update rewrites the tables, not the loop: edit it by hand", where
            )
            for message, where in walk_differences(spec.walk, error.name if error else None, parsed)
        )
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return None, diagnostics, 0
    diagnostics.extend(by_hand)
    new = regions.apply_line_edits(lines, edits, newline)
    return new.encode("utf-8", errors="surrogateescape"), diagnostics, len(edits)


def _plan_uapi_header(spec: Spec, jobs: _Jobs, data: bytes, display: str, reader: Any) -> _Rewrite:
    """The kernel's uAPI header: the comment on the machine and the enum below it."""
    if jobs.expected(RenderedTables):
        return (
            None,
            [
                regions.REGION_FORM.diagnostic(
                    "the spec's kernel tables and its uAPI enum share this file; update "
                    "rewrites them only in files of their own; left as it is",
                    Location(display),
                )
            ],
            0,
        )
    text, refused = _text_of(data, display)
    if text is None:
        return None, refused, 0
    lines = regions.split_lines(text)
    newline = regions.newline_of(text)
    edits: list[regions.LineEdit] = []
    diagnostics: list[Diagnostic] = []
    for comment in jobs.expected(Rendered):
        more, found = comment_edits(comment, text, lines, newline)
        edits.extend(more)
        diagnostics.extend(found)
    enums = jobs.expected(RenderedEnum)
    if enums:
        cfile = reader.parse_bytes(data, display)
        for enum in enums:
            read = read_enum(cfile, enum.enum, enum.sentinels)
            more, found = enum_edits(enum, read, lines, newline, display)
            edits.extend(more)
            diagnostics.extend(found)
    if any(d.severity is Severity.ERROR and d.rule != regions.BY_HAND.id for d in diagnostics):
        return None, diagnostics, 0
    new = regions.apply_line_edits(lines, edits, newline).encode("utf-8")
    return new, diagnostics, len(edits)


def _plan_rst(spec: Spec, flows: Sequence[Flow], text: str, display: str) -> _Rewrite:
    sections = [f.docs.section for f in flows if f.docs is not None]
    read, diagnostics = parse_flows(text, display, sections, spec.notation.connector)
    if read is None:  # the rst reader refused the file: nothing can be rewritten safely
        return None, diagnostics, 0
    # A title written twice is update's own error (update-region-ambiguous,
    # reported by flow_edits); the reader's note for check would say it twice.
    diagnostics = [d for d in diagnostics if d.rule != "check-docs-section-twice"]
    lines = text.splitlines(keepends=True)  # as parse_flows numbers them
    newline = regions.newline_of(text)
    edits, found = flow_edits(spec, flows, read, lines, newline)
    diagnostics = [*diagnostics, *found]
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return None, diagnostics, 0
    new = regions.apply_line_edits(lines, edits, newline).encode("utf-8")
    return new, diagnostics, len(edits)


# -- writing -----------------------------------------------------------------------


def apply_plan(plan: UpdatePlan, *, force: bool = False) -> ApplyResult:
    """Write every file of ``plan``; a file that changed since it was read is left alone.

    The policy is :mod:`migspec.writes`' (owner and mode kept, a read-only
    file refused unless ``force``, a symlink written through); temporary
    files a killed run left beside the files are named and removed first.
    """
    written: list[str] = []
    diagnostics: list[Diagnostic] = []
    folders = sorted({os.path.dirname(u.rel) for u in plan.files})
    for folder in folders:
        shown = os.path.dirname(
            next(u.display for u in plan.files if os.path.dirname(u.rel) == folder)
        )
        diagnostics.extend(sweep_temporaries(plan.root / folder, shown))
    for update in plan.files:
        try:
            path = confine(plan.root, update.rel)
            if write_atomic(
                path, update.new, expect=update.snapshot, display=update.display, force=force
            ):
                written.append(update.rel)
        except WriteError as err:
            diagnostics.append(replace(err.diagnostic, location=Location(update.display)))
        except (OSError, RuntimeError) as err:  # confine() resolving a symlink loop
            diagnostics.append(
                replace(
                    _write_failed(f"cannot resolve {update.rel}: {err}"),
                    location=Location(update.display),
                )
            )
    return ApplyResult(written=tuple(written), diagnostics=tuple(diagnostics))


def _write_failed(message: str) -> Diagnostic:
    (rule,) = [r for r in WRITE_RULES if r.id == "write-failed"]
    return rule.diagnostic(message, Location(""))


def unified_diff(rel: str, old: bytes, new: bytes) -> bytes:
    """``diff -u`` of one file, lines split on ``\\n`` only (as git splits them)."""
    name = rel.encode("utf-8")
    out: list[bytes] = []
    for line in difflib.diff_bytes(
        difflib.unified_diff, _split_nl(old), _split_nl(new), b"a/" + name, b"b/" + name
    ):
        # Headers end with the line terminator; so does every line but a last
        # one without a newline, which git marks.
        out.append(line if line.endswith(b"\n") else line + b"\n\\ No newline at end of file\n")
    return b"".join(out)


def _split_nl(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    out = [line + b"\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out
