"""Finding what a spec describes in a source tree that has no spec yet.

Inputs: a source root and what the user pinned (``--enum``, ``--to-string``,
``--docs``).  Outputs: located facts -- the state enum, the to-string
function, the predicates, the callbacks registered by designated
initializers, the trace-events section, the rst files with flow drawings --
or diagnostics that say what was not found or was found more than once (and
which option settles it).  Files are filtered by a cheap byte search before
tree-sitter or docutils sees them, so a whole QEMU tree is fine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Location, Note, Severity, declare
from ..load.files import check_regular
from ..model import constant_of_state
from ..source.c import (
    CFile,
    CReader,
    EnumRead,
    FunctionDef,
    function_definitions,
    read_enum,
    read_predicate,
    read_to_string,
    unwrap,
    walk,
)
from ..source.c.syntax import one_line
from ..source.tree import TreeReader

if TYPE_CHECKING:
    from tree_sitter import Node

    from .uapi import UapiMachine

SCOPE = "import"

NOT_FOUND = declare(
    "import-not-found",
    Severity.ERROR,
    "migspec import cannot find something a spec needs (the state enum) in the tree.",
    scope=SCOPE,
    doc="""
    Without ``--enum``, import looks for an enum whose constants share a
    ``*_STATE_*``-like prefix; name it with ``--enum NAME`` if yours does not.
    """,
    example="migspec import --source-root . --enum my_device_state",
)
AMBIGUOUS = declare(
    "import-ambiguous",
    Severity.ERROR,
    "migspec import found several candidates and will not guess; an option chooses.",
    scope=SCOPE,
    doc="""
    Several enums look like state machines (``--enum``), several functions
    look like the to-string switch (``--to-string``), several rst files draw
    flows (``--docs``), or the enum is defined in several headers
    (``--header``).  The message lists the candidates.
    """,
    example="several enums look like state machines: a_state (a.h:3), b_state (b.h:9)",
)
SKIPPED = declare(
    "import-skipped",
    Severity.NOTE,
    "An optional part of the spec was not found in the tree and is left out.",
    scope=SCOPE,
    example="no function switches over enum lamp_state and returns strings",
)

RULES = (NOT_FOUND, AMBIGUOUS, SKIPPED)


def _read(root: TreeReader, rel: str) -> bytes:
    """The file's bytes, or nothing when the shared reader refused it (and
    reported why: not a regular file, too large, outside the root)."""
    return root.read(rel) or b""


def read_bytes(root: TreeReader, rel: str) -> bytes:
    """A tree file's bytes (empty if unreadable)."""
    return _read(root, rel)


def read_text(root: TreeReader, rel: str) -> str:
    """A tree file's text (UTF-8, undecodable bytes replaced; empty if unreadable)."""
    return _read(root, rel).decode("utf-8", "replace")


# -- the enum ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class FoundEnum:
    read: EnumRead
    header: str  # relative path
    prefix: str


def common_prefix(names: Sequence[str]) -> str:
    """The longest prefix of every name that ends with '_' (``VFIO_DEVICE_STATE_``)."""
    if not names:
        return ""
    prefix = names[0]
    for name in names[1:]:
        while not name.startswith(prefix):
            prefix = prefix[:-1]
    if all(len(n) > len(prefix) for n in names) and prefix.endswith("_"):
        return prefix
    cut = prefix.rfind("_", 0, len(prefix) - 1 if prefix.endswith("_") else len(prefix))
    return prefix[: cut + 1] if cut >= 0 else ""


_ENUM = re.compile(rb"\benum\s+([A-Za-z_]\w*)\s*\{")
_STATEY = re.compile(r"(^|_)STATE_")


def find_enum(
    root: TreeReader,
    reader: CReader,
    name: str | None,
    header: str | None,
    under: str | None = None,
) -> tuple[FoundEnum | None, list[Diagnostic]]:
    """The state enum: ``name`` or the one enum with a state-like prefix (in ``under``, if given)."""
    where = Location(root.tree.shown)

    def files_under(suffixes: tuple[str, ...]) -> list[str]:
        return [p for p in root.files(suffixes) if under is None or p.startswith(under + "/")]

    files = [header] if header else files_under((".h",))
    if name is not None and not header:
        files += files_under((".c",))
    found: list[FoundEnum] = []
    for rel in files:
        data = _read(root, rel)
        names = {m.group(1).decode() for m in _ENUM.finditer(data)}
        wanted = {name} & names if name is not None else names
        if not wanted:
            continue
        cfile = reader.parse_bytes(data, os.path.join(root.tree.shown, rel))
        for enum_name in sorted(wanted):
            read = read_enum(cfile, enum_name)
            if read is None or len(read.constants) < 2:
                continue
            prefix = common_prefix([c.name for c in read.constants])
            if name is None and not _STATEY.search(prefix):
                continue
            found.append(FoundEnum(read=read, header=rel, prefix=prefix))
    if not found:
        what = f"no definition of enum {name}" if name else "no enum with a *_STATE_* prefix"
        return None, [
            NOT_FOUND.diagnostic(
                f"{what} in the tree" + ("" if name else "; name the state enum with --enum NAME"),
                Location(os.path.join(root.tree.shown, header)) if header else where,
            )
        ]
    names_found = sorted({f.read.name for f in found})
    if len(names_found) > 1:
        listed = ", ".join(f"{f.read.name} ({f.read.location})" for f in found)
        return None, [
            AMBIGUOUS.diagnostic(
                f"several enums look like state machines: {listed}; choose one with --enum NAME",
                where,
            )
        ]
    if len(found) > 1:
        listed = ", ".join(f.header for f in found)
        return None, [
            AMBIGUOUS.diagnostic(
                f"enum {names_found[0]} is defined in {listed}; choose one with --header FILE",
                where,
            )
        ]
    chosen = found[0]
    if not chosen.prefix:
        return None, [
            NOT_FOUND.diagnostic(
                f"the constants of enum {chosen.read.name} share no prefix ending in '_'",
                chosen.read.location,
            )
        ]
    if chosen.read.ambiguities:
        # A value that depends on the #if branch the compiler takes: the import
        # would have to guess a state's value, so it does not.
        return None, [
            AMBIGUOUS.diagnostic(f"{a.message}; the import does not guess", a.location)
            for a in chosen.read.ambiguities
        ]
    unknown = [c for c in chosen.read.constants if c.value is None]
    if unknown:
        return None, [
            NOT_FOUND.diagnostic(
                f"cannot compute the value of {unknown[0].name}", unknown[0].location
            )
        ]
    return chosen, []


# -- C that follows from the enum ------------------------------------------------


def c_files_naming(root: TreeReader, prefix: str) -> list[str]:
    """The ``.c`` files that mention a constant with ``prefix``."""
    needle = prefix.encode()
    return [rel for rel in root.files((".c",)) if needle in _read(root, rel)]


@dataclass(frozen=True, slots=True, kw_only=True)
class FoundToString:
    function: str
    file: str  # relative
    default: str | None
    strings: dict[str, str]  # constant -> the string it returns
    location: Location


def _parsed(root: TreeReader, reader: CReader, rel: str) -> CFile:
    return reader.parse_bytes(_read(root, rel), os.path.join(root.tree.shown, rel))


def find_to_string(
    root: TreeReader, reader: CReader, enum: FoundEnum, files: Sequence[str], name: str | None
) -> tuple[FoundToString | None, list[Diagnostic]]:
    constants = {c.name for c in enum.read.constants}
    found: list[FoundToString] = []
    for rel in files:
        cfile = _parsed(root, reader, rel)
        names = [name] if name is not None else sorted(cfile.functions)
        for fn_name in names:
            if not function_definitions(cfile, fn_name):
                continue
            read, _ = read_to_string(cfile, fn_name)
            if read is None or not read.cases:
                continue
            labels = {c.constant for c in read.cases}
            strings = {c.constant: c.string for c in read.cases if c.constant and c.string}
            if name is None and (not labels <= constants or not strings):
                continue
            default = read.default.string if read.default is not None else None
            found.append(
                FoundToString(
                    function=fn_name,
                    file=rel,
                    default=default,
                    strings=strings,
                    location=read.location,
                )
            )
    where = Location(root.tree.shown)
    if not found:
        if name is not None:
            return None, [
                NOT_FOUND.diagnostic(f"no function {name}() with a switch in the tree", where)
            ]
        return None, [
            SKIPPED.diagnostic(
                f"no function switches over enum {enum.read.name} and returns strings; "
                "the spec has no code.to_string (or pass --to-string NAME)",
                where,
            )
        ]
    if len(found) > 1:
        listed = ", ".join(f"{f.function}() ({f.location})" for f in found)
        return None, [
            AMBIGUOUS.diagnostic(
                f"several functions turn enum {enum.read.name} into strings: {listed}; "
                "choose one with --to-string NAME",
                where,
            )
        ]
    return found[0], []


@dataclass(frozen=True, slots=True, kw_only=True)
class FoundPredicate:
    function: str
    file: str
    class_name: str
    subject: str
    params: str
    prologue: tuple[str, ...]
    constants: tuple[str, ...]


def _subject(cfile: CFile, expr: Node, prefix: str) -> str | None:
    """The side of the first ``==`` that is not a constant with ``prefix``."""
    node = unwrap(expr)
    for n in [node, *walk(node)]:
        if n.type != "binary_expression":
            continue
        op = n.child_by_field_name("operator")
        if op is None or op.type != "==":
            continue
        left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
        if left is None or right is None:
            continue
        for side, other in ((left, right), (right, left)):
            if cfile.text(unwrap(other)).startswith(prefix):
                return one_line(cfile.text(unwrap(side)))
    return None


def class_name(function: str) -> str:
    """``vfio_device_state_is_running`` -> ``running``."""
    _, sep, tail = function.rpartition("_is_")
    return tail if sep and tail else function


def find_predicates(
    root: TreeReader, reader: CReader, enum: FoundEnum, files: Sequence[str], skip: str | None
) -> tuple[list[FoundPredicate], list[Diagnostic]]:
    """Functions returning ``x == A || x == B`` over the enum's constants.

    A function named like a predicate (``*_is_*``) that tests the enum's
    constants but is not of that form is not guessed at: it is named in a
    diagnostic (left out of the spec), never dropped silently.
    """
    constants = {c.name for c in enum.read.constants}
    found: list[FoundPredicate] = []
    unread: list[Diagnostic] = []
    for rel in files:
        cfile = _parsed(root, reader, rel)
        for fn_name, fn in sorted(cfile.functions.items(), key=lambda kv: kv[1].location):
            if fn_name == skip:
                continue
            got = _predicate(cfile, fn, enum.prefix, constants)
            if got is None and "_is_" in fn_name and enum.prefix in cfile.text(fn.node):
                unread.append(
                    SKIPPED.diagnostic(
                        f"{fn_name}() looks like a predicate over enum {enum.read.name}, but is "
                        "not 'return x == A || x == B ...' over its constants; left out of "
                        "the spec (add it by hand)",
                        fn.location,
                        severity=Severity.WARNING,
                    )
                )
            if got is not None:
                subject, params, prologue, refs = got
                found.append(
                    FoundPredicate(
                        function=fn_name,
                        file=rel,
                        class_name=class_name(fn_name),
                        subject=subject,
                        params=params,
                        prologue=prologue,
                        constants=refs,
                    )
                )
    return found, unread


def _predicate(
    cfile: CFile, fn: FunctionDef, prefix: str, constants: set[str]
) -> tuple[str, str, tuple[str, ...], tuple[str, ...]] | None:
    body = fn.node.child_by_field_name("body")
    if body is None:
        return None
    returns = [n for n in walk(body) if n.type == "return_statement"]
    if len(returns) != 1 or any(n.type == "switch_statement" for n in walk(body)):
        return None
    (ret,) = returns
    value = next((c for c in ret.named_children if c.type != "comment"), None)
    if value is None:
        return None
    subject = _subject(cfile, value, prefix)
    if subject is None:
        return None
    read, problems = read_predicate(cfile, fn.name, subject)
    if read is None or problems or read.negated or not read.constants:
        return None
    refs = tuple(dict.fromkeys(r.name for r in read.constants))
    if not set(refs) <= constants:
        return None
    declarator = fn.node.child_by_field_name("declarator")
    params_node = None
    for n in [declarator, *walk(declarator)] if declarator is not None else []:
        if n is not None and n.type == "function_declarator":
            params_node = n.child_by_field_name("parameters")
            break
    params = one_line(cfile.text(params_node))[1:-1] if params_node is not None else "void"
    prologue = tuple(
        one_line(cfile.text(stmt))
        for stmt in body.named_children
        if stmt.type != "comment" and stmt.end_byte <= ret.start_byte
    )
    return subject, params or "void", prologue, refs


def find_callbacks(cfile: CFile) -> list[str]:
    """Members of designated initializers set to a function this file defines."""
    out: list[str] = []
    for d in cfile.designated:
        value = unwrap(d.value)
        is_function = value.type == "identifier" and cfile.text(value) in cfile.functions
        if is_function and d.member not in out:
            out.append(d.member)
    return out


def callers_of(cfile: CFile) -> dict[str, list[str]]:
    """trace event name -> the functions of this file that call ``trace_NAME()``."""
    out: dict[str, list[str]] = {}
    for call in cfile.calls:
        if call.callee.startswith("trace_") and call.function is not None:
            names = out.setdefault(call.callee.removeprefix("trace_"), [])
            if call.function not in names:
                names.append(call.function)
    return out


def features_handled(
    root: TreeReader,
    files: Sequence[str],
    to_string: FoundToString | None,
    uapi: UapiMachine,
    prefix: str,
) -> tuple[str, ...]:
    """The optional features the C code handles.

    A feature is handled when the C names its flag macro, or has a to-string
    case for a state that needs that optional feature alone.
    """
    blob = b"".join(_read(root, rel) for rel in files)
    words = set(re.findall(rb"[A-Za-z_][A-Za-z0-9_]*", blob))
    cased = set(to_string.strings) if to_string is not None else set()
    out = []
    for feature in uapi.features:
        if feature.mandatory:
            continue
        alone = [
            s.name
            for s in uapi.states
            if [f for f in s.features if not _mandatory(uapi, f)] == [feature.name]
        ]
        if feature.macro.encode() in words or any(
            constant_of_state(prefix, n) in cased for n in alone
        ):
            out.append(feature.name)
    return tuple(out)


def _mandatory(uapi: UapiMachine, name: str) -> bool:
    return any(f.name == name and f.mandatory for f in uapi.features)


# -- docs ------------------------------------------------------------------------------


_TUPLE_LINE = re.compile(r"^\s*\[?\s*\([^()\n]*,[^()\n]*,[^()\n]*\)", re.MULTILINE)


def find_docs(
    root: TreeReader, docs: str | None, state_names: Sequence[str], docs_prefix: str
) -> tuple[str | None, list[Diagnostic]]:
    """The rst file whose literal blocks draw the machine's device states."""
    where = Location(root.tree.shown)
    if docs is not None:
        refused = check_regular(root.tree.path(docs))
        if refused is not None:
            return None, [NOT_FOUND.diagnostic(f"--docs {docs}: {refused.reason}", where)]
        if not root.inside(docs):
            return None, []
        return docs, []
    words = [f"{docs_prefix}{n}".encode() for n in state_names]
    candidates = []
    for rel in root.files((".rst",)):
        data = _read(root, rel)
        hits = [m.group() for m in _TUPLE_LINE.finditer(data.decode("utf-8", "replace"))]
        if any(any(w.decode() in h for w in words) for h in hits):
            candidates.append(rel)
    if not candidates:
        return None, [
            SKIPPED.diagnostic(
                "no rst file draws flows with the machine's states; the spec has no flows "
                "(or pass --docs FILE)",
                where,
            )
        ]
    if len(candidates) > 1:
        return None, [
            AMBIGUOUS.diagnostic(
                f"several rst files draw flows: {', '.join(candidates)}; choose one with --docs FILE",
                where,
                notes=tuple(Note(message="candidate", location=Location(c)) for c in candidates),
            )
        ]
    return candidates[0], []
