"""Lint rules for trace events: tracetool's own checks and printf type checks.

Inputs: trace events, either from a spec (``spec.trace_events()``) or read from
a trace-events file (:mod:`migspec.load.trace_events`).  Outputs: findings.

Each event rule checks events one by one, given as :class:`EventCheck` values
(the event, where it was written, its format taken apart once by
:mod:`.printf`, its argument types classified once); it loops over them
itself, so that the usual event, which has nothing to report, costs one
test in the rule's loop rather than a call.  The same functions serve both inputs:
:data:`SPEC_RULES` runs them over a spec's events, :data:`FILE_RULES` over a
file's events, plus the rules that only make sense for a file (a missing final
newline, duplicate names).

Severities: what makes tracetool stop, and what is undefined behaviour on
QEMU's main (LP64) hosts, is an error; what is wrong only on other hosts
(32-bit, Windows) or is house style (checkpatch's ``0x`` rule) is a warning.

Modules: :mod:`.arg_types` (how printf sees each C argument type on each
host data model), :mod:`.subjects` (an event or a file prepared once for all
rules), :mod:`.tracetool` (tracetool's own rules), :mod:`.printf_checks`
(format/argument checks beyond tracetool), :mod:`.file_rules` (rules over a
whole file, and duplicates across files), :mod:`.rule_sets` (which rules
run over a spec and which over a file).
"""

from __future__ import annotations

from .file_rules import DefinedEvents, duplicate_event
from .printf_checks import (
    format_64bit,
    format_int_size,
    format_kind,
    format_pointer,
    format_pri_width,
    format_sign_extension,
    format_string,
)
from .rule_sets import EVENT_RULES, FILE_RULES, SPEC_RULES, SUSPECT_RULES
from .subjects import ODD_BLANK, Memo, prepare_event, prepare_file

__all__ = [
    "EVENT_RULES",
    "FILE_RULES",
    "ODD_BLANK",
    "SPEC_RULES",
    "SUSPECT_RULES",
    "DefinedEvents",
    "Memo",
    "duplicate_event",
    "format_64bit",
    "format_int_size",
    "format_kind",
    "format_pointer",
    "format_pri_width",
    "format_sign_extension",
    "format_string",
    "prepare_event",
    "prepare_file",
]
