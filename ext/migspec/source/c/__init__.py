"""C facts through tree-sitter, without a preprocessor.

Inputs: C files, and names taken from a spec (the enum, the to-string
function, predicate functions, setter functions, registration calls).
Outputs: located facts (path, 1-based line and column) plus diagnostics;
nothing here raises on odd C.

QEMU's C is read as written.  Macros (``g_autofree``, ``QEMU_PACKED``,
``glue()``) and ``#ifdef`` blocks make tree-sitter build odd or error nodes
around them, so every reader looks for a *shape* anywhere in the tree (a
function definition by name, a switch's case labels, a call by callee name),
inside preprocessor blocks and error-recovery nodes too, rather than walking
a grammar path it expects.  A form the reader does not understand becomes a
diagnostic, never a guess.

One module per kind of fact: :mod:`.facts` (the located values, the
``check-c-form`` rule, reading limits), :mod:`.syntax` (parsing, indexing,
tree walking, switch shapes), :mod:`.enums`, :mod:`.to_string`,
:mod:`.predicates`, :mod:`.values` (what a state argument or a function
pointer resolves to) and :mod:`.calls` (setter calls, callback registrations,
trace calls, callers).
"""

from __future__ import annotations

from .calls import callers, registrations, setter_calls, trace_calls
from .enums import read_enum
from .facts import (
    C_FORM,
    MAX_NESTING,
    MAX_QUOTE,
    RULES,
    CallbackRegistration,
    CaseString,
    CFile,
    EnumAmbiguity,
    EnumRead,
    FunctionDef,
    Ref,
    SetterCall,
    TraceCall,
)
from .predicates import read_predicate
from .syntax import CReader, function_definitions, unwrap, walk
from .to_string import read_to_string

__all__ = [
    "C_FORM",
    "MAX_NESTING",
    "MAX_QUOTE",
    "RULES",
    "CFile",
    "CReader",
    "CallbackRegistration",
    "CaseString",
    "EnumAmbiguity",
    "EnumRead",
    "FunctionDef",
    "Ref",
    "SetterCall",
    "TraceCall",
    "callers",
    "function_definitions",
    "read_enum",
    "read_predicate",
    "read_to_string",
    "registrations",
    "setter_calls",
    "trace_calls",
    "unwrap",
    "walk",
]
