"""Trace events: the spec's sections vs the trace-events file vs the C that calls them.

Inputs: a :class:`~migspec.check.context.Context`.  Outputs: diagnostics in
the trace-events file (missing, extra, changed events; events nobody calls)
and in C (calls with no event line, calls with the wrong argument count).
The C scanned for calls is every ``.c`` file in the trace-events file's
directory, as QEMU's build does.
"""

from __future__ import annotations

import os

from ..diagnostics import Location, Note, Severity, declare
from ..lint.trace_files import lint_trace_file
from ..load.trace_events import read_trace_events, split_trace_arg
from ..model import TraceEvent, TraceSection
from ..source import SCOPE
from ..source.c import TraceCall, trace_calls
from ..source.trace_lines import TraceFile, TraceLine
from .context import Context

TRACE_SECTION = declare(
    "check-trace-section",
    Severity.ERROR,
    "A trace-events file has no '# section' comment for a section the spec lists.",
    scope=SCOPE,
    example="trace: [{file: hw/vfio/trace-events, section: migration.c}]  # no '# migration.c' line",
)
TRACE_MISSING = declare(
    "check-trace-missing",
    Severity.ERROR,
    "A spec trace event has no line in its section of the trace-events file.",
    scope=SCOPE,
    example="# migration.c\n(no vfio_vmstate_change_prepare line)",
)
TRACE_EXTRA = declare(
    "check-trace-extra",
    Severity.ERROR,
    "A section the spec owns has an event line the spec does not list.",
    scope=SCOPE,
    example='# migration.c\nvfio_save_pause(const char *name) " (%s)"  # not in the spec',
)
TRACE_ARGS = declare(
    "check-trace-args",
    Severity.ERROR,
    "An event line's arguments differ from the spec's.",
    scope=SCOPE,
    example='vfio_save_block(const char *name, uint64_t data_size) " (%s) data_size %d"',
)
TRACE_FORMAT = declare(
    "check-trace-format",
    Severity.ERROR,
    "An event line's format differs from the spec's.",
    scope=SCOPE,
    example='vfio_save_cleanup(const char *name) "(%s) cleanup"',
)
TRACE_CALL_UNKNOWN = declare(
    "check-trace-call-unknown",
    Severity.ERROR,
    "C calls trace_NAME() but the trace-events file has no event NAME.",
    scope=SCOPE,
    example="trace_vfio_save_pause(vbasedev->name);  // no vfio_save_pause line",
)
TRACE_CALL_ARGS = declare(
    "check-trace-call-args",
    Severity.ERROR,
    "A trace_NAME() call passes a different number of arguments than the event declares.",
    scope=SCOPE,
    example="trace_vfio_save_block(migration->vbasedev->name);  // the event has 2 arguments",
)
TRACE_UNCALLED = declare(
    "check-trace-uncalled",
    Severity.WARNING,
    "An event in a section the spec owns is called by no C file of its directory.",
    scope=SCOPE,
    doc="""
    Only events in the spec's sections are checked, and only the ``.c`` files
    in the trace-events file's directory are searched: a dead event line is
    harmless to the build but misleads whoever reads the trace.
    """,
    example="vfio_save_pending(...)  # and no trace_vfio_save_pending() call",
)

TRACE_CALLER = declare(
    "check-trace-caller",
    Severity.WARNING,
    "The function the spec names as an event's caller does not call it in the section's C files.",
    scope=SCOPE,
    doc="""
    The C files searched are the section's ``sources`` (every ``.c`` file of
    the trace-events file's directory when it has none): a call in any of
    them counts, so an event of QEMU's ``# migration.c`` section may be called
    from ``migration-multifd.c``.  Reported at the event's line, with the
    functions that do call it.
    """,
    example="- {name: vfio_save_block, caller: vfio_save_iterate, ...}  # vfio_save_block() calls it",
)

# The rules of the sections' own lines (the rest are about the C that calls them).
SECTION_RULES = (TRACE_SECTION, TRACE_MISSING, TRACE_EXTRA, TRACE_ARGS, TRACE_FORMAT)

RULES = (*SECTION_RULES, TRACE_CALL_UNKNOWN, TRACE_CALL_ARGS, TRACE_UNCALLED, TRACE_CALLER)


def check_trace(ctx: Context) -> None:
    by_file: dict[str, list[TraceSection]] = {}
    for section in ctx.spec.trace:
        by_file.setdefault(section.file, []).append(section)
    for rel, sections in by_file.items():
        if not ctx.exists(
            ctx.tree, rel, f"trace section '# {sections[0].section}'", sections[0].location
        ):
            continue
        parsed = ctx.trace_file(rel)
        if parsed is None:
            continue
        for section in sections:
            _check_section(ctx, parsed, section)
        _check_formats(ctx, rel)
        calls = _calls_near(ctx, rel)
        _check_calls(ctx, parsed, calls, {s.section for s in sections})
        for section in sections:
            _check_callers(ctx, parsed, section, calls)


def _check_formats(ctx: Context, rel: str) -> None:
    """The trace-format rules ``migspec lint --trace-events`` runs, on the file
    as it is in the tree: a line whose format would break tracetool's output
    (``%n``, a stray ``%``, arguments it does not consume) fails ``check``
    whoever wrote it.  Only those rules' errors: the rest of the file is
    the project's."""
    read = read_trace_events(str(ctx.tree.path(rel)), ctx.tree.display(rel))
    if not read.readable:
        return  # the check's own reader has said why
    ctx.report(
        [
            d
            for d in lint_trace_file(read)
            if d.rule.startswith("trace-format-") and d.severity is Severity.ERROR
        ]
    )


def _calls_near(ctx: Context, trace_rel: str) -> list[TraceCall]:
    calls: list[TraceCall] = []
    for rel in ctx.c_files_in(os.path.dirname(trace_rel)):
        cfile = ctx.c_file(rel)
        if cfile is not None:
            calls.extend(trace_calls(cfile))
    return calls


def _check_callers(
    ctx: Context, parsed: TraceFile, section: TraceSection, calls: list[TraceCall]
) -> None:
    """Each event's ``caller`` calls it in one of the section's C files.  An
    event nobody calls is ``check-trace-uncalled``'s, not reported again."""
    everywhere: dict[str, list[str]] = {}
    for call in calls:
        everywhere.setdefault(call.event, []).append(call.function or "?")
    if section.sources:
        paths = {ctx.tree.display(rel) for rel in section.sources}
        for rel in section.sources:
            ctx.exists(ctx.tree, rel, f"trace section '# {section.section}'", section.location)
        calls = [c for c in calls if c.location.path in paths]
    by_event: dict[str, list[str]] = {}
    for call in calls:
        if call.function is not None:
            by_event.setdefault(call.event, []).append(call.function)
    lines = parsed.by_name()
    for event in section.events:
        line = lines.get(event.name)
        if event.caller is None or line is None or line.section != section.section:
            continue
        if event.name not in everywhere or event.caller in by_event.get(event.name, []):
            continue
        found = ", ".join(sorted(set(by_event.get(event.name, [])))) or (
            "no function of the section's sources"
        )
        ctx.report(
            [
                TRACE_CALLER.diagnostic(
                    f"{event.caller}() does not call trace_{event.name}() (called by {found})",
                    line.location,
                    notes=(
                        Note(
                            message=f"the spec names {event.caller} here", location=event.location
                        ),
                    ),
                )
            ]
        )


def _arg_texts(line: TraceLine) -> tuple[str, ...]:
    out = []
    for text in line.arg_list:
        arg = split_trace_arg(text)
        out.append(str(arg) if arg is not None else text)
    return tuple(out)


def _check_section(ctx: Context, parsed: TraceFile, section: TraceSection) -> None:
    header = parsed.sections.get(section.section)
    if header is None:
        ctx.report(
            [
                TRACE_SECTION.diagnostic(
                    f"no '# {section.section}' section",
                    Location(parsed.path),
                    notes=(Note(message="the spec lists it here", location=section.location),),
                )
            ]
        )
        return
    in_file = {e.name: e for e in parsed.events if e.section == section.section}
    wanted = {e.name: e for e in section.events}
    for event in section.events:
        line = in_file.get(event.name)
        spec_note = (Note(message=f"the spec defines {event.name} here", location=event.location),)
        if line is None:
            ctx.report(
                [
                    TRACE_MISSING.diagnostic(
                        f"section '# {section.section}' has no event {event.name} "
                        f"(expected: {event.line})",
                        header,
                        notes=spec_note,
                    )
                ]
            )
            continue
        _compare_event(ctx, event, line, spec_note)
    for name, line in in_file.items():
        if name not in wanted:
            ctx.report(
                [
                    TRACE_EXTRA.diagnostic(
                        f"event {name} is in section '# {section.section}' but not in the spec",
                        line.location,
                        notes=(Note(message="the spec's section", location=section.location),),
                    )
                ]
            )


def _compare_event(
    ctx: Context, event: TraceEvent, line: TraceLine, spec_note: tuple[Note, ...]
) -> None:
    have = _arg_texts(line)
    want = tuple(str(a) for a in event.args)
    if have != want:
        ctx.report(
            [
                TRACE_ARGS.diagnostic(
                    f"{event.name}({', '.join(have) or 'void'}): the spec says ({event.args_text})",
                    line.location,
                    notes=spec_note,
                )
            ]
        )
    if line.format.strip() != event.format.strip():
        ctx.report(
            [
                TRACE_FORMAT.diagnostic(
                    f"{event.name} has format {line.format}; the spec says {event.format}",
                    line.location,
                    notes=spec_note,
                )
            ]
        )


def _check_calls(ctx: Context, parsed: TraceFile, calls: list[TraceCall], owned: set[str]) -> None:
    events = parsed.by_name()
    called: set[str] = set()
    for call in calls:
        called.add(call.event)
        line = events.get(call.event)
        if line is None:
            ctx.report(
                [
                    TRACE_CALL_UNKNOWN.diagnostic(
                        f"trace_{call.event}() has no event line",
                        call.location,
                        notes=(
                            Note(
                                message="in this trace-events file", location=Location(parsed.path)
                            ),
                        ),
                    )
                ]
            )
            continue
        argc = len(line.arg_list)
        if call.argc != argc:
            ctx.report(
                [
                    TRACE_CALL_ARGS.diagnostic(
                        f"trace_{call.event}() is called with {call.argc} argument"
                        f"{'' if call.argc == 1 else 's'}; the event declares {argc}",
                        call.location,
                        notes=(Note(message="the event line", location=line.location),),
                    )
                ]
            )
    for line in parsed.events:
        if line.section in owned and line.name not in called:
            ctx.report(
                [
                    TRACE_UNCALLED.diagnostic(
                        f"no C file beside this trace-events file calls trace_{line.name}()",
                        line.location,
                    )
                ]
            )
