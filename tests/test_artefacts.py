"""The artefact registry is the one list every front end iterates."""

from __future__ import annotations

import dataclasses

from migspec.artefacts import ARTEFACTS, applicable, region_rules
from migspec.check import RULES as CHECK_RULES
from migspec.cli.render import ARTEFACT_NAMES
from migspec.comparison.compare import compare_code
from migspec.generate import build_site

from .test_cli_check import migspec
from .update_support import bundled, toy_spec


def test_names_are_unique_and_render_takes_every_one() -> None:
    names = [a.name for a in ARTEFACTS]
    assert len(set(names)) == len(names)
    assert tuple(names) == ARTEFACT_NAMES
    run = migspec("render", "--help")
    for name in names:
        assert name in run.stdout


def test_region_rules_are_check_rules() -> None:
    declared = {r.id for r in CHECK_RULES}
    for a in ARTEFACTS:
        if a.region is not None:
            assert a.region.rules <= declared, a.name
    assert region_rules() == region_rules(rewritten=True) | region_rules(rewritten=False)
    assert "check-predicate-extra" in region_rules(rewritten=True)
    assert "check-enum-value" in region_rules(rewritten=False)


def test_generate_lists_each_artefact_with_a_listing() -> None:
    for spec in (bundled(), toy_spec()):
        site, builder = build_site(spec, svg=None)
        listed = [x.path for x in (*site.code, *((site.trace,) if site.trace else ()))]
        want = [a.listing(spec) for a in applicable(spec) if a.listing is not None]
        assert sorted(listed) == sorted(want)
        assert set(want) <= set(builder.files)


def test_review_compares_the_reviewed_artefacts() -> None:
    spec = bundled()
    other = dataclasses.replace(spec, machine=dataclasses.replace(spec.machine, enum="renamed"))
    changed = {d.name for d in compare_code(spec, other)}
    # Renaming the enum changes every C artefact that names it.
    assert changed == {"c-enum", "to-str"}
    assert {a.name for a in applicable(spec) if a.reviewed} == {
        "c-enum",
        "to-str",
        "predicates",
        "kernel-table",
        "fsm-comment",
    }
