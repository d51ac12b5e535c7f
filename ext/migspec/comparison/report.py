"""The review comparison's reports (``migspec diff``): text, JSON and one HTML page.

Inputs: a :class:`~migspec.comparison.compare.Comparison` (and, for HTML, the two
specs, whose drawings it shows).  Outputs: text from
``templates/comparison.txt.j2``, HTML from ``templates/comparison.html.j2``
(a whole page, or with ``body_only`` the fragment the Sphinx directive
embeds), and JSON of :func:`comparison_json_data`.  It only renders: what
differs is decided by :mod:`migspec.comparison.compare`, how a request ends by
:mod:`migspec.fsm.engine`.
This module prepares the data -- sections in reading order, one line per
change, coloured diff lines, next-step matrices, drawings -- and the
templates lay it out.  The JSON shape is documented in ``docs/review.rst``
and versioned by its ``migspec_diff`` key.
"""

from __future__ import annotations

import difflib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import __version__
from ..fsm.engine import Answer, Outcome, device_steps
from ..model import DeviceKind, Spec
from ..render.dot import DotFailed, DotMissing, Marks, render_flow_dot, render_fsm_dot
from ..render.env import render_template
from ..render.escape import html_id
from .compare import (
    Change,
    Comparison,
    DrawingChange,
    Status,
    StepChange,
    TextDiff,
    device_kinds,
)

JSON_VERSION = 1

SECTION_TITLES = (
    ("vocabulary", "States, features, groups and classes"),
    ("arcs", "Arcs and refused arcs"),
    ("steps", "Next steps per device kind"),
    ("flows", "Flows"),
    ("trace", "Trace events"),
    ("code", "C artefacts"),
    ("other", "Other spec wiring"),
)


# -- the sections every format shares -------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One change, as a line: ``mark`` is "added", "removed" or "changed"."""

    mark: str
    text: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffLine:
    """A line of a unified diff: ``role`` is "file", "hunk", "add", "del" or "context"."""

    role: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NamedDiff:
    title: str
    unified: str
    lines: tuple[DiffLine, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """A part of a section: a device kind's step changes, one flow, ..."""

    title: str
    items: tuple[Item, ...] = ()
    diffs: tuple[NamedDiff, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    key: str
    title: str
    blocks: tuple[Block, ...]
    # How many things changed: flows for "flows", artefacts for "code", else items.
    count: int
    # For the verdict line: "2 flows, 8 drawings"; "" when nothing changed.
    summary: str = ""
    # What the section says when nothing changed ("" when something did).
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    old: str
    new: str
    equivalent: bool
    sections: tuple[Section, ...]


def _item(change: Change) -> Item:
    return Item(
        mark=change.status.value, text=f"{change.what} {change.name}", details=change.details
    )


def diff_lines(unified: str) -> tuple[DiffLine, ...]:
    out = []
    for line in unified.splitlines():
        if line.startswith(("--- ", "+++ ")):
            role = "file"
        elif line.startswith("@@"):
            role = "hunk"
        elif line.startswith("+"):
            role = "add"
        elif line.startswith("-"):
            role = "del"
        else:
            role = "context"
        out.append(DiffLine(role=role, text=line))
    return tuple(out)


def _named(title: str, diff: TextDiff) -> NamedDiff:
    return NamedDiff(title=title, unified=diff.unified, lines=diff_lines(diff.unified))


def outcome_text(found: Answer) -> str:
    """How a report says the way a request ends."""
    if found.outcome is Outcome.ARRIVES and found.path is not None:
        return " -> ".join(found.path)
    if found.outcome is Outcome.UNSUPPORTED:
        return f"lands on {found.lands_on}, a state this device does not have (the request fails)"
    return {
        Outcome.REFUSED: "refused (the request fails)",
        Outcome.FAILS: "no legal path (the request fails)",
        Outcome.ERROR_STATE: "from or to the error state (the request fails)",
        Outcome.NEVER_ENDS: "hangs (the next-state lookup never returns)",
        Outcome.NO_STATE: "no such state on this device",
    }.get(found.outcome, "-")


def step_text(change: StepChange) -> str:
    """``RUNNING -> STOP_COPY: was RUNNING -> STOP -> STOP_COPY, now ...``."""
    return (
        f"{change.source} -> {change.target}: "
        f"was {outcome_text(change.old)}, now {outcome_text(change.new)}"
    )


def _step_blocks(comparison: Comparison) -> list[Block]:
    blocks = []
    if comparison.kinds:
        blocks.append(Block(title="Device kinds", items=tuple(_item(c) for c in comparison.kinds)))
    for kind, changes in itertools.groupby(comparison.steps, key=lambda c: c.kind):
        blocks.append(
            Block(
                title=f"device {kind.text} ({kind.name})",
                items=tuple(Item(mark="changed", text=step_text(c)) for c in changes),
            )
        )
    return blocks


def _flow_items(comparison: Comparison, name: str) -> tuple[Item, ...]:
    """A flow's own changes; the block's title already names the flow."""
    items: list[Item] = []
    for c in comparison.flow_changes:
        if c.name != name:
            continue
        if c.status is Status.CHANGED:
            items.extend(Item(mark=c.status.value, text=d) for d in c.details)
        else:
            items.append(Item(mark=c.status.value, text=f"flow {c.status.value}"))
    return tuple(items)


def _flow_blocks(comparison: Comparison) -> list[Block]:
    blocks = []
    for name in comparison.flow_names:
        diffs = tuple(
            _named(f"device {f.kind.text}" + (" (as the docs draw it)" if f.own else ""), f.diff)
            for f in comparison.drawings
            if f.flow == name
        )
        blocks.append(Block(title=f"flow {name}", items=_flow_items(comparison, name), diffs=diffs))
    return blocks


def comparison_report(comparison: Comparison) -> Report:
    """The sections, in the order a reviewer reads them."""
    compared = ", ".join(k.name for k in comparison.kinds_compared) or "none"
    blocks: dict[str, list[Block]] = {
        "vocabulary": [Block(title="", items=tuple(_item(c) for c in comparison.vocabulary))],
        "arcs": [Block(title="", items=tuple(_item(c) for c in comparison.arcs))],
        "steps": _step_blocks(comparison),
        "flows": _flow_blocks(comparison),
        "trace": [Block(title="", items=tuple(_item(c) for c in comparison.trace))],
        "code": [
            Block(title="", diffs=tuple(_named(d.title or d.name, d) for d in comparison.code))
        ],
        "other": [Block(title="", items=tuple(_item(c) for c in comparison.other))],
    }
    notes = {"steps": f"no request takes another path (device kinds compared: {compared})"}
    sections = []
    for key, title in SECTION_TITLES:
        kept = tuple(b for b in blocks[key] if b.items or b.diffs)
        if key == "flows":
            drawings = sum(len(b.diffs) for b in kept)
            count = len(kept)
            summary = _plural(count, "flow") + (
                f", {_plural(drawings, 'drawing')}" if drawings else ""
            )
        elif key == "code":
            count = sum(len(b.diffs) for b in kept)
            summary = ", ".join(d.title for b in kept for d in b.diffs)
        else:
            count = sum(len(b.items) for b in kept)
            summary = str(count)
        sections.append(
            Section(
                key=key,
                title=title,
                blocks=kept,
                count=count,
                summary=summary if count else "",
                note="" if count else notes.get(key, "no changes"),
            )
        )
    return Report(
        old=comparison.old_name,
        new=comparison.new_name,
        equivalent=comparison.equivalent,
        sections=tuple(sections),
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def render_comparison_text(comparison: Comparison) -> str:
    return render_template("comparison.txt.j2", report=comparison_report(comparison))


# -- JSON -----------------------------------------------------------------------


def _change_json(change: Change) -> dict[str, Any]:
    return {
        "change": change.status.value,
        "what": change.what,
        "name": change.name,
        "details": list(change.details),
    }


def _side_json(found: Answer) -> dict[str, Any]:
    path = list(found.path) if found.path is not None else None
    return {"outcome": found.outcome.value, "path": path}


def _flow_json(f: DrawingChange) -> dict[str, Any]:
    return {
        "flow": f.flow,
        "kind": f.kind.name,
        "features": sorted(f.kind.features),
        "own": f.own,
        "unified": f.diff.unified,
    }


def comparison_json_data(comparison: Comparison) -> dict[str, Any]:
    """The documented JSON shape (``docs/review.rst``); keys in section order."""
    c = comparison
    return {
        "migspec_diff": JSON_VERSION,
        "old": c.old_name,
        "new": c.new_name,
        "equivalent": c.equivalent,
        "vocabulary": [_change_json(x) for x in c.vocabulary],
        "arcs": [_change_json(x) for x in c.arcs],
        "steps": {
            "kinds_compared": [k.name for k in c.kinds_compared],
            "kinds": [_change_json(x) for x in c.kinds],
            "changes": [
                {
                    "kind": x.kind.name,
                    "source": x.source,
                    "target": x.target,
                    "old": _side_json(x.old),
                    "new": _side_json(x.new),
                }
                for x in c.steps
            ],
        },
        "flows": {
            "changes": [_change_json(x) for x in c.flow_changes],
            "drawings": [_flow_json(f) for f in c.drawings],
        },
        "trace": [_change_json(x) for x in c.trace],
        "code": [{"name": d.name, "title": d.title, "unified": d.unified} for d in c.code],
        "other": [_change_json(x) for x in c.other],
    }


def render_comparison_json(comparison: Comparison) -> str:
    return json.dumps(comparison_json_data(comparison), indent=2) + "\n"


# -- HTML -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Drawing:
    """An SVG drawing (``svg`` empty when Graphviz is missing or refused)."""

    id: str
    title: str
    svg: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SideLine:
    text: str
    changed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowSide:
    label: str  # the spec's path
    lines: tuple[SideLine, ...]
    drawing: Drawing | None


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowCompare:
    id: str
    title: str
    own: bool
    old: FlowSide
    new: FlowSide
    unified: NamedDiff


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowPanel:
    id: str
    name: str
    title: str
    items: tuple[Item, ...]
    kinds: tuple[FlowCompare, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Cell:
    text: str
    # "same" (source == target), "step", "fail" (error or hang), "none" (no state)
    role: str
    changed: bool
    title: str
    # A changed cell: what the old spec stepped to first ("" when it had no step).
    old_text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Matrix:
    id: str
    kind: DeviceKind
    # "compared", "added" (only the new spec has the kind), "removed"
    status: str
    states: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]
    changed: int


@dataclass(frozen=True, slots=True, kw_only=True)
class HtmlPage:
    id: str
    report: Report
    fsm: Drawing
    fsm_marked: int  # how many states and arcs the drawing marks
    matrices: tuple[Matrix, ...]
    flows: tuple[FlowPanel, ...]
    notes: tuple[str, ...]
    body_only: bool


def _side_lines(a: str, b: str) -> tuple[tuple[SideLine, ...], tuple[SideLine, ...]]:
    """Both drawings' lines, each flagged when it is not in the other (by difflib)."""
    old_lines, new_lines = a.splitlines(), b.splitlines()
    old_changed = [True] * len(old_lines)
    new_changed = [True] * len(new_lines)
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            old_changed[block.a + k] = False
            new_changed[block.b + k] = False
    return (
        tuple(SideLine(text=t, changed=c) for t, c in zip(old_lines, old_changed, strict=True)),
        tuple(SideLine(text=t, changed=c) for t, c in zip(new_lines, new_changed, strict=True)),
    )


class _Svg:
    """DOT -> SVG for one page; remembers when Graphviz is missing."""

    def __init__(self, svg: Callable[[str], str] | None) -> None:
        self.svg = svg
        self.notes: list[str] = []

    def drawing(self, ident: str, title: str, dot: str) -> Drawing:
        if self.svg is None:
            return Drawing(id=ident, title=title)
        try:
            return Drawing(id=ident, title=title, svg=self.svg(dot))
        except DotMissing as err:
            self.notes.append(f"{err}: no drawings (install graphviz)")
            self.svg = None
        except DotFailed as err:
            self.notes.append(f"dot refused the drawing {title!r}: {err}")
        return Drawing(id=ident, title=title)


def fsm_marks(comparison: Comparison, old: Spec, new: Spec) -> Marks:
    """Added states and arcs (green), removed ones from the old spec (red,
    drawn although the new spec lacks them), changed ones highlighted."""
    states: dict[str, str] = {}
    for c in comparison.vocabulary:
        if c.what == "state":
            states[c.name] = {Status.ADDED: "added", Status.REMOVED: "removed"}.get(
                c.status, "highlight"
            )
    old_arcs = {(a.source, a.target): a for a in old.arcs}
    new_arcs = {(a.source, a.target): a for a in new.arcs}
    arcs: dict[tuple[str, str], str] = {}
    for key in new_arcs.keys() - old_arcs.keys():
        arcs[key] = "added"
    for key in old_arcs.keys() - new_arcs.keys():
        arcs[key] = "removed"
    by_name = {f"{s} -> {t}": (s, t) for s, t in new_arcs}
    for c in comparison.arcs:
        if c.what == "arc" and c.status is Status.CHANGED and c.name in by_name:
            arcs[by_name[c.name]] = "highlight"
    return Marks(
        states=states,
        arcs=arcs,
        extra_states=tuple(s for s in old.states if s.name not in new.state_map),
        extra_arcs=tuple(a for k, a in old_arcs.items() if k not in new_arcs),
    )


def _first_step(found: Answer) -> str:
    """What a matrix cell shows of a request: its first step, or how it ends."""
    if found.outcome is Outcome.ARRIVES and found.path is not None:
        return found.path[1] if len(found.path) > 1 else "\u00b7"
    return {Outcome.NEVER_ENDS: "hangs", Outcome.NO_STATE: "\u2013"}.get(found.outcome, "fails")


def _cell(found: Answer) -> tuple[str, str]:
    """A matrix cell for a request that did not change: (text, role)."""
    if found.outcome is Outcome.NO_STATE:
        return "", "none"
    if found.outcome is Outcome.ARRIVES and found.source == found.target:
        return "\u00b7", "same"
    if found.outcome is Outcome.ARRIVES and found.step is not None:
        return found.step, "step"
    if found.outcome is Outcome.NEVER_ENDS:
        return "hangs", "fail"
    return found.step or "fails", "fail"


def _matrices(comparison: Comparison, old: Spec, new: Spec, page_id: str) -> tuple[Matrix, ...]:
    by_kind: dict[DeviceKind, dict[tuple[str, str], StepChange]] = {}
    for c in comparison.steps:
        by_kind.setdefault(c.kind, {})[(c.source, c.target)] = c
    out = []
    for kind, in_old, in_new in device_kinds(old, new):
        status = "compared" if in_old and in_new else ("added" if in_new else "removed")
        steps = device_steps(new if in_new else old, kind)
        changes = by_kind.get(kind, {})
        states = steps.states
        if status == "compared":
            states = tuple(dict.fromkeys((*states, *device_steps(old, kind).states)))
        rows = []
        for source in states:
            cells = []
            for target in states:
                found = steps.answer(source, target)
                text, role = _cell(found)
                change = changes.get((source, target))
                old_text = ""
                if change is not None:
                    title = step_text(change)
                    if role == "none":
                        text = "\u2013"
                    old_text = _first_step(change.old)
                else:
                    title = f"{source} -> {target}: {outcome_text(found)}"
                cells.append(
                    Cell(
                        text=text,
                        role=role,
                        changed=change is not None,
                        title=title,
                        old_text=old_text,
                    )
                )
            rows.append((source, tuple(cells)))
        out.append(
            Matrix(
                id=f"{page_id}-steps-{kind.name}".replace("+", "-"),
                kind=kind,
                status=status,
                states=states,
                rows=tuple(rows),
                changed=len(changes),
            )
        )
    return tuple(out)


def _flow_panels(
    comparison: Comparison, old: Spec, new: Spec, page_id: str, svg: _Svg
) -> list[FlowPanel]:
    panels = []
    for name in comparison.flow_names:
        items = _flow_items(comparison, name)
        if not items and not any(f.flow == name for f in comparison.drawings):
            continue
        before, after = old.flow_map.get(name), new.flow_map.get(name)
        main = after or before
        assert main is not None
        panel_id = html_id(f"{page_id}-flow-{name}")
        kinds = []
        drawn = sorted((f for f in comparison.drawings if f.flow == name), key=lambda f: not f.own)
        for f in drawn:
            ident = html_id(f"{panel_id}-{f.kind.name}")
            a_lines, b_lines = _side_lines(f.diff.old, f.diff.new)
            a_draw = (
                svg.drawing(
                    f"{ident}-old",
                    f"{name}, old",
                    render_flow_dot(old, before, f.kind.features),
                )
                if before is not None
                else None
            )
            b_draw = (
                svg.drawing(
                    f"{ident}-new",
                    f"{name}, new",
                    render_flow_dot(new, after, f.kind.features),
                )
                if after is not None
                else None
            )
            kinds.append(
                FlowCompare(
                    id=ident,
                    title=f"device {f.kind.text}",
                    own=f.own,
                    old=FlowSide(label=old.path, lines=a_lines, drawing=a_draw),
                    new=FlowSide(label=new.path, lines=b_lines, drawing=b_draw),
                    unified=_named(f"device {f.kind.text}", f.diff),
                )
            )
        panels.append(
            FlowPanel(
                id=panel_id,
                name=name,
                title=main.title,
                items=items,
                kinds=tuple(kinds),
            )
        )
    return panels


def html_page(
    comparison: Comparison,
    old: Spec,
    new: Spec,
    *,
    body_only: bool = False,
    page_id: str = "migspec-diff",
    svg: Callable[[str], str] | None = None,
) -> HtmlPage:
    """Everything the HTML template shows.  ``svg``: DOT -> SVG (``None``: no drawings)."""
    drawer = _Svg(svg)
    marks = fsm_marks(comparison, old, new)
    fsm = drawer.drawing(
        f"{page_id}-fsm",
        f"{new.machine.title}: the new spec's machine",
        render_fsm_dot(new, None, marks=marks),
    )
    flows = _flow_panels(comparison, old, new, page_id, drawer)
    return HtmlPage(
        id=page_id,
        report=comparison_report(comparison),
        fsm=fsm,
        fsm_marked=len(marks.states) + len(marks.arcs),
        matrices=_matrices(comparison, old, new, page_id),
        flows=tuple(flows),
        notes=tuple(dict.fromkeys(drawer.notes)),
        body_only=body_only,
    )


def render_html_page(page: HtmlPage) -> str:
    return render_template("comparison.html.j2", page=page, version=__version__)


def render_comparison_html(
    comparison: Comparison,
    old: Spec,
    new: Spec,
    *,
    body_only: bool = False,
    page_id: str = "migspec-diff",
    svg: Callable[[str], str] | None = None,
) -> str:
    """The report as one self-contained page (``body_only``: the fragment to embed)."""
    return render_html_page(
        html_page(comparison, old, new, body_only=body_only, page_id=page_id, svg=svg)
    )
