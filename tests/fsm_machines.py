"""Small machines for the FSM tests: as spec text (through the real loader) or as model values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from migspec.load.spec import load_spec_text
from migspec.model import (
    Arc,
    Code,
    Feature,
    Group,
    Interior,
    Machine,
    Notation,
    PathPin,
    RefusedArc,
    Session,
    Spec,
    State,
    Walk,
)


def toy_yaml(
    states: Sequence[str],
    arcs: Iterable[str],
    *,
    groups: Mapping[str, tuple[str, Sequence[str]]] | None = None,
    needs: Mapping[str, Sequence[str]] | None = None,
    optional: Sequence[str] = (),
    refused: Iterable[str] = (),
    pins: Iterable[Sequence[str]] = (),
    walk: str = "",
    extra: str = "",
    state_extra: Mapping[str, str] | None = None,
) -> str:
    """A spec text.  ``arcs`` are ``"A B"`` or ``"A B [X] ![Y]"`` (needs X, without Y).

    The first state is initial; an ``ERR`` error state (value 0) is added.
    ``groups``: name -> (interior rule, member states).  ``needs``: state ->
    optional features it needs.
    """
    groups = groups or {}
    needs = needs or {}
    state_extra = state_extra or {}
    out = [
        "migspec: 1",
        "machine: {name: toy, c: {enum: toy_state, prefix: TOY_}}",
        "features:",
        "  - {name: BASE, macro: TOY_BASE, bit: 0, mandatory: true}",
    ]
    for i, f in enumerate(optional, 1):
        out.append(f"  - {{name: {f}, macro: TOY_{f}, bit: {i}}}")
    if groups:
        out.append("groups:")
        for g, (rule, _members) in groups.items():
            out.append(f"  - {{name: {g}, interior: {rule}}}")
    out.append("states:")
    out.append("  - {name: ERR, value: 0, error: true}")
    for i, s in enumerate(states, 1):
        fields = [f"name: {s}", f"value: {i}"]
        if i == 1:
            fields.append("initial: true")
        member = [g for g, (_r, members) in groups.items() if s in members]
        if member:
            fields.append(f"groups: [{', '.join(member)}]")
        if s in needs:
            fields.append(f"features: [BASE, {', '.join(needs[s])}]")
        if s in state_extra:
            fields.append(state_extra[s])
        out.append(f"  - {{{', '.join(fields)}}}")
    out.append("arcs:")
    for arc in arcs:
        parts = arc.split()
        fields = [f"from: {parts[0]}", f"to: {parts[1]}"]
        for p in parts[2:]:
            if p.startswith("!"):
                fields.append(f"without: {p[1:]}")
            else:
                fields.append(f"features: {p}")
        out.append(f"  - {{{', '.join(fields)}}}")
    refused = list(refused)
    if refused:
        out.append("refused:")
        for r in refused:
            a, b = r.split()
            out.append(f"  - {{from: {a}, to: {b}}}")
    pins = list(pins)
    if pins:
        out.append("paths:")
        out.append("  pins:")
        for p in pins:
            out.append(f"    - path: [{', '.join(p)}]")
    if walk:
        out.append(f"walk: {walk}")
    if extra:
        out.append(extra.rstrip("\n"))
    return "\n".join(out) + "\n"


def load(text: str, name: str = "toy.yaml") -> Spec:
    result = load_spec_text(text, name)
    assert result.spec is not None and not result.diagnostics, result.diagnostics
    return result.spec


def toy_model(
    n: int,
    arcs: Iterable[tuple[int, int]],
    *,
    groups: Sequence[tuple[Interior, frozenset[int]]] = (),
    refused: Iterable[tuple[int, int]] = (),
    needs_x: frozenset[int] = frozenset(),
    arc_x: Mapping[tuple[int, int], str] | None = None,
    pins: Iterable[Sequence[int]] = (),
    stop_at_error: bool = True,
) -> Spec:
    """A spec built directly as model values: states S0..S{n-1} plus ERR.

    ``needs_x``: states that need the optional feature X.  ``arc_x``: arc ->
    ``"X"`` (needs X) or ``"!X"`` (only without X).
    """
    arc_x = arc_x or {}
    names = [f"S{i}" for i in range(n)]
    group_names = [f"g{k}" for k in range(len(groups))]
    states = [
        State(
            name="ERR",
            value=0,
            doc="",
            features=frozenset(),
            groups=(),
            classes=(),
            docs_as="ERR",
            stand_ins=(),
            error=True,
            initial=False,
        )
    ]
    for i, name in enumerate(names):
        states.append(
            State(
                name=name,
                value=i + 1,
                doc="",
                features=frozenset({"BASE", "X"} if i in needs_x else {"BASE"}),
                groups=tuple(g for g, (_r, m) in zip(group_names, groups, strict=True) if i in m),
                classes=(),
                docs_as=name,
                stand_ins=(),
                error=False,
                initial=i == 0,
            )
        )

    def arc(a: int, b: int) -> Arc:
        mark = arc_x.get((a, b), "")
        needed = {"X"} if mark == "X" or a in needs_x or b in needs_x else set()
        return Arc(
            source=names[a],
            target=names[b],
            features=frozenset(needed),
            without=frozenset({"X"}) if mark == "!X" and not needed else frozenset(),
            session=Session.NONE,
            doc="",
        )

    return Spec(
        path="<toy>",
        version=1,
        machine=Machine(name="toy", title="", doc="", enum="e", prefix="S_", header=""),
        features=(
            Feature(name="BASE", macro="BASE", bit=0, mandatory=True, doc=""),
            Feature(name="X", macro="X", bit=1, mandatory=False, doc=""),
        ),
        groups=tuple(
            Group(name=g, doc="", interior=rule)
            for g, (rule, _m) in zip(group_names, groups, strict=True)
        ),
        classes=(),
        states=tuple(states),
        arcs=tuple(arc(a, b) for a, b in arcs),
        refused=tuple(RefusedArc(source=names[a], target=names[b], doc="") for a, b in refused),
        pins=tuple(PathPin(path=tuple(names[i] for i in p), doc="") for p in pins),
        walk=Walk(skip_unsupported=True, error_flags_all=True, stop_at_error=stop_at_error, doc=""),
        vm_states=(),
        migration_states=(),
        notation=Notation(),
        callbacks=(),
        flows=(),
        trace=(),
        code=Code(),
    )
