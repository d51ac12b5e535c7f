"""What the transition check needs from a tree: the setters and each step's callbacks.

Inputs: the parsed C file of the to-string function, the enum's name, the
callbacks that designated initializers register (``.save_setup = ...``)
and the drawn flows.  Outputs: the **setters** -- functions that take the
enum by value, the first such parameter being the requested state and a
second one the state to recover to -- and, per flow step, the callbacks the
drawing names around its tuple (``.save_setup()``, or
``.state_pending_{estimate,exact}()`` for two).  A callback named in the
text above or below a tuple belongs to that step and to the next one: the
drawing writes what happens between two tuples on either side of the
connector, and C requests the state the next tuple shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..source.c import CFile, walk
from .flows import ImportedFlow


@dataclass(frozen=True, slots=True, kw_only=True)
class FoundSetter:
    function: str
    state_arg: int
    recover_arg: int | None


def find_setters(cfile: CFile, enum: str, skip: Iterable[str]) -> list[FoundSetter]:
    """Functions of ``cfile`` that take ``enum`` by value, except ``skip``."""
    skipped = set(skip)
    by_value = re.compile(rf"^(?:const\s+)?enum\s+{re.escape(enum)}\s+[A-Za-z_]\w*$")
    out = []
    for name, fn in sorted(cfile.functions.items(), key=lambda kv: kv[1].location):
        if name in skipped:
            continue
        params = None
        for node in walk(fn.node):
            if node.type == "function_declarator":
                params = node.child_by_field_name("parameters")
                break
        if params is None:
            continue
        decls = [p for p in params.named_children if p.type == "parameter_declaration"]
        hits = [i for i, p in enumerate(decls) if by_value.match(" ".join(cfile.text(p).split()))]
        if hits:
            recover = hits[1] if len(hits) > 1 else None
            out.append(FoundSetter(function=name, state_arg=hits[0], recover_arg=recover))
    return out


_CALL = re.compile(r"\.([A-Za-z_]\w*)(?:\{([A-Za-z_0-9,\s]+)\}([A-Za-z_0-9]*))?")


def named_callbacks(text: str, callbacks: Sequence[str]) -> list[str]:
    """The callbacks ``text`` names as ``.name()`` or ``.name`` (braces list alternatives)."""
    known = set(callbacks)
    out: list[str] = []
    for m in _CALL.finditer(text):
        stem, alternatives, tail = m.group(1), m.group(2), m.group(3) or ""
        names = (
            [stem]
            if alternatives is None
            else [f"{stem}{alt.strip()}{tail}" for alt in alternatives.split(",")]
        )
        out += [n for n in names if n in known and n not in out]
    return out


def step_callbacks(
    flows: Sequence[ImportedFlow], callbacks: Sequence[str]
) -> dict[tuple[str, int], tuple[str, ...]]:
    """(flow name, step index) -> the callbacks the drawing names at that step or the one before."""
    out: dict[tuple[str, int], tuple[str, ...]] = {}
    for flow in flows:
        named = [
            named_callbacks(
                " ".join(line.text for line in (*step.text, *step.text_after)), callbacks
            )
            for step in flow.steps
        ]
        for i in range(len(flow.steps)):
            here = named[i] + (named[i - 1] if i else [])
            if here:
                out[(flow.name, i)] = tuple(dict.fromkeys(here))
    return out
