"""Property tests: every reader survives mutated and random input.

Hypothesis mutates the valid files the readers normally see (the bundled
spec, the fixture tree's C, rst and trace-events: lines deleted, duplicated,
swapped, bytes flipped, tabs and syntax snippets inserted, cut short) and
throws random bytes at them.  Properties (:mod:`tests.fuzz_targets`): no
exception escapes, the output is diagnostics of known rules, and every
located diagnostic lies inside the input.

Deterministic in CI (``derandomize=True``) and small (the whole file runs in
well under a minute); ``bench/fuzz_long.py`` runs the same targets for as
long as you like.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migspec.artefacts import run_check
from migspec.load.spec import load_spec
from migspec.model import Spec

from .conftest import SEED_SPEC
from .fuzz_targets import BASE, OPS, SNIPPETS, TARGETS, Op, mutate, seed_bytes
from .located import assert_located

CI = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ops = st.lists(
    st.builds(
        Op,
        kind=st.sampled_from(OPS),
        a=st.integers(min_value=0, max_value=1 << 20),
        b=st.integers(min_value=0, max_value=1 << 20),
        value=st.integers(min_value=0, max_value=255),
    ),
    min_size=1,
    max_size=8,
)

EXAMPLES = {"spec": 250, "trace": 400, "c": 250, "rst": 200}


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_mutated_valid_files(kind: str) -> None:
    seeds = seed_bytes(kind)

    @settings(CI, max_examples=EXAMPLES[kind])
    @given(seed=st.integers(0, len(seeds) - 1), ops=ops)
    def run(seed: int, ops: list[Op]) -> None:
        TARGETS[kind](mutate(seeds[seed], ops, SNIPPETS[kind]))

    run()


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_random_bytes(kind: str) -> None:
    @settings(CI, max_examples=100)
    @given(data=st.binary(max_size=2000))
    def run(data: bytes) -> None:
        TARGETS[kind](data)

    run()


trace_line = st.lists(
    st.sampled_from(
        [
            "ev",
            "_x",
            "(",
            ")",
            "int",
            " a",
            ",",
            " ",
            "\t",
            '"',
            "%d",
            "%",
            '"PRIx64"',
            "void",
            "disable",
            "#",
            "const char *s",
            "\\",
            "\x00",
            "é",
            "\r",
        ]
    ),
    max_size=25,
).map("".join)


@settings(CI, max_examples=300)
@given(lines=st.lists(trace_line, max_size=12))
def test_random_trace_event_lines(lines: list[str]) -> None:
    TARGETS["trace"]("\n".join(lines).encode("utf-8"))


@pytest.fixture(scope="module")
def bundled() -> Spec:
    result = load_spec(SEED_SPEC)
    assert result.spec is not None
    return result.spec


@pytest.mark.parametrize(
    "rel", ["hw/vfio/migration.c", "docs/devel/vfio-migration.rst", "hw/vfio/trace-events"]
)
def test_check_on_a_tree_with_a_mutated_file(
    rel: str, tmp_path_factory: pytest.TempPathFactory, bundled: Spec
) -> None:
    """The whole check, not only the reader, on a tree holding one mutated file."""
    tree = tmp_path_factory.mktemp("tree") / "t"
    shutil.copytree(BASE, tree)
    kind = {".c": "c", ".rst": "rst"}.get(Path(rel).suffix, "trace")
    original = (BASE / rel).read_bytes()

    @settings(CI, max_examples=30)
    @given(ops=ops)
    def run(ops: list[Op]) -> None:
        data = mutate(original, ops, SNIPPETS[kind])
        (tree / rel).write_bytes(data)
        result = run_check(bundled, tree)
        files = {str(tree / p): (tree / p).read_bytes() for p in (rel,)}
        assert_located(result.diagnostics, files)

    run()


# -- random machines: past the loader, into the linter, the engine and the renderers ------

NAMES = ["A", "B", "C", "D", "E", "F", "ERR", "Z"]
FEATURES = ["BASE", "F1", "F2", "F3"]


@st.composite
def machines(draw: st.DrawFn) -> dict[str, object]:
    """Specs that mostly load: random states, arcs, groups, features and flows."""
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=7))
    # Mostly the names defined, now and then one that is not.
    known = st.one_of(st.sampled_from(names), st.sampled_from(names), st.sampled_from(NAMES))
    optional = draw(st.lists(st.sampled_from(FEATURES[1:]), unique=True, max_size=3))
    features: list[dict[str, object]] = [
        {"name": "BASE", "macro": "M_BASE", "bit": 0, "mandatory": True}
    ]
    features += [{"name": f, "macro": f"M_{f}", "bit": i + 1} for i, f in enumerate(optional)]
    feature_names = ["BASE", *optional]
    some_features = st.lists(st.sampled_from(feature_names), unique=True, max_size=2)
    states = []
    for i, name in enumerate(names):
        state: dict[str, object] = {"name": name, "value": draw(st.integers(0, 9))}
        if draw(st.booleans()):
            state["features"] = draw(some_features)
        if draw(st.integers(0, 4)) == 0:
            state["groups"] = ["g"]
        if draw(st.integers(0, 4)) == 0:
            state["classes"] = ["k"]
        if draw(st.integers(0, 5)) == 0:
            state["stand_in"] = draw(known)
        if i == 0 or draw(st.integers(0, 6)) == 0:
            state["initial"] = True
        if name == "ERR" or draw(st.integers(0, 8)) == 0:
            state["error"] = True
        states.append(state)
    arcs = []
    for _ in range(draw(st.integers(0, 14))):
        arc: dict[str, object] = {"from": draw(known), "to": draw(known)}
        if draw(st.integers(0, 3)) == 0:
            arc["features"] = draw(some_features)
        if draw(st.integers(0, 5)) == 0:
            arc["without"] = draw(some_features)
        if draw(st.integers(0, 4)) == 0:
            arc["session"] = draw(st.sampled_from(["open", "close"]))
        arcs.append(arc)
    doc: dict[str, object] = {
        "migspec": 1,
        "machine": {"name": "fuzz", "c": {"enum": "fuzz_state", "prefix": "FUZZ_"}},
        "features": features,
        "groups": [
            {"name": "g", "interior": draw(st.sampled_from(["allowed", "never", "within-group"]))}
        ],
        "classes": [{"name": "k"}],
        "states": states,
        "arcs": arcs,
        "vm_states": ["RUN", "STOP"],
        "migration_states": ["NONE", "ACTIVE"],
        "callbacks": [{"name": "cb"}],
    }
    if draw(st.booleans()):
        doc["refused"] = [{"from": draw(known), "to": draw(known)}]
    steps = []
    for _ in range(draw(st.integers(0, 6))):
        step: dict[str, object] = {
            "state": [
                draw(st.sampled_from(["RUN", "STOP", "X"])),
                draw(st.sampled_from(["NONE", "ACTIVE"])),
                draw(known),
            ]
        }
        if draw(st.booleans()):
            step["text"] = draw(st.lists(st.text(max_size=30), max_size=2))
        if draw(st.integers(0, 3)) == 0:
            step["features"] = draw(some_features)
        if draw(st.integers(0, 3)) == 0:
            step["callbacks"] = ["cb"]
        steps.append(step)
    if steps:
        doc["flows"] = [
            {"name": "f", "title": draw(st.text(min_size=1, max_size=20)), "steps": steps}
        ]
        if draw(st.booleans()):
            doc["flows"][0]["features"] = draw(some_features)  # type: ignore[index]
    return doc


@settings(CI, max_examples=250)
@given(doc=machines())
def test_random_machines(doc: dict[str, object]) -> None:
    import yaml

    TARGETS["spec"](yaml.safe_dump(doc, allow_unicode=True).encode("utf-8"))
