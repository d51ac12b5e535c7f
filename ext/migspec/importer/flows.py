"""Flows read back from hand-drawn rst literal blocks.

Inputs: an rst file and the machine's states.  Outputs: one flow per section
whose first literal block draws state tuples naming the machine's device
states -- steps, text lines, brackets -- plus what the drawings say about
the spec around them: the VM and migration states they name, the stand-ins
that brackets imply (``_RUNNING [_PRE_COPY]``), the notation (centring
width and connector column) they are drawn with, and diagnostics for blocks
that cannot become flows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic
from ..source.rst import DocFlow, DocLine, LineRole, parse_flows, section_titles
from .scan import SKIPPED

# The placeholder feature of what the drawings bracket (they do not say which flag).
BRACKET_FEATURE = "OPTIONAL"

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_DEVICE = re.compile(r"(?P<base>\S+)(?:\s*\[\s*(?P<alt>\S+)\s*\])?\Z")


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedLine:
    text: str
    features: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedStep:
    text: tuple[ImportedLine, ...]
    vm: str
    migration: str
    device: str  # the state with every feature (the bracketed alternative, if any)
    base: str  # the state drawn outside brackets
    text_after: tuple[ImportedLine, ...]
    features: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportedFlow:
    name: str
    title: str
    bracketed: bool
    file: str
    section: str
    steps: tuple[ImportedStep, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DrawnFlows:
    flows: tuple[ImportedFlow, ...] = ()
    stand_ins: Mapping[str, str] = field(default_factory=dict)  # alternative -> base state
    vm_states: tuple[str, ...] = ()
    migration_states: tuple[str, ...] = ()
    width: int | None = None
    connector_column: int | None = None


def _flow_name(title: str, taken: set[str]) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    if not name or not name[0].isalpha():
        name = f"flow-{name}".rstrip("-")
    base, n = name, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def _line(line: DocLine) -> tuple[ImportedLine, bool]:
    text = " ".join(line.text.split())
    if line.bracketed:
        return ImportedLine(text=text[1:-1].strip(), features=(BRACKET_FEATURE,)), True
    return ImportedLine(text=text), False


def read_drawn_flows(
    data: bytes,
    rel: str,
    display: str,
    docs_as: Mapping[str, str],
    vm_prefix: str = "",
    migration_prefix: str = "_",
) -> tuple[DrawnFlows, list[Diagnostic]]:
    """Every flow drawn in the rst file read as ``data`` (the caller read it
    through the shared tree reader); ``docs_as``: drawn name -> state."""
    text = data.decode("utf-8", errors="replace")
    titles = list(dict.fromkeys(section_titles(text, display)))
    read, read_diagnostics = parse_flows(text, display, titles)
    diagnostics: list[Diagnostic] = list(read_diagnostics)
    if read is None:  # the rst reader refused the file (too deep, broken): nothing to import
        titles = []
    flows: list[ImportedFlow] = []
    stand_ins: dict[str, str] = {}
    vm_states: list[str] = []
    migration_states: list[str] = []
    blocks: list[DocFlow] = []
    taken: set[str] = set()
    for title in titles:
        drawn = read.flows.get(title) if read is not None else None
        if drawn is None:
            continue
        devices = [
            _DEVICE.match(line.tuple.device)
            for step in drawn.steps
            for line in step.tuples
            if line.tuple is not None
        ]
        if not any(m and m.group("base") in docs_as for m in devices):
            continue  # no tuples, or tuples of something else
        steps: list[ImportedStep] = []
        bracketed = False
        carried: list[ImportedLine] = []
        problem: Diagnostic | None = None
        for step in drawn.steps:
            before, tuple_line, after = step.split()
            lines = [_line(x) for x in before]
            bracketed |= any(b for _, b in lines)
            if tuple_line is None or tuple_line.tuple is None:
                carried.extend(x for x, _ in lines)
                continue
            t = tuple_line.tuple
            m = _DEVICE.match(t.device)
            base = docs_as.get(m.group("base")) if m else None
            alt = docs_as.get(m.group("alt")) if m and m.group("alt") else None
            vm = t.vm.removeprefix(vm_prefix) if vm_prefix else t.vm
            migration = t.migration.removeprefix(migration_prefix)
            if (
                base is None
                or (m is not None and m.group("alt") and alt is None)
                or not _IDENT.match(vm)
                or not _IDENT.match(migration)
            ):
                problem = SKIPPED.diagnostic(
                    f"'{title}' is not imported as a flow: cannot read the tuple {t}",
                    tuple_line.location,
                )
                break
            if alt is not None:
                bracketed = True
                stand_ins.setdefault(alt, base)
            if t.bracketed:
                bracketed = True
            after_lines = [_line(x) for x in after if x.role is LineRole.TEXT]
            bracketed |= any(b for _, b in after_lines)
            vm_states.append(vm)
            migration_states.append(migration)
            steps.append(
                ImportedStep(
                    text=(*carried, *(x for x, _ in lines)),
                    vm=vm,
                    migration=migration,
                    device=alt or base,
                    base=base,
                    text_after=tuple(x for x, _ in after_lines),
                    features=(BRACKET_FEATURE,) if t.bracketed else (),
                )
            )
            carried = []
        if problem is not None or not steps:
            if problem is not None:
                diagnostics.append(problem)
            continue
        if carried:
            last = steps[-1]
            steps[-1] = ImportedStep(
                text=last.text,
                vm=last.vm,
                migration=last.migration,
                device=last.device,
                base=last.base,
                text_after=(*last.text_after, *carried),
                features=last.features,
            )
        blocks.append(drawn)
        flows.append(
            ImportedFlow(
                name=_flow_name(title, taken),
                title=title,
                bracketed=bracketed,
                file=rel,
                section=title,
                steps=tuple(steps),
            )
        )
    width, column = _notation(blocks, text.splitlines())
    return (
        DrawnFlows(
            flows=tuple(flows),
            stand_ins=stand_ins,
            vm_states=tuple(dict.fromkeys(vm_states)),
            migration_states=tuple(dict.fromkeys(migration_states)),
            width=width,
            connector_column=column,
        ),
        diagnostics,
    )


def _notation(blocks: Sequence[DocFlow], src: Sequence[str]) -> tuple[int | None, int | None]:
    """The centring width and connector column most of the drawn lines follow."""
    lines = [line.raw.expandtabs(8) for b in blocks for s in b.steps for line in s.lines]
    if not lines:
        return None, None
    measured = [(len(x) - len(x.lstrip()), len(x.strip())) for x in lines]
    widths = Counter(
        w
        for w in range(20, 401)
        for indent, length in measured
        if indent == max(1, (w - length) // 2)
    )
    width = max(widths, key=lambda w: (widths[w], -abs(w - 80))) if widths else None
    connectors: Counter[int] = Counter()
    for block in blocks:
        for before, after in zip(block.steps, block.steps[1:], strict=False):
            for raw in src[before.lines[-1].location.line : after.lines[0].location.line - 1]:
                if raw.strip():
                    wide = raw.expandtabs(8)
                    connectors[len(wide) - len(wide.lstrip())] += 1
    column = connectors.most_common(1)[0][0] if connectors else None
    return width, column
