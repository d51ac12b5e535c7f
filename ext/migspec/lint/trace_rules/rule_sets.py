"""Which trace rules run, over what: the event rules wrapped to run over a
spec's events (:data:`SPEC_RULES`) and over a file's (:data:`FILE_RULES`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from ...diagnostics import Finding, Rule
from ...load.trace_events import SYNTAX
from .file_rules import duplicate_event, no_final_newline
from .printf_checks import (
    format_64bit,
    format_arg_count,
    format_hex_prefix,
    format_int_size,
    format_invalid,
    format_kind,
    format_pointer,
    format_pri_width,
    format_sign_extension,
    format_string,
)
from .subjects import EventCheck, FileCheck, prepare_spec
from .tracetool import (
    arg_type,
    empty_args,
    format_errno,
    format_newline,
    too_many_args,
    two_formats,
    unknown_property,
)

if TYPE_CHECKING:
    from ...model import Spec


# Rules that read nothing of an event but its suspect pairs: the run skips
# them for the (usual) event that has none, without calling them.
SUSPECT_RULES: tuple[Rule[Iterable[EventCheck]], ...] = (
    format_64bit,
    format_pri_width,
    format_int_size,
    format_string,
    format_pointer,
    format_kind,
    format_sign_extension,
)
EVENT_RULES: tuple[Rule[Iterable[EventCheck]], ...] = (
    format_newline,
    format_errno,
    arg_type,
    empty_args,
    too_many_args,
    unknown_property,
    two_formats,
    format_invalid,
    format_arg_count,
    *SUSPECT_RULES,
    format_hex_prefix,
)

# -- running event rules over a spec and over a file ---------------------------

S = TypeVar("S")


def _rewrap(r: Rule[Iterable[EventCheck]], run: Callable[[S], Iterable[Finding]]) -> Rule[S]:
    """``r`` with the same id, severity and docs, checking a whole spec or file."""
    return Rule(
        id=r.id,
        severity=r.severity,
        summary=r.summary,
        doc=r.doc,
        scope=r.scope,
        example=r.example,
        check=run,
    )


def _over_spec(r: Rule[Iterable[EventCheck]]) -> Rule[Spec]:
    check = r.check
    assert check is not None
    only_suspects = r in SUSPECT_RULES

    # wraps(): the docs find the rule's docstring in its source through it.
    @functools.wraps(check)
    def run(spec: Spec) -> Iterable[Finding]:
        events = prepare_spec(spec)
        return check([ev for ev in events if ev.suspects] if only_suspects else events)

    return _rewrap(r, run)


def _over_file(r: Rule[Iterable[EventCheck]]) -> Rule[FileCheck]:
    check = r.check
    assert check is not None
    only_suspects = r in SUSPECT_RULES

    # wraps(): the docs find the rule's docstring in its source through it.
    @functools.wraps(check)
    def run(fc: FileCheck) -> Iterable[Finding]:
        return check(fc.suspect_events if only_suspects else fc.events)

    return _rewrap(r, run)


SPEC_RULES: tuple[Rule[Any], ...] = tuple(_over_spec(r) for r in EVENT_RULES)
FILE_RULES: tuple[Rule[Any], ...] = (
    SYNTAX,
    no_final_newline,
    duplicate_event,
    *(_over_file(r) for r in EVENT_RULES),
)
