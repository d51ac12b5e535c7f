"""The ``yaml`` filter: any string written into a spec loads back as itself."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migspec.load.spec import load_spec_text
from migspec.render.escape import yaml_scalar

SPEC = """\
migspec: 1
machine:
  name: m
  title: {title}
  c: {{enum: e, prefix: P_}}
features: [{{name: B, macro: {macro}, bit: 0, mandatory: true}}]
states: [{{name: A, value: 0, initial: true, doc: {doc}}}]
arcs: []
"""


def round_trip(text: str) -> tuple[str, str]:
    q = yaml_scalar(text)
    loaded = load_spec_text(SPEC.format(title=q, macro="M", doc=q), "s.yaml")
    assert loaded.spec is not None, (q, loaded.diagnostics)
    return loaded.spec.machine.title, loaded.spec.states[0].doc


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("RUNNING", "RUNNING"),
        ("const char *name", "const char *name"),
        ("migration->device_state", "migration->device_state"),
        ("device's .save_setup()", "device's .save_setup()"),
        ('" (%s)"', "'\" (%s)\"'"),
        ("OFF", "'OFF'"),  # a boolean to YAML 1.1 readers
        ("1", "'1'"),
        ("?", "'?'"),
        ("a: b", "'a: b'"),
        ("x #y", "'x #y'"),
        ("a, b", "'a, b'"),
        ("{estimate,exact}", "'{estimate,exact}'"),
        ("*alias", "'*alias'"),
        ("", "''"),
        ("tab\there", '"tab\\x09here"'),
        ("line\u2028sep", '"line\\u2028sep"'),
    ],
)
def test_written_as(text: str, written: str) -> None:
    assert yaml_scalar(text) == written
    assert round_trip(text) == (text, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",))))
def test_any_text_loads_back(text: str) -> None:
    assert round_trip(text) == (text, text)
