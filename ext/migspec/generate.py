"""``migspec generate``: every artefact for every flow and device kind, and an
``index.html`` that shows them.

Inputs: a spec and an output directory.  What is written comes from the
artefact registry (:mod:`migspec.artefacts`): each artefact with a listing
(C, trace-events) once, the drawings per flow and device kind.  Outputs: files under the directory
(written atomically, unchanged ones left alone) and a :class:`GenerateReport`.
Layout of the directory::

    index.html                         the page (self-contained: inline SVG and CSS)
    fsm/machine.dot|svg                every state, styled by feature, refused pairs shown
    fsm/<kind>.dot|svg                 one device kind (``none``, ``P2P``, ``P2P+PRE_COPY``...)
    flows/<flow>/<kind>.projected.rst  the literal block for that kind
    flows/<flow>/<kind>.bracketed.rst  base flow, the kind's extra parts in brackets
    flows/<flow>/<kind>.dot|svg        the flow as a graph
    c/<enum>.h, c/<to-string>.c, c/predicates.c, c/kernel-table.c (when the spec names the kernel's tables)
    trace-events

SVG needs Graphviz ``dot``; without it the ``.dot`` files are still written
and the report says so.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .artefacts import Choice, applicable, artefact
from .diagnostics import Diagnostic, Location
from .expect.flows import expect_flow
from .model import Flow, FlowStyle, Machine, Spec
from .render.dot import DotFailed, DotMissing, render_svg
from .render.env import render_template
from .render.escape import html_id
from .writes import (
    WriteError,
    claim_directory,
    confine,
    shared_path,
    sweep_temporaries,
    write_atomic,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Drawing:
    id: str
    title: str
    dot_path: str
    dot: str
    # Empty when there is no SVG (Graphviz missing).
    svg_path: str = ""
    svg: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    id: str
    title: str
    path: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowKind:
    name: str
    label: str
    own: bool  # the flow's own feature set (the one QEMU's docs draw)
    drawing: Drawing
    projected: Listing
    bracketed: Listing


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowPage:
    flow: Flow
    kinds: tuple[FlowKind, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    version: str
    spec_path: str
    machine: Machine
    machine_drawing: Drawing
    kind_drawings: tuple[Drawing, ...]
    flows: tuple[FlowPage, ...]
    code: tuple[Listing, ...]
    trace: Listing | None
    notes: tuple[str, ...]


@dataclass
class GenerateReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dot_missing: bool = False
    # Files not written: a path (or a symlink in ``out``) leading outside
    # ``out``, or a write the system refused (see :mod:`migspec.writes`).
    refused: list[Diagnostic] = field(default_factory=list)


class _Builder:
    """Collects the files of one run: path -> text, plus what went wrong."""

    def __init__(self, spec: Spec, svg: Callable[[str], str] | None) -> None:
        self.spec = spec
        self.svg = svg
        self.files: dict[str, str] = {}
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.dot_missing = False
        # Paths two artefacts were laid out at (the second one is dropped).
        self.shared: list[str] = []

    def add(self, path: str, text: str) -> str:
        if path in self.files:
            # A to-string function named "predicates", say: c/predicates.c twice.
            self.shared.append(path)
            return path
        self.files[path] = text
        return path

    def drawing(self, ident: str, title: str, stem: str, dot: str) -> Drawing:
        dot_path = self.add(f"{stem}.dot", dot)
        if self.svg is None or self.dot_missing:
            return Drawing(id=ident, title=title, dot_path=dot_path, dot=dot)
        try:
            svg = self.svg(dot)
        except DotMissing as err:
            self.dot_missing = True
            self.warnings.append(f"{err}: wrote .dot files only, no SVG (install graphviz)")
            return Drawing(id=ident, title=title, dot_path=dot_path, dot=dot)
        except DotFailed as err:
            # One drawing dot cannot lay out must not lose the others.
            self.warnings.append(f"dot refused {dot_path} ({err}); no SVG for it")
            return Drawing(id=ident, title=title, dot_path=dot_path, dot=dot)
        svg_path = self.add(f"{stem}.svg", svg)
        return Drawing(
            id=ident, title=title, dot_path=dot_path, dot=dot, svg_path=svg_path, svg=svg
        )

    def listing(self, ident: str, title: str, path: str, text: str) -> Listing:
        return Listing(id=ident, title=title, path=self.add(path, text), text=text)


def build_site(
    spec: Spec, *, svg: Callable[[str], str] | None = render_svg
) -> tuple[Site, _Builder]:
    """Every artefact as text, and the page's data; nothing is written yet.

    ``svg`` turns DOT into SVG (``None``: no SVG at all).
    """
    b = _Builder(spec, svg)
    fsm_dot, flow_dot, flow_rst = artefact("fsm-dot"), artefact("flow-dot"), artefact("flow-rst")
    kinds = spec.device_kinds
    machine_drawing = b.drawing(
        "fsm-machine",
        f"{spec.machine.title}: every state",
        "fsm/machine",
        fsm_dot.render(spec, Choice(show_refused=True)),
    )
    kind_drawings = tuple(
        b.drawing(
            html_id(f"fsm-{kind.name}"),
            f"device {kind.text}",
            f"fsm/{kind.name}",
            fsm_dot.render(spec, Choice(features=kind.features)),
        )
        for kind in kinds
    )
    flows = []
    for flow in spec.flows:
        own = flow.features | spec.mandatory_features
        pages = []
        for kind in sorted(kinds, key=lambda kind: kind.features != own):
            k = kind.features
            name = kind.name
            stem = f"flows/{flow.name}/{name}"
            ident = html_id(f"flow-{flow.name}-{name}")
            for style in FlowStyle:
                unresolved = expect_flow(spec, flow, features=k, style=style).unresolved
                for state in unresolved:
                    b.warnings.append(
                        f"flow {flow.name}, device {kind.text}: "
                        f"no stand-in for {state}; drawn as written"
                    )
            pages.append(
                FlowKind(
                    name=name,
                    label=kind.text,
                    own=k == own,
                    drawing=b.drawing(
                        ident,
                        f"{flow.title}, device {kind.text}",
                        stem,
                        flow_dot.render(spec, Choice(flow=flow, features=k)),
                    ),
                    projected=b.listing(
                        f"{ident}-projected",
                        "rst literal block, projected",
                        f"{stem}.projected.rst",
                        flow_rst.render(
                            spec, Choice(flow=flow, features=k, style=FlowStyle.PROJECTED)
                        ),
                    ),
                    bracketed=b.listing(
                        f"{ident}-bracketed",
                        "rst literal block, bracketed",
                        f"{stem}.bracketed.rst",
                        flow_rst.render(
                            spec, Choice(flow=flow, features=k, style=FlowStyle.BRACKETED)
                        ),
                    ),
                )
            )
        flows.append(FlowPage(flow=flow, kinds=tuple(pages)))
    # One listing per artefact that has one (C, trace-events), in registry order.
    code: list[Listing] = []
    trace = None
    for item in applicable(spec):
        if item.listing is None:
            continue
        shown = b.listing(
            f"listing-{item.name}",
            item.title(spec),
            item.listing(spec),
            item.render(spec, Choice()),
        )
        if item.page_section == "trace":
            trace = shown
        else:
            code.append(shown)
    site = Site(
        version=__version__,
        spec_path=spec.path,
        machine=spec.machine,
        machine_drawing=machine_drawing,
        kind_drawings=kind_drawings,
        flows=tuple(flows),
        code=tuple(code),
        trace=trace,
        notes=tuple(b.notes + b.warnings),
    )
    return site, b


def render_index(site: Site) -> str:
    return render_template("index.html.j2", site=site)


def generate(
    spec: Spec,
    out: Path,
    *,
    svg: Callable[[str], str] | None = render_svg,
    force: bool = False,
) -> GenerateReport:
    """Write every artefact and ``index.html`` under ``out``.

    Only into a directory that is empty or that an earlier run marked as its
    own, unless ``force`` (:func:`migspec.writes.claim_directory`): else
    nothing is written and the refusal is in ``report.refused``.
    """
    report = GenerateReport()
    refused = claim_directory(out, force=force)
    if refused is not None:
        report.refused.append(refused)
        return report
    site, builder = build_site(spec, svg=svg)
    builder.add("index.html", render_index(site))
    report = GenerateReport(
        warnings=list(builder.warnings), notes=list(builder.notes), dot_missing=builder.dot_missing
    )
    for rel in builder.shared:
        report.refused.append(shared_path(str(out / rel), "another artefact", "an artefact"))
    folders = sorted({os.path.dirname(rel) for rel in builder.files})
    for folder in folders:
        report.refused.extend(
            sweep_temporaries(out / folder, os.path.normpath(os.path.join(str(out), folder)))
        )
    for rel, text in builder.files.items():
        try:
            # A symlink in ``out`` must not carry a write outside it.
            target = confine(out, rel)
            changed = write_atomic(
                target, text.encode("utf-8"), display=str(out / rel), force=force
            )
        except WriteError as err:
            where = Location(str(out / rel))
            report.refused.append(replace(err.diagnostic, location=where))
            continue
        (report.written if changed else report.unchanged).append(rel)
    return report
