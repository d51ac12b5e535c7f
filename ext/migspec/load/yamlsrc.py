"""Bounded, located YAML reading.

Inputs: the bytes of a YAML file.  Outputs: a tree of :class:`Scalar`,
:class:`Mapping` and :class:`Sequence` nodes, each carrying its
:class:`~migspec.diagnostics.Location`, plus diagnostics.

The tree is built from PyYAML's *event* stream by an iterative composer of our
own rather than by ``yaml.load``: no Python object is ever constructed from a
tag, nesting depth and node count are bounded before anything grows, alias
expansion is charged against the same node budget (a billion-laughs file stops
after a few thousand nodes), and duplicate keys are reported with both places.
Plain scalars follow the YAML 1.2 core schema (``yes``/``no``/``on`` stay
strings), which is what people writing state names expect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from ..diagnostics import Diagnostic, Location, Note, Severity, declare
from .text import DEFAULT_LIMITS, Limits, line_col

RULES = (
    declare(
        "yaml-syntax",
        Severity.ERROR,
        "The file is not well-formed YAML.",
        scope="load",
        example="states: [STOP, RUNNING",
    ),
    declare(
        "yaml-limits",
        Severity.ERROR,
        "The YAML nests too deeply, expands to too many nodes (e.g. alias bombs) or holds an absurdly long number.",
        scope="load",
        example='a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]  # ... and so on',
    ),
    declare(
        "yaml-tag",
        Severity.ERROR,
        "A YAML tag other than the standard scalar and collection tags is used.",
        scope="load",
        example="states: !!python/object/apply:os.system [echo]",
    ),
    declare(
        "yaml-duplicate-key",
        Severity.ERROR,
        "A mapping has the same key twice; YAML would silently keep the last one.",
        scope="load",
        example="name: STOP\nname: RUNNING",
    ),
    declare(
        "yaml-key-type",
        Severity.ERROR,
        "A mapping key is not a plain string.",
        scope="load",
        example="{[a, b]: 1}",
    ),
    declare(
        "yaml-documents",
        Severity.ERROR,
        "The file holds no document or more than one YAML document.",
        scope="load",
    ),
)
_RULE = {r.id: r for r in RULES}


ScalarValue = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Scalar:
    """A located scalar (``quoted``: written in quotes, so never a number)."""

    value: ScalarValue
    location: Location
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class Mapping:
    """A located mapping, its keys in the order written."""

    items: tuple[tuple[Scalar, Node], ...]
    location: Location

    def get(self, key: str) -> Node | None:
        for k, v in self.items:
            if k.value == key:
                return v
        return None

    def key_node(self, key: str) -> Scalar | None:
        for k, _ in self.items:
            if k.value == key:
                return k
        return None

    def keys(self) -> list[str]:
        return [str(k.value) for k, _ in self.items]


@dataclass(frozen=True, slots=True)
class Sequence:
    """A located sequence."""

    items: tuple[Node, ...]
    location: Location


Node = Scalar | Mapping | Sequence


class Document:
    """A parsed YAML file: its root node (``None`` when unreadable) and diagnostics."""

    __slots__ = ("diagnostics", "root", "text")

    def __init__(self, root: Node | None, text: str = "") -> None:
        self.root = root
        self.diagnostics: list[Diagnostic] = []
        self.text = text


class _Frame:
    """A collection being composed (the composer keeps a stack of them, not a recursion)."""

    __slots__ = ("anchor", "has_key", "items", "key", "location", "pairs", "shape", "start")

    def __init__(self, shape: str, location: Location, anchor: str | None, start: int) -> None:
        self.shape = shape
        self.location = location
        self.anchor = anchor
        self.start = start
        self.items: list[Node] = []
        self.pairs: list[tuple[Node, Node]] = []
        self.key: Node | None = None
        self.has_key = False


class _Fail(Exception):
    """Stops composing; the diagnostic has been recorded."""


def _diag(
    rule_id: str, message: str, location: Location, notes: tuple[Note, ...] = ()
) -> Diagnostic:
    return _RULE[rule_id].diagnostic(message, location, notes=notes)


def _char_at(text: str, line: int, column: int) -> str:
    """The character at 0-based ``line``/``column`` of ``text`` ('' past the end)."""
    lines = text.splitlines()
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


_INT = re.compile(r"[-+]?[0-9]+\Z")
_NUMBER_START = re.compile(r"[-+]?[0-9]")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
# The standard tags each shape of node may carry ("!" is the non-specific tag
# of a quoted scalar).
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:float",
    "!",
}
_MAP_TAGS = {"tag:yaml.org,2002:map", "!"}
_SEQ_TAGS = {"tag:yaml.org,2002:seq", "!"}


# Every plain scalar that is not a string starts with one of these.
_NOT_ONLY_STRING = frozenset("0123456789+-.~nNtTfF")


def _resolve_plain(text: str) -> ScalarValue:
    if text and text[0] not in _NOT_ONLY_STRING:
        return text  # most scalars: names, prose
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.match(text):
        return int(text, 10)
    if _HEX.match(text):
        return int(text, 16)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _FLOAT.match(text) and any(c.isdigit() for c in text):
        return float(text)
    return text


_TAG_TYPES = {
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean (true or false)",
    "null": "null",
}


def resolve_plain(text: str) -> ScalarValue:
    """What an unquoted scalar means to migspec (the YAML 1.2 core schema)."""
    return _resolve_plain(text)


def _resolve_tagged(tag: str, text: str) -> ScalarValue:
    """A scalar with an explicit standard tag: the text must be of that type."""
    type_name = tag.rsplit(":", 1)[-1]
    if type_name == "str" or tag == "!":
        return text
    value = _resolve_plain(text)
    fits = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "null": value is None,
    }
    if not fits.get(type_name, False):
        raise ValueError(
            f"{text!r} is not {_TAG_TYPES.get(type_name, type_name)} (tagged !!{type_name})"
        )
    if type_name == "float":
        assert isinstance(value, (int, float))
        return float(value)
    return value


_Loader: type[yaml.SafeLoader]
try:
    _Loader = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.SafeLoader


# libyaml follows YAML 1.1, where NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR
# break lines; editors (and YAML 1.2) do not.  Raw in a file they would shift
# every line number after them, or split a scalar where none is seen.
_YAML11_BREAKS = re.compile("[\x85\u2028\u2029]")


def parse_yaml(text: str, display: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Compose ``text`` into located nodes, never raising."""
    doc = Document(root=None, text=text)
    odd = _YAML11_BREAKS.search(text)
    if odd is not None:
        before = text[: odd.start()].replace("\r\n", "\n").replace("\r", "\n")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        doc.diagnostics.append(
            _diag(
                "yaml-syntax",
                f"raw U+{ord(odd[0]):04X} (a line break to the YAML parser); "
                f"write it as \\u{ord(odd[0]):04x} in a double-quoted string",
                Location(display, line, column),
            )
        )
        return doc
    try:
        doc.root = _Composer(display, limits, doc.diagnostics, _Lines(text)).compose(
            yaml.parse(text, Loader=_Loader)
        )
    except _Fail:
        doc.root = None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        lines = _Lines(text)
        loc = lines.location(display, mark.line, mark.column) if mark else Location(display)
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{problem} ({exc.context})"
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            problem += "; indent YAML with spaces, not tabs"
        notes: tuple[Note, ...] = ()
        start = exc.context_mark
        end = exc.problem_mark
        if (
            exc.context
            and start is not None
            and end is not None
            and (start.line, start.column) != (end.line, end.column)
        ):
            # An unclosed bracket or quote is found at the end of the file;
            # point back at where it was opened too.
            what = re.sub(r"^while (scanning|parsing) ", "", exc.context)
            notes = (
                Note(
                    message=f"{what} starts here",
                    location=lines.location(display, start.line, start.column),
                ),
            )
        # libyaml itself stops at 1000 nesting levels (PyYAML >= 6.0.4 reports
        # it as a parse error): that is our limit being hit, not a typo.
        rule = "yaml-limits" if "nesting depth" in problem else "yaml-syntax"
        doc.diagnostics.append(_diag(rule, problem, loc, notes))
        doc.root = None
    except yaml.YAMLError as exc:
        # ReaderError and friends carry a position but not a mark.
        position = getattr(exc, "position", None)
        if isinstance(position, int):
            line, col = line_col(text.encode("utf-8"), len(text[:position].encode("utf-8")))
            loc = Location(display, line, col)
        else:
            loc = Location(display)
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        doc.diagnostics.append(_diag("yaml-syntax", str(reason), loc))
        doc.root = None
    return doc


class _Lines:
    """The length of each line of the text (as libyaml counts them: CR LF, CR, LF),
    to keep locations inside the file.

    libyaml puts the end of the stream -- an error there, the empty value of a
    document that is only ``---`` -- on the line after the last when the
    file does not end with a newline: that is the end of the last line.
    """

    def __init__(self, text: str) -> None:
        self.lengths = [
            len(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        ]

    def location(self, display: str, line: int, column: int) -> Location:
        """A 0-based libyaml mark as a 1-based location inside the file."""
        if line >= len(self.lengths):
            return Location(display, len(self.lengths), self.lengths[-1] + 1)
        return Location(display, line + 1, min(column, self.lengths[line]) + 1)


class _Composer:
    def __init__(self, display: str, limits: Limits, sink: list[Diagnostic], lines: _Lines) -> None:
        self.display = display
        self.limits = limits
        self.sink = sink
        self.lines = lines
        self.nodes = 0
        self.anchors: dict[str, tuple[Node, int]] = {}

    def loc(self, event: yaml.Event) -> Location:
        mark = event.start_mark
        if mark is None:  # pragma: no cover - libyaml always sets marks
            return Location(self.display)
        return self.lines.location(self.display, mark.line, mark.column)

    def charge(self, count: int, event: yaml.Event) -> None:
        self.nodes += count
        if self.nodes > self.limits.max_nodes:
            self.sink.append(
                _diag(
                    "yaml-limits",
                    f"document expands to more than {self.limits.max_nodes} nodes "
                    "(alias expansion counts)",
                    self.loc(event),
                )
            )
            raise _Fail

    def compose(self, events: Iterator[yaml.Event]) -> Node | None:
        stack: list[_Frame] = []
        root: Node | None = None
        documents = 0
        for event in events:
            # Dispatch on the exact class, the most frequent first: this loop
            # sees every event of the file.
            node: Node
            if type(event) is yaml.ScalarEvent:
                self.charge(1, event)
                node = self._scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = (node, 1)
            elif type(event) is yaml.MappingStartEvent or type(event) is yaml.SequenceStartEvent:
                is_map = isinstance(event, yaml.MappingStartEvent)
                self._check_tag(event.tag, _MAP_TAGS if is_map else _SEQ_TAGS, event)
                if len(stack) >= self.limits.max_depth:
                    self.sink.append(
                        _diag(
                            "yaml-limits",
                            f"nesting deeper than {self.limits.max_depth} levels",
                            self.loc(event),
                        )
                    )
                    raise _Fail
                self.charge(1, event)
                stack.append(
                    _Frame("map" if is_map else "seq", self.loc(event), event.anchor, self.nodes)
                )
                continue
            elif type(event) is yaml.MappingEndEvent or type(event) is yaml.SequenceEndEvent:
                frame = stack.pop()
                if frame.shape == "map":
                    node = self._finish_mapping(frame.pairs, frame.location)
                else:
                    node = Sequence(tuple(frame.items), frame.location)
                if frame.anchor:
                    self.anchors[frame.anchor] = (node, self.nodes - frame.start + 1)
            elif type(event) is yaml.AliasEvent:
                target = self.anchors.get(event.anchor or "")
                if target is None:
                    self.sink.append(
                        _diag("yaml-syntax", f"unknown alias *{event.anchor}", self.loc(event))
                    )
                    raise _Fail
                self.charge(target[1], event)
                node = target[0]
            elif type(event) is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.sink.append(
                        _diag(
                            "yaml-documents",
                            "more than one YAML document in the file",
                            self.loc(event),
                        )
                    )
                    raise _Fail
                continue
            else:  # stream start and end, document end
                continue
            if not stack:
                root = node
                continue
            top = stack[-1]
            if top.shape == "seq":
                top.items.append(node)
            elif not top.has_key:
                top.key, top.has_key = node, True
            else:
                assert top.key is not None
                top.pairs.append((top.key, node))
                top.key, top.has_key = None, False
        if documents == 0 or root is None:
            self.sink.append(
                _diag(
                    "yaml-documents",
                    "the file holds no YAML document (it is empty or only comments)",
                    Location(self.display, 1, 1),
                )
            )
            raise _Fail
        return root

    def _check_tag(self, tag: str | None, allowed: set[str], event: yaml.Event) -> None:
        if tag is not None and tag not in allowed:
            self.sink.append(
                _diag(
                    "yaml-tag",
                    f"YAML tag '{tag.replace('tag:yaml.org,2002:', '!!')}' is not allowed here; "
                    "migspec reads plain data only",
                    self.loc(event),
                )
            )
            raise _Fail

    def _scalar(self, event: yaml.ScalarEvent) -> Scalar:
        loc = self.loc(event)
        self._check_tag(event.tag, _SCALAR_TAGS, event)
        quoted = event.style is not None and event.style in ("'", '"', "|", ">")
        resolved = event.tag not in (None, "!", "tag:yaml.org,2002:str") or (
            not quoted and event.implicit[0]
        )
        if (
            resolved
            and len(event.value) > self.limits.max_number_digits
            and _NUMBER_START.match(event.value)
            and (_INT.match(event.value) or _HEX.match(event.value) or _OCT.match(event.value))
        ):
            self.sink.append(
                _diag(
                    "yaml-limits",
                    f"a number of more than {self.limits.max_number_digits} digits",
                    loc,
                )
            )
            raise _Fail
        if event.tag and event.tag != "!":
            try:
                return Scalar(_resolve_tagged(event.tag, event.value), loc, quoted)
            except ValueError as exc:
                self.sink.append(_diag("yaml-syntax", str(exc), loc))
                raise _Fail from None
        if quoted or not event.implicit[0]:
            return Scalar(event.value, loc, True)
        return Scalar(_resolve_plain(event.value), loc, False)

    def _finish_mapping(self, items: list[tuple[Node, Node]], location: Location) -> Mapping:
        # Keyed by text: to_plain() turns ``1`` and ``"1"`` into the same key.
        seen: dict[str, Scalar] = {}
        pairs: list[tuple[Scalar, Node]] = []
        for key, value in items:
            if (
                not isinstance(key, Scalar)
                or isinstance(key.value, (bool, float))
                or key.value is None
            ):
                where = key.location
                self.sink.append(
                    _diag("yaml-key-type", "mapping keys must be plain strings or integers", where)
                )
                continue
            first = seen.get(str(key.value))
            if first is not None:
                self.sink.append(
                    _diag(
                        "yaml-duplicate-key",
                        f"duplicate key {key.value!r}",
                        key.location,
                        (Note(message="first defined here", location=first.location),),
                    )
                )
                continue
            seen[str(key.value)] = key
            pairs.append((key, value))
        return Mapping(tuple(pairs), location)


def to_plain(node: Node) -> object:
    """The node tree as JSON-like Python data (for JSON Schema validation)."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Sequence):
        return [to_plain(n) for n in node.items]
    return {str(k.value): to_plain(v) for k, v in node.items}


def node_at(root: Node, path: tuple[object, ...]) -> tuple[Node, Scalar | None]:
    """Follow a JSON path into the tree; returns the deepest node reached and its key."""
    node: Node = root
    key_node: Scalar | None = None
    for step in path:
        if isinstance(node, Mapping) and isinstance(step, str):
            child = node.get(step)
            if child is None:
                break
            key_node = node.key_node(step)
            node = child
        elif isinstance(node, Sequence) and isinstance(step, int) and 0 <= step < len(node.items):
            node = node.items[step]
            key_node = None
        else:
            break
    return node, key_node
