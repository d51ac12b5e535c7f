"""Review stage: two specs in, a complete comparison of them out.

Inputs: an old and a new :class:`~migspec.model.Spec` (read by
:mod:`migspec.load.revision` from files or git revisions).  Outputs: a
:class:`Comparison`, grouped as reviewers read a state-machine patch: the
machine's vocabulary (states, features, groups, classes), arcs, how every
request ends on every device kind (:mod:`migspec.fsm.engine` answers), each
flow as rendered ASCII, trace events, the C artefacts that will change, then
the rest of the spec's wiring.  :mod:`migspec.comparison.report` renders a
comparison as text, JSON and HTML; this module decides nothing about layout.

The comparison is complete by construction: it walks the model's dataclass
fields (:func:`dataclasses.fields`), leaving out only locations and the
spec's own file name, so a field added to the model later is compared
without anyone remembering to.  :data:`_SPEC_PARTS` and :data:`_CODE_PARTS`
only say where a field's changes are reported and how they are named; a
field neither lists is reported under "other" by its own name.  Flows and C
are also compared as each spec renders them, so a change shows as the reader
of the generated text will see it.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..artefacts import Choice, applicable
from ..expect.code import expect_code
from ..fsm.engine import Answer, device_steps
from ..model import (
    DeviceKind,
    DocsTarget,
    Flow,
    Spec,
    StandIn,
    Step,
    TraceArg,
    TraceEvent,
)
from ..render.flow_rst import render_flow_rst


class Status(enum.Enum):
    """What happened to a thing between the two specs."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """A thing (``what`` ``name``: "state RUNNING") added, removed or changed.

    ``details``: for a changed thing, one ``field: old -> new`` line per field
    that differs.
    """

    status: Status
    what: str
    name: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TextDiff:
    """A rendered artefact that changed: its unified diff, and both sides."""

    name: str
    old: str
    new: str
    unified: str
    # How a report names it ("mig_state_to_str()"); "" when ``name`` says it.
    title: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StepChange:
    """A request that ends differently in the two specs on one device kind."""

    kind: DeviceKind
    source: str
    target: str
    old: Answer
    new: Answer


@dataclass(frozen=True, slots=True, kw_only=True)
class DrawingChange:
    """One flow's rendered ASCII drawing for one device kind, where it changed."""

    flow: str
    kind: DeviceKind
    own: bool  # the kind the (new, else old) flow itself is drawn for
    diff: TextDiff


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """Everything that differs between two specs, in reviewers' reading order."""

    old_name: str
    new_name: str
    vocabulary: tuple[Change, ...] = ()
    arcs: tuple[Change, ...] = ()
    # Device kinds in only one of the specs ("added"/"removed" "device kind").
    kinds: tuple[Change, ...] = ()
    # Every device kind both specs have, in the new spec's order.
    kinds_compared: tuple[DeviceKind, ...] = ()
    steps: tuple[StepChange, ...] = ()
    # Flows added or removed, and what changed in a flow besides its drawing.
    flow_changes: tuple[Change, ...] = ()
    drawings: tuple[DrawingChange, ...] = ()
    # Every flow of either spec, the new spec's order first: how reports order them.
    flow_names: tuple[str, ...] = ()
    trace: tuple[Change, ...] = ()
    code: tuple[TextDiff, ...] = ()
    other: tuple[Change, ...] = ()

    @property
    def equivalent(self) -> bool:
        return not (
            self.vocabulary
            or self.arcs
            or self.kinds
            or self.steps
            or self.flow_changes
            or self.drawings
            or self.trace
            or self.code
            or self.other
        )


# -- values, field by field ------------------------------------------------------


def compared_fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    """The fields of a model dataclass that a comparison reads: all but its location."""
    return tuple(
        f for f in dataclasses.fields(cls) if f.name != "location" and f.type != "Location"
    )


def _plain(value: object) -> object:
    """``value`` as plain data without locations: what equality means here."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple((f.name, _plain(getattr(value, f.name))) for f in compared_fields(type(value))),
        )
    if isinstance(value, tuple):
        return tuple(_plain(x) for x in value)
    if isinstance(value, frozenset):
        return frozenset(_plain(x) for x in value)
    return value


def _same(a: object, b: object) -> bool:
    return _plain(a) == _plain(b)


# How some model values read in one line; any other dataclass reads as
# ``(field=value; ...)``.
_SHORT: dict[type, Callable[[Any], str]] = {
    StandIn: lambda s: f"{s.feature or '*'}={s.state}",
    DocsTarget: lambda d: f"{d.file} # {d.section}",
    TraceArg: str,
}


def _text(value: object, nested: bool = False) -> str:
    """One value as a detail line shows it (``-`` for none or empty)."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, frozenset):
        return ", ".join(sorted(_text(x, True) for x in value)) or "-"
    if isinstance(value, tuple):
        inner = ", ".join(_text(x, True) for x in value)
        return f"({inner})" if nested else inner or "-"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        short = _SHORT.get(type(value))
        if short is not None:
            return short(value)
        return (
            "("
            + "; ".join(
                f"{f.name}={_text(getattr(value, f.name), True)}"
                for f in compared_fields(type(value))
            )
            + ")"
        )
    return str(value)


def _details(old: object, new: object, skip: Iterable[str] = (), prefix: str = "") -> list[str]:
    """``field: old -> new`` for every field of two objects of one class that differs."""
    out: list[str] = []
    for f in compared_fields(type(old)):
        if f.name in skip:
            continue
        a, b = getattr(old, f.name), getattr(new, f.name)
        if _same(a, b):
            continue
        if (
            dataclasses.is_dataclass(a)
            and type(a) is type(b)
            and type(a) not in _SHORT
            and not isinstance(a, type)
        ):
            out.extend(_details(a, b, prefix=f"{prefix}{f.name}."))
        else:
            out.append(f"{prefix}{f.name}: {_text(a)} -> {_text(b)}")
    return sorted(out)


def _name_key(item: Any) -> str:
    """How a thing in a list is known across the two specs."""
    for attr in ("name", "function", "rule"):
        if hasattr(item, attr):
            return str(getattr(item, attr))
    if hasattr(item, "source") and hasattr(item, "target"):
        return f"{item.source} -> {item.target}"
    if hasattr(item, "file") and hasattr(item, "section"):
        return f"{item.file} # {item.section}"
    return _text(item)


def _keyed(items: Iterable[Any], key: Callable[[Any], str]) -> dict[str, Any]:
    """key -> item; a key seen again gets `` #2``, so a duplicate is compared too."""
    out: dict[str, Any] = {}
    for item in items:
        name = key(item)
        count = 1
        while name in out:
            count += 1
            name = f"{key(item)} #{count}"
        out[name] = item
    return out


def _compare_items(
    what: str,
    old: Iterable[Any],
    new: Iterable[Any],
    key: Callable[[Any], str] = _name_key,
    skip: Iterable[str] = (),
) -> list[Change]:
    """Things added, removed and changed (every field but ``skip``), by ``key``."""
    old_map, new_map = _keyed(old, key), _keyed(new, key)
    out = [
        Change(status=Status.REMOVED, what=what, name=n)
        for n in sorted(old_map.keys() - new_map.keys())
    ]
    out.extend(
        Change(status=Status.ADDED, what=what, name=n)
        for n in sorted(new_map.keys() - old_map.keys())
    )
    for name in sorted(old_map.keys() & new_map.keys()):
        details = _details(old_map[name], new_map[name], skip)
        if details:
            out.append(Change(status=Status.CHANGED, what=what, name=name, details=tuple(details)))
    # The order is part of a list too (trace events are written in it).
    before = [n for n in old_map if n in new_map]
    after = [n for n in new_map if n in old_map]
    if before != after:
        moved = _sequence_detail("order", before, after) or "order"
        out.append(Change(status=Status.CHANGED, what=what, name="(order)", details=(moved,)))
    return out


def _compare_one(what: str, name: str, old: object, new: object) -> list[Change]:
    """One object (or None), or one plain value, named ``what`` ``name``."""
    if _same(old, new):
        return []
    if old is None or new is None:
        status = Status.ADDED if old is None else Status.REMOVED
        return [Change(status=status, what=what, name=name)]
    if dataclasses.is_dataclass(old) and type(old) is type(new):
        details = tuple(_details(old, new))
    else:
        details = (f"{name}: {_text(old)} -> {_text(new)}",)
    return [Change(status=Status.CHANGED, what=what, name=name, details=details)]


# -- where each field of the spec is reported -----------------------------------------


@dataclass(frozen=True, slots=True)
class _Part:
    """How one field's changes are reported: a list of things, or one thing (``name``)."""

    section: str
    what: str
    name: str = ""


# Field -> where its changes go; a field of the C definitions is ``code.X``.
# The order is the reading order within each section.  A field not listed
# here is still compared: under "other", named by its field name.
_PARTS: dict[str, _Part] = {
    "states": _Part("vocabulary", "state"),
    "features": _Part("vocabulary", "feature"),
    "groups": _Part("vocabulary", "group"),
    "classes": _Part("vocabulary", "class"),
    "arcs": _Part("arcs", "arc"),
    "refused": _Part("arcs", "refused arc"),
    "trace.events": _Part("trace", "trace event"),
    "callbacks": _Part("other", "callback"),
    "code.registrations": _Part("other", "registration"),
    "code.setters": _Part("other", "setter"),
    "code.features": _Part("other", "code", "features"),
    "notation": _Part("other", "notation", "flow drawings"),
    "machine": _Part("other", "machine", "machine"),
    "walk": _Part("other", "walk", "next-state lookup"),
    "pins": _Part("other", "path pin"),
    "vm_states": _Part("other", "vocabulary", "VM states"),
    "migration_states": _Part("other", "vocabulary", "migration states"),
    "trace": _Part("other", "trace section"),
    "code.to_string": _Part("other", "to-string"),
    "code.predicates": _Part("other", "predicate"),
    "code.kernel": _Part("other", "kernel tables"),
    "disabled_rules": _Part("other", "lint", "disabled rules"),
    "suppressions": _Part("other", "lint suppression"),
    "version": _Part("other", "spec", "version"),
}
# ``path`` is the spec's own file name (the report's header shows both);
# ``flows`` are compared by :func:`compare_flows`, drawings included.
_NOT_HERE = frozenset({"path", "flows"})


def _field_changes(part: _Part, old: object, new: object) -> list[Change]:
    if part.name:
        return _compare_one(part.what, part.name, old, new)
    if isinstance(old, tuple) and isinstance(new, tuple):
        return _compare_items(part.what, old, new)
    # One thing, optional: named by its key ("to-string mig_state_to_str").
    return _compare_one(part.what, _name_key(new if new is not None else old), old, new)


def _trace_changes(old: Spec, new: Spec) -> list[Change]:
    """Trace events by name across sections (moving one between sections is a change)."""

    def events(spec: Spec) -> list[TraceEvent]:
        return [e for s in spec.trace for e in s.events]

    def sections(spec: Spec) -> dict[str, str]:
        found: dict[str, str] = {}
        for section in spec.trace:
            for event in section.events:
                found.setdefault(event.name, _name_key(section))
        return found

    out = _compare_items(_PARTS["trace.events"].what, events(old), events(new))
    before, after = sections(old), sections(new)
    for name in sorted(before.keys() & after.keys()):
        if before[name] == after[name]:
            continue
        moved = f"section: {before[name]} -> {after[name]}"
        index = next((i for i, c in enumerate(out) if c.name == name), None)
        if index is None:
            out.append(
                Change(status=Status.CHANGED, what="trace event", name=name, details=(moved,))
            )
        else:
            found = out[index]
            out[index] = dataclasses.replace(found, details=tuple(sorted((*found.details, moved))))
    rank = {Status.REMOVED: 0, Status.ADDED: 1, Status.CHANGED: 2}
    return sorted(out, key=lambda c: (rank[c.status], c.name))


def _by_field(old: Spec, new: Spec) -> dict[str, list[Change]]:
    """Every compared field (``code.X`` for the C definitions) -> its changes."""
    out: dict[str, list[Change]] = {}
    for f in compared_fields(Spec):
        if f.name in _NOT_HERE:
            continue
        a, b = getattr(old, f.name), getattr(new, f.name)
        if f.name == "code":
            for g in compared_fields(type(new.code)):
                key = f"code.{g.name}"
                part = _PARTS.get(key, _Part("other", "code", g.name))
                if g.name == "features":
                    # What the C handles, mandatory features included: "all"
                    # and the full list are the same code.
                    out[key] = _field_changes(
                        part, expect_code(old).features, expect_code(new).features
                    )
                else:
                    out[key] = _field_changes(part, getattr(a, g.name), getattr(b, g.name))
        elif f.name == "trace":
            out["trace.events"] = _trace_changes(old, new)
            # The sections themselves; their events are compared above.
            out["trace"] = _compare_items(_PARTS["trace"].what, a, b, skip=("events",))
        else:
            out[f.name] = _field_changes(_PARTS.get(f.name, _Part("other", "spec", f.name)), a, b)
    return out


def compare_model(old: Spec, new: Spec) -> Comparison:
    """What changed in the spec's fields, every one of them (flows: :func:`compare_flows`)."""
    found = _by_field(old, new)
    order = [*(k for k in _PARTS if k in found), *(k for k in found if k not in _PARTS)]
    sections: dict[str, list[Change]] = {"vocabulary": [], "arcs": [], "trace": [], "other": []}
    for key in order:
        sections[_PARTS[key].section if key in _PARTS else "other"].extend(found[key])
    return Comparison(
        old_name=old.path,
        new_name=new.path,
        vocabulary=tuple(sections["vocabulary"]),
        arcs=tuple(sections["arcs"]),
        trace=tuple(sections["trace"]),
        other=tuple(sections["other"]),
    )


# -- how requests end, per device kind ---------------------------------------------


def device_kinds(old: Spec, new: Spec) -> list[tuple[DeviceKind, bool, bool]]:
    """Every device kind of either spec, and whether the old and the new spec have it;
    the new spec's kinds first, in its order, named as the new spec names them."""
    in_old = set(old.device_kinds)
    in_new = set(new.device_kinds)
    kinds = dict.fromkeys((*new.device_kinds, *old.device_kinds))
    return [(k, k in in_old, k in in_new) for k in kinds]


def _outcome_key(found: Answer) -> tuple[object, ...]:
    return (found.outcome, found.path, found.lands_on)


def compare_steps(old: Spec, new: Spec) -> tuple[list[Change], list[DeviceKind], list[StepChange]]:
    """Device kinds in only one spec, the kinds compared, and every request that
    ends differently on a kind both specs have."""
    kinds: list[Change] = []
    compared: list[DeviceKind] = []
    changes: list[StepChange] = []
    for kind, in_old, in_new in device_kinds(old, new):
        if not (in_old and in_new):
            kinds.append(
                Change(
                    status=Status.ADDED if in_new else Status.REMOVED,
                    what="device kind",
                    name=kind.name,
                    details=(f"features: {_text(kind.features)}",),
                )
            )
            continue
        compared.append(kind)
        before, after = device_steps(old, kind), device_steps(new, kind)
        states = list(dict.fromkeys((*after.states, *before.states)))
        for source, target in itertools.product(states, states):
            a, b = before.answer(source, target), after.answer(source, target)
            if _outcome_key(a) != _outcome_key(b):
                changes.append(StepChange(kind=kind, source=source, target=target, old=a, new=b))
    return kinds, compared, changes


# -- flows: as drawn, and what a drawing does not show -------------------------------

# The step fields a flow's drawings show (a change to them changes a
# drawing for some device kind), and the one the callbacks list shows.
_DRAWN_STEP_FIELDS = frozenset({"text", "state", "text_after", "features", "without"})
_LISTED_STEP_FIELDS = frozenset({"callbacks"})


def _callbacks(flow: Flow) -> list[str]:
    return [
        f"{step.state.device} [{', '.join(step.callbacks)}]"
        for step in flow.steps
        if step.callbacks
    ]


def _sequence_detail(label: str, a: Sequence[str], b: Sequence[str]) -> str | None:
    """``label: - x, + y``: two lists' differences, as a list diff (not "all -> all")."""
    if list(a) == list(b):
        return None
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            parts.extend(f"- {x}" for x in a[i1:i2])
            parts.extend(f"+ {x}" for x in b[j1:j2])
    return f"{label}: " + ", ".join(parts)


def _step_line(step: Step, names: Iterable[str]) -> str:
    shown = "; ".join(f"{n}: {_text(getattr(step, n))}" for n in names)
    return f"{step.state.device} ({shown})"


def _step_lines(steps: Iterable[Step], names: Sequence[str]) -> list[str]:
    """The steps with something set in ``names`` (a step added or removed with
    nothing there is the drawings' to show), one line each."""
    return [_step_line(s, names) for s in steps if any(getattr(s, n) for n in names)]


def _step_details(old: Flow, new: Flow, drawn: bool) -> list[str]:
    """What changed in a flow's steps that neither its drawings nor its callbacks show.

    ``drawn``: some drawing of the flow changed.  When none did, a change to
    the drawn fields (a line's feature condition no device kind meets) is
    listed here, so that no change to a step goes unreported.
    """
    out: list[str] = []
    callbacks = _sequence_detail("callbacks", _callbacks(old), _callbacks(new))
    if callbacks is not None:
        out.append(callbacks)
    step_fields = [f.name for f in compared_fields(Step)]
    rest = [n for n in step_fields if n not in _DRAWN_STEP_FIELDS | _LISTED_STEP_FIELDS]
    hidden = _sequence_detail("steps", _step_lines(old.steps, rest), _step_lines(new.steps, rest))
    if hidden is not None:
        out.append(hidden)
    drawn_fields = [n for n in step_fields if n in _DRAWN_STEP_FIELDS]
    if not drawn and not _same(
        [[getattr(s, n) for n in drawn_fields] for s in old.steps],
        [[getattr(s, n) for n in drawn_fields] for s in new.steps],
    ):
        undrawn = _sequence_detail(
            "steps as written (no drawing changes)",
            [_step_line(s, drawn_fields) for s in old.steps],
            [_step_line(s, drawn_fields) for s in new.steps],
        )
        if undrawn is not None:
            out.append(undrawn)
    return out


def flow_names(old: Spec, new: Spec) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*(f.name for f in new.flows), *(f.name for f in old.flows)]))


def unified(name: str, old: str, new: str, old_label: str, new_label: str) -> TextDiff | None:
    """The unified diff of two renderings of one artefact (None when they are equal)."""
    if old == new:
        return None
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{old_label}: {name}",
        tofile=f"{new_label}: {name}",
    )
    text = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )
    return TextDiff(name=name, old=old, new=new, unified=text)


def compare_flows(old: Spec, new: Spec) -> tuple[list[Change], list[DrawingChange]]:
    """Flows added, removed or changed besides their drawing; and each flow's
    ASCII drawing, per device kind, where it changed.  Each spec draws with
    its own flow style and notation; a flow in only one spec is compared
    with nothing."""
    drawings: list[DrawingChange] = []
    for name in flow_names(old, new):
        before, after = old.flow_map.get(name), new.flow_map.get(name)
        main = after or before
        assert main is not None
        owner = new if after is not None else old
        own = main.features | owner.mandatory_features
        for kind, _in_old, _in_new in device_kinds(old, new):
            a = render_flow_rst(old, before, features=kind.features) if before else ""
            b = render_flow_rst(new, after, features=kind.features) if after else ""
            drawn = unified(f"{name}, device {kind.text}", a, b, old.path, new.path)
            if drawn is not None:
                drawings.append(
                    DrawingChange(flow=name, kind=kind, own=kind.features == own, diff=drawn)
                )
    changes = _compare_items("flow", old.flows, new.flows, skip=("steps",))
    for flow in new.flows:
        before = old.flow_map.get(flow.name)
        if before is None:
            continue
        redrawn = any(d.flow == flow.name for d in drawings)
        extra = _step_details(before, flow, redrawn)
        if not extra:
            continue
        index = next((i for i, c in enumerate(changes) if c.name == flow.name), None)
        if index is None:
            changes.append(
                Change(status=Status.CHANGED, what="flow", name=flow.name, details=tuple(extra))
            )
        else:
            found = changes[index]
            details = tuple(sorted((*found.details, *extra)))
            changes[index] = dataclasses.replace(found, details=details)
    order = {name: i for i, name in enumerate(flow_names(old, new))}
    changes.sort(key=lambda c: order.get(c.name, len(order)))
    return changes, drawings


# -- C: what each spec renders --------------------------------------------------------


def _c_artefacts(spec: Spec, path: str) -> dict[str, tuple[str, str]]:
    """name -> (title, text) of each artefact review compares as text
    (the registry's ``reviewed`` ones that apply to the spec).

    ``path`` is the spec path the artefacts name in their generated-by
    comments: the same for both sides, so that only real changes show.
    """
    named = dataclasses.replace(spec, path=path)
    return {
        a.name: (a.title(named), a.render(named, Choice())) for a in applicable(named) if a.reviewed
    }


def compare_code(old: Spec, new: Spec) -> list[TextDiff]:
    """The C artefacts that will change, in the order ``migspec generate`` writes them."""
    before = _c_artefacts(old, new.path)
    after = _c_artefacts(new, new.path)
    out: list[TextDiff] = []
    for name in dict.fromkeys([*after, *before]):
        title = (after.get(name) or before[name])[0]
        found = unified(
            name, before.get(name, ("", ""))[1], after.get(name, ("", ""))[1], old.path, new.path
        )
        if found is not None:
            out.append(dataclasses.replace(found, title=title))
    return out


def compare_specs(old: Spec, new: Spec) -> Comparison:
    """Everything a reviewer of a state-machine change reads, in reading order."""
    model = compare_model(old, new)
    kinds, compared, steps = compare_steps(old, new)
    flow_changes, drawings = compare_flows(old, new)
    return dataclasses.replace(
        model,
        kinds=tuple(kinds),
        kinds_compared=tuple(compared),
        steps=tuple(steps),
        flow_changes=tuple(flow_changes),
        drawings=tuple(drawings),
        flow_names=flow_names(old, new),
        code=tuple(compare_code(old, new)),
    )
