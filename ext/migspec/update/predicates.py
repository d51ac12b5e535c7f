"""Rewriting state-class predicates: the states a predicate tests.

Inputs: what one predicate must test (:mod:`migspec.expect.code`) and the
parsed C file that defines it.  Outputs: byte edits and diagnostics.  A
predicate that already tests exactly its members -- its class, among the
states the C handles -- in any form the reader understands (``==``/``||``,
``!=``/``&&``, a switch, parentheses) is not touched.  Otherwise its one ``return``
statement is replaced by the one ``templates/predicates.c.j2`` writes,
indented as the file indents it; a predicate written as a switch gets the
template's whole body.  The signature and everything before the ``return``
stay.  A predicate migspec cannot read is reported, not rewritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Note
from ..expect.code import CodeExpectation, PredicateExpectation
from ..render.c import render_predicate_functions
from ..source.c import CFile, CReader, read_predicate, walk
from .regions import REGION_FORM, ByteEdit, find_function, indent_of, newline_bytes

if TYPE_CHECKING:
    from tree_sitter import Node


def _tests(
    code: CodeExpectation, expected: PredicateExpectation, cfile: CFile
) -> tuple[frozenset[str] | None, list[Diagnostic]]:
    """The handled states the predicate's function is true for; None if it cannot be read.

    As ``migspec check`` reads it: a constant that names no spec state makes
    it need a rewrite (the checker calls it extra), and so does a state the
    C does not handle.
    """
    pred = expected.predicate
    read, diagnostics = read_predicate(cfile, pred.function, pred.subject)
    if read is None:
        return None, diagnostics
    named: set[str] = set()
    for ref in read.constants:
        state = code.state_of(ref.name)
        if state is None:
            return frozenset({ref.name}), []  # never a set of members: rewrite
        named.add(state.name)
    return expected.tested(frozenset(named), read.negated), []


def _rendered(
    code: CodeExpectation, expected: PredicateExpectation, reader: CReader
) -> tuple[bytes, Node]:
    data = render_predicate_functions(code.machine, (expected,)).encode("utf-8")
    rfile = reader.parse_bytes(data, "<predicates.c.j2>")
    fn = rfile.functions.get(expected.predicate.function)
    assert fn is not None, "the predicate template must read back"
    return data, fn.node


def predicate_edits(
    code: CodeExpectation, expected: PredicateExpectation, cfile: CFile, reader: CReader
) -> tuple[list[ByteEdit], list[Diagnostic]]:
    pred = expected.predicate
    fn, diagnostics = find_function(cfile, pred.function, pred.location)
    if fn is None:
        return [], diagnostics
    spec_note = Note(message="the spec names it here", location=pred.location)
    tested, problems = _tests(code, expected, cfile)
    if tested is None:
        why = problems[0] if problems else None
        return [], [
            REGION_FORM.diagnostic(
                f"{pred.function}() is not in a form migspec can rewrite"
                + (f" ({why.message})" if why else "")
                + "; left as it is",
                why.location if why else fn.location,
                notes=(spec_note,),
            )
        ]
    if tested == expected.member_states:
        return [], []
    data = cfile.source
    rdata, rnode = _rendered(code, expected, reader)
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
