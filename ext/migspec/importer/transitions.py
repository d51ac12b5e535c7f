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

It also reads the **registrations**: calls that pass, as arguments,
functions requesting device states (:func:`find_registrations`).  Such a
function is a callback no initializer names (a VM state change handler); it
is named after the function as the initializers' callbacks are, and listed
at the steps whose device state nothing else explains
(:func:`registered_steps`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..diagnostics import Location
from ..model import state_of_constant
from ..source.c import CFile, callers, setter_calls, unwrap, walk
from ..source.c.values import resolve_functions
from .flows import ImportedFlow
from .scan import common_prefix


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


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisteredCallback:
    """A function a registration call passes, as the spec's callback ``name``."""

    name: str
    function: str  # the C function registered
    docs_as: str | None  # the docs' name for it; None: the docs do not name it
    states: tuple[str, ...]  # the device states it may request (without the prefix)


@dataclass(frozen=True, slots=True, kw_only=True)
class FoundRegistration:
    """A registering function and, per argument index, the callback it registers."""

    function: str
    args: tuple[tuple[int, str], ...]
    location: Location  # the first such call


def requested_states(
    cfile: CFile, setters: Sequence[FoundSetter], prefix: str
) -> dict[str, frozenset[str]]:
    """Each function of ``cfile`` that requests a device state -> the states it may request.

    A function requests a state when it calls a setter, or a function that
    passes its own parameter on to one, or a function that requests one
    (transitively).  The setters themselves, and the pass-through helpers,
    are not in the answer: their callers say which state.
    """
    table = {s.function: (s.state_arg, s.recover_arg) for s in setters}
    states: dict[str, set[str]] = {}
    changed = True
    while changed:
        changed = False
        calls, _ = setter_calls(cfile, table, prefix)
        for call in calls:
            fn = call.function
            if fn is None or fn in table:
                continue
            if call.state.parameter is not None:
                recover = call.recover.parameter if call.recover is not None else None
                table[fn] = (call.state.parameter, recover)
                states.pop(fn, None)
                changed = True
                continue
            states.setdefault(fn, set()).update(
                name
                for c in call.state.constants
                if (name := state_of_constant(prefix, c.name)) is not None
            )
    graph = callers(cfile)
    queue = list(states)
    while queue:
        callee = queue.pop()
        for caller in sorted(graph.get(callee, ())):
            if caller in table:
                continue
            new = caller not in states
            merged = states.setdefault(caller, set())
            if new or not states[callee] <= merged:
                merged.update(states[callee])
                queue.append(caller)
    return {fn: frozenset(found) for fn, found in states.items()}


def callback_prefix(cfile: CFile) -> str:
    """What the file's functions put before a callback's name.

    Read from the initializers whose function is the member's name with a
    prefix (``.save_setup = vfio_save_setup``: ``vfio_``); failing that, the
    common prefix of the file's function names.
    """
    seen: Counter[str] = Counter()
    for d in cfile.designated:
        value = unwrap(d.value)
        fn = cfile.text(value) if value.type == "identifier" else ""
        if fn in cfile.functions and fn.endswith(d.member) and len(fn) > len(d.member):
            seen[fn[: -len(d.member)]] += 1
    if seen:
        return seen.most_common(1)[0][0]
    return common_prefix(sorted(cfile.functions))


def find_registrations(
    cfile: CFile,
    requested: Mapping[str, frozenset[str]],
    setters: Iterable[str],
    callbacks: Sequence[str],
    docs_text: str = "",
) -> tuple[list[FoundRegistration], list[RegisteredCallback]]:
    """The calls that register functions requesting states, and those functions as callbacks.

    A registration is a call, to no setter and no requesting function, that
    passes a requesting function as an argument (directly, or through a
    local variable or a ``?:``).  Functions an initializer already registers
    are callbacks already and are left out.
    """
    skipped = set(setters) | set(requested)
    designated = {
        cfile.text(unwrap(d.value))
        for d in cfile.designated
        if unwrap(d.value).type == "identifier"
    }
    prefix = callback_prefix(cfile)
    taken = set(callbacks)
    named: dict[str, RegisteredCallback] = {}
    found: dict[str, tuple[dict[int, str], Location]] = {}
    for call in cfile.calls:
        if call.callee in skipped:
            continue
        fn = cfile.functions.get(call.function) if call.function else None
        for index, arg in enumerate(call.args):
            refs, _ = resolve_functions(cfile, fn, arg)
            registered = [r.name for r in refs if r.name in requested and r.name not in designated]
            if not registered:
                continue
            first = registered[0]
            if first not in named:
                name = first.removeprefix(prefix) if first.startswith(prefix) else first
                if name in taken:
                    name = first
                taken.add(name)
                named[first] = RegisteredCallback(
                    name=name,
                    function=first,
                    docs_as=docs_name(docs_text, name),
                    states=tuple(sorted(set().union(*(requested[r] for r in registered)))),
                )
            args, _where = found.setdefault(call.callee, ({}, call.location))
            args.setdefault(index, named[first].name)
    registrations = [
        FoundRegistration(function=callee, args=tuple(sorted(args.items())), location=where)
        for callee, (args, where) in found.items()
    ]
    return registrations, list(named.values())


_WORD = re.compile(r"[A-Za-z0-9]+")


def docs_name(text: str, name: str) -> str | None:
    """The docs' name for callback ``name``: words that spell it, and the noun after them.

    ``vmstate_change`` is spelt by "VM state change" in "uses a VM state change
    handler to"; the docs call it "VM state change handler".  None when no
    words spell it, or nothing follows them.
    """
    key = name.replace("_", "").lower()
    words = [(m.group(0), m.end()) for m in _WORD.finditer(text)]
    for i in range(len(words)):
        spelt = ""
        for j in range(i, len(words)):
            spelt += words[j][0].lower()
            if not key.startswith(spelt):
                break
            if spelt == key:
                if j + 1 < len(words) and text[words[j][1] : words[j][1] + 1] == " ":
                    return " ".join(w for w, _ in words[i : j + 2])
                break
    return None


def registered_steps(
    flows: Sequence[ImportedFlow],
    existing: Mapping[tuple[str, int], tuple[str, ...]],
    explains: Mapping[str, frozenset[str]],
    registered: Sequence[RegisteredCallback],
    initial: str | None,
) -> dict[tuple[str, int], tuple[str, ...]]:
    """``existing`` with each registered callback listed at the steps it may explain.

    A step *changes* the device state when its state differs from the step
    before (for a flow's first step, from the ``initial`` state).  A
    registered callback is listed at each changing step that shows a state
    it may request and that no callback the step lists may request
    (``explains``: callback -> states).  A state of the callback that still
    no step of it shows is then looked for among the changing steps the
    other callbacks explain too (two callbacks may request one state: the
    first to run moves the device).  A state no changing step shows stays
    unlisted, and ``check`` says so.
    """
    out = dict(existing)
    changes: list[tuple[tuple[str, int], set[str]]] = []
    for flow in flows:
        before = initial
        for i, step in enumerate(flow.steps):
            shown = {step.device, step.base}
            if before not in shown:
                changes.append(((flow.name, i), shown))
            before = step.device

    def add(key: tuple[str, int], name: str) -> None:
        out[key] = tuple(dict.fromkeys((*out.get(key, ()), name)))

    for key, shown in changes:
        known = set().union(*(explains.get(cb, frozenset()) for cb in out.get(key, ())))
        if shown & known:
            continue
        for r in registered:
            if shown & set(r.states):
                add(key, r.name)
    for r in registered:
        covered = set().union(*(shown for key, shown in changes if r.name in out.get(key, ())))
        for key, shown in changes:
            if shown & (set(r.states) - covered):
                add(key, r.name)
    return out
