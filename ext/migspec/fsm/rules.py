"""Lint rules for FSM semantics: combination transitions, the kernel walk, flows.

Inputs: a :class:`~migspec.model.Spec`.  Outputs: findings.  The work is done
once per spec by :func:`migspec.fsm.engine.analyze`; each rule reads its part
of the result, so any rule can be disabled on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..diagnostics import Finding, Location, Note, Rule, Severity, rule
from ..model import NOWHERE, DeviceKind, Flow, Spec, Step
from .engine import Request, analyze, device_steps
from .projection import project_flow

SCOPE = "fsm"


def _device(kind: DeviceKind) -> str:
    return f"a device {kind.text}"


def _devices(kinds: list[DeviceKind]) -> str:
    if len(kinds) == 1:
        return _device(kinds[0])
    return "devices with " + ", ".join(kind.name for kind in kinds)


def _where(*locations: Location) -> Location:
    return next((loc for loc in locations if loc != NOWHERE), NOWHERE)


def _arrow(path: tuple[str, ...] | list[str]) -> str:
    return " -> ".join(path)


def _arc_note(spec: Spec, source: str, target: str, message: str) -> Note:
    arc = next((a for a in spec.arcs if a.source == source and a.target == target), None)
    return Note(message=message, location=arc.location if arc is not None else None)


# -- the full table ----------------------------------------------------------


@rule(
    "fsm-path-ambiguous",
    Severity.ERROR,
    scope=SCOPE,
    example=(
        "arcs:  # A -> D through B or through C: which one?\n"
        "  - {from: A, to: B}\n  - {from: B, to: D}\n"
        "  - {from: A, to: C}\n  - {from: C, to: D}"
    ),
)
def path_ambiguous(spec: Spec) -> Iterator[Finding]:
    """The path rules leave a choice: a pair has shortest legal paths with different next steps.

    A next-step table must pick one, so the spec must: add a pin under
    ``paths: pins`` (``- path: [A, B, D]``).  Pairs whose paths only differ
    further on are reported at the pair where they part.
    """
    table = analyze(spec).full
    for choice in table.ambiguous:
        notes = []
        for step in choice.next_steps:
            rest = table.path(step, choice.target) or (step, choice.target)
            notes.append(
                _arc_note(
                    spec,
                    choice.source,
                    step,
                    f"a shortest legal path: {_arrow((choice.source, *rest))}",
                )
            )
        yield Finding(
            f"{choice.source} -> {choice.target} has {choice.count} shortest legal paths "
            f"that step first to {' or '.join(choice.next_steps)}; pin one under 'paths: pins'",
            spec.state(choice.source).location,
            tuple(notes),
        )


@rule(
    "fsm-path-none",
    Severity.WARNING,
    scope=SCOPE,
    example="arcs: [{from: A, to: B}]  # and nothing from B back to A, and B -> A is not refused",
)
def path_none(spec: Spec) -> Iterator[Finding]:
    """A pair has no legal path and is not refused.

    The table sends such a request to the error state, which is what
    ``refused`` says explicitly: refuse the pair (with a reason) or add the
    arcs that make it possible.  Reported once per source state.
    """
    table = analyze(spec).full
    by_source: dict[str, list[str]] = {}
    for source, target in table.unreachable:
        by_source.setdefault(source, []).append(target)
    for source, targets in by_source.items():
        yield Finding(
            f"no legal path from {source} to {', '.join(targets)}, and "
            f"{'that pair is' if len(targets) == 1 else 'those pairs are'} not refused",
            spec.state(source).location,
        )


@rule(
    "fsm-pin-invalid",
    Severity.ERROR,
    scope=SCOPE,
    example="paths:\n  pins:\n    - path: [RUNNING, STOP, STOP_COPY]  # RUNNING -> STOP is not an arc",
)
def pin_invalid(spec: Spec) -> Iterator[Finding]:
    """A pin is not a shortest legal path along arcs, or the table cannot follow it.

    A pin chooses among the shortest legal paths the rules allow; it cannot
    make a longer path, a path through a forbidden interior state, or one
    that contradicts another pin (a pin ``[A, B, C]`` also decides how ``B``
    reaches ``C``).
    """
    for problem in analyze(spec).full.pin_problems:
        yield Finding(
            f"pin {_arrow(problem.pin.path)} is invalid: {problem.message}",
            _where(problem.pin.location, spec.location),
        )


@rule(
    "fsm-path-unroutable",
    Severity.ERROR,
    scope=SCOPE,
    example=(
        "groups: [{name: g, interior: within-group}]\n"
        "# A legal path A -> B -> C exists only while A is in g, but from B the\n"
        "# shortest legal path to C leaves g; one next-step table cannot do both"
    ),
)
def path_unroutable(spec: Spec) -> Iterator[Finding]:
    """No next-step table follows a shortest legal path for a pair.

    The table routes every request for a target the same way from a given
    state; with ``within-group`` interiors the shortest legal path from a
    state in the middle can differ from the rest of a longer legal path.  The
    table then walks a longer or illegal path.
    """
    table = analyze(spec).full
    for source, target in table.inconsistent:
        walked = table.path(source, target)
        shown = _arrow(walked) if walked else "to the error state"
        yield Finding(
            f"no next-step table can take {source} -> {target} along a shortest legal path; "
            f"this one walks {shown}",
            spec.state(source).location,
        )


# -- the walk, per device kind ----------------------------------------------


def _walk_location(spec: Spec) -> Location:
    return _where(spec.walk.location, spec.location)


def _refused_note(spec: Spec, request: Request) -> tuple[Note, ...]:
    refused = next(
        (r for r in spec.refused if (r.source, r.target) == (request.source, request.target)),
        None,
    )
    if refused is None:
        return ()
    return (
        Note(
            message="the table sends this refused request to the error state",
            location=refused.location,
        ),
    )


@rule(
    "fsm-walk-loop",
    Severity.ERROR,
    scope=SCOPE,
    example="walk: {error_flags: all, stop_at_error: false}  # and a refused pair",
)
def walk_loop(spec: Spec) -> Iterator[Finding]:
    """The next-state lookup never returns for a request on some kind of device.

    The lookup skips states the device lacks by looking again from them.  If
    that never reaches a state the device has, it spins: with the error
    state's flags "all bits" and no stop at the error state, a refused
    request reaches the error state, whose row leads only to itself.  (The
    kernel's ``vfio_mig_get_next_state()`` had exactly this for
    STOP_COPY -> PRE_COPY until 2026.)
    """
    analysis = analyze(spec)
    for kind, device in zip(analysis.kinds, analysis.devices, strict=True):
        for request in device.loops:
            cycle = list(dict.fromkeys(request.visited))
            what = (
                f"keeps landing on {cycle[0]}, a state the device never has"
                if len(cycle) == 1
                else f"cycles through {', '.join(cycle)}, states the device lacks"
            )
            yield Finding(
                f"on {_device(kind)}, the request {request.source} -> "
                f"{request.target} never returns: the lookup {what}",
                _walk_location(spec),
                _refused_note(spec, request),
            )


@rule(
    "fsm-walk-unsupported",
    Severity.ERROR,
    scope=SCOPE,
    example="walk: {skip_unsupported: false}  # RUNNING -> STOP steps to RUNNING_P2P without P2P",
)
def walk_unsupported(spec: Spec) -> Iterator[Finding]:
    """The next-state lookup returns a state the device does not have."""
    analysis = analyze(spec)
    for kind, device in zip(analysis.kinds, analysis.devices, strict=True):
        for request in device.unsupported(spec):
            yield Finding(
                f"on {_device(kind)}, the request {request.source} -> "
                f"{request.target} steps to {request.result}, which the device does not have",
                _walk_location(spec),
            )


@rule(
    "fsm-walk-fails",
    Severity.ERROR,
    scope=SCOPE,
    example="# A device without P2P can go RUNNING -> STOP, but the full table's\n"
    "# step RUNNING_P2P leads nowhere the skip loop can use",
)
def walk_fails(spec: Spec) -> Iterator[Finding]:
    """The lookup fails a request the device could satisfy along its own arcs.

    The kernel keeps one table for all devices; for a device with fewer
    features the skip loop must still find its way wherever that device's own
    arcs lead legally.
    """
    analysis = analyze(spec)
    for kind, device, direct in zip(analysis.kinds, analysis.devices, analysis.direct, strict=True):
        for request in device.requests:
            if request.ok or not request.terminates:
                continue
            if direct.path(request.source, request.target) is not None:
                yield Finding(
                    f"on {_device(kind)}, the request {request.source} -> "
                    f"{request.target} fails, though the device's own arcs allow "
                    f"{_arrow(direct.path(request.source, request.target) or ())}",
                    _walk_location(spec),
                )


@rule(
    "fsm-walk-detour",
    Severity.WARNING,
    scope=SCOPE,
    example="# The full table's route, with absent states skipped, is longer than\n"
    "# the shortest legal path along the device's own arcs",
)
def walk_detour(spec: Spec) -> Iterator[Finding]:
    """On some kind of device the lookup takes a longer path than the shortest legal one.

    Skipping absent states in the full table is how the kernel serves every
    device with one table; it should not cost a device extra steps.
    """
    analysis = analyze(spec)
    for kind, device, direct in zip(analysis.kinds, analysis.devices, analysis.direct, strict=True):
        for a in device.states:
            for b in device.states:
                walked = device.path(a, b)
                best = direct.path(a, b)
                if walked is not None and best is not None and len(walked) > len(best):
                    yield Finding(
                        f"on {_device(kind)}, {a} -> {b} walks "
                        f"{_arrow(walked)}, but {_arrow(best)} is shorter",
                        _walk_location(spec),
                    )


@rule(
    "fsm-step-not-arc",
    Severity.ERROR,
    scope=SCOPE,
    example="arcs:  # no RUNNING -> STOP for devices without P2P\n"
    "  - {from: RUNNING, to: RUNNING_P2P, features: [P2P]}",
)
def step_not_arc(spec: Spec) -> Iterator[Finding]:
    """The lookup makes a device take a step that is not one of its arcs.

    Every single step a request is broken into is something the driver must
    implement; the spec lists those as arcs (with ``features``/``without``).
    """
    analysis = analyze(spec)
    for kind, device in zip(analysis.kinds, analysis.devices, strict=True):
        available = {(a.source, a.target) for a in spec.arcs if a.available(device.features)}
        steps: dict[tuple[str, str], list[str]] = {}
        for request in device.requests:
            if request.ok and request.result is not None and request.result != request.source:
                steps.setdefault((request.source, request.result), []).append(request.target)
        for (source, step), targets in sorted(steps.items()):
            if (source, step) not in available:
                yield Finding(
                    f"on {_device(kind)}, requests from {source} to "
                    f"{', '.join(targets)} step {source} -> {step}, which is not an arc "
                    "such a device has",
                    spec.state(source).location,
                )


# -- flows ---------------------------------------------------------------------


def _flow_kinds(spec: Spec, flow: Flow) -> list[DeviceKind]:
    """Every device kind, and first the flow's own when it is none of them."""
    own = spec.device_kind(flow.features)
    kinds = list(spec.device_kinds)
    if own not in kinds:
        kinds.insert(0, own)
    return kinds


def _step_location(step: Step) -> Location:
    return _where(step.state.location, step.location)


def _flow_changes(
    spec: Spec,
) -> dict[tuple[Flow, Step, str, str, tuple[str, ...] | None, bool], list[DeviceKind]]:
    """Every device-state change of every flow on every kind of device, grouped.

    Key: (flow, step, from, to, path or None, is an arc); value: the device
    kinds it happens on.
    """
    changes: dict[tuple[Flow, Step, str, str, tuple[str, ...] | None, bool], list[DeviceKind]] = {}
    for flow in spec.flows:
        for kind in _flow_kinds(spec, flow):
            device = device_steps(spec, kind)
            arcs = {(a.source, a.target) for a in spec.arcs if a.available(kind.features)}
            projected = project_flow(spec, flow, kind.features)
            for prev, cur in zip(projected.steps, projected.steps[1:], strict=False):
                a, b = prev.state.device, cur.state.device
                if a == b:
                    continue
                key = (flow, cur.source, a, b, device.path(a, b), (a, b) in arcs)
                changes.setdefault(key, []).append(kind)
    return changes


@rule(
    "fsm-flow-step",
    Severity.ERROR,
    scope=SCOPE,
    example="steps:\n  - state: [FINISH_MIGRATE, ACTIVE, STOP_COPY]\n"
    "  - state: [POSTMIGRATE, COMPLETED, PRE_COPY]  # STOP_COPY -> PRE_COPY is refused",
)
def flow_step(spec: Spec) -> Iterator[Finding]:
    """A flow moves the device between two states it cannot go between.

    Checked on the flow as drawn and as projected onto every kind of device:
    consecutive device states must be equal, an arc, or a combination
    transition the device's next-state lookup completes.
    """
    for (flow, step, a, b, path, is_arc), kinds in _flow_changes(spec).items():
        if path is None and not is_arc:
            why = (
                "it is refused"
                if any((r.source, r.target) == (a, b) for r in spec.refused)
                else "the next-state lookup does not get there"
            )
            yield Finding(
                f"flow '{flow.name}' on {_devices(kinds)}: the device cannot go {a} -> {b} ({why})",
                _step_location(step),
            )


@rule(
    "fsm-flow-combination",
    Severity.NOTE,
    scope=SCOPE,
    example="steps:\n  - state: [RESTORE_VM, ACTIVE, RESUMING]\n"
    "  - state: [RUNNING, NONE, RUNNING]  # passes through STOP",
)
def flow_combination(spec: Spec) -> Iterator[Finding]:
    """A flow's device-state change is a combination transition: it passes through other states.

    Not a problem, but the drawing does not show the states in between
    (and the trace will).
    """
    for (flow, step, a, b, path, _arc), kinds in _flow_changes(spec).items():
        if path is not None and len(path) > 2:
            yield Finding(
                f"flow '{flow.name}' on {_devices(kinds)}: {a} -> {b} passes through "
                f"{', '.join(path[1:-1])} ({_arrow(path)})",
                _step_location(step),
            )


@rule(
    "fsm-stand-in-unresolved",
    Severity.ERROR,
    scope=SCOPE,
    example="- {name: PRE_COPY, features: [PRE_COPY]}  # no stand_in, yet a flow shows it",
)
def stand_in_unresolved(spec: Spec) -> Iterator[Finding]:
    """A flow shows a state that some kind of device lacks, and nothing stands in for it.

    Projecting the flow onto that device needs to know which state the device
    is in instead (``stand_in``).
    """
    for flow in spec.flows:
        missing: dict[tuple[Step, str], list[DeviceKind]] = {}
        for kind in _flow_kinds(spec, flow):
            for step, state in project_flow(spec, flow, kind.features).unresolved:
                missing.setdefault((step, state), []).append(kind)
        for (step, state), kinds in missing.items():
            yield Finding(
                f"flow '{flow.name}': no state stands in for {state} on {_devices(kinds)}",
                _step_location(step),
            )


RULES: tuple[Rule[Any], ...] = (
    path_ambiguous,
    path_none,
    pin_invalid,
    path_unroutable,
    walk_loop,
    walk_unsupported,
    walk_fails,
    walk_detour,
    step_not_arc,
    flow_step,
    flow_combination,
    stand_in_unresolved,
)
