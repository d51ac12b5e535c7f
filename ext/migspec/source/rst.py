"""Flow drawings in rst: the literal block under a section title, as steps.

Inputs: an rst file and the section titles the spec's flows name.  Outputs:
for each section found, its first literal block parsed into steps (split on
connector-only lines), each line kept with its exact text and its line number
in the rst file; plus diagnostics.  docutils finds the sections and literal
blocks (quietly: no stderr, no halting); the block's lines are then mapped
back to the file so that tabs, hand centring and trailing spaces survive.
"""

from __future__ import annotations

import enum
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..diagnostics import Diagnostic, Location, Note
from ..model import drawn_tuple
from . import FILE_UNREADABLE, SECTION_TWICE, read_text

if TYPE_CHECKING:
    from docutils import nodes


class LineRole(enum.Enum):
    """What a line of a drawn step is: a state tuple or text around it."""

    TEXT = "text"
    TUPLE = "tuple"


@dataclass(frozen=True, slots=True, kw_only=True)
class DocTuple:
    """``(VM, _MIG, _DEV)`` as written; members trimmed, brackets kept.

    ``device`` may read ``_RUNNING [_PRE_COPY]`` (older, bracketed drawings).
    ``bracketed``: the whole tuple is wrapped in ``[ ]``.
    """

    vm: str
    migration: str
    device: str
    bracketed: bool = False

    @property
    def members(self) -> tuple[str, str, str]:
        return (self.vm, self.migration, self.device)

    def __str__(self) -> str:
        inner = f"({self.vm}, {self.migration}, {self.device})"
        return f"[{inner}]" if self.bracketed else inner


@dataclass(frozen=True, slots=True, kw_only=True)
class DocLine:
    raw: str  # the line exactly as in the file, without its newline
    role: LineRole
    tuple: DocTuple | None
    location: Location  # column of the first non-blank character

    @property
    def text(self) -> str:
        return self.raw.strip()

    @property
    def meaning(self) -> str:
        """The text with whitespace runs collapsed: what comparisons look at."""
        return " ".join(self.raw.split())

    @property
    def bracketed(self) -> bool:
        t = self.text
        return t.startswith("[") and t.endswith("]")


@dataclass(frozen=True, slots=True, kw_only=True)
class DocStep:
    lines: tuple[DocLine, ...]
    location: Location

    @property
    def tuples(self) -> tuple[DocLine, ...]:
        return tuple(line for line in self.lines if line.role is LineRole.TUPLE)

    def split(self) -> tuple[tuple[DocLine, ...], DocLine | None, tuple[DocLine, ...]]:
        """(text before the first tuple, the tuple line, everything after it)."""
        for i, line in enumerate(self.lines):
            if line.role is LineRole.TUPLE:
                return self.lines[:i], line, self.lines[i + 1 :]
        return self.lines, None, ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DocFlow:
    section: str
    steps: tuple[DocStep, ...]
    location: Location  # the block's first line
    title_location: Location
    end_line: int  # the block's last line


@dataclass(frozen=True, slots=True, kw_only=True)
class RstFlows:
    """What one rst file holds for the requested section titles."""

    path: str
    sections: Mapping[str, Location]  # title -> where the title is
    flows: Mapping[str, DocFlow]  # title -> its first literal block
    # title -> where it is written again (only the first is read); a writer
    # must not guess which one a flow means.
    repeated: Mapping[str, tuple[Location, ...]] = field(default_factory=dict)


def parse_tuple(text: str) -> DocTuple | None:
    """``(A, _B, _C [_D])`` or ``[(A, _B, _C)]`` -> a DocTuple; anything else None
    (:func:`migspec.model.drawn_tuple` decides, for lint as well)."""
    found = drawn_tuple(text)
    if found is None:
        return None
    (vm, migration, device), bracketed = found
    return DocTuple(vm=vm, migration=migration, device=device, bracketed=bracketed)


def parse_block(
    lines: Sequence[str], first_line: int, path: str, connector: str = "|"
) -> tuple[DocStep, ...]:
    """Split a block's lines (file lines ``first_line``.. onward) into steps."""
    steps: list[DocStep] = []
    current: list[DocLine] = []
    for offset, raw in enumerate(lines):
        stripped = raw.strip()
        lineno = first_line + offset
        if not stripped:
            continue
        if stripped == connector:
            if current:
                steps.append(DocStep(lines=tuple(current), location=current[0].location))
            current = []
            continue
        column = len(raw) - len(raw.lstrip()) + 1
        parsed = parse_tuple(stripped)
        current.append(
            DocLine(
                raw=raw,
                role=LineRole.TUPLE if parsed else LineRole.TEXT,
                tuple=parsed,
                location=Location(path, lineno, column),
            )
        )
    if current:
        steps.append(DocStep(lines=tuple(current), location=current[0].location))
    return tuple(steps)


def read_flows(
    path: Path, display: str, sections: Sequence[str], connector: str = "|"
) -> tuple[RstFlows | None, list[Diagnostic]]:
    """The flow blocks under ``sections`` in the rst file at ``path``."""
    text, diagnostics = read_text(path, display)
    if text is None:
        return None, diagnostics
    return parse_flows(text, display, sections, connector)


# docutils' own default: a longer line makes it drop the whole document.
LINE_LENGTH_LIMIT = 10_000
_TAB_WIDTH = 8
# docutils parses each deeper indentation with a nested state machine: it
# recurses (RecursionError near 200 levels) and re-reads the nested lines at
# every level (a file indented 2000 levels deep took seconds to fail).  Real
# documents nest a handful of levels.
MAX_NESTING = 100
# Characters str.splitlines() (and so docutils) takes for line breaks but
# editors, git and diff do not: given to docutils as spaces so that its line
# numbers are the file's.
_ODD_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def file_lines(text: str) -> list[str]:
    """The file's lines as editors count them: split at CR LF, CR or LF only."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


_LITERAL_OPENER = re.compile(r"(?:\.\.\s+(?:code-block|code|sourcecode)::.*|(?!\.\.\s).*::)\s*\Z")


def _too_deep(lines: Sequence[str], limit: int) -> int:
    """The first line indented more than ``limit`` levels deep (0: none).

    A level is an indentation deeper than the enclosing line's, as docutils
    nests block quotes, lists and directives.  Literal blocks (after ``::``
    or a code-block directive) are text, not structure: their lines are
    skipped, so a hand-centred drawing never counts as deep.
    """
    stack: list[int] = []
    literal_above: int | None = None  # indent of the line that opened a literal block
    opener: int | None = None
    for number, line in enumerate(lines, 1):
        body = line.expandtabs(_TAB_WIDTH)
        stripped = body.lstrip()
        if not stripped:
            continue
        indent = len(body) - len(stripped)
        if literal_above is not None:
            if indent > literal_above:
                continue
            literal_above = None
        if opener is not None and indent > opener:
            literal_above, opener = opener, None
            continue
        opener = None
        while stack and stack[-1] > indent:
            stack.pop()
        if not stack or stack[-1] < indent:
            stack.append(indent)
            if len(stack) > limit:
                return number
        if _LITERAL_OPENER.match(stripped):
            opener = indent
    return 0


def parse_flows(
    text: str, display: str, sections: Sequence[str], connector: str = "|"
) -> tuple[RstFlows | None, list[Diagnostic]]:
    """As :func:`read_flows`, from text; ``None`` when docutils cannot read it at all."""
    from docutils import nodes as dn

    src_lines = file_lines(text)
    for number, line in enumerate(src_lines, 1):
        # docutils measures lines with tabs expanded and trailing blanks cut.
        if len(line.expandtabs(_TAB_WIDTH).rstrip()) > LINE_LENGTH_LIMIT:
            return None, [
                FILE_UNREADABLE.diagnostic(
                    f"line longer than {LINE_LENGTH_LIMIT} characters: docutils "
                    "drops the whole document; not read",
                    Location(display, number, 1),
                )
            ]
    where = _too_deep(src_lines, MAX_NESTING)
    if where:
        return None, [
            FILE_UNREADABLE.diagnostic(
                f"indented more than {MAX_NESTING} levels deep: beyond what docutils "
                "parses in reasonable time; not read",
                Location(display, where, 1),
            )
        ]
    try:
        doctree = _doctree(_ODD_BREAKS.sub(" ", "\n".join(src_lines)), display)
    except RecursionError:
        return None, [
            FILE_UNREADABLE.diagnostic(
                "docutils cannot parse this file: it nests (indents) too deeply; not read",
                Location(display),
            )
        ]

    wanted = {" ".join(s.split()): s for s in sections}
    found: dict[str, Location] = {}
    flows: dict[str, DocFlow] = {}
    repeated: dict[str, tuple[Location, ...]] = {}
    diagnostics: list[Diagnostic] = []
    for sec in doctree.findall(dn.section):
        if not sec.children or not isinstance(sec[0], dn.title):
            continue
        title = " ".join(sec[0].astext().split())
        name = wanted.get(title)
        if name is None:
            continue
        if name in found:
            again = _title_line(src_lines, title, sec[0].line, after=found[name].line)
            repeated[name] = (*repeated.get(name, ()), Location(display, again, 1))
            diagnostics.append(
                SECTION_TWICE.diagnostic(
                    f"a second section titled '{name}'; only the first is compared",
                    Location(display, again, 1),
                    notes=(Note(message="the first one", location=found[name]),),
                )
            )
            continue
        title_line = _title_line(src_lines, title, sec[0].line)
        found[name] = Location(display, title_line, 1)
        block = _first_block(sec, dn)
        if block is None:
            continue
        block_lines = block.astext().split("\n")
        start = _map_block(src_lines, block_lines, title_line, block.line)
        raw = [
            src_lines[start - 1 + i] if start - 1 + i < len(src_lines) else line
            for i, line in enumerate(block_lines)
        ]
        steps = parse_block(raw, start, display, connector)
        flows[name] = DocFlow(
            section=name,
            steps=steps,
            location=Location(display, start, 1),
            title_location=found[name],
            end_line=start + len(block_lines) - 1,
        )
    return RstFlows(path=display, sections=found, flows=flows, repeated=repeated), diagnostics


def section_titles(text: str, display: str) -> list[str]:
    """Every section title of an rst text, whitespace collapsed, in document order."""
    from docutils import nodes as dn

    titles: list[str] = []
    for sec in _doctree(text, display).findall(dn.section):
        if sec.children and isinstance(sec[0], dn.title):
            titles.append(" ".join(sec[0].astext().split()))
    return titles


def _doctree(text: str, display: str) -> Any:
    """docutils' tree; it never halts (``halt_level`` 5) and never prints."""
    from docutils.core import publish_doctree

    settings = {
        "report_level": 5,  # say nothing: problems in prose are not ours to report
        "halt_level": 5,
        "warning_stream": io.StringIO(),
        "doctitle_xform": False,
        "file_insertion_enabled": False,
        "raw_enabled": False,
        "line_length_limit": LINE_LENGTH_LIMIT,
        "tab_width": _TAB_WIDTH,
        "_disable_config": True,
    }
    return publish_doctree(text, source_path=display, settings_overrides=settings)


def _title_line(src: Sequence[str], title: str, hint: int | None, after: int = 0) -> int:
    """The 1-based line of a section title (docutils reports its underline)."""
    guess = (hint or 2) - 1
    for line in (guess, guess - 1, guess + 1):
        if after < line <= len(src) and " ".join(src[line - 1].split()) == title:
            return line
    for i, line_text in enumerate(src, 1):
        if i > after and " ".join(line_text.split()) == title:
            return i
    return max(guess, 1)


def _first_block(sec: nodes.section, dn: Any) -> nodes.literal_block | None:
    for child in sec.children:
        if isinstance(child, dn.section):
            return None  # a subsection starts: the block must precede it
        if isinstance(child, dn.system_message):
            # Plain docutils does not know Sphinx's (or migspec's) directives
            # and quotes their source in a literal block inside the error.
            continue
        for block in child.findall(dn.literal_block):
            found: nodes.literal_block = block
            return found
    return None


def _map_block(src: Sequence[str], block: Sequence[str], title_line: int, hint: int | None) -> int:
    """The 1-based file line of the block's first line.

    docutils expands tabs and removes the common indent, so lines are matched
    by their stripped text, starting below the section title.
    """
    want = [b.strip() for b in block]
    n = len(want)
    for start in range(max(title_line, 1), len(src) - n + 2):
        if all(src[start - 1 + i].expandtabs(8).strip() == want[i] for i in range(n)):
            return start
    return hint or title_line + 1
