"""What a flow drawing must show: which lines, which tuples, what is bracketed.

Inputs: a spec, one of its flows, a feature set and a style.  Outputs: the
drawing's content (:class:`FlowDrawing`), and the same read back as a reader of
the docs sees it, step by step (:func:`expected_reading`).  The renderer
(:mod:`migspec.render.flow_rst`) lays this out with ``templates/flow.rst.j2``;
``check`` compares drawn blocks with the reading; ``update`` rewrites a block
to the rendering; ``generate``, ``render`` and review draw it per device kind.

Two styles (:class:`~migspec.model.FlowStyle`):

* projected -- the flow a device with one feature set goes through
  (:func:`~migspec.fsm.projection.project_flow`); QEMU since the P2P commit.
* bracketed -- the base flow (mandatory features only) with what needs more
  features in square brackets: a line ``[text]``, a device state
  ``_RUNNING [_PRE_COPY]`` (base state, then the state with every feature), a
  whole tuple ``[(...)]`` when its step exists only with more features.  QEMU
  before the P2P commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fsm.projection import project_flow, stand_in
from ..model import Flow, FlowStyle, Line, Spec, StateTuple, Step


@dataclass(frozen=True, slots=True, kw_only=True)
class RstLine:
    text: str
    bracketed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RstTuple:
    vm: str
    migration: str
    device: str
    # Bracketed style: the device state with every feature, when it differs.
    device_alt: str = ""
    bracketed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RstStep:
    text: tuple[RstLine, ...]
    state: RstTuple
    text_after: tuple[RstLine, ...]
    source: Step  # the spec's step this drawn step shows


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowDrawing:
    flow: Flow
    features: frozenset[str]
    style: FlowStyle
    steps: tuple[RstStep, ...]
    # Device states that had no stand-in for ``features`` (drawn as written).
    unresolved: tuple[str, ...] = ()


def _docs_as(spec: Spec, state: str) -> str:
    found = spec.state_map.get(state)
    return found.docs_as if found is not None else f"_{state}"


def _tuple(spec: Spec, state: StateTuple, device: str) -> RstTuple:
    return RstTuple(vm=state.vm, migration=state.migration, device=_docs_as(spec, device))


def projected_steps(spec: Spec, flow: Flow, features: frozenset[str] | None) -> FlowDrawing:
    projected = project_flow(spec, flow, features)
    steps = tuple(
        RstStep(
            text=tuple(RstLine(text=line.text) for line in step.text),
            state=_tuple(spec, step.state, step.state.device),
            text_after=tuple(RstLine(text=line.text) for line in step.text_after),
            source=step.source,
        )
        for step in projected.steps
    )
    return FlowDrawing(
        flow=flow,
        features=projected.features,
        style=FlowStyle.PROJECTED,
        steps=steps,
        unresolved=tuple(name for _step, name in projected.unresolved),
    )


def bracketed_steps(spec: Spec, flow: Flow, features: frozenset[str] | None) -> FlowDrawing:
    base = spec.mandatory_features
    full = (flow.features if features is None else features) | base
    unresolved: list[str] = []

    def lines(items: tuple[Line, ...]) -> tuple[RstLine, ...]:
        return tuple(
            RstLine(text=line.text, bracketed=not line.applies(base))
            for line in items
            if line.applies(full)
        )

    def resolve(name: str, have: frozenset[str]) -> str:
        found = stand_in(spec, name, have)
        if found is None:
            unresolved.append(name)
            return name
        return found

    steps: list[RstStep] = []
    # As in projection: a step that does not exist even with every bracketed
    # feature loses its tuple, and its lines join the next step.
    carried: list[RstLine] = []
    for step in flow.steps:
        if not step.applies(full):
            carried.extend(lines(step.text) + lines(step.text_after))
            continue
        full_device = resolve(step.state.device, full)
        if step.applies(base):
            base_device = resolve(step.state.device, base)
            state = _tuple(spec, step.state, base_device)
            if base_device != full_device:
                state = RstTuple(
                    vm=state.vm,
                    migration=state.migration,
                    device=state.device,
                    device_alt=_docs_as(spec, full_device),
                )
        else:
            # The step exists only with more features: its whole tuple is bracketed.
            plain = _tuple(spec, step.state, full_device)
            state = RstTuple(
                vm=plain.vm, migration=plain.migration, device=plain.device, bracketed=True
            )
        steps.append(
            RstStep(
                text=(*carried, *lines(step.text)),
                state=state,
                text_after=lines(step.text_after),
                source=step,
            )
        )
        carried = []
    if carried and steps:
        last = steps[-1]
        steps[-1] = RstStep(
            text=last.text,
            state=last.state,
            text_after=(*last.text_after, *carried),
            source=last.source,
        )
    return FlowDrawing(
        flow=flow,
        features=full,
        style=FlowStyle.BRACKETED,
        steps=tuple(steps),
        unresolved=tuple(dict.fromkeys(unresolved)),
    )


def expect_flow(
    spec: Spec,
    flow: Flow,
    *,
    features: frozenset[str] | None = None,
    style: FlowStyle | None = None,
) -> FlowDrawing:
    """What the drawing shows; ``style`` defaults to the flow's own, ``features``
    to the flow's own (for bracketed: the features whose parts are bracketed)."""
    chosen = flow.style if style is None else style
    if chosen is FlowStyle.BRACKETED:
        return bracketed_steps(spec, flow, features)
    return projected_steps(spec, flow, features)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpectedStep:
    """What one drawn step should say: text, tuple members as drawn, text after."""

    before: tuple[str, ...]
    members: tuple[str, str, str]
    bracketed_tuple: bool
    after: tuple[str, ...]
    source: Step

    @property
    def tuple_text(self) -> str:
        inner = f"({', '.join(self.members)})"
        return f"[{inner}]" if self.bracketed_tuple else inner


def expected_reading(
    spec: Spec,
    flow: Flow,
    *,
    features: frozenset[str] | None = None,
    style: FlowStyle | None = None,
) -> tuple[ExpectedStep, ...]:
    """What the drawing of ``flow`` must say, step by step: exactly what
    ``migspec render flow-rst`` draws (same projection, same brackets), read
    back as text lines and tuple members."""
    n = spec.notation

    def line(item: RstLine) -> str:
        return f"[{item.text}]" if item.bracketed else item.text

    data = expect_flow(spec, flow, features=features, style=style)
    out = []
    for step in data.steps:
        t = step.state
        device = f"{t.device} [{t.device_alt}]" if t.device_alt else t.device
        out.append(
            ExpectedStep(
                before=tuple(line(x) for x in step.text),
                members=(n.vm_prefix + t.vm, n.migration_prefix + t.migration, device),
                bracketed_tuple=t.bracketed,
                after=tuple(line(x) for x in step.text_after),
                source=step.source,
            )
        )
    return tuple(out)
