"""``migspec diff`` reports: text, JSON and one self-contained HTML page.

Inputs: a :class:`~migspec.review.SpecDiff` (and, for HTML, the two specs,
whose drawings it shows).  Outputs: text from ``templates/diff.txt.j2``, HTML
from ``templates/diff.html.j2`` (a whole page, or with ``body_only`` the
fragment the Sphinx directive embeds), and JSON of :func:`diff_json_data`.
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

from ..fsm.engine import steps_for
from ..fsm.projection import feature_set_name
from ..model import Spec
from ..review import (
    Change,
    FlowDiff,
    Outcome,
    SpecDiff,
    StepChange,
    TextDiff,
    device_kinds,
    has_kind,
)
from .dot import DotFailed, DotMissing, Marks, kind_text, render_flow_dot, render_fsm_dot

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
    """A line of a unified diff: ``kind`` is "file", "hunk", "add", "del" or "context"."""

    kind: str
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
    return Item(mark=change.kind, text=f"{change.what} {change.name}", details=change.details)


def diff_lines(unified: str) -> tuple[DiffLine, ...]:
    out = []
    for line in unified.splitlines():
        if line.startswith(("--- ", "+++ ")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "context"
        out.append(DiffLine(kind=kind, text=line))
    return tuple(out)


def _named(title: str, diff: TextDiff) -> NamedDiff:
    return NamedDiff(title=title, unified=diff.unified, lines=diff_lines(diff.unified))


def outcome_text(outcome: Outcome, path: tuple[str, ...] | None) -> str:
    if outcome is Outcome.PATH and path is not None:
        return " -> ".join(path)
    return {
        Outcome.REFUSED: "refused (the request fails)",
        Outcome.FAILS: "no legal path (the request fails)",
        Outcome.HANGS: "hangs (the next-state lookup never returns)",
        Outcome.NO_STATE: "no such state on this device",
        Outcome.PATH: "-",
    }[outcome]


def step_text(change: StepChange) -> str:
    """``RUNNING -> STOP_COPY: was RUNNING -> STOP -> STOP_COPY, now ...``."""
    return (
        f"{change.source} -> {change.target}: "
        f"was {outcome_text(change.old_outcome, change.old)}, "
        f"now {outcome_text(change.new_outcome, change.new)}"
    )


def _step_blocks(diff: SpecDiff, labels: dict[str, str]) -> list[Block]:
    blocks = []
    if diff.kinds:
        blocks.append(Block(title="Device kinds", items=tuple(_item(c) for c in diff.kinds)))
    for kind, changes in itertools.groupby(diff.steps, key=lambda c: c.features):
        blocks.append(
            Block(
                title=f"device {labels.get(kind, kind)} ({kind})",
                items=tuple(Item(mark="changed", text=step_text(c)) for c in changes),
            )
        )
    return blocks


def _flow_items(diff: SpecDiff, name: str) -> tuple[Item, ...]:
    """A flow's own changes; the block's title already names the flow."""
    items: list[Item] = []
    for c in diff.flow_changes:
        if c.name != name:
            continue
        if c.kind == "changed":
            items.extend(Item(mark="changed", text=d) for d in c.details)
        else:
            items.append(Item(mark=c.kind, text=f"flow {c.kind}"))
    return tuple(items)


def _flow_blocks(diff: SpecDiff) -> list[Block]:
    blocks = []
    for name in diff.flow_names:
        diffs = tuple(
            _named(f"device {f.label}" + (" (as the docs draw it)" if f.own else ""), f.diff)
            for f in diff.flows
            if f.flow == name
        )
        blocks.append(Block(title=f"flow {name}", items=_flow_items(diff, name), diffs=diffs))
    return blocks


def diff_report(diff: SpecDiff, kind_labels: dict[str, str] | None = None) -> Report:
    """The sections, in the order a reviewer reads them."""
    labels = kind_labels or {}
    compared = ", ".join(diff.kinds_compared) or "none"
    blocks: dict[str, list[Block]] = {
        "vocabulary": [Block(title="", items=tuple(_item(c) for c in diff.vocabulary))],
        "arcs": [Block(title="", items=tuple(_item(c) for c in diff.arcs))],
        "steps": _step_blocks(diff, labels),
        "flows": _flow_blocks(diff),
        "trace": [Block(title="", items=tuple(_item(c) for c in diff.trace))],
        "code": [Block(title="", diffs=tuple(_named(d.title or d.name, d) for d in diff.code))],
        "other": [Block(title="", items=tuple(_item(c) for c in diff.other))],
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
        old=diff.old_name,
        new=diff.new_name,
        equivalent=diff.equivalent,
        sections=tuple(sections),
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def kind_labels(old: Spec, new: Spec) -> dict[str, str]:
    """Device kind name -> "with P2P", from whichever spec has the kind."""
    out: dict[str, str] = {}
    for spec in (old, new):
        for features in spec.feature_sets():
            out[feature_set_name(spec, features)] = kind_text(spec, features)
    return out


def render_diff_text(diff: SpecDiff, kind_labels: dict[str, str] | None = None) -> str:
    from .env import render_template

    return render_template("diff.txt.j2", report=diff_report(diff, kind_labels))


# -- JSON -----------------------------------------------------------------------


def _change_json(change: Change) -> dict[str, Any]:
    return {
        "change": change.kind,
        "what": change.what,
        "name": change.name,
        "details": list(change.details),
    }


def _side_json(outcome: Outcome, path: tuple[str, ...] | None) -> dict[str, Any]:
    return {"outcome": outcome.value, "path": list(path) if path is not None else None}


def _flow_json(f: FlowDiff) -> dict[str, Any]:
    return {
        "flow": f.flow,
        "kind": f.kind,
        "features": sorted(f.features),
        "own": f.own,
        "unified": f.diff.unified,
    }


def diff_json_data(diff: SpecDiff) -> dict[str, Any]:
    """The documented JSON shape (``docs/review.rst``); keys in section order."""
    return {
        "migspec_diff": JSON_VERSION,
        "old": diff.old_name,
        "new": diff.new_name,
        "equivalent": diff.equivalent,
        "vocabulary": [_change_json(c) for c in diff.vocabulary],
        "arcs": [_change_json(c) for c in diff.arcs],
        "steps": {
            "kinds_compared": list(diff.kinds_compared),
            "kinds": [_change_json(c) for c in diff.kinds],
            "changes": [
                {
                    "kind": c.features,
                    "source": c.source,
                    "target": c.target,
                    "old": _side_json(c.old_outcome, c.old),
                    "new": _side_json(c.new_outcome, c.new),
                }
                for c in diff.steps
            ],
        },
        "flows": {
            "changes": [_change_json(c) for c in diff.flow_changes],
            "drawings": [_flow_json(f) for f in diff.flows],
        },
        "trace": [_change_json(c) for c in diff.trace],
        "code": [{"name": d.name, "title": d.title, "unified": d.unified} for d in diff.code],
        "other": [_change_json(c) for c in diff.other],
    }


def render_diff_json(diff: SpecDiff) -> str:
    return json.dumps(diff_json_data(diff), indent=2) + "\n"


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
    kind: str
    changed: bool
    title: str
    # A changed cell: what the old spec stepped to first ("" when it had no step).
    old_text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Matrix:
    id: str
    kind: str
    label: str
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


def fsm_marks(diff: SpecDiff, old: Spec, new: Spec) -> Marks:
    """Added states and arcs (green), removed ones from the old spec (red,
    drawn although the new spec lacks them), changed ones highlighted."""
    states: dict[str, str] = {}
    for c in diff.vocabulary:
        if c.what == "state":
            states[c.name] = {"added": "added", "removed": "removed"}.get(c.kind, "highlight")
    old_arcs = {(a.source, a.target): a for a in old.arcs}
    new_arcs = {(a.source, a.target): a for a in new.arcs}
    arcs: dict[tuple[str, str], str] = {}
    for key in new_arcs.keys() - old_arcs.keys():
        arcs[key] = "added"
    for key in old_arcs.keys() - new_arcs.keys():
        arcs[key] = "removed"
    by_name = {f"{s} -> {t}": (s, t) for s, t in new_arcs}
    for c in diff.arcs:
        if c.what == "arc" and c.kind == "changed" and c.name in by_name:
            arcs[by_name[c.name]] = "highlight"
    return Marks(
        states=states,
        arcs=arcs,
        extra_states=tuple(s for s in old.states if s.name not in new.state_map),
        extra_arcs=tuple(a for k, a in old_arcs.items() if k not in new_arcs),
    )


def _first_step(outcome: Outcome, path: tuple[str, ...] | None) -> str:
    if outcome is Outcome.PATH and path is not None:
        return path[1] if len(path) > 1 else "\u00b7"
    return {Outcome.HANGS: "hangs", Outcome.NO_STATE: "\u2013"}.get(outcome, "fails")


def _cell(steps_next: Any, error: str | None, source: str, target: str) -> tuple[str, str]:
    if source not in steps_next or target not in steps_next:
        return "", "none"
    if source == target:
        return "\u00b7", "same"
    step = steps_next[source].get(target)
    if step is None:
        return "hangs", "fail"
    if step == error:
        return step, "fail"
    return step, "step"


def _matrices(diff: SpecDiff, old: Spec, new: Spec, page_id: str) -> tuple[Matrix, ...]:
    by_kind: dict[str, dict[tuple[str, str], StepChange]] = {}
    for c in diff.steps:
        by_kind.setdefault(c.features, {})[(c.source, c.target)] = c
    out = []
    for name, features, spec in device_kinds(old, new):
        in_old, in_new = has_kind(old, features), has_kind(new, features)
        status = "compared" if in_old and in_new else ("added" if in_new else "removed")
        shown = new if in_new else old
        steps = steps_for(shown, features)
        changes = by_kind.get(name, {})
        states = steps.states
        if status == "compared":
            before = steps_for(old, features).states
            states = tuple(dict.fromkeys((*states, *before)))
        rows = []
        for source in states:
            cells = []
            for target in states:
                text, kind = _cell(steps.next, steps.error, source, target)
                change = changes.get((source, target))
                old_text = ""
                if change is not None:
                    title = step_text(change)
                    if kind == "none":
                        text = "\u2013"
                    old_text = _first_step(change.old_outcome, change.old)
                else:
                    path = steps.path(source, target) if kind == "step" else None
                    title = f"{source} -> {target}: " + (
                        " -> ".join(path) if path else text or "no such state"
                    )
                cells.append(
                    Cell(
                        text=text,
                        kind=kind,
                        changed=change is not None,
                        title=title,
                        old_text=old_text,
                    )
                )
            rows.append((source, tuple(cells)))
        out.append(
            Matrix(
                id=f"{page_id}-steps-{name}".replace("+", "-"),
                kind=name,
                label=kind_text(spec, features),
                status=status,
                states=states,
                rows=tuple(rows),
                changed=len(changes),
            )
        )
    return tuple(out)


def _flow_panels(diff: SpecDiff, old: Spec, new: Spec, page_id: str, svg: _Svg) -> list[FlowPanel]:
    from ..render.escape import html_id

    panels = []
    for name in diff.flow_names:
        items = _flow_items(diff, name)
        if not items and not any(f.flow == name for f in diff.flows):
            continue
        before, after = old.flow_map.get(name), new.flow_map.get(name)
        main = after or before
        assert main is not None
        panel_id = html_id(f"{page_id}-flow-{name}")
        kinds = []
        for f in sorted((f for f in diff.flows if f.flow == name), key=lambda f: not f.own):
            ident = html_id(f"{panel_id}-{f.kind}")
            a_lines, b_lines = _side_lines(f.diff.old, f.diff.new)
            a_draw = (
                svg.drawing(
                    f"{ident}-old",
                    f"{name}, old",
                    render_flow_dot(old, before, f.features),
                )
                if before is not None
                else None
            )
            b_draw = (
                svg.drawing(
                    f"{ident}-new",
                    f"{name}, new",
                    render_flow_dot(new, after, f.features),
                )
                if after is not None
                else None
            )
            kinds.append(
                FlowCompare(
                    id=ident,
                    title=f"device {f.label}",
                    own=f.own,
                    old=FlowSide(label=old.path, lines=a_lines, drawing=a_draw),
                    new=FlowSide(label=new.path, lines=b_lines, drawing=b_draw),
                    unified=_named(f"device {f.label}", f.diff),
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
    diff: SpecDiff,
    old: Spec,
    new: Spec,
    *,
    body_only: bool = False,
    page_id: str = "migspec-diff",
    svg: Callable[[str], str] | None = None,
) -> HtmlPage:
    """Everything the HTML template shows.  ``svg``: DOT -> SVG (``None``: no drawings)."""
    drawer = _Svg(svg)
    marks = fsm_marks(diff, old, new)
    fsm = drawer.drawing(
        f"{page_id}-fsm",
        f"{new.machine.title}: the new spec's machine",
        render_fsm_dot(new, None, marks=marks),
    )
    flows = _flow_panels(diff, old, new, page_id, drawer)
    return HtmlPage(
        id=page_id,
        report=diff_report(diff, kind_labels(old, new)),
        fsm=fsm,
        fsm_marked=len(marks.states) + len(marks.arcs),
        matrices=_matrices(diff, old, new, page_id),
        flows=tuple(flows),
        notes=tuple(dict.fromkeys(drawer.notes)),
        body_only=body_only,
    )


def render_html_page(page: HtmlPage) -> str:
    from .. import __version__
    from .env import render_template

    return render_template("diff.html.j2", page=page, version=__version__)


def render_diff_html(
    diff: SpecDiff,
    old: Spec,
    new: Spec,
    *,
    body_only: bool = False,
    page_id: str = "migspec-diff",
    svg: Callable[[str], str] | None = None,
) -> str:
    """The report as one self-contained page (``body_only``: the fragment to embed)."""
    return render_html_page(
        html_page(diff, old, new, body_only=body_only, page_id=page_id, svg=svg)
    )
