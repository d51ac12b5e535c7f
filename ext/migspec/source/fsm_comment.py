"""The state-machine comment above a uAPI enum, read by its layout, located.

Inputs: the text of the header that defines the state enum, the enum's name,
its state names (the constants without their prefix) and the word that
stands for "every state" (``any``).  Output: :class:`FsmComment`, or
``None`` when there is no block comment right above ``enum NAME {``.  Every
part carries its 1-based line in the header:

- *state lists*: a line, not indented, ending in ``:`` that names
  feature-flag macros (macros the header defines as bits,
  ``#define X (1 << n)``), followed by ``NAME - what it is`` lines (a
  description may continue on more indented lines); a heading with no
  entry under it is an empty list, located at the heading;
- *arc paragraphs*: a run of lines ``A -> B`` (``A`` may be the any-state
  word), then the indented paragraph that says what those arcs do; the arcs
  end at the first line that is neither indented nor an arc;
- *path rules*: the ``- ...`` items that speak of the path.

The reader does not judge what the words mean (which paragraph refuses its
arcs is :class:`CommentWords`' business, and the caller's): the importer
builds a spec from this structure, ``check`` compares it with one, and
``update`` edits the comment at these lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..expect.fsm_comment import CommentWords, squash
from ..model import ANY_STATE

__all__ = ["CommentWords", "bit_macros", "enum_states", "read_fsm_comment", "squash"]

_BIT = re.compile(r"^\s*#\s*define\s+([A-Z_][A-Z0-9_]*)\s+\(?\s*1U?L*\s*<<\s*(\d+)\s*\)?", re.M)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENTRY = re.compile(r"^\s+([A-Za-z_][A-Za-z0-9_]*) - (.*)$")
_ARROW = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*) -> ([A-Za-z_][A-Za-z0-9_]*)\s*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class StateEntry:
    name: str
    doc: str  # the description, continuation lines joined
    line: int
    last_line: int  # the description's last line


@dataclass(frozen=True, slots=True, kw_only=True)
class StateList:
    """``There are 5 states to support FLAG:`` and its ``NAME - doc`` lines."""

    macros: tuple[str, ...]  # the feature macros the heading names
    line: int  # the heading's line
    entries: tuple[StateEntry, ...]

    @property
    def last_line(self) -> int:
        return self.entries[-1].last_line if self.entries else self.line


@dataclass(frozen=True, slots=True, kw_only=True)
class ListedArc:
    source: str  # a state name, or the any-state word
    target: str
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ArcParagraph:
    """A run of ``A -> B`` lines and the paragraph under them."""

    arcs: tuple[ListedArc, ...]
    body: tuple[str, ...]  # the paragraph's lines, stripped; blank lines kept inside
    body_line: int  # the body's first line (the line after the last arc)

    @property
    def line(self) -> int:
        return self.arcs[0].line

    @property
    def last_line(self) -> int:
        """The paragraph's last non-blank line."""
        return self.body_line + len(self.body) - 1 if self.body else self.arcs[-1].line

    @property
    def prose(self) -> str:
        return squash(" ".join(self.body))


@dataclass(frozen=True, slots=True, kw_only=True)
class FsmComment:
    path: str
    line: int  # the ``/*`` line
    last_line: int  # the ``*/`` line
    lines: tuple[str, ...]  # the comment's lines without `` * ``; lines[i] is at line + i
    state_lists: tuple[StateList, ...]
    paragraphs: tuple[ArcParagraph, ...]
    path_rules: tuple[tuple[str, int], ...]  # (rule, line)

    def text_at(self, line: int) -> str:
        return self.lines[line - self.line]

    @property
    def whole(self) -> str:
        return squash(" ".join(self.lines))

    def text_paragraphs(self) -> list[tuple[int, int, str]]:
        """The blank-line-separated paragraphs inside ``/*`` .. ``*/``: first and
        last line, and the text, squashed."""
        out = []
        start = self.line + 1
        for i in range(self.line + 1, self.last_line + 1):
            if i == self.last_line or not self.text_at(i).strip():
                if i > start:
                    body = squash(" ".join(self.text_at(j) for j in range(start, i)))
                    out.append((start, i - 1, body))
                start = i + 1
        return out


def bit_macros(text: str) -> dict[str, int]:
    """Macros defined as one bit: name -> bit number."""
    return {m.group(1): int(m.group(2)) for m in _BIT.finditer(text)}


def enum_states(text: str, enum: str, prefix: str) -> list[str]:
    """The constants of ``enum NAME { ... }`` in ``text``, without ``prefix``."""
    m = re.search(rf"\benum\s+{re.escape(enum)}\s*\{{([^}}]*)\}}", text)
    if m is None or not prefix:
        return []
    return re.findall(rf"\b{re.escape(prefix)}([A-Za-z0-9_]+)\b", m.group(1))


def comment_above(text: str, enum: str) -> tuple[list[str], int, int] | None:
    """The lines of the block comment right above ``enum NAME {`` (without `` * ``),
    the line of its ``/*`` and of its ``*/``."""
    m = re.search(rf"\benum\s+{re.escape(enum)}\s*\{{", text)
    if m is None:
        return None
    before = text[: m.start()].rstrip()
    if not before.endswith("*/"):
        return None
    start = before.rfind("/*")
    if start < 0:
        return None
    body = before[start + 2 : -2]
    lines = []
    for raw in body.split("\n"):
        line = raw.rstrip()
        stripped = line.lstrip()
        if stripped.startswith("*"):
            line = stripped[1:]
            line = line[1:] if line.startswith(" ") else line
        lines.append(line.rstrip())
    first = text.count("\n", 0, start) + 1
    return lines, first, first + len(lines) - 1


def read_fsm_comment(
    text: str,
    enum: str,
    state_names: Sequence[str],
    *,
    path: str = "",
    any_state: str = ANY_STATE,
    feature_bits: dict[str, int] | None = None,
) -> FsmComment | None:
    """The comment above ``enum``, its state lists, arc paragraphs and path rules.

    ``feature_bits``: the feature macros and their bits (default: those ``text`` defines).
    """
    found = comment_above(text, enum)
    if found is None:
        return None
    lines, first, last = found
    names = set(state_names)
    bits = bit_macros(text) if feature_bits is None else feature_bits

    # -- state lists ---------------------------------------------------------------
    lists: list[tuple[tuple[str, ...], int, list[StateEntry]]] = []
    current: list[StateEntry] | None = None
    for i, line in enumerate(lines):
        at = first + i
        macros = tuple(t for t in _WORD.findall(line) if t in bits)
        if line.rstrip().endswith(":") and macros and not line.startswith(" "):
            current = []
            lists.append((macros, at, current))
            continue
        m = _ENTRY.match(line)
        if current is not None and m and m.group(1) in names:
            current.append(StateEntry(name=m.group(1), doc=m.group(2), line=at, last_line=at))
        elif current is not None and current and line.startswith("  ") and line.strip():
            e = current[-1]
            current[-1] = StateEntry(
                name=e.name, doc=f"{e.doc} {line.strip()}", line=e.line, last_line=at
            )
        elif current is not None and not line.strip():
            current = None
        elif current is not None and not current:
            # A heading whose entries were all taken away: it stays a list (an
            # empty one, at its heading), which update fills in place.
            current = None
    state_lists = tuple(
        StateList(macros=macros, line=at, entries=tuple(entries)) for macros, at, entries in lists
    )

    # -- arc paragraphs --------------------------------------------------------------
    raw: list[tuple[list[ListedArc], list[str], int]] = []
    ended = False
    for i, line in enumerate(lines):
        at = first + i
        m = _ARROW.match(line)
        if m and (m.group(1) in names or m.group(1) == any_state) and m.group(2) in names:
            if not raw or raw[-1][1] or ended:
                raw.append(([], [], at + 1))
                ended = False
            raw[-1][0].append(ListedArc(source=m.group(1), target=m.group(2), line=at))
            raw[-1] = (raw[-1][0], raw[-1][1], at + 1)
        elif raw and not ended and (line.startswith(" ") or not line.strip()):
            if line.strip() or raw[-1][1]:
                raw[-1][1].append(line.strip())
        elif raw and line.strip():
            ended = True
    paragraphs = []
    for arcs, body, body_line in raw:
        while body and not body[-1]:
            body.pop()
        paragraphs.append(ArcParagraph(arcs=tuple(arcs), body=tuple(body), body_line=body_line))

    # -- path rules --------------------------------------------------------------------
    rules: list[tuple[str, int]] = []
    joined = "\n".join(lines)
    for m in re.finditer(r"^\s+-\s+(.*(?:\n\s{3,}\S.*)*)", joined, re.M):
        if "path" in m.group(1).lower():
            rules.append((squash(m.group(1)), first + joined.count("\n", 0, m.start())))
    return FsmComment(
        path=path,
        line=first,
        last_line=last,
        lines=tuple(lines),
        state_lists=state_lists,
        paragraphs=tuple(paragraphs),
        path_rules=tuple(rules),
    )
