"""Structural rules over a spec: names, values, reachability, arcs, conditions,
stand-ins, flow tuples and the spec's own ``lint.disable`` list.

Inputs: a :class:`~migspec.model.Spec`.  Outputs: findings.  FSM semantics
(combination transitions, the kernel walk, projections) are in
:mod:`migspec.fsm.rules`; trace-event rules in :mod:`migspec.lint.trace_rules`.
"""

from __future__ import annotations

import posixpath
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Finding, Location, Note, Rule, Severity, closest, rule
from ..model import ANY_STATE, Arc, Session, Spec

SCOPE = "spec"


def _duplicates(items: Iterable[tuple[object, str, Location]], what: str) -> Iterator[Finding]:
    first: dict[object, Location] = {}
    for key, shown, where in items:
        if key in first:
            yield Finding(
                f"{what} {shown} is defined twice",
                where,
                (Note(message="first defined here", location=first[key]),),
            )
        else:
            first[key] = where


@rule(
    "duplicate-name",
    Severity.ERROR,
    scope=SCOPE,
    example="states:\n  - {name: STOP, value: 1}\n  - {name: STOP, value: 2}",
)
def duplicate_name(spec: Spec) -> Iterator[Finding]:
    """Two states, features, groups, classes, callbacks, flows or trace events share a name.

    Every name is a key other parts of the spec (and generated C) refer to, so
    no two states (no two features, groups, ...) may share one.
    """
    namespaces: list[tuple[str, Iterable[tuple[str, Location]]]] = [
        ("state", ((s.name, s.location) for s in spec.states)),
        ("feature", ((f.name, f.location) for f in spec.features)),
        ("group", ((g.name, g.location) for g in spec.groups)),
        ("class", ((c.name, c.location) for c in spec.classes)),
        ("callback", ((c.name, c.location) for c in spec.callbacks)),
        ("flow", ((f.name, f.location) for f in spec.flows)),
        ("trace event", ((e.name, e.location) for e in spec.trace_events())),
    ]
    for what, pairs in namespaces:
        yield from _duplicates(((n, f"'{n}'", loc) for n, loc in pairs), what)


@rule(
    "duplicate-value",
    Severity.ERROR,
    scope=SCOPE,
    example="states:\n  - {name: STOP, value: 1}\n  - {name: RUNNING, value: 1}",
)
def duplicate_value(spec: Spec) -> Iterator[Finding]:
    """Two states share an enum value, or two features share a flag bit (or macro)."""
    yield from _duplicates(
        ((s.value, f"value {s.value} (state {s.name})", s.location) for s in spec.states), "enum"
    )
    yield from _duplicates(
        ((f.bit, f"bit {f.bit} (feature {f.name})", f.location) for f in spec.features), "feature"
    )
    yield from _duplicates(
        ((f.macro, f"macro {f.macro}", f.location) for f in spec.features), "feature"
    )


@rule(
    "state-error-count",
    Severity.ERROR,
    scope=SCOPE,
    example="states:\n  - {name: ERR1, value: 0, error: true}\n  - {name: ERR2, value: 9, error: true}",
)
def state_error_count(spec: Spec) -> Iterator[Finding]:
    """More than one state is marked ``error: true``.

    The kernel's walk and the generated tables treat the one error state
    specially; a machine without an error state is fine.
    """
    marked = [s for s in spec.states if s.error]
    for extra in marked[1:]:
        yield Finding(
            f"state {extra.name} is a second 'error: true' state",
            extra.location,
            (
                Note(
                    message=f"{marked[0].name} is already the error state",
                    location=marked[0].location,
                ),
            ),
        )


@rule(
    "state-initial-count",
    Severity.ERROR,
    scope=SCOPE,
    example="states:\n  - {name: OFF, value: 0}\n  - {name: ON, value: 1}  # neither is 'initial: true'",
)
def state_initial_count(spec: Spec) -> Iterator[Finding]:
    """No state, or more than one, is marked ``initial: true``, or the error state is.

    Reachability is measured from the initial state, so there must be
    exactly one, and a device does not start out failed.
    """
    marked = [s for s in spec.states if s.initial]
    for extra in marked[1:]:
        yield Finding(
            f"state {extra.name} is a second 'initial: true' state",
            extra.location,
            (Note(message=f"{marked[0].name} is already initial", location=marked[0].location),),
        )
    if spec.states and not marked:
        yield Finding("no state is marked 'initial: true'", spec.states[0].location)
    for state in marked:
        if state.error:
            yield Finding(
                f"the error state {state.name} cannot be the initial state", state.location
            )


def _reachable(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


@rule(
    "state-unreachable",
    Severity.ERROR,
    scope=SCOPE,
    example="states: [..., {name: LIMBO, value: 9}]  # no arc into LIMBO",
)
def state_unreachable(spec: Spec) -> Iterator[Finding]:
    """A state cannot be reached from the initial state by following arcs.

    The error state is exempt: it is entered by failure, not by an arc.
    Reachability uses every arc, whatever features it needs.
    """
    initial = spec.initial_state
    if initial is None:
        return
    forward: dict[str, set[str]] = {}
    for arc in spec.arcs:
        forward.setdefault(arc.source, set()).add(arc.target)
    seen = _reachable(initial.name, forward)
    for state in spec.states:
        if state.name not in seen and not state.error:
            yield Finding(
                f"state {state.name} cannot be reached from {initial.name}", state.location
            )


@rule(
    "state-no-return",
    Severity.ERROR,
    scope=SCOPE,
    example="arcs: [{from: RUNNING, to: TRAP}]  # and none out of TRAP",
)
def state_no_return(spec: Spec) -> Iterator[Finding]:
    """A state has no way back to the initial state (a device would be stuck there).

    The error state is exempt: only a device reset leaves it.
    """
    initial = spec.initial_state
    if initial is None:
        return
    backward: dict[str, set[str]] = {}
    for arc in spec.arcs:
        backward.setdefault(arc.target, set()).add(arc.source)
    seen = _reachable(initial.name, backward)
    for state in spec.states:
        if state.name not in seen and not state.error:
            yield Finding(f"state {state.name} has no path back to {initial.name}", state.location)


@rule(
    "arc-feature-missing",
    Severity.ERROR,
    scope=SCOPE,
    example="arcs:\n  - {from: RUNNING, to: RUNNING_P2P}  # RUNNING_P2P needs P2P",
)
def arc_feature_missing(spec: Spec) -> Iterator[Finding]:
    """An arc touches a state that needs a feature the arc does not declare.

    A device without that feature has no such state, so it cannot have the
    arc either; the arc's ``features`` must name it (mandatory features may be
    left out).
    """
    states = spec.state_map
    for arc in spec.arcs:
        needed: set[str] = set()
        for end in (arc.source, arc.target):
            if end in states:
                needed |= states[end].features
        missing = sorted(needed - arc.features - spec.mandatory_features)
        if missing:
            yield Finding(
                f"arc {arc.source} -> {arc.target} touches a state that needs "
                f"{', '.join(missing)}, but the arc does not declare it",
                arc.location,
            )


@rule(
    "arc-duplicate",
    Severity.ERROR,
    scope=SCOPE,
    example="arcs:\n  - {from: STOP, to: RUNNING}\n  - {from: STOP, to: RUNNING, features: [P2P]}",
)
def arc_duplicate(spec: Spec) -> Iterator[Finding]:
    """The same arc is listed twice for some kind of device.

    Two arcs with the same ends are duplicates when one device can have both:
    their ``features`` and ``without`` conditions do not exclude each other.
    Arcs with the same ends for disjoint feature sets (one with P2P, one
    ``without: [P2P]``) are fine.
    """
    seen: list[Arc] = []
    for arc in spec.arcs:
        for first in seen:
            if (first.source, first.target) != (arc.source, arc.target):
                continue
            need = first.features | arc.features
            excluded = first.without | arc.without
            if need & excluded or excluded & spec.mandatory_features:
                continue
            same = (first.features, first.without) == (arc.features, arc.without)
            device = "" if same else f" (a device {_describe(need, excluded)} has both)"
            yield Finding(
                f"arc {arc.source} -> {arc.target} is listed twice{device}",
                arc.location,
                (Note(message="first defined here", location=first.location),),
            )
            break
        seen.append(arc)


def _describe(need: frozenset[str], excluded: frozenset[str]) -> str:
    parts = []
    if need:
        parts.append("with " + ", ".join(sorted(need)))
    if excluded:
        parts.append("without " + ", ".join(sorted(excluded)))
    return " and ".join(parts) or "of any kind"


@rule(
    "arc-refused-conflict",
    Severity.ERROR,
    scope=SCOPE,
    example="refused: [{from: STOP_COPY, to: STOP}]  # also an arc",
)
def arc_refused_conflict(spec: Spec) -> Iterator[Finding]:
    """A pair is both an arc and a refused arc."""
    arcs = {(a.source, a.target): a for a in spec.arcs}
    for refused in spec.refused:
        arc = arcs.get((refused.source, refused.target))
        if arc is not None:
            yield Finding(
                f"{refused.source} -> {refused.target} is refused but is also an arc",
                refused.location,
                (Note(message="the arc is defined here", location=arc.location),),
            )


@rule(
    "comment-arc-invalid",
    Severity.ERROR,
    scope=SCOPE,
    example="fsm_comment:\n  paragraphs:\n    - {arcs: [RUNNING -> STOP], doc: ...}"
    "  # an arc only without P2P",
)
def comment_arc_invalid(spec: Spec) -> Iterator[Finding]:
    """A paragraph of ``fsm_comment`` lists what the comment cannot list there.

    Each pair a paragraph lists must be an arc a device with every feature
    implements (an arc with no ``without``), a ``refused`` pair, or
    ``any -> ERROR`` (the error state); each is listed once, and a paragraph
    lists arcs or refused pairs, never both (the comment says of a whole
    paragraph that its arcs are refused).
    """
    listed = {(a.source, a.target) for a in spec.arcs if not a.without}
    projected = {(a.source, a.target) for a in spec.arcs if a.without}
    refused = {(r.source, r.target) for r in spec.refused}
    error = spec.error_state
    seen: dict[tuple[str, str], Location] = {}
    for p in spec.fsm_comment.paragraphs:
        kinds = set()
        for pair in p.arcs:
            a, b = pair
            shown = f"{a} -> {b}"
            if pair in seen:
                yield Finding(
                    f"{shown} is listed twice",
                    p.location,
                    (Note(message="listed first here", location=seen[pair]),),
                )
                continue
            seen[pair] = p.location
            if a == ANY_STATE:
                if error is None or b != error.name:
                    yield Finding(f"'{shown}': only the error state follows '{a}'", p.location)
                kinds.add("arc")
            elif pair in listed:
                kinds.add("arc")
            elif pair in refused:
                kinds.add("refused")
            elif pair in projected:
                yield Finding(
                    f"{shown} is an arc only of devices without some feature; "
                    "the comment lists the arcs of a device with every feature",
                    p.location,
                )
            else:
                yield Finding(f"{shown} is neither an arc nor a refused pair", p.location)
        if len(kinds) > 1:
            yield Finding("a paragraph lists both arcs and refused pairs", p.location)


@rule("arc-error-state", Severity.ERROR, scope=SCOPE, example="arcs: [{from: RUNNING, to: ERROR}]")
def arc_error_state(spec: Spec) -> Iterator[Finding]:
    """An arc leads into or out of the error state.

    The error state is never requested and only a reset leaves it; failure,
    not an arc, puts a device there.
    """
    error = spec.error_state
    if error is None:
        return
    for arc in spec.arcs:
        if error.name in (arc.source, arc.target):
            yield Finding(
                f"arc {arc.source} -> {arc.target} touches the error state {error.name}",
                arc.location,
            )


@rule(
    "arc-session",
    Severity.WARNING,
    scope=SCOPE,
    example="arcs: [{from: STOP, to: STOP_COPY}]  # enters the saving group without 'session: open'",
)
def arc_session(spec: Spec) -> Iterator[Finding]:
    """An arc's ``session`` mark disagrees with the groups it crosses.

    An arc from outside a group into it opens that group's data session; an
    arc leaving the group closes it; an arc inside the group does neither.
    States outside every group (such as RESUMING) may open and close their own.
    Arcs touching the error state are left to ``arc-error-state``.
    """
    states = spec.state_map
    error = spec.error_state.name if spec.error_state else None
    for arc in spec.arcs:
        if arc.source not in states or arc.target not in states:
            continue
        if error in (arc.source, arc.target):
            continue
        src = set(states[arc.source].groups)
        dst = set(states[arc.target].groups)
        if dst - src and arc.session is not Session.OPEN:
            yield Finding(
                f"arc {arc.source} -> {arc.target} enters group {', '.join(sorted(dst - src))} "
                "and should say 'session: open'",
                arc.location,
            )
        elif src - dst and arc.session is not Session.CLOSE:
            yield Finding(
                f"arc {arc.source} -> {arc.target} leaves group {', '.join(sorted(src - dst))} "
                "and should say 'session: close'",
                arc.location,
            )
        elif src and src == dst and arc.session is not Session.NONE:
            yield Finding(
                f"arc {arc.source} -> {arc.target} stays inside group {', '.join(sorted(src))} "
                f"and cannot {arc.session.value} a session",
                arc.location,
            )


@rule(
    "stand-in-invalid",
    Severity.ERROR,
    scope=SCOPE,
    example="- {name: PRE_COPY, features: [PRE_COPY], stand_in: PRE_COPY}",
)
def stand_in_invalid(spec: Spec) -> Iterator[Finding]:
    """A stand-in names a feature the state does not need, or a state that needs the missing feature too."""
    states = spec.state_map
    for state in spec.states:
        optional = state.features - spec.mandatory_features
        if state.stand_ins and not optional:
            yield Finding(
                f"state {state.name} needs no optional feature, so it needs no stand-in",
                state.stand_ins[0].location,
            )
            continue
        for stand_in in state.stand_ins:
            missing = {stand_in.feature} if stand_in.feature else optional
            if stand_in.feature and stand_in.feature not in optional:
                yield Finding(
                    f"state {state.name} does not need feature {stand_in.feature}",
                    stand_in.location,
                )
            other = states.get(stand_in.state)
            if other is not None and (other.features & missing or other.name == state.name):
                yield Finding(
                    f"{stand_in.state} cannot stand in for {state.name}: it needs "
                    f"{', '.join(sorted(other.features & missing)) or 'the same features'} too",
                    stand_in.location,
                )


@rule(
    "tuple-unknown-state",
    Severity.ERROR,
    scope=SCOPE,
    example="state: [RUNING, ACTIVE, STOP]  # VM state typo",
)
def tuple_unknown_state(spec: Spec) -> Iterator[Finding]:
    """A flow step's tuple names a VM or migration state the spec does not list.

    The device state is checked when the spec is loaded (``ref-unknown``).
    When ``vm_states`` or ``migration_states`` is not given, that member is
    not checked.
    """
    vm = set(spec.vm_states)
    mig = set(spec.migration_states)
    for flow in spec.flows:
        for step in flow.steps:
            t = step.state
            if vm and t.vm not in vm:
                yield Finding(f"flow '{flow.name}': unknown VM state '{t.vm}'", t.location)
            if mig and t.migration not in mig:
                yield Finding(
                    f"flow '{flow.name}': unknown migration state '{t.migration}'", t.location
                )


@rule(
    "flow-state-needs-feature",
    Severity.ERROR,
    scope=SCOPE,
    example="flows: [{name: save, features: [], steps: [{state: [RUNNING, ACTIVE, PRE_COPY]}]}]",
)
def flow_state_needs_feature(spec: Spec) -> Iterator[Finding]:
    """A flow step shows a device state its own feature assumptions do not allow.

    A step's state must exist for a device with the flow's ``features`` (plus
    the step's own): draw the state the device is really in for that kind of
    device, or widen the flow's features.  A step drawn only ``without`` a
    feature cannot show a state that needs it.
    """
    states = spec.state_map
    for flow in spec.flows:
        for step in flow.steps:
            state = states.get(step.state.device)
            if state is None:
                continue
            have = flow.features | step.features | spec.mandatory_features
            missing = sorted(state.features - have)
            if missing:
                yield Finding(
                    f"flow '{flow.name}' shows {state.name}, which needs {', '.join(missing)} "
                    "that the flow does not assume",
                    step.state.location,
                )
            excluded = sorted(state.features & step.without)
            if excluded:
                yield Finding(
                    f"flow '{flow.name}' shows {state.name}, which needs {', '.join(excluded)}, "
                    "in a step drawn only without it",
                    step.state.location,
                )


@rule(
    "condition-unsatisfiable",
    Severity.ERROR,
    scope=SCOPE,
    example="arcs:\n  - {from: RUNNING, to: STOP, features: [P2P], without: [P2P]}",
)
def condition_unsatisfiable(spec: Spec) -> Iterator[Finding]:
    """An arc, flow step or text line is for no device at all.

    Its ``features`` and ``without`` overlap, or ``without`` names a mandatory
    feature that every device has: the item can never apply, which is
    always a mistake.
    """
    items: list[tuple[str, frozenset[str], frozenset[str], Location]] = [
        (f"arc {a.source} -> {a.target}", a.features, a.without, a.location) for a in spec.arcs
    ]
    for flow in spec.flows:
        for number, step in enumerate(flow.steps, 1):
            items.append(
                (f"step {number} of flow '{flow.name}'", step.features, step.without, step.location)
            )
            for line in (*step.text, *step.text_after):
                items.append((f"line '{line.text}'", line.features, line.without, line.location))
    for what, features, without, where in items:
        both = sorted(features & without)
        if both:
            yield Finding(f"{what} both needs and excludes {', '.join(both)}", where)
        mandatory = sorted(without & spec.mandatory_features)
        if mandatory:
            yield Finding(f"{what} excludes {', '.join(mandatory)}, which every device has", where)


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppressions:
    """What ``lint-disable-unknown`` reads: the spec, and the catalogue of every
    rule migspec knows.  The catalogue gathers every stage, above this one, so
    the front end that lints hands it in (called only if the spec disables a
    rule: building it imports every stage)."""

    spec: Spec
    catalogue: Callable[[], Iterable[Rule[Any]]]


@rule(
    "lint-disable-unknown",
    Severity.WARNING,
    scope=SCOPE,
    example="lint:\n  disable: [arc-sesion]",
)
def lint_disable_unknown(subject: Suppressions) -> Iterator[Finding]:
    """``lint.disable`` names a rule migspec does not know, or one it cannot turn off.

    A misspelt id would silently disable nothing; the message offers the
    closest known id.  Rules of the ``load`` scope are reported before the
    spec is read, so the spec cannot turn them off (``--disable`` can).
    """
    if not subject.spec.suppressions:
        return
    scopes = {r.id: r.scope for r in subject.catalogue()}
    for suppression in subject.spec.suppressions:
        scope = scopes.get(suppression.rule)
        if scope == "load":
            yield Finding(
                f"rule '{suppression.rule}' is reported while the spec is read; "
                "lint.disable cannot turn it off",
                suppression.location,
            )
        elif scope is None:
            hint = closest(suppression.rule, sorted(scopes))
            extra = f"; did you mean '{hint}'?" if hint else " (see 'migspec lint --list-rules')"
            yield Finding(f"no rule is called '{suppression.rule}'{extra}", suppression.location)


@rule(
    "flow-step-text-drawing",
    Severity.ERROR,
    scope=SCOPE,
    example="flows:\n  - steps:\n      - text: ['(RUNNING, _NONE, _RUNNING)', '|']",
)
def flow_step_text_drawing(spec: Spec) -> Iterator[Finding]:
    """A line of a flow step's text reads as drawing syntax: a state tuple, the connector, blank.

    A flow's drawing is text lines, tuple lines and connector lines; a step
    text line that looks like a tuple or a connector would be written by
    ``update`` and read back by ``check`` as something else, so the two
    would disagree forever.  Reword the line (``state RUNNING, NONE,
    RUNNING``), or draw the state as a step of its own.
    """
    for flow in spec.flows:
        for step in flow.steps:
            for line in (*step.text, *step.text_after):
                why = spec.notation.reads_as_drawing(line.text)
                if why is not None:
                    yield Finding(
                        f"flow '{flow.name}': the step text {line.text!r} {why}; "
                        "it would not read back as text",
                        line.location,
                    )


@rule(
    "sentinel-names-state",
    Severity.ERROR,
    scope=SCOPE,
    example="machine: {c: {enum: st, prefix: S_, sentinels: [S_STOP]}}\nstates: [{name: STOP, value: 1}]",
)
def sentinel_names_state(spec: Spec) -> Iterator[Finding]:
    """A name in ``machine.c.sentinels`` is the C name of a state.

    Sentinels are the enumerators that bound or count the enum; a state's
    constant declared one would vanish from every check of the enum.
    """
    m = spec.machine
    states = {m.constant(s.name): s for s in spec.states}
    for name in m.sentinels:
        state = states.get(name)
        if state is not None:
            yield Finding(
                f"sentinel {name} is the C name of state {state.name}",
                m.location,
                (Note(message=f"state {state.name} is defined here", location=state.location),),
            )


@rule(
    "sources-outside-directory",
    Severity.ERROR,
    scope=SCOPE,
    example="trace:\n  - {file: hw/vfio/trace-events, section: migration.c,\n"
    "     sources: [hw/vfio/migration.h], events: []}",
)
def sources_outside_directory(spec: Spec) -> Iterator[Finding]:
    """A trace section's ``sources`` names a file outside its directory's C files.

    Each source must be a ``.c`` file in the directory of the section's
    ``trace-events`` file.  QEMU's build generates ``trace_NAME()`` for the C files of the directory
    that holds the ``trace-events`` file; a call anywhere else is not one of
    the section's.
    """
    for section in spec.trace:
        here = posixpath.dirname(section.file)
        for source in section.sources:
            if posixpath.dirname(source) != here or not source.endswith(".c"):
                yield Finding(
                    f"trace section '# {section.section}' of {section.file}: "
                    f"source {source} is not a .c file in {here or '.'}",
                    section.location,
                )


@rule(
    "callback-elsewhere-unlisted",
    Severity.WARNING,
    scope=SCOPE,
    example="callbacks:\n  - {name: load_state_buffer, channel: multifd}  # no flow step lists it",
)
def callback_elsewhere_unlisted(spec: Spec) -> Iterator[Finding]:
    """A callback marked ``thread`` or ``channel`` is listed by no flow step.

    Those marks say where a step's work runs, and are drawn on the steps that
    list the callback; on a callback no step lists, they are drawn nowhere
    and the flows omit the work that runs off the main path.
    """
    listed = {name for flow in spec.flows for step in flow.steps for name in step.callbacks}
    for callback in spec.callbacks:
        if callback.where and callback.name not in listed:
            yield Finding(
                f"callback {callback.name} runs {callback.where}, but no flow step lists it",
                callback.location,
            )


RULES = (
    flow_step_text_drawing,
    duplicate_name,
    duplicate_value,
    state_error_count,
    state_initial_count,
    state_unreachable,
    state_no_return,
    arc_feature_missing,
    arc_duplicate,
    arc_refused_conflict,
    arc_error_state,
    comment_arc_invalid,
    arc_session,
    condition_unsatisfiable,
    stand_in_invalid,
    tuple_unknown_state,
    flow_state_needs_feature,
    sentinel_names_state,
    sources_outside_directory,
    callback_elsewhere_unlisted,
)
# Rules over a spec and the catalogue (see Suppressions).
SUPPRESSION_RULES = (lint_disable_unknown,)
