"""Review stage: two specs in, what changed between them out.

Inputs: an old and a new :class:`~migspec.model.Spec` (from files or from git
revisions, read with ``git show``, no checkout).  Outputs: a :class:`SpecDiff`
grouped as reviewers read a state-machine patch: the machine's vocabulary
(states, features, groups, classes), arcs, the next steps a driver takes per
feature set, each flow as rendered ASCII, trace events, and the C artefacts
that will change, then the rest of the spec's wiring.  Flows and C are
compared as each spec renders them, so a change shows as the reader of the
generated text will see it.  :mod:`migspec.render.diff` turns a diff into
text, JSON and HTML for the CLI (``migspec diff``) and the Sphinx directive
(``migspec:diff``).
"""

from __future__ import annotations

import difflib
import enum
import itertools
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .artefacts import Choice, applicable
from .diagnostics import Diagnostic, Location, Severity, declare
from .expect.code import expect_code
from .fsm.engine import Steps
from .load.spec import LoadResult, load_spec, load_spec_text
from .model import Arc, Feature, Flow, Group, RefusedArc, Spec, State, StateClass, TraceEvent

DEFAULT_SPEC_PATH = "spec/vfio-migration.yaml"

RULES = (
    declare(
        "diff-git",
        Severity.ERROR,
        "A ``git:REV[:path]`` spec could not be read with ``git show``.",
        scope="review",
        example="migspec diff git:no-such-branch spec/vfio-migration.yaml",
    ),
)
_RULE = {r.id: r for r in RULES}


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    kind: str  # "added" | "removed" | "changed"
    what: str  # "state", "feature", "arc", ...
    name: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TextDiff:
    """A rendered artefact that changed: unified diff plus both sides."""

    name: str
    old: str
    new: str
    unified: str
    # How a report names it ("mig_state_to_str()"); "" when ``name`` says it.
    title: str = ""


class Outcome(enum.Enum):
    """What a request from one state to another does on one kind of device."""

    PATH = "path"  # it arrives (``path`` lists the states passed)
    REFUSED = "refused"  # a refused pair: the request fails (the error state)
    FAILS = "fails"  # no legal path: the request fails (the error state)
    HANGS = "hangs"  # the next-state lookup never returns
    NO_STATE = "no-state"  # one of the two states does not exist on this device


@dataclass(frozen=True, slots=True, kw_only=True)
class StepChange:
    """A request whose path differs between the two specs on one device kind."""

    features: str  # the device kind (``feature_set_name``: "none", "P2P+PRE_COPY")
    source: str
    target: str
    old: tuple[str, ...] | None
    new: tuple[str, ...] | None
    old_outcome: Outcome = Outcome.PATH
    new_outcome: Outcome = Outcome.PATH


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowDiff:
    """One flow's rendered ASCII drawing for one device kind, where it changed."""

    flow: str
    kind: str  # ``feature_set_name``: "none", "P2P", "P2P+PRE_COPY"
    label: str  # "with P2P+PRE_COPY", "without optional features"
    features: frozenset[str]
    own: bool  # the kind the (new, else old) flow itself is drawn for
    diff: TextDiff


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecDiff:
    old_name: str
    new_name: str
    vocabulary: tuple[Change, ...] = ()
    arcs: tuple[Change, ...] = ()
    # Device kinds in only one of the specs ("added"/"removed" "device kind").
    kinds: tuple[Change, ...] = ()
    # Every device kind compared, in the new spec's order (then the old's).
    kinds_compared: tuple[str, ...] = ()
    steps: tuple[StepChange, ...] = ()
    # Flows added or removed, and what changed in a flow besides its drawing.
    flow_changes: tuple[Change, ...] = ()
    flows: tuple[FlowDiff, ...] = ()
    # Every flow of either spec, the new spec's order first: how reports order them.
    flow_names: tuple[str, ...] = ()
    trace: tuple[Change, ...] = ()
    code: tuple[TextDiff, ...] = ()
    other: tuple[Change, ...] = field(default=())

    @property
    def equivalent(self) -> bool:
        return not (
            self.vocabulary
            or self.arcs
            or self.kinds
            or self.steps
            or self.flow_changes
            or self.flows
            or self.trace
            or self.code
            or self.other
        )


# -- reading specs from files or git ------------------------------------------


def read_spec_arg(arg: str, *, cwd: Path | None = None) -> LoadResult:
    """``PATH``, ``git:REV`` (the spec at its usual path) or ``git:REV:PATH``.

    A relative ``PATH`` is relative to ``cwd`` (default: the working
    folder) and is shown as written; ``git:`` paths are relative to the top
    of the repository ``cwd`` is in.
    """
    if not arg.startswith("git:"):
        real = Path(arg)
        if cwd is not None and not real.is_absolute():
            real = cwd / real
        return load_spec(real, display=arg)
    rest = arg[len("git:") :]
    rev, _, path = rest.partition(":")
    path = path or DEFAULT_SPEC_PATH
    where = Location(arg)
    base = cwd or Path.cwd()
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=base,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        # git show REV:./path is relative to cwd; REV:path to the top level.
        shown = subprocess.run(
            ["git", "show", f"{rev}:{path}"],
            cwd=top,
            capture_output=True,
            check=True,
        ).stdout
    except FileNotFoundError:
        return LoadResult(None, [_RULE["diff-git"].diagnostic("git is not installed", where)])
    except subprocess.CalledProcessError as exc:
        stderr = (
            exc.stderr.decode("utf-8", "replace")
            if isinstance(exc.stderr, bytes)
            else (exc.stderr or "")
        )
        reason = stderr.strip().splitlines()[-1] if stderr.strip() else "git failed"
        return LoadResult(None, [_RULE["diff-git"].diagnostic(reason, where)])
    from .load.text import decode_text

    text, diags = decode_text(shown, f"{rev}:{path}")
    if text is None:
        return LoadResult(None, diags)
    return load_spec_text(text, f"{rev}:{path}")


# -- comparing --------------------------------------------------------------


T = TypeVar("T")


def _compare(
    what: str,
    old: Iterable[T],
    new: Iterable[T],
    key: Callable[[T], str],
    describe: Callable[[T], dict[str, str]],
) -> list[Change]:
    old_map = {key(x): x for x in old}
    new_map = {key(x): x for x in new}
    out: list[Change] = []
    for name in sorted(old_map.keys() - new_map.keys()):
        out.append(Change(kind="removed", what=what, name=name))
    for name in sorted(new_map.keys() - old_map.keys()):
        out.append(Change(kind="added", what=what, name=name))
    for name in sorted(old_map.keys() & new_map.keys()):
        a, b = describe(old_map[name]), describe(new_map[name])
        details = tuple(
            f"{field_name}: {a.get(field_name, '-')} -> {b.get(field_name, '-')}"
            for field_name in sorted(a.keys() | b.keys())
            if a.get(field_name) != b.get(field_name)
        )
        if details:
            out.append(Change(kind="changed", what=what, name=name, details=details))
    return out


def _names(values: Iterable[str]) -> str:
    return ", ".join(sorted(values)) or "-"


def _state_fields(s: State) -> dict[str, str]:
    return {
        "value": str(s.value),
        "features": _names(s.features),
        "groups": _names(s.groups),
        "classes": _names(s.classes),
        "docs_as": s.docs_as,
        "stand_in": ", ".join(f"{x.feature or '*'}={x.state}" for x in s.stand_ins) or "-",
        "error": str(s.error).lower(),
        "initial": str(s.initial).lower(),
        "doc": s.doc,
    }


def _feature_fields(f: Feature) -> dict[str, str]:
    return {
        "macro": f.macro,
        "bit": str(f.bit),
        "mandatory": str(f.mandatory).lower(),
        "doc": f.doc,
    }


def _group_fields(g: Group) -> dict[str, str]:
    return {"interior": g.interior.value, "doc": g.doc}


def _class_fields(c: StateClass) -> dict[str, str]:
    return {"doc": c.doc}


def _arc_key(a: Arc | RefusedArc) -> str:
    return f"{a.source} -> {a.target}"


def _arc_fields(a: Arc) -> dict[str, str]:
    return {
        "features": _names(a.features),
        "without": _names(a.without),
        "session": a.session.value,
        "doc": a.doc,
    }


def _refused_fields(a: RefusedArc) -> dict[str, str]:
    return {"doc": a.doc}


def _event_fields(e: TraceEvent) -> dict[str, str]:
    return {
        "args": e.args_text,
        "format": e.format,
        "properties": " ".join(e.properties) or "-",
        "caller": e.caller or "-",
    }


def _event_key(e: TraceEvent) -> str:
    return e.name


def unified(name: str, old: str, new: str, old_label: str, new_label: str) -> TextDiff | None:
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


def diff_model(old: Spec, new: Spec) -> SpecDiff:
    """What changed in the machine's vocabulary, arcs and trace events."""
    vocabulary = [
        *_compare("state", old.states, new.states, lambda s: s.name, _state_fields),
        *_compare("feature", old.features, new.features, lambda f: f.name, _feature_fields),
        *_compare("group", old.groups, new.groups, lambda g: g.name, _group_fields),
        *_compare("class", old.classes, new.classes, lambda c: c.name, _class_fields),
    ]
    arcs = [
        *_compare("arc", old.arcs, new.arcs, _arc_key, _arc_fields),
        *_compare("refused arc", old.refused, new.refused, _arc_key, _refused_fields),
    ]
    trace = _compare(
        "trace event", old.trace_events(), new.trace_events(), _event_key, _event_fields
    )
    other: list[Change] = []
    old_cb = {c.name for c in old.callbacks}
    new_cb = {c.name for c in new.callbacks}
    other.extend(Change(kind="removed", what="callback", name=n) for n in sorted(old_cb - new_cb))
    other.extend(Change(kind="added", what="callback", name=n) for n in sorted(new_cb - old_cb))
    other.extend(
        _compare(
            "registration",
            old.code.registrations,
            new.code.registrations,
            lambda r: r.function,
            lambda r: {"args": ", ".join(f"{i}: {cb}" for i, cb in r.args)},
        )
    )
    other.extend(
        _compare(
            "setter",
            old.code.setters,
            new.code.setters,
            lambda r: r.function,
            lambda r: {"state_arg": str(r.state_arg), "recover_arg": str(r.recover_arg)},
        )
    )
    old_cf, new_cf = _names(expect_code(old).features), _names(expect_code(new).features)
    if old_cf != new_cf:
        other.append(
            Change(
                kind="changed",
                what="code",
                name="features",
                details=(f"features: {old_cf} -> {new_cf}",),
            )
        )
    old_n, new_n = old.notation, new.notation
    notation = [
        f"{name}: {getattr(old_n, name)} -> {getattr(new_n, name)}"
        for name in ("width", "connector_column", "connector", "vm_prefix", "migration_prefix")
        if getattr(old_n, name) != getattr(new_n, name)
    ]
    if notation:
        other.append(
            Change(kind="changed", what="notation", name="flow drawings", details=tuple(notation))
        )
    other.extend(_other_wiring(old, new))
    return SpecDiff(
        old_name=old.path,
        new_name=new.path,
        vocabulary=tuple(vocabulary),
        arcs=tuple(arcs),
        trace=tuple(trace),
        other=tuple(other),
    )


def load_pair(
    old_arg: str, new_arg: str, *, cwd: Path | None = None
) -> tuple[Spec | None, Spec | None, Sequence[Diagnostic]]:
    old = read_spec_arg(old_arg, cwd=cwd)
    new = read_spec_arg(new_arg, cwd=cwd)
    return old.spec, new.spec, [*old.diagnostics, *new.diagnostics]


def spec_arg_file(arg: str, *, cwd: Path | None = None) -> Path | None:
    """The file a spec argument reads, for dependency tracking.

    For ``git:`` forms that is the working-tree copy of the spec's path (a
    revision's content changes only with it or with the revision itself,
    which no file stands for); ``None`` when git cannot say where that is.
    """
    base = cwd or Path.cwd()
    if not arg.startswith("git:"):
        return base / arg
    path = arg[len("git:") :].partition(":")[2] or DEFAULT_SPEC_PATH
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=base,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return Path(top) / path


def _other_wiring(old: Spec, new: Spec) -> list[Change]:
    """The rest of the spec: machine names, the kernel walk, path pins, the
    tuple vocabularies, trace sections, the C definitions and lint settings."""
    out: list[Change] = []
    out.extend(
        _compare(
            "machine",
            [old.machine],
            [new.machine],
            lambda m: "machine",
            lambda m: {
                "name": m.name,
                "title": m.title,
                "doc": m.doc,
                "enum": m.enum,
                "prefix": m.prefix,
                "header": m.header,
            },
        )
    )
    out.extend(
        _compare(
            "walk",
            [old.walk],
            [new.walk],
            lambda w: "next-state lookup",
            lambda w: {
                "skip_unsupported": str(w.skip_unsupported).lower(),
                "error_flags_all": str(w.error_flags_all).lower(),
                "stop_at_error": str(w.stop_at_error).lower(),
                "doc": w.doc,
            },
        )
    )
    out.extend(
        _compare(
            "path pin",
            old.pins,
            new.pins,
            lambda p: f"{p.source} -> {p.target}",
            lambda p: {"path": " -> ".join(p.path), "doc": p.doc},
        )
    )
    for what, a, b in (
        ("VM states", old.vm_states, new.vm_states),
        ("migration states", old.migration_states, new.migration_states),
    ):
        if a != b:
            out.append(
                Change(
                    kind="changed",
                    what="vocabulary",
                    name=what,
                    details=(f"{what}: {', '.join(a) or '-'} -> {', '.join(b) or '-'}",),
                )
            )
    out.extend(
        _compare(
            "trace section",
            old.trace,
            new.trace,
            lambda s: f"{s.file} # {s.section}",
            lambda s: {},
        )
    )
    out.extend(
        _compare(
            "to-string",
            [x for x in (old.code.to_string,) if x is not None],
            [x for x in (new.code.to_string,) if x is not None],
            lambda s: s.function,
            lambda s: {"file": s.file, "default": s.default},
        )
    )
    out.extend(
        _compare(
            "predicate",
            old.code.predicates,
            new.code.predicates,
            lambda p: p.function,
            lambda p: {
                "file": p.file,
                "class": p.state_class,
                "subject": p.subject,
                "params": p.params,
                "prologue": " ".join(p.prologue) or "-",
                "doc": p.doc,
            },
        )
    )
    out.extend(
        _compare(
            "kernel tables",
            [x for x in (old.code.kernel,) if x is not None],
            [x for x in (new.code.kernel,) if x is not None],
            lambda k: k.function,
            lambda k: {
                "file": k.file,
                "next_table": k.next_table,
                "flags_table": k.flags_table,
                "header": k.header,
            },
        )
    )
    old_off, new_off = _names(old.disabled_rules), _names(new.disabled_rules)
    if old_off != new_off:
        out.append(
            Change(
                kind="changed",
                what="lint",
                name="disabled rules",
                details=(f"disable: {old_off} -> {new_off}",),
            )
        )
    return out


# -- next steps, flows and C: what the two specs make -------------------------


def device_kinds(old: Spec, new: Spec) -> list[tuple[str, frozenset[str], Spec]]:
    """Every device kind of either spec: (name, features, the spec that names it),
    the new spec's kinds first, in its order."""
    from .fsm.projection import feature_set_name

    out: list[tuple[str, frozenset[str], Spec]] = []
    seen: set[frozenset[str]] = set()
    for spec in (new, old):
        for features in spec.feature_sets():
            if features not in seen:
                seen.add(features)
                out.append((feature_set_name(spec, features), features, spec))
    return out


def has_kind(spec: Spec, features: frozenset[str]) -> bool:
    return features in set(spec.feature_sets())


def _walk(
    spec: Spec, steps: Steps, source: str, target: str
) -> tuple[Outcome, tuple[str, ...] | None]:
    """Follow ``next`` from ``source`` to ``target`` and say how it ends."""
    if source not in steps.next or target not in steps.next:
        return Outcome.NO_STATE, None
    path = steps.path(source, target)
    if path is not None:
        return Outcome.PATH, path
    cur = source
    for _ in range(len(steps.states) + 1):
        nxt = steps.next[cur].get(target)
        if nxt is None:
            return (Outcome.HANGS if steps.error is not None else Outcome.FAILS), None
        if nxt == steps.error or nxt == target or nxt not in steps.next:
            break
        cur = nxt
    refused = {(r.source, r.target) for r in spec.refused}
    return (Outcome.REFUSED if (source, target) in refused else Outcome.FAILS), None


def diff_steps(old: Spec, new: Spec) -> tuple[list[Change], list[str], list[StepChange]]:
    """Device kinds in only one spec, the kinds compared, and every request
    whose path changed on a kind both specs have."""
    from .fsm.engine import steps_for

    kinds: list[Change] = []
    compared: list[str] = []
    changes: list[StepChange] = []
    for name, features, _owner in device_kinds(old, new):
        in_old, in_new = has_kind(old, features), has_kind(new, features)
        if not (in_old and in_new):
            kinds.append(
                Change(
                    kind="added" if in_new else "removed",
                    what="device kind",
                    name=name,
                    details=(f"features: {_names(features)}",),
                )
            )
            continue
        compared.append(name)
        before, after = steps_for(old, features), steps_for(new, features)
        states = list(dict.fromkeys((*after.states, *before.states)))
        for source, target in itertools.product(states, states):
            a = _walk(old, before, source, target)
            b = _walk(new, after, source, target)
            if a != b:
                changes.append(
                    StepChange(
                        features=name,
                        source=source,
                        target=target,
                        old=a[1],
                        new=b[1],
                        old_outcome=a[0],
                        new_outcome=b[0],
                    )
                )
    return kinds, compared, changes


def _flow_fields(flow: Flow) -> dict[str, str]:
    return {
        "title": flow.title,
        "doc": flow.doc,
        "style": flow.style.value,
        "features": _names(flow.features),
        "docs": f"{flow.docs.file} # {flow.docs.section}" if flow.docs else "-",
    }


def _callbacks(flow: Flow) -> list[str]:
    return [
        f"{step.state.device} [{', '.join(step.callbacks)}]"
        for step in flow.steps
        if step.callbacks
    ]


def _callback_changes(old: Flow, new: Flow) -> str | None:
    """Which steps name which callbacks (what C moves the device there): the
    drawing does not show it.  As a list diff, not "all -> all"."""
    a, b = _callbacks(old), _callbacks(new)
    if a == b:
        return None
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            parts.extend(f"- {x}" for x in a[i1:i2])
            parts.extend(f"+ {x}" for x in b[j1:j2])
    return "callbacks: " + ", ".join(parts)


def flow_names(old: Spec, new: Spec) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*(f.name for f in new.flows), *(f.name for f in old.flows)]))


def diff_flows(old: Spec, new: Spec) -> tuple[list[Change], list[FlowDiff]]:
    """Flows added, removed or changed besides their drawing; and each flow's
    ASCII drawing, per device kind, where it changed.  Each spec draws with
    its own flow style and notation; a flow in only one spec is compared
    with nothing."""
    from .render.dot import kind_text
    from .render.flow_rst import render_flow_rst

    changes = _compare("flow", old.flows, new.flows, lambda f: f.name, _flow_fields)
    for flow in new.flows:
        before = old.flow_map.get(flow.name)
        extra = _callback_changes(before, flow) if before is not None else None
        if extra is None:
            continue
        index = next((i for i, c in enumerate(changes) if c.name == flow.name), None)
        if index is None:
            changes.append(Change(kind="changed", what="flow", name=flow.name, details=(extra,)))
        else:
            found = changes[index]
            details = tuple(sorted((*found.details, extra)))
            changes[index] = Change(kind="changed", what="flow", name=flow.name, details=details)
    order = {name: i for i, name in enumerate(flow_names(old, new))}
    changes.sort(key=lambda c: order[c.name])
    drawings: list[FlowDiff] = []
    for name in flow_names(old, new):
        before, after = old.flow_map.get(name), new.flow_map.get(name)
        main = after or before
        assert main is not None
        owner = new if after is not None else old
        own = main.features | owner.mandatory_features
        for kind, features, spec in device_kinds(old, new):
            a = render_flow_rst(old, before, features=features) if before else ""
            b = render_flow_rst(new, after, features=features) if after else ""
            label = kind_text(spec, features)
            drawn = unified(f"{name}, device {label}", a, b, old.path, new.path)
            if drawn is not None:
                drawings.append(
                    FlowDiff(
                        flow=name,
                        kind=kind,
                        label=label,
                        features=features,
                        own=features == own,
                        diff=drawn,
                    )
                )
    return changes, drawings


def _c_artefacts(spec: Spec, path: str) -> dict[str, tuple[str, str]]:
    """name -> (title, text) of each artefact review compares as text
    (the registry's ``reviewed`` ones that apply to the spec).

    ``path`` is the spec path the artefacts name in their generated-by
    comments: the same for both sides, so that only real changes show.
    """
    import dataclasses

    named = dataclasses.replace(spec, path=path)
    return {
        a.name: (a.title(named), a.render(named, Choice())) for a in applicable(named) if a.reviewed
    }


def diff_code(old: Spec, new: Spec) -> list[TextDiff]:
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
            out.append(
                TextDiff(
                    name=found.name,
                    old=found.old,
                    new=found.new,
                    unified=found.unified,
                    title=title,
                )
            )
    return out


def diff_specs(old: Spec, new: Spec) -> SpecDiff:
    """Everything a reviewer of a state-machine change reads, in reading order."""
    import dataclasses

    model = diff_model(old, new)
    kinds, compared, steps = diff_steps(old, new)
    flow_changes, flows = diff_flows(old, new)
    return dataclasses.replace(
        model,
        kinds=tuple(kinds),
        kinds_compared=tuple(compared),
        steps=tuple(steps),
        flow_changes=tuple(flow_changes),
        flows=tuple(flows),
        flow_names=flow_names(old, new),
        code=tuple(diff_code(old, new)),
    )
