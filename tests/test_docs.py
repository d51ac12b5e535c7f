"""The Sphinx documentation: complete about the spec format, built for real with -W."""

from __future__ import annotations

import html
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from migspec.load.spec import spec_schema
from migspec.rules import all_rules

from .conftest import ROOT

DOCS = ROOT / "docs"


def schema_keys(schema: object, path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted path, key) for every property the spec schema defines."""
    if isinstance(schema, dict):
        for key, sub in schema.get("properties", {}).items():
            yield f"{path}.{key}".lstrip("."), key
            yield from schema_keys(sub, f"{path}.{key}")
        for word in ("items", "additionalProperties"):
            yield from schema_keys(schema.get(word), path)
        for sub in schema.get("oneOf", []):
            yield from schema_keys(sub, path)


def test_every_spec_key_is_documented() -> None:
    text = (DOCS / "spec-format.rst").read_text()
    keys = list(schema_keys(spec_schema()))
    assert len(keys) > 60  # the walk reaches the nested keys
    missing = [path for path, key in keys if f"``{key}``" not in text]
    assert missing == []


def test_every_rule_docstring_is_valid_rest() -> None:
    # The rules page parses each docstring as reST; a stray '*' (as in
    # 'char *') is an emphasis without an end.  Plain docutils, so a docstring
    # may not use Sphinx-only roles either.
    from docutils.core import publish_doctree

    bad = {}
    for r in all_rules():
        stream = io.StringIO()
        publish_doctree(r.doc, settings_overrides={"warning_stream": stream, "report_level": 2})
        if stream.getvalue():
            bad[r.id] = stream.getvalue()
    assert bad == {}


def test_rules_page_locates_a_docstring_in_its_source() -> None:
    # A reST problem in a docstring is reported at the rule's own file and
    # line, also for trace rules, which wrap their check for specs and files.
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import rulesdoc
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    by_id = {r.id: r for r in all_rules()}
    for rule_id in ("trace-format-string", "arc-session", "fsm-path-none"):
        path, first = rulesdoc._docstring_at(by_id[rule_id])
        line = Path(path).read_text().splitlines()[first]
        assert line.strip().lstrip('"') == by_id[rule_id].summary, rule_id


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "ext"))
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", str(DOCS), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def page_text(path: Path) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))
    # No smartquotes (docs/conf.py): quotes and "..." stay as written.
    return text


@pytest.mark.slow
def test_rules_page_is_generated_from_the_catalog(built: Path) -> None:
    page = (built / "rules.html").read_text()
    text = page_text(built / "rules.html")
    for rule in all_rules():
        assert f'id="rule-{rule.id}"' in page, rule.id
        assert f'id="{rule.id}"' in page, rule.id
        assert " ".join(rule.summary.replace("``", "").split()) in " ".join(text.split())
        for line in rule.example.splitlines():
            assert line.strip() in text, (rule.id, line)


@pytest.mark.slow
def test_spec_format_page_includes_the_bundled_spec(built: Path) -> None:
    text = page_text(built / "spec-format.html")
    assert "enum: vfio_device_mig_state" in text
    assert "interior: within-group" in text
    assert "- name: save" in text
    assert "function: mig_state_to_str" in text
    # Cross-references to the rules page resolved.
    page = (built / "spec-format.html").read_text()
    assert 'href="rules.html#rule-arc-session"' in page
