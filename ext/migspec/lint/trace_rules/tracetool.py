"""Rules QEMU's tracetool itself enforces (it refuses to build otherwise)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ...diagnostics import Finding, Severity, rule
from ...load.trace_events import EventLine
from .arg_types import MAX_ARGS, VALID_PROPERTIES
from .subjects import ODD_BLANK, SCOPE, EventCheck


@rule(
    "trace-format-newline",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_save_setup(const char *name) " (%s)\\n"',
)
def format_newline(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """The format ends with a newline.

    Every backend adds its own line break; tracetool refuses the event.
    """
    for ev in events:
        if ev.format.ends_with_newline():
            yield Finding(
                "the format ends with a newline; backends add their own, drop the '\\n'",
                ev.line.format_at(ev.line.format.rfind("\\n")),
            )


@rule(
    "trace-format-errno",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_save_setup(const char *name) " (%s) failed: %m"',
)
def format_errno(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """The format uses '%m'.

    ``%m`` prints ``strerror(errno)`` at the time the backend formats the
    record, which may be much later or in another process.  tracetool refuses
    it (any ``%m`` in the text, even ``%%m``); pass the error as an argument.
    """
    for ev in events:
        line = ev.line
        fmt, fmt_trans = line.format, line.format_trans
        if "%m" in fmt:
            yield _errno_finding(line, fmt, trans=False)
        if fmt_trans and "%m" in fmt_trans:
            yield _errno_finding(line, fmt_trans, trans=True)


def _errno_finding(line: EventLine, fmt: str, *, trans: bool) -> Finding:
    return Finding(
        "'%m' in a trace format; pass the error number as an argument instead",
        line.format_at(fmt.index("%m"), trans=trans),
    )


@rule(
    "trace-arg-type",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_region_read(struct DeviceState *dev, hwaddr addr) "%p 0x%"PRIx64',
)
def arg_type(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """An argument type is not one tracetool allows.

    Only standard C integer types, ``bool``, the fixed-size integer types,
    ``size_t``/``ssize_t``/``uintptr_t``/``ptrdiff_t``, ``void`` and ``const``
    are allowed, because the dtrace and ust backends cannot resolve QEMU's
    typedefs: use ``void *`` for pointers to structures and ``uint64_t`` for
    ``hwaddr``.  tracetool splits types on single spaces, so a tab inside a type
    is refused too.
    """
    for ev in events:
        line = ev.line
        for i, t in enumerate(ev.types):
            if t.refused:
                hint = "'void *'" if t.pointers else "a fixed-size integer type such as 'uint64_t'"
                yield Finding(
                    f"type '{t.text}' of argument '{line.args[i].name}' is not allowed "
                    f"in trace events ('{t.refused}'); use {hint}",
                    ev.arg_location(i),
                )
            elif t.no_value:
                yield Finding(
                    f"argument '{line.args[i].name}' has no value type ('{t.text.strip()}')",
                    ev.arg_location(i),
                )
        # Every blank but the space is unprintable: most lines skip the search.
        if line.arg_texts is not None and not line.text.isprintable():
            yield from _odd_blanks(line)


def _odd_blanks(line: EventLine) -> Iterator[Finding]:
    """A tab (or another blank that is not a space) inside an argument's type."""
    assert line.arg_texts is not None
    if not ODD_BLANK.search(line.text):
        return
    for text, col in zip(line.arg_texts, line.piece_columns(), strict=True):
        body = text.strip()
        if not body or body == "void":
            continue
        # The type as tracetool cuts it: up to the last '*', else the last blank.
        type_text = body.rsplit("*", 1)[0] if "*" in body else body.rsplit(None, 1)[0]
        if ODD_BLANK.search(type_text.strip()):
            yield Finding(
                f"the type of argument '{' '.join(body.split())}' contains a tab or "
                "other non-space blank; tracetool splits types on spaces only",
                line.at(col),
            )


@rule(
    "trace-empty-args",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_probe() ""',
)
def empty_args(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """The argument list, or one argument in it, is empty.

    tracetool wants ``void`` for an event without arguments and refuses an
    empty piece between commas.
    """
    for ev in events:
        line = ev.line
        texts = line.arg_texts
        # Every piece that is not empty (or "void") became an argument.
        if texts is None or len(texts) == len(line.args):
            continue
        if len(texts) == 1:
            if not texts[0].strip():
                yield Finding(
                    "empty argument list; write 'void' for an event without arguments",
                    line.at(line.args_column),
                )
            continue  # else "void"
        for text, col in zip(texts, line.piece_columns(), strict=True):
            if not text.strip():
                yield Finding("empty argument between commas", line.at(col))


@rule(
    "trace-too-many-args",
    Severity.ERROR,
    scope=SCOPE,
    example="e(int a, int b, int c, int d, int e, int f, int g, int h, int i, int j, int k) "
    '"%d %d %d %d %d %d %d %d %d %d %d"',
)
def too_many_args(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """An event has more than 10 arguments, tracetool's limit."""
    for ev in events:
        count = len(ev.line.args)
        if count > MAX_ARGS:
            yield Finding(
                f"{count} arguments; tracetool allows at most {MAX_ARGS}",
                ev.arg_location(MAX_ARGS),
            )


@rule(
    "trace-unknown-property",
    Severity.ERROR,
    scope=SCOPE,
    example='static dev_save_setup(const char *name) " (%s)"',
)
def unknown_property(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """A word before the event name is not a property tracetool knows (disable, vcpu)."""
    for ev in events:
        line = ev.line
        if not line.properties:
            continue
        cols = line.property_columns
        for i, p in enumerate(line.properties):
            if p not in VALID_PROPERTIES:
                yield Finding(
                    f"unknown property '{p}' (tracetool knows {', '.join(VALID_PROPERTIES)})",
                    line.at(cols[i] if i < len(cols) else 0),
                )


@rule(
    "trace-two-formats",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_save_setup(const char *name) "trans %s", "exec %s"',
)
def two_formats(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """The event uses the old two-format form '"fmt_trans", "fmt"'.

    The form served the ``tcg`` property, which tracetool no longer has;
    tracetool still parses it, but its backends expect one format and fail.
    """
    for ev in events:
        if ev.line.format_trans is not None:
            yield Finding(
                'two formats: the \'"fmt_trans", "fmt"\' form was for the removed '
                "'tcg' property; keep one format",
                ev.line.format_at(0, trans=True),
            )
