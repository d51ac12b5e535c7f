"""The review comparison is complete: any change to any field of any model object
shows, and git arguments cannot be taken for options.

The mutations are generated from the model's dataclass fields, so a field
added to the model is mutated here without anyone writing a case for it, and
a comparison that skips a field fails this test.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import subprocess
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from migspec import model
from migspec.comparison.compare import Status, compare_specs
from migspec.load.revision import read_spec_arg
from migspec.load.spec import load_spec
from migspec.model import PathPin, Spec, Suppression

from .conftest import ROOT, SEED_SPEC
from .review_support import SEED_NEW, edit, seed_repo

Rebuild = Callable[[object], Spec]


def _model_classes(annotation: str) -> set[type]:
    """The model dataclasses a field's (string) annotation names."""
    out = set()
    for word in re.findall(r"[A-Za-z_]+", annotation):
        cls = getattr(model, word, None)
        if isinstance(cls, type) and dataclasses.is_dataclass(cls):
            out.add(cls)
    return out


def _reachable(cls: type, seen: set[type] | None = None) -> set[type]:
    """Every model dataclass reachable from ``cls`` through field annotations."""
    seen = set() if seen is None else seen
    if cls in seen:
        return seen
    seen.add(cls)
    for f in _fields(cls):
        for inner in _model_classes(str(f.type)):
            _reachable(inner, seen)
    return seen


Pools = dict[tuple[type, str], list[object]]


def _pools(obj: object, pools: Pools) -> Pools:
    """Every value each (class, field) takes in the spec, to mutate a field into
    another value the spec already uses (a state name into another state's,
    so that the mutated spec still only names what exists)."""
    for f in _fields(type(obj)):
        value = getattr(obj, f.name)
        pool = pools.setdefault((type(obj), f.name), [])
        if value not in pool:
            pool.append(value)
        items = value if isinstance(value, tuple | frozenset) else (value,)
        for item in items:
            if dataclasses.is_dataclass(item):
                _pools(item, pools)
    return pools


def _fields(cls: type) -> tuple[dataclasses.Field[object], ...]:
    """The fields a comparison must read, from the dataclass itself (not from
    the comparison, so that one that hides a field cannot hide it here)."""
    return tuple(
        f
        for f in dataclasses.fields(cls)
        if f.name != "location" and (cls, f.name) not in NOT_CONTENT
    )


# The spec's own file name: the report's header names both, and two files
# always have different names.
NOT_CONTENT = {(Spec, "path")}


def _made(annotation: str) -> object:
    """A value of a field's type that the spec does not use anywhere."""
    if annotation.startswith("frozenset[str]"):
        return frozenset({"P2P"})
    if annotation.startswith("tuple[str"):
        return ("disable",)
    if annotation.startswith("str"):
        return "MUTATED"
    if annotation.startswith("int"):
        return 99
    return None


def _other_values(value: object, annotation: str, pool: list[object]) -> Iterator[object]:
    """Values of a field's type that differ from ``value``, from the spec's own
    where it can (a state name into another state's, so that the mutated spec
    still names only what exists)."""
    if isinstance(value, bool):
        yield not value
    elif isinstance(value, enum.Enum):
        yield next(m for m in type(value) if m is not value)
    elif isinstance(value, int):
        yield value + 1
    elif isinstance(value, str):
        yield next((v for v in pool if isinstance(v, str) and v != value), value + "_mutated")
    elif isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
        # Reordered (dropping one could leave names dangling).
        yield tuple(reversed(value)) if len(value) > 1 else ()
    elif isinstance(value, frozenset | tuple):
        if value:
            yield value[:-1] if isinstance(value, tuple) else value - {min(value)}
        else:
            yield next((v for v in pool if v), _made(annotation))
    elif value is None:
        yield next((v for v in pool if v is not None), _made(annotation))
    if dataclasses.is_dataclass(value) and "None" in annotation:
        yield None


def _mutations(
    obj: object, rebuild: Rebuild, where: str, pools: Pools, swapped: bool = False
) -> Iterator[tuple[str, tuple[type, str], Spec]]:
    """(where, (class, field), the spec with that field of that object changed).

    ``swapped``: the object's ``name`` was changed by swapping it with its
    neighbour's (other objects refer to it by name).
    """
    for f in _fields(type(obj)):
        value = getattr(obj, f.name)

        def put(new: object, name: str = f.name) -> Spec:
            return rebuild(dataclasses.replace(obj, **{name: new}))  # type: ignore[type-var]

        if not (swapped and f.name == "name"):
            for other in _other_values(value, str(f.type), pools[(type(obj), f.name)]):
                if other is None and value is None:
                    continue
                yield f"{where}.{f.name} = {other!r:.60}", (type(obj), f.name), put(other)
        if dataclasses.is_dataclass(value):
            # Changing a field of the object it holds changes this field too.
            found = list(_mutations(value, put, f"{where}.{f.name}", pools))
            yield from ((w, (type(obj), f.name), m) for w, _, m in found[:1])
            yield from found
        elif isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            names = hasattr(value[0], "name") and len(value) > 1
            if names:
                a, b = value[0], value[1]
                swap = (
                    dataclasses.replace(a, name=b.name),  # type: ignore[type-var]
                    dataclasses.replace(b, name=a.name),  # type: ignore[type-var]
                    *value[2:],
                )
                yield f"{where}.{f.name}[0:2] names swapped", (type(a), "name"), put(swap)
            for i, item in enumerate(value):

                def put_item(new: object, i: int = i, items: tuple[object, ...] = value) -> Spec:
                    return put((*items[:i], new, *items[i + 1 :]))

                yield from _mutations(item, put_item, f"{where}.{f.name}[{i}]", pools, names)


def _missed(base: Spec, only: str = "spec") -> tuple[list[str], set[tuple[type, str]]]:
    """The mutations (under ``only``) the comparison does not report, and what was mutated."""
    pools = _pools(base, {})
    missed: list[str] = []
    mutated: set[tuple[type, str]] = set()
    for where, field, changed in _mutations(
        base, lambda new: typing.cast(Spec, new), "spec", pools
    ):
        if not where.startswith(only):
            continue
        mutated.add(field)
        if compare_specs(base, changed).equivalent:
            missed.append(where)
    return missed, mutated


def _base() -> Spec:
    """The seed spec, with one object of each model class it lacks."""
    spec = load_spec(SEED_SPEC).spec
    assert spec is not None and spec.code.kernel is not None
    drivers = model.KernelDrivers(
        dir="drivers/vfio",
        ops="vfio_migration_ops",
        set_state="migration_set_state",
        flags="migration_flags",
    )
    kernel = dataclasses.replace(spec.code.kernel, drivers=drivers)
    return dataclasses.replace(
        spec,
        code=dataclasses.replace(spec.code, kernel=kernel),
        pins=(PathPin(path=("RUNNING", "STOP"), doc="A pin on an arc: it changes nothing."),),
        suppressions=(Suppression(rule="fsm-path-ambiguous"),),
        disabled_rules=frozenset({"fsm-path-ambiguous"}),
    )


def test_every_field_of_every_model_object_is_compared() -> None:
    missed, mutated = _missed(_base())
    assert missed == [], f"{len(missed)} changes the comparison does not report"
    # Every field of every class the model can hold was changed at least once.
    wanted = {(cls, f.name) for cls in _reachable(Spec) for f in _fields(cls)}
    assert wanted - mutated == set()


def test_hiding_a_field_fails_the_completeness_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above can fail: a comparison that skips ``Callback.docs_as`` is caught."""
    import migspec.comparison.compare as comparison

    real = comparison.compared_fields

    def hiding(cls: type) -> tuple[dataclasses.Field[Any], ...]:
        return tuple(f for f in real(cls) if (cls, f.name) != (model.Callback, "docs_as"))

    monkeypatch.setattr(comparison, "compared_fields", hiding)
    missed, _ = _missed(_base(), only="spec.callbacks[")
    assert missed and all(".docs_as = " in where for where in missed)


@pytest.mark.parametrize(
    "written, edited, detail",
    [
        (
            "docs_as: .save_setup()}",
            "docs_as: .save_setup_renamed()}",
            "docs_as: .save_setup() -> .save_setup_renamed()",
        ),
        (
            "docs_as: .save_setup()}",
            "docs_as: .save_setup(), doc: Reworded.}",
            "doc:  -> Reworded.",
        ),
    ],
)
def test_callback_docs_as_or_doc_is_a_difference(
    tmp_path: Path, written: str, edited: str, detail: str
) -> None:
    """Reproduction 4: two specs that differ only in a callback's ``docs_as``
    or ``doc`` are not "equivalent", and ``migspec diff`` exits 1."""
    from .render_support import run_cli

    changed = tmp_path / "edited.yaml"
    changed.write_text(edit((ROOT / SEED_NEW).read_text("utf-8"), (written, edited)), "utf-8")
    old, new = load_spec(ROOT / SEED_NEW).spec, load_spec(changed).spec
    assert old is not None and new is not None
    comparison = compare_specs(old, new)
    assert not comparison.equivalent
    (change,) = comparison.other
    assert (change.status, change.what, change.name) == (Status.CHANGED, "callback", "save_setup")
    assert change.details == (detail,)
    result = run_cli("diff", SEED_NEW, str(changed))
    assert result.returncode == 1
    assert "~ callback save_setup" in result.stdout
    assert "The specs differ." in result.stdout


@pytest.mark.parametrize("rev", ["--output=/tmp/migspec-pwned", "-p", "--"])
def test_a_revision_that_looks_like_an_option_is_refused(tmp_path: Path, rev: str) -> None:
    repo = seed_repo(tmp_path / "repo")
    result = read_spec_arg(f"git:{rev}:spec/vfio-migration.yaml", cwd=repo)
    assert result.spec is None
    (d,) = result.diagnostics
    assert d.rule == "diff-git" and "cannot start with '-'" in d.message
    assert d.location.path == f"git:{rev}:spec/vfio-migration.yaml"
    assert not Path("/tmp/migspec-pwned").exists()


def test_git_show_is_given_end_of_options(tmp_path: Path) -> None:
    """A revision is read even when a file of the same name exists: it is
    never parsed as a path or an option."""
    repo = seed_repo(tmp_path / "repo")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    (repo / head).write_text("not a revision\n", "utf-8")
    result = read_spec_arg(f"git:{head}", cwd=repo)
    assert result.spec is not None and result.diagnostics == []
