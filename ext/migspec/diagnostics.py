"""The one diagnostics model every stage reports through.

Inputs: nothing (leaf module).  Outputs: :class:`Location`, :class:`Severity`,
:class:`Diagnostic` and :class:`Rule`, the frozen values that the loader, the
linter, the FSM engine, the source-tree checker, the CLI and the Sphinx
extension all share.  A rule id is a stable kebab-case name: the same string is
the CLI ``--disable`` key, the spec's ``lint.disable`` key and the Sphinx
warning subtype.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``>=`` compares badness."""

    NOTE = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a file.  ``line`` and ``column`` are 1-based; 0 means unknown."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.path}:{self.line}:{self.column}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path

    def at(self, line: int, column: int = 0) -> Location:
        return Location(self.path, line, column)


class InternalError(Exception):
    """A migspec bug caught at run time: an invariant that does not hold.

    Never raised for bad input (that is a :class:`Diagnostic`); the command
    line reports it as an internal error, with its traceback, and exits 3.
    """


# Where built-in things are "defined": no file.
NOWHERE = Location("<builtin>")


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A secondary location attached to a diagnostic ("previous definition here")."""

    message: str
    location: Location | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One finding: which rule, how bad, what, and where."""

    rule: str
    severity: Severity
    message: str
    location: Location
    notes: tuple[Note, ...] = ()

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.rule, self.message)

    def to_data(self) -> dict[str, Any]:
        """The diagnostic as plain JSON data (for :mod:`migspec.cache`)."""
        return {
            "rule": self.rule,
            "severity": self.severity.label,
            "message": self.message,
            "location": _location_data(self.location),
            "notes": [
                {"message": n.message, "location": _location_data(n.location)} for n in self.notes
            ],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Diagnostic:
        """The inverse of :meth:`to_data`."""
        location = _location_from(data["location"])
        assert location is not None
        return cls(
            rule=data["rule"],
            severity=Severity.parse(data["severity"]),
            message=data["message"],
            location=location,
            notes=tuple(
                Note(message=n["message"], location=_location_from(n["location"]))
                for n in data["notes"]
            ),
        )


def _location_data(loc: Location | None) -> dict[str, Any] | None:
    return None if loc is None else {"path": loc.path, "line": loc.line, "column": loc.column}


def _location_from(data: dict[str, Any] | None) -> Location | None:
    return None if data is None else Location(data["path"], data["line"], data["column"])


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule function yields; the rule's id and severity are added for it."""

    message: str
    location: Location
    notes: tuple[Note, ...] = ()
    severity: Severity | None = None  # None: the rule's default


T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule(Generic[T]):
    """A documented check.

    ``check`` is ``None`` for rules that a stage reports directly (the loader's
    syntax and schema diagnostics, the source checker's comparisons): they are
    still listed, documented and can be disabled like any other.
    """

    id: str
    severity: Severity
    summary: str
    doc: str
    scope: str
    example: str = ""
    check: Callable[[T], Iterable[Finding]] | None = field(default=None, compare=False)

    def run(self, subject: T) -> Iterator[Diagnostic]:
        if self.check is None:
            return
        for finding in self.check(subject):
            yield self.diagnostic(
                finding.message,
                finding.location,
                notes=finding.notes,
                severity=finding.severity,
            )

    def diagnostic(
        self,
        message: str,
        location: Location,
        *,
        notes: tuple[Note, ...] = (),
        severity: Severity | None = None,
    ) -> Diagnostic:
        return Diagnostic(
            rule=self.id,
            severity=self.severity if severity is None else severity,
            message=message,
            location=location,
            notes=notes,
        )


def rule(
    id: str,
    severity: Severity,
    *,
    scope: str,
    example: str = "",
) -> Callable[[Callable[[T], Iterable[Finding]]], Rule[T]]:
    """Turn a check function into a :class:`Rule`; its docstring documents it.

    The first docstring line is the summary shown by ``--list-rules``.
    """

    def wrap(fn: Callable[[T], Iterable[Finding]]) -> Rule[T]:
        doc = _dedent_doc(fn.__doc__ or "")
        summary = doc.split("\n", 1)[0].strip()
        return Rule(
            id=id,
            severity=severity,
            summary=summary,
            doc=doc,
            scope=scope,
            example=example,
            check=fn,
        )

    return wrap


def declare(
    id: str, severity: Severity, summary: str, *, scope: str, doc: str = "", example: str = ""
) -> Rule[object]:
    """A rule reported directly by a stage rather than by a check function."""
    return Rule(
        id=id,
        severity=severity,
        summary=summary,
        doc=_dedent_doc(doc) or summary,
        scope=scope,
        example=example,
    )


def _dedent_doc(doc: str) -> str:
    """``inspect.cleandoc`` without importing inspect at start-up (every rule
    docstring passes through here when the rule modules are imported)."""
    lines = doc.expandtabs().split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    margin = min(indents, default=0)
    cleaned = [lines[0].strip(), *(line[margin:].rstrip() for line in lines[1:])]
    while cleaned and not cleaned[0]:
        cleaned.pop(0)
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    return "\n".join(cleaned)


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """Which rules are off and which severity fails the run."""

    disabled: frozenset[str] = frozenset()
    fail_on: Severity = Severity.ERROR

    def keep(self, diagnostic: Diagnostic) -> bool:
        return diagnostic.rule not in self.disabled

    def filter(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        return sorted((d for d in diagnostics if self.keep(d)), key=Diagnostic.sort_key)

    def fails(self, diagnostics: Iterable[Diagnostic]) -> bool:
        return any(d.severity >= self.fail_on for d in diagnostics if self.keep(d))

    def merged(self, more_disabled: Iterable[str]) -> Policy:
        return replace(self, disabled=self.disabled | frozenset(more_disabled))


def count_by_severity(diagnostics: Iterable[Diagnostic]) -> dict[Severity, int]:
    counts = {s: 0 for s in Severity}
    for d in diagnostics:
        counts[d.severity] += 1
    return counts


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` was most likely meant to be, for "did you mean" hints."""
    import difflib  # imported here: only a message that has a misspelling needs it

    found = difflib.get_close_matches(word, list(choices), n=1)
    return found[0] if found else None
