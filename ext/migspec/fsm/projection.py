"""Projection of a flow onto one device kind (a feature set).

Inputs: a spec, a flow and a feature set.  Outputs: a :class:`ProjectedFlow`:
lines that need a missing feature are dropped, each device state is replaced
by the state that stands in for it on that device, and a step whose own
``features`` are missing loses its tuple: its remaining lines join the next
step (that is how the drawing reads for a device without, say, P2P: the
"first put in P2P quiescent state" step simply is not there).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Flow, Line, Spec, StateTuple, Step


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectedStep:
    """A flow step as drawn for one feature set: stand-ins applied, lines chosen."""

    text: tuple[Line, ...]
    state: StateTuple
    text_after: tuple[Line, ...]
    callbacks: tuple[str, ...]
    source: Step
    # The device state as the spec wrote it, before stand-ins.
    written_device: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectedFlow:
    """A flow as drawn for one feature set."""

    flow: Flow
    features: frozenset[str]
    steps: tuple[ProjectedStep, ...]
    # Device states with no stand-in for this feature set: (step, state).
    unresolved: tuple[tuple[Step, str], ...] = ()


def stand_in(spec: Spec, name: str, features: frozenset[str]) -> str | None:
    """The state a device with ``features`` is in where the spec says ``name``.

    Follows stand-ins until a supported state is reached; ``None`` when there
    is none (a spec error reported by lint).
    """
    states = spec.state_map
    order = {f.name: f.bit for f in spec.features}
    current = name
    for _ in range(len(states) + 1):
        state = states.get(current)
        if state is None:
            return None
        missing = state.features - features
        if not missing:
            return current
        chosen = None
        for feature in sorted(missing, key=lambda f: order.get(f, 0)):
            chosen = next((s.state for s in state.stand_ins if s.feature == feature), None)
            if chosen is not None:
                break
        if chosen is None:
            chosen = next((s.state for s in state.stand_ins if s.feature is None), None)
        if chosen is None:
            return None
        current = chosen
    return None


def project_flow(spec: Spec, flow: Flow, features: frozenset[str] | None = None) -> ProjectedFlow:
    """``flow`` as a device with ``features`` (default: the flow's own) goes through it."""
    have = (flow.features if features is None else features) | spec.mandatory_features
    steps: list[ProjectedStep] = []
    carried: list[Line] = []
    unresolved: list[tuple[Step, str]] = []
    for step in flow.steps:
        text = tuple(line for line in step.text if line.applies(have))
        after = tuple(line for line in step.text_after if line.applies(have))
        if not step.applies(have):
            carried.extend(text + after)
            continue
        device = stand_in(spec, step.state.device, have)
        if device is None:
            unresolved.append((step, step.state.device))
            device = step.state.device
        steps.append(
            ProjectedStep(
                text=tuple(carried) + text,
                state=StateTuple(
                    vm=step.state.vm,
                    migration=step.state.migration,
                    device=device,
                    location=step.state.location,
                ),
                text_after=after,
                callbacks=step.callbacks,
                source=step,
                written_device=step.state.device,
            )
        )
        carried = []
    if carried and steps:
        last = steps[-1]
        steps[-1] = ProjectedStep(
            text=last.text,
            state=last.state,
            text_after=last.text_after + tuple(carried),
            callbacks=last.callbacks,
            source=last.source,
            written_device=last.written_device,
        )
    return ProjectedFlow(flow=flow, features=have, steps=tuple(steps), unresolved=tuple(unresolved))
