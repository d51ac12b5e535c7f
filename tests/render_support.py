"""Helpers shared by the render tests: specs, golden files, the CLI, rst blocks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from migspec.load.spec import load_spec, load_spec_text
from migspec.model import Spec

from .conftest import ROOT, SEED_SPEC, SHARED

GOLDEN = ROOT / "tests" / "golden" / "render"
SEED_PATCH = SHARED / "seed" / "vfio-migration-p2p-support.patch"
SEED_REV = "qemu-94f775e428"
BEFORE_REV = "qemu-3d4d0f0e06"

# A small machine of our own: one optional feature, a stand-in, a group, two
# trace sections, C names unlike VFIO's.
TOY = """\
migspec: 1
machine:
  name: toy
  title: Toy lamp
  doc: A lamp that can be dimmed.
  c: {enum: lamp_state, prefix: LAMP_}
features:
  - {name: BASE, macro: LAMP_BASE, bit: 0, mandatory: true}
  - {name: DIM, macro: LAMP_DIM, bit: 1}
groups:
  - {name: lit, doc: The lamp gives light., interior: allowed}
classes:
  - {name: on}
states:
  - {name: BROKEN, value: 0, error: true, doc: Burnt out.}
  - {name: OFF, value: 1, features: [BASE], initial: true, doc: Dark.}
  - {name: ON, value: 2, features: [BASE], groups: [lit], classes: [on], doc: Bright.}
  - {name: DIMMED, value: 3, features: [BASE, DIM], groups: [lit], classes: [on],
     stand_in: ON, doc: Half bright.}
arcs:
  - {from: OFF, to: ON, session: open}
  - {from: ON, to: OFF, session: close}
  - {from: ON, to: DIMMED, features: [DIM]}
  - {from: DIMMED, to: ON, features: [DIM]}
refused:
  - {from: OFF, to: DIMMED, doc: Switch on first.}
vm_states: [DAY, NIGHT]
migration_states: [IDLE, BUSY]
notation: {width: 40, connector_column: 5, connector: ":", vm_prefix: "vm.", migration_prefix: ""}
flows:
  - name: evening
    title: An evening
    features: [DIM]
    steps:
      - text: [sunset]
        state: [DAY, IDLE, OFF]
      - text: [switch on, {text: then dim, features: [DIM]}]
        state: [NIGHT, BUSY, DIMMED]
        text_after: [read]
trace:
  - file: lamp/trace-events
    section: switch.c
    events:
      - {name: lamp_on, args: [int level], format: '"level %d"'}
      - {name: lamp_Off, args: [], format: '"off"'}
      - {name: lamp_dim, args: [const char *why, uint64_t n], format: '"%s %"PRIu64'}
  - file: lamp/trace-events
    section: dimmer.c
    events:
      - {name: dimmer_set, args: [unsigned level], format: '"%u"'}
code:
  to_string: {function: lamp_name, file: lamp.c, default: "?? \\"odd\\""}
  predicates:
    - {function: lamp_is_on, file: lamp.c, class: on, subject: lamp->state}
"""


def bundled() -> Spec:
    result = load_spec(SEED_SPEC)
    assert result.spec is not None, result.diagnostics
    return result.spec


def spec_from(text: str, name: str = "t.yaml") -> Spec:
    result = load_spec_text(text, name)
    assert result.spec is not None, [str(d.location) + " " + d.message for d in result.diagnostics]
    return result.spec


def golden(*parts: str) -> str:
    return GOLDEN.joinpath(*parts).read_text("utf-8")


def literal_blocks(rst: str) -> dict[str, list[str]]:
    """Section title -> the lines of the first literal block after it (the
    indented lines after ``::`` and its blank line, up to the next unindented line)."""
    lines = rst.splitlines()
    blocks: dict[str, list[str]] = {}
    title = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if i + 1 < len(lines) and re.fullmatch(r"([=\-~^])\1+", lines[i + 1]) and line.strip():
            title = line.strip()
        if line.strip() == "::" and title and title not in blocks:
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            block = []
            while j < len(lines) and (not lines[j].strip() or lines[j].startswith(" ")):
                block.append(lines[j])
                j += 1
            while block and not block[-1].strip():
                block.pop()
            blocks[title] = block
            i = j
            continue
        i += 1
    return blocks


def meaning(lines: list[str]) -> list[str]:
    """A drawing's lines with the layout taken out: stripped, inner spaces collapsed."""
    return [" ".join(line.split()) for line in lines if line.strip()]


def tuples(lines: list[str]) -> list[str]:
    return [m for m in meaning(lines) if m.startswith(("(", "[("))]


def corpus_blocks(corpus: Path, rev: str) -> dict[str, list[str]]:
    return literal_blocks((corpus / rev / "docs/devel/vfio-migration.rst").read_text("utf-8"))


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command line, in a child process (``python -m migspec``)."""
    full_env = dict(os.environ if env is None else env)
    full_env["PYTHONPATH"] = str(ROOT / "ext")
    return subprocess.run(
        [sys.executable, "-m", "migspec", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        check=False,
        timeout=120,
    )


def env_without_dot(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH has this Python but no Graphviz ``dot``."""
    bin_dir = tmp_path / "bin-without-dot"
    bin_dir.mkdir(exist_ok=True)
    env = dict(os.environ)
    env["PATH"] = str(bin_dir)
    return env


@pytest.fixture
def seed_patch() -> Path:
    if not SEED_PATCH.is_file():
        pytest.skip("../shared/seed is not present")
    return SEED_PATCH
