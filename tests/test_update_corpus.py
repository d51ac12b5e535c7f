"""``update --write`` turns the real pre-seed docs and trace-events into the seed's.

The tree: our pre-seed C fixtures (``tests/trees/pre-seed``) with QEMU
3d4d0f0e06's rst and trace-events, copied from ../shared at test time.  After
``update --write`` with the bundled spec (the seed's state machine),
``hw/vfio/trace-events`` is QEMU 94f775e428's byte for byte, and the flows
say what the seed's say, line by line.  The seed re-centred every line of
its drawings by hand; update keeps the pre-seed layout of lines whose
meaning did not change, so only some lines are byte-identical.
"""

from __future__ import annotations

from pathlib import Path

from migspec.artefacts import check_tree, plan_update
from migspec.source.rst import parse_flows
from migspec.update import apply_plan
from migspec.update.flows import line_key

from .source_trees import TREES, build_tree, with_corpus
from .update_support import REGION_RULES, bundled, snapshot_tree

RST = "docs/devel/vfio-migration.rst"
SECTIONS = ["Live migration save path", "Live migration resume path"]


def _blocks(text: str) -> list[list[str]]:
    read, _ = parse_flows(text, "x.rst", SECTIONS)
    lines = text.splitlines()
    return [lines[read.flows[s].location.line - 1 : read.flows[s].end_line] for s in SECTIONS]


def test_pre_seed_tree_becomes_the_seed(corpus: Path, tmp_path: Path) -> None:
    spec = bundled()
    tree = with_corpus(
        build_tree(tmp_path / "tree", TREES / "pre-seed" / "seed-reverted.patch"),
        corpus / "qemu-3d4d0f0e06",
    )
    seed = corpus / "qemu-94f775e428"
    plan = plan_update(spec, tree)
    assert plan.diagnostics == ()
    assert {f.rel for f in plan.files} == {
        "hw/vfio/migration.c",
        "hw/vfio/common.c",
        "hw/vfio/trace-events",
        RST,
    }
    assert apply_plan(plan).written

    # trace-events: the seed's, byte for byte.
    assert (tree / "hw/vfio/trace-events").read_bytes() == (
        seed / "hw/vfio/trace-events"
    ).read_bytes()

    # The flows: what the seed's say, line by line, and check finds nothing in them.
    mine = _blocks((tree / RST).read_text())
    theirs = _blocks((seed / RST).read_text())
    for a, b in zip(mine, theirs, strict=True):
        assert [line_key(x) for x in a if x.strip()] == [line_key(x) for x in b if x.strip()]
    remaining = {(d.rule, Path(d.location.path).name) for d in check_tree(spec, tree)}
    assert not {r for r, _ in remaining} & REGION_RULES
    # Left: C the seed wrote by hand (the prepare callback that calls the new
    # event), and the notifier note every tree has.
    assert remaining == {
        ("check-trace-uncalled", "trace-events"),
        ("check-transition-unregistered", "migration.c"),
    }

    # The same tree with the seed's rst: check is clean there too.
    with_corpus(tree, seed)
    assert not {d.rule for d in check_tree(spec, tree)} & REGION_RULES

    # How many drawn lines match the seed byte for byte (22 of 39): every
    # line the seed kept the meaning of but re-centred differs by its indent.
    identical = sum(
        x == y for a, b in zip(mine, theirs, strict=True) for x, y in zip(a, b, strict=True)
    )
    total = sum(len(b) for b in theirs)
    assert (identical, total) == (22, 39)


def test_the_seed_revision_needs_no_update(corpus: Path, tmp_path: Path) -> None:
    tree = with_corpus(build_tree(tmp_path / "tree"), corpus / "qemu-94f775e428")
    before = snapshot_tree(tree)
    plan = plan_update(bundled(), tree)
    assert plan.files == () and plan.diagnostics == ()
    assert snapshot_tree(tree) == before
