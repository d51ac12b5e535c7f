"""Rewriting state-class predicates: the states a predicate tests.

Inputs: a spec, one of its predicates and the parsed C file that defines
it.  Outputs: byte edits and diagnostics.  A predicate that already tests
exactly its class (in any form the reader understands: ``==``/``||``,
``!=``/``&&``, a switch) is not touched.  Otherwise its one ``return``
statement is replaced by the one ``templates/predicates.c.j2`` writes,
indented as the file indents it; a predicate written as a switch gets the
template's whole body.  The signature and everything before the ``return``
stay.  A predicate migspec cannot read is reported, not rewritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Note
from ..model import Predicate, Spec
from ..source.c import CFile, CReader, read_predicate, walk
from .regions import REGION_FORM, ByteEdit, find_function, indent_of, newline_bytes

if TYPE_CHECKING:
    from tree_sitter import Node


def _tests(spec: Spec, pred: Predicate, cfile: CFile) -> tuple[set[str] | None, list[Diagnostic]]:
    """The spec states ``pred``'s function is true for; None if it cannot be read."""
    read, diagnostics = read_predicate(cfile, pred.function, pred.subject)
    if read is None:
        return None, diagnostics
    prefix = spec.machine.prefix
    named = {ref.name for ref in read.constants}
    states = {prefix + s.name: s.name for s in spec.states}
    if named - states.keys():
        # A constant that names no spec state: rewrite (the checker calls it extra).
        return set(), []
    tested = {states[c] for c in named}
    if read.negated:
        tested = {s.name for s in spec.states} - tested
    return tested, []


def _rendered(spec: Spec, pred: Predicate, reader: CReader) -> tuple[bytes, Node]:
    from ..render.c import render_predicates

    text = render_predicates(spec)
    assert text is not None
    data = text.encode("utf-8")
    rfile = reader.parse_bytes(data, "<predicates.c.j2>")
    fn = rfile.functions.get(pred.function)
    assert fn is not None, "the predicate template must read back"
    return data, fn.node


def predicate_edits(
    spec: Spec, pred: Predicate, cfile: CFile, reader: CReader
) -> tuple[list[ByteEdit], list[Diagnostic]]:
    fn, diagnostics = find_function(cfile, pred.function, pred.location)
    if fn is None:
        return [], diagnostics
    spec_note = Note(message="the spec names it here", location=pred.location)
    tested, problems = _tests(spec, pred, cfile)
    if tested is None:
        why = problems[0] if problems else None
        return [], [
            REGION_FORM.diagnostic(
                f"{pred.function}() is not in a form migspec can rewrite"
                + (f" ({why.message})" if why else "")
                + "; not rewritten",
                why.location if why else fn.location,
                notes=(spec_note,),
            )
        ]
    expected = {s.name for s in spec.states if pred.state_class in s.classes}
    if tested == expected:
        return [], []
    data = cfile.source
    rdata, rnode = _rendered(spec, pred, reader)
    body = fn.node.child_by_field_name("body")
    rbody = rnode.child_by_field_name("body")
    assert body is not None and rbody is not None
    if any(n.type == "switch_statement" for n in walk(body)):
        return [
            ByteEdit(body.start_byte, body.end_byte, rdata[rbody.start_byte : rbody.end_byte])
        ], []
    (ret,) = [n for n in walk(body) if n.type == "return_statement"]
    (rret,) = [n for n in walk(rbody) if n.type == "return_statement"]
    # The template's return lines, re-indented from its indent to the file's.
    r_indent = indent_of(rdata, rret.start_byte)
    f_indent = indent_of(data, ret.start_byte)
    newline = newline_bytes(data)
    lines = rdata[rret.start_byte : rret.end_byte].split(b"\n")
    text = newline.join(
        [lines[0]]
        + [
            f_indent + line[len(r_indent) :] if line.startswith(r_indent) else line
            for line in lines[1:]
        ]
    )
    return [ByteEdit(ret.start_byte, ret.end_byte, text)], []
