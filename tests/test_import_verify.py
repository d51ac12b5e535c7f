"""The importer holds the spec it built against what it read (``import-disagrees``).

The real trees import with no disagreement; a reading that differs from the
imported spec's expectations in a to-string case, a predicate's states or a
trace event is reported, located where the tree was read.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from migspec.diagnostics import Location, Severity
from migspec.expect.code import expect_code
from migspec.expect.trace import expect_trace
from migspec.importer import RULES, import_spec
from migspec.importer.verify import (
    DISAGREES,
    ReadEvent,
    ReadFunction,
    TreeReading,
    verify_import,
)
from migspec.load.spec import load_spec_text
from migspec.model import Spec

from .source_trees import BASE, build_tree
from .update_support import edit

C_FILE = Location("tree/hw/vfio/migration.c", 10, 1)
TRACE_FILE = Location("tree/hw/vfio/trace-events")


def base_spec() -> Spec:
    result = import_spec(BASE)
    assert result.text is not None
    loaded = load_spec_text(result.text, "imported.yaml")
    assert loaded.spec is not None
    return loaded.spec


def agreeing(spec: Spec) -> TreeReading:
    """A reading of a tree that holds exactly what ``spec`` expects."""
    code = expect_code(spec)
    assert code.to_string is not None and code.predicates and expect_trace(spec)
    return TreeReading(
        to_string=ReadFunction(
            function=code.to_string.to_string.function,
            location=C_FILE,
            values={c.constant.name: c.string for c in code.to_string.cases},
        ),
        predicates=tuple(
            ReadFunction(
                function=p.predicate.function,
                location=C_FILE,
                values=dict.fromkeys((c.name for c in p.members), ""),
            )
            for p in code.predicates
        ),
        trace_file=TRACE_FILE,
        trace_events=tuple(
            ReadEvent(name=e.name, args=tuple(str(a) for a in e.args), format=e.format)
            for section in expect_trace(spec)
            for e in section.events
        ),
    )


def test_the_base_tree_imports_with_no_disagreement() -> None:
    result = import_spec(BASE)
    assert result.text is not None
    assert [d for d in result.diagnostics if d.rule == DISAGREES.id] == []
    assert DISAGREES in RULES
    # A warning: the spec is still written, for a person to review.
    assert DISAGREES.severity is Severity.WARNING


def test_an_agreeing_reading_has_nothing_to_say() -> None:
    spec = base_spec()
    assert verify_import(spec, agreeing(spec)) == []


def test_a_to_string_case_the_spec_would_not_write_is_located() -> None:
    spec = base_spec()
    read = agreeing(spec)
    assert read.to_string is not None
    constant = sorted(read.to_string.values)[0]
    values = dict(read.to_string.values, **{constant: "SOMETHING_ELSE"})
    found = verify_import(spec, replace(read, to_string=replace(read.to_string, values=values)))
    assert [(d.rule, d.location) for d in found] == [(DISAGREES.id, C_FILE)]
    assert constant in found[0].message and "'SOMETHING_ELSE'" in found[0].message
    assert "check will report it on this very tree" in found[0].message


def test_a_predicate_testing_other_states_is_located() -> None:
    spec = base_spec()
    read = agreeing(spec)
    first = read.predicates[0]
    other = replace(first, values={**first.values, "VFIO_DEVICE_STATE_NOT_A_MEMBER": ""})
    found = verify_import(spec, replace(read, predicates=(other, *read.predicates[1:])))
    assert [(d.rule, d.location) for d in found] == [(DISAGREES.id, C_FILE)]
    assert first.function in found[0].message


@pytest.mark.parametrize("change", ["format", "missing"])
def test_a_trace_event_the_spec_would_not_write_is_located(change: str) -> None:
    spec = base_spec()
    read = agreeing(spec)
    first, *rest = read.trace_events
    events = (replace(first, format='"other"'), *rest) if change == "format" else tuple(rest)
    found = verify_import(spec, replace(read, trace_events=events))
    assert [(d.rule, d.location) for d in found] == [(DISAGREES.id, TRACE_FILE)]
    assert first.name in found[0].message


def test_rules_example_names_a_real_path() -> None:
    # The rule is documented like every other (docs/rules.rst is generated).
    assert DISAGREES.example and Path(BASE).is_dir()


def test_a_state_the_switch_lacks_is_the_trees_disagreement_not_the_imports() -> None:
    # The enum has a state the to-string switch does not handle: check reports
    # it (check-to-string-missing), and the import described the tree rightly.
    spec = base_spec()
    read = agreeing(spec)
    assert read.to_string is not None
    values = dict(read.to_string.values)
    values.pop(sorted(values)[0])
    found = verify_import(spec, replace(read, to_string=replace(read.to_string, values=values)))
    assert found == []


def test_a_string_the_import_keeps_as_the_name_is_reported_where_the_tree_has_it(
    tmp_path: Path,
) -> None:
    # The import writes the state's name and flags "STOP-COPY" for review in
    # the header: check will say check-to-string-string, and so does import.
    tree = build_tree(tmp_path / "t")
    edit(tree, "hw/vfio/migration.c", 'return "STOP_COPY";', 'return "STOP-COPY";')
    result = import_spec(tree)
    assert result.text is not None and not result.failed
    found = [d for d in result.diagnostics if d.rule == DISAGREES.id]
    assert len(found) == 1
    assert found[0].location.path.endswith("hw/vfio/migration.c")
    assert found[0].location.line > 0
    assert "VFIO_DEVICE_STATE_STOP_COPY" in found[0].message and "'STOP-COPY'" in found[0].message
