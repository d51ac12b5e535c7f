"""Review stage: two specs in, what changed between them out.

Inputs: an old and a new :class:`~migspec.model.Spec` (from files or from git
revisions, read with ``git show``, no checkout).  Outputs: a :class:`SpecDiff`
grouped as reviewers read a state-machine patch: the machine's vocabulary
(states, features, groups, classes), arcs, the next steps a driver takes per
feature set, each flow as rendered ASCII, trace events, and the C artefacts
that will change.  The CLI and the Sphinx directive render it (text, JSON,
HTML) from templates.
"""

from __future__ import annotations

import difflib
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .diagnostics import Diagnostic, Location, Severity, declare
from .load.spec import LoadResult, load_spec, load_spec_text
from .model import Arc, Feature, Group, RefusedArc, Spec, State, StateClass, TraceEvent

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


@dataclass(frozen=True, slots=True, kw_only=True)
class StepChange:
    features: str
    source: str
    target: str
    old: tuple[str, ...] | None
    new: tuple[str, ...] | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecDiff:
    old_name: str
    new_name: str
    vocabulary: tuple[Change, ...] = ()
    arcs: tuple[Change, ...] = ()
    steps: tuple[StepChange, ...] = ()
    flows: tuple[TextDiff, ...] = ()
    trace: tuple[Change, ...] = ()
    code: tuple[TextDiff, ...] = ()
    other: tuple[Change, ...] = field(default=())

    @property
    def equivalent(self) -> bool:
        return not (
            self.vocabulary
            or self.arcs
            or self.steps
            or self.flows
            or self.trace
            or self.code
            or self.other
        )


# -- reading specs from files or git ------------------------------------------


def read_spec_arg(arg: str, *, cwd: Path | None = None) -> LoadResult:
    """``PATH``, ``git:REV`` (the spec at its usual path) or ``git:REV:PATH``."""
    if not arg.startswith("git:"):
        return load_spec(arg)
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
    from .load.yamlsrc import decode_text

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
    old_cf, new_cf = _names(old.code_features), _names(new.code_features)
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
    return SpecDiff(
        old_name=old.path,
        new_name=new.path,
        vocabulary=tuple(vocabulary),
        arcs=tuple(arcs),
        trace=tuple(trace),
        other=tuple(other),
    )


def load_pair(old_arg: str, new_arg: str) -> tuple[Spec | None, Spec | None, Sequence[Diagnostic]]:
    old = read_spec_arg(old_arg)
    new = read_spec_arg(new_arg)
    return old.spec, new.spec, [*old.diagnostics, *new.diagnostics]
