"""All 90 trace-events files of a real QEMU tree (2023-09): read and linted.

The counts below were verified by reading every finding (see the comments);
a change in them is a change in behaviour to look at, not to re-pin blindly.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from migspec.diagnostics import Diagnostic, Severity
from migspec.lint.trace_files import lint_trace_files
from migspec.load.trace_events import TraceFile, read_trace_events


@pytest.fixture
def tree(corpus: Path) -> Path:
    return corpus / "qemu-trace-events"


def paths_of(tree: Path) -> list[str]:
    return sorted(str(p) for p in tree.rglob("trace-events"))


def read_tree(tree: Path) -> list[TraceFile]:
    return [read_trace_events(p) for p in paths_of(tree)]


def lint_tree(tree: Path) -> tuple[list[Diagnostic], list[str], int, int]:
    diagnostics, unreadable = lint_trace_files(paths_of(tree))
    files = read_tree(tree)
    return diagnostics, unreadable, len(files), sum(len(f.events) for f in files)


def where(d: Diagnostic, tree: Path) -> tuple[str, int]:
    return (str(Path(d.location.path).relative_to(tree)), d.location.line)


def test_every_file_reads_without_syntax_errors(tree: Path) -> None:
    diagnostics, unreadable, files, events = lint_tree(tree)
    assert (files, events, unreadable) == (90, 4856, [])
    assert not [d for d in diagnostics if d.rule in ("trace-syntax", "trace-no-final-newline")]


def test_sections_of_the_real_files(tree: Path) -> None:
    files = read_tree(tree)
    named = sum(1 for f in files for s in f.sections if s.section)
    unsectioned = sum(1 for f in files for e in f.events if e.section is None)
    # target/i386/kvm, hw/nvme, hw/remote and target/arm/hvf have no "# file.c" comments
    # before (some of) their events.
    assert (named, unsectioned) == (543, 248)
    vfio = next(f for f in files if f.path.endswith("hw/vfio/trace-events"))
    assert [s.section for s in vfio.sections][-1] == "migration.c"


def test_findings_per_rule_are_pinned(tree: Path) -> None:
    diagnostics, _, _, _ = lint_tree(tree)
    counts = Counter((d.rule, d.severity.label) for d in diagnostics)
    assert counts == {
        # target/hppa: 'disable'd events print uint64_t with %lx.  Disabled
        # events are never compiled, so neither tracetool nor -Wformat sees them.
        ("trace-format-64bit", "warning"): 19,
        # hw/ide (AHCI FIS bytes as "0x%02x-%02x-%02x") and two in target/hppa.
        ("trace-format-hex-prefix", "warning"): 8,
        # linux-user and bsd-user share eight signal events; QEMU never builds
        # both, so a warning, and one copy has drifted (see below).
        ("trace-duplicate-event", "warning"): 8,
        # hw/ide AHCI: 'char' FIS bytes printed with %02x.
        ("trace-format-sign-extension", "warning"): 6,
    }
    # Nothing tracetool or a 64-bit host compiler would reject: QEMU builds.
    assert not [d for d in diagnostics if d.severity is Severity.ERROR]


def test_the_interesting_findings(tree: Path) -> None:
    diagnostics, _, _, _ = lint_tree(tree)
    by_rule: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_rule.setdefault(d.rule, []).append(d)

    drifted = [d for d in by_rule["trace-duplicate-event"] if "differently" in d.message]
    assert [where(d, tree) for d in drifted] == [("linux-user/trace-events", 14)]
    assert "user_host_signal" in drifted[0].message
    note = drifted[0].notes[0].location
    assert note is not None
    assert (str(Path(note.path).relative_to(tree)), note.line) == ("bsd-user/trace-events", 10)

    signs = by_rule["trace-format-sign-extension"]
    assert sorted({where(d, tree) for d in signs}) == [
        ("hw/ide/trace-events", 103),
        ("hw/ide/trace-events", 104),
    ]

    hppa = {where(d, tree)[1] for d in by_rule["trace-format-64bit"]}
    assert {where(d, tree)[0] for d in by_rule["trace-format-64bit"]} == {
        "target/hppa/trace-events"
    }
    text = (tree / "target" / "hppa" / "trace-events").read_text().splitlines()
    assert all(text[line - 1].startswith("disable ") for line in hppa)


def test_suspect_rules_find_nothing_on_events_they_are_skipped_for(tree: Path) -> None:
    """The run skips SUSPECT_RULES for events without suspect pairs; called
    anyway on every such event of the real tree, each of them finds nothing."""
    from migspec.lint.trace_rules import SUSPECT_RULES, Memo, prepare_file

    files = read_tree(tree)
    memo = Memo()
    skipped = [ev for f in files for ev in prepare_file(f, memo).events if not ev.suspects]
    assert len(skipped) > 4000
    for r in SUSPECT_RULES:
        assert r.check is not None
        assert list(r.check(skipped)) == [], r.id
