"""Diagnostics out: human text, JSON, SARIF 2.1.0 and GitLab code quality.

Inputs: sorted :class:`~migspec.diagnostics.Diagnostic` values and the rules
they came from.  Outputs: one string per format.  All machine formats share the
same fields (rule, severity, message, path, line, column).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import __version__
from .diagnostics import Diagnostic, Location, Rule, Severity, count_by_severity

if TYPE_CHECKING:
    from .check.drivers import DriverReport

FORMATS = ("human", "json", "sarif", "gitlab")

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.NOTE: "info"}


def format_diagnostics(
    diagnostics: Sequence[Diagnostic],
    fmt: str,
    *,
    rules: Iterable[Rule[Any]] = (),
    root: str = ".",
    drivers: Sequence[DriverReport] | None = None,
) -> str:
    """``root``: the directory SARIF's URIs are relative to (``%SRCROOT%``).

    ``drivers``: the kernel's variant drivers ``check`` read; JSON lists them
    (key ``drivers``) when given, the other formats carry only diagnostics.
    """
    if fmt == "human":
        return format_human(diagnostics)
    if fmt == "json":
        return format_json(diagnostics, drivers)
    if fmt == "sarif":
        return format_sarif(diagnostics, rules, root=root)
    if fmt == "gitlab":
        return format_gitlab(diagnostics)
    raise ValueError(f"unknown format {fmt!r}")


# Control characters but tab (line breaks among them) and Unicode line separators:
# a message quoting a hostile file must not start a new line in a CI log (where
# "::" lines are commands) or send escape sequences to a terminal.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` / ``\\uNNNN`` escapes."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text
    )


def format_human(diagnostics: Sequence[Diagnostic]) -> str:
    lines: list[str] = []
    for d in diagnostics:
        lines.append(f"{d.location}: {d.severity.label}: {d.message} [{d.rule}]")
        for note in d.notes:
            where = f"{note.location}: " if note.location else ""
            lines.append(f"{where}note: {note.message}")
    return "".join(printable(line) + "\n" for line in lines)


def summary_line(diagnostics: Sequence[Diagnostic]) -> str:
    counts = count_by_severity(diagnostics)
    parts = [
        f"{counts[s]} {s.label}{'' if counts[s] == 1 else 's'}"
        for s in (Severity.ERROR, Severity.WARNING, Severity.NOTE)
    ]
    return ", ".join(parts)


def _as_record(d: Diagnostic) -> dict[str, Any]:
    record: dict[str, Any] = {
        "rule": d.rule,
        "severity": d.severity.label,
        "message": d.message,
        "path": d.location.path,
        "line": d.location.line,
        "column": d.location.column,
    }
    if d.notes:
        record["notes"] = [
            {
                "message": n.message,
                "path": n.location.path if n.location else None,
                "line": n.location.line if n.location else 0,
                "column": n.location.column if n.location else 0,
            }
            for n in d.notes
        ]
    return record


def format_json(
    diagnostics: Sequence[Diagnostic], drivers: Sequence[DriverReport] | None = None
) -> str:
    document: dict[str, Any] = {"diagnostics": [_as_record(d) for d in diagnostics]}
    if drivers is not None:
        document["drivers"] = [_driver_record(d) for d in drivers]
    return _dumps(document)


def _place(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"path": location.path, "line": location.line, "column": location.column}


def _arcs(arcs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"from": a, "to": b} for a, b in arcs]


def _driver_record(driver: DriverReport) -> dict[str, Any]:
    """One driver: where it is, each device kind it may declare with the arcs
    the core asks of it and those it lacks, the arcs it handles and the
    extra ones (handled, never asked)."""
    return {
        "driver": driver.driver,
        "ops": _place(driver.ops),
        "step": _place(driver.step),
        "complete": driver.complete,
        "kinds": [
            {
                "kind": k.kind.name,
                "features": sorted(k.kind.features),
                "declared": _place(k.declared),
                "asked": _arcs(k.asked),
                "missing": _arcs(k.missing),
            }
            for k in driver.kinds
        ],
        "handled": _arcs(driver.handled),
        "extra": _arcs(driver.extra),
        "configured": _arcs(driver.configured),
    }


def _dumps(document: object) -> str:
    import json  # imported here: the human format, the common case, never needs it

    return json.dumps(document, indent=2) + "\n"


# Code-scanning services (GitHub, GitLab) take a result's file as a URI
# relative to the checkout, tied to this base; the log says where it was.
SARIF_ROOT = "%SRCROOT%"


def _sarif_artifact(path: str, root: str) -> dict[str, Any]:
    """A file as SARIF names it: relative to ``root`` with ``uriBaseId``, or,
    outside ``root``, an absolute ``file:`` URI."""
    if not path:
        return {"uri": ""}
    here = Path(os.path.abspath(path))
    base = Path(os.path.abspath(root))
    if here == base or base in here.parents:
        rel = here.relative_to(base).as_posix() if here != base else ""
        return {"uri": quote(rel), "uriBaseId": SARIF_ROOT}
    return {"uri": here.as_uri()}


def _sarif_location(path: str, line: int, column: int, root: str) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _sarif_artifact(path, root)}
    if line > 0:
        region: dict[str, Any] = {"startLine": line}
        if column > 0:
            region["startColumn"] = column
        physical["region"] = region
    return {"physicalLocation": physical}


def format_sarif(
    diagnostics: Sequence[Diagnostic], rules: Iterable[Rule[Any]] = (), *, root: str = "."
) -> str:
    """A SARIF 2.1.0 log.  Files under ``root`` (the source tree checked, or
    the working directory) are URIs relative to ``%SRCROOT%``, as
    code-scanning services require; ``originalUriBaseIds`` says where that
    was on the machine that ran migspec."""

    known = {r.id: r for r in rules}
    used = sorted({d.rule for d in diagnostics} | set(known))
    index = {rule_id: i for i, rule_id in enumerate(used)}
    rule_records: list[dict[str, Any]] = []
    for rule_id in used:
        rule = known.get(rule_id)
        record: dict[str, Any] = {"id": rule_id}
        if rule is not None:
            record["shortDescription"] = {"text": rule.summary or rule_id}
            if rule.doc:
                record["fullDescription"] = {"text": rule.doc}
            record["defaultConfiguration"] = {"level": _SARIF_LEVEL[rule.severity]}
        rule_records.append(record)
    results: list[dict[str, Any]] = []
    for d in diagnostics:
        result: dict[str, Any] = {
            "ruleId": d.rule,
            "ruleIndex": index[d.rule],
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [
                _sarif_location(d.location.path, d.location.line, d.location.column, root)
            ],
        }
        related = [
            {
                "id": i,
                "message": {"text": n.message},
                **_sarif_location(n.location.path, n.location.line, n.location.column, root),
            }
            for i, n in enumerate(d.notes)
            if n.location is not None
        ]
        if related:
            result["relatedLocations"] = related
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "migspec",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/migspec/",
                        "rules": rule_records,
                    }
                },
                "originalUriBaseIds": {
                    SARIF_ROOT: {"uri": Path(os.path.abspath(root)).as_uri() + "/"}
                },
                "results": results,
            }
        ],
    }
    return _dumps(log)


def format_gitlab(diagnostics: Sequence[Diagnostic]) -> str:
    import hashlib

    issues = []
    for d in diagnostics:
        key = f"{d.rule}\0{d.location.path}\0{d.location.line}\0{d.message}"
        issues.append(
            {
                "description": d.message,
                "check_name": d.rule,
                "fingerprint": hashlib.sha256(key.encode()).hexdigest(),
                "severity": _GITLAB_SEVERITY[d.severity],
                "location": {
                    "path": d.location.path,
                    "lines": {"begin": max(d.location.line, 1)},
                },
            }
        )
    return _dumps(issues)
