"""Import stage: bootstrap a spec from a source tree that has none.

Inputs: a QEMU-layout source root and the user's choices (``--enum``,
``--header``, ``--to-string``, ``--docs``).  Outputs: the text of a spec in
the bundled spec's style (``templates/spec.yaml.j2``) and diagnostics.  What
the tree says is read (:mod:`.scan`, :mod:`.flows`): the enum's states and
values, the to-string function and its default, state classes from
predicates, the trace-events section of the to-string function's file,
flows from rst drawings, callbacks from designated initializers.  What it
cannot say -- features, arcs, groups, sessions -- is a placeholder or a
guess (arcs: the consecutive device states of the flows), and the file's
header comment says so.  The text is loaded back with
:func:`~migspec.load.spec.load_spec_text` before it is returned: import never
hands out a spec that does not load.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Location, Rule, Severity
from ..load.files import check_regular
from ..source.tree import TreeReader
from . import scan
from .flows import BRACKET_FEATURE, DrawnFlows, ImportedFlow, read_drawn_flows

RULES: tuple[Rule[Any], ...] = scan.RULES

BASE_FEATURE = "BASE"


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportOptions:
    enum: str | None = None
    header: str | None = None
    to_string: str | None = None
    docs: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportResult:
    text: str | None  # None: nothing worth writing (see diagnostics)
    diagnostics: tuple[Diagnostic, ...]

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


# -- what the template writes ------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class FeatureData:
    name: str
    macro: str
    bit: int
    mandatory: bool
    doc: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StateData:
    name: str
    value: int
    features: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    stand_in: str | None = None
    error: bool = False
    initial: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ArcData:
    source: str
    target: str
    features: tuple[str, ...] = ()
    without: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EventData:
    name: str
    args: tuple[str, ...]
    format: str
    properties: tuple[str, ...] = ()
    caller: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceData:
    file: str
    section: str
    events: tuple[EventData, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ToStringData:
    function: str
    file: str
    default: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecData:
    """Everything ``templates/spec.yaml.j2`` writes, prepared."""

    root: str
    review: tuple[str, ...]
    name: str
    title: str
    enum: str
    prefix: str
    header: str
    features: tuple[FeatureData, ...]
    classes: tuple[str, ...]
    states: tuple[StateData, ...]
    arcs: tuple[ArcData, ...]
    vm_states: tuple[str, ...]
    migration_states: tuple[str, ...]
    width: int | None
    connector_column: int | None
    callbacks: tuple[str, ...]
    flows: tuple[ImportedFlow, ...]
    flow_features: dict[str, tuple[str, ...]] = field(default_factory=dict)
    trace: TraceData | None = None
    to_string: ToStringData | None = None
    predicates: tuple[scan.FoundPredicate, ...] = ()


# -- the import ------------------------------------------------------------------------


def import_spec(root: str | os.PathLike[str], options: ImportOptions | None = None) -> ImportResult:
    """A spec for the tree at ``root``, as text, or the diagnostics that stop it."""
    from ..source.c import CReader

    opts = options or ImportOptions()
    # Every file of the tree is read through this one reader: regular files
    # only, within the size limit, inside the root.  What it refuses is
    # reported (once per file) and the import goes on without it.
    base = TreeReader.at(root)
    reader = CReader()
    diagnostics: list[Diagnostic] = []

    def result(text: str | None, *more: Diagnostic) -> ImportResult:
        return ImportResult(text=text, diagnostics=(*_skipped(base), *diagnostics, *more))

    enum, found = scan.find_enum(base, reader, opts.enum, opts.header)
    diagnostics.extend(found)
    if enum is None:
        return result(None)
    prefix = enum.prefix
    states = [(c.name[len(prefix) :], c.value) for c in enum.read.constants]
    c_files = scan.c_files_naming(base, prefix)
    to_string, found = scan.find_to_string(base, reader, enum, c_files, opts.to_string)
    diagnostics.extend(found)
    if any(d.severity is Severity.ERROR for d in found):
        return result(None)
    predicates, found = scan.find_predicates(
        base, reader, enum, c_files, to_string.function if to_string else None
    )
    diagnostics.extend(found)
    predicates = _unique_classes(predicates)

    trace: TraceData | None = None
    callbacks: tuple[str, ...] = ()
    if to_string is not None:
        cfile = reader.parse_bytes(
            base.read(to_string.file) or b"", base.tree.display(to_string.file)
        )
        callbacks = tuple(scan.find_callbacks(cfile))
        trace, found = _trace(base, to_string.file, scan.callers_of(cfile))
        diagnostics.extend(found)

    names = [name for name, _ in states]
    docs, found = scan.find_docs(base, opts.docs, names, "_")
    diagnostics.extend(found)
    if any(d.severity is Severity.ERROR for d in found):
        return result(None)
    drawn = DrawnFlows()
    docs_bytes = base.read(docs) if docs is not None else None
    if docs is not None and docs_bytes is not None:
        drawn, found = read_drawn_flows(
            docs_bytes, docs, base.tree.display(docs), {f"_{n}": n for n in names}
        )
        diagnostics.extend(found)

    data = _assemble(os.fspath(root), enum, states, to_string, predicates, trace, callbacks, drawn)
    from ..load.spec import load_spec_text
    from ..render.env import render_template

    text = render_template("spec.yaml.j2", spec=data)
    loaded = load_spec_text(text, "<imported spec>")
    if loaded.spec is None:
        # A bug of ours (the template or the data); never hand out such a file.
        return result(None, *loaded.diagnostics)
    return result(text)


def _skipped(tree: TreeReader) -> list[Diagnostic]:
    """What the tree reader refused, as warnings: the import went on without those files."""
    return [replace(d, severity=Severity.WARNING) for d in tree.diagnostics]


def _unique_classes(found: list[scan.FoundPredicate]) -> list[scan.FoundPredicate]:
    from dataclasses import replace

    seen: set[str] = set()
    out = []
    for pred in found:
        name = pred.class_name if pred.class_name not in seen else pred.function
        seen.add(name)
        out.append(replace(pred, class_name=name))
    return out


def _trace(
    root: TreeReader, c_file: str, callers: dict[str, list[str]]
) -> tuple[TraceData | None, list[Diagnostic]]:
    from ..load.trace_events import read_trace_events

    rel = Path(os.path.dirname(c_file), "trace-events").as_posix()
    section = os.path.basename(c_file)
    where = Location(root.tree.display(rel))
    refused = check_regular(root.tree.path(rel))
    if refused is not None and not refused.exists:
        return None, [
            scan.SKIPPED.diagnostic(
                f"no trace-events file beside {c_file}; the spec has no trace section", where
            )
        ]
    if not root.inside(rel):
        return None, []
    parsed = read_trace_events(str(root.tree.path(rel)), where.path)
    if not parsed.readable:
        # Not UTF-8, a FIFO, too large: said, not taken for a file with no events.
        return None, [replace(d, severity=Severity.WARNING) for d in parsed.diagnostics] + [
            scan.SKIPPED.diagnostic("trace-events file not read; no trace section", where)
        ]
    events = [e for e in parsed.events if e.section == section]
    if not events:
        return None, [
            scan.SKIPPED.diagnostic(
                f"no events in a '# {section}' section; no trace section", where
            )
        ]
    out = []
    for line in events:
        who = callers.get(line.event.name, [])
        out.append(
            EventData(
                name=line.event.name,
                args=tuple(str(a) for a in line.event.args),
                format=line.event.format,
                properties=line.event.properties,
                caller=who[0] if len(who) == 1 else None,
            )
        )
    return TraceData(file=rel, section=section, events=tuple(out)), []


def _assemble(
    root: str,
    enum: scan.FoundEnum,
    states: list[tuple[str, int | None]],
    to_string: scan.FoundToString | None,
    predicates: list[scan.FoundPredicate],
    trace: TraceData | None,
    callbacks: tuple[str, ...],
    drawn: DrawnFlows,
) -> SpecData:
    prefix = enum.prefix
    names = [n for n, _ in states]
    bracketed = any(f.bracketed for f in drawn.flows)
    features = [
        FeatureData(
            name=BASE_FEATURE,
            macro=f"{prefix}FEATURE_BASE",
            bit=0,
            mandatory=True,
            doc="Placeholder: what every device supports. Name the real capability flags.",
        )
    ]
    if bracketed:
        features.append(
            FeatureData(
                name=BRACKET_FEATURE,
                macro=f"{prefix}FEATURE_OPTIONAL",
                bit=1,
                mandatory=False,
                doc="Placeholder: what the drawings put in square brackets needs this.",
            )
        )
    errors = [n for n in names if "ERROR" in n.split("_")]
    error = errors[0] if len(errors) == 1 else None
    first_flow = drawn.flows[0] if drawn.flows else None
    initial = (
        first_flow.steps[0].base
        if first_flow
        else next((n for n, _ in sorted(states, key=lambda s: s[1] or 0) if n != error), None)
    )
    classes_of: dict[str, list[str]] = {n: [] for n in names}
    for pred in predicates:
        for constant in pred.constants:
            classes_of.setdefault(constant[len(prefix) :], []).append(pred.class_name)
    state_data = tuple(
        StateData(
            name=name,
            value=value or 0,
            features=()
            if name == error
            else (BASE_FEATURE, BRACKET_FEATURE)
            if name in drawn.stand_ins
            else (BASE_FEATURE,),
            classes=tuple(classes_of.get(name, ())),
            stand_in=drawn.stand_ins.get(name),
            error=name == error,
            initial=name == initial,
        )
        for name, value in states
    )
    optional = (BRACKET_FEATURE,) if bracketed else ()
    return SpecData(
        root=root,
        review=_review(error, initial, drawn, bracketed, _odd_strings(to_string, prefix)),
        name=enum.read.name.lower().replace("_", "-"),
        title=enum.read.name,
        enum=enum.read.name,
        prefix=prefix,
        header=enum.header,
        features=tuple(features),
        classes=tuple(dict.fromkeys(p.class_name for p in predicates)),
        states=state_data,
        arcs=_arcs(drawn, optional, error),
        vm_states=drawn.vm_states,
        migration_states=drawn.migration_states,
        width=drawn.width if drawn.width not in (None, 80) else None,
        connector_column=drawn.connector_column if drawn.connector_column != 38 else None,
        callbacks=callbacks,
        flows=drawn.flows,
        flow_features={f.name: optional for f in drawn.flows},
        trace=trace,
        to_string=ToStringData(
            function=to_string.function, file=to_string.file, default=to_string.default
        )
        if to_string
        else None,
        predicates=tuple(predicates),
    )


def _arcs(drawn: DrawnFlows, optional: tuple[str, ...], error: str | None) -> tuple[ArcData, ...]:
    """The arcs the flows imply: each change of device state between two drawn steps.

    With every feature a device goes through the steps' states; without the
    bracketed ones, through the states drawn outside brackets (skipping steps
    that exist only with them).  An arc only the second walk takes is marked
    ``without`` the bracket feature.
    """
    needs = set(drawn.stand_ins)
    full: list[tuple[str, str]] = []
    bare: list[tuple[str, str]] = []
    for flow in drawn.flows:
        for walk, use_base in ((full, False), (bare, True)):
            steps = [s for s in flow.steps if not (use_base and s.features)]
            seq = [s.base if use_base else s.device for s in steps]
            for a, b in itertools.pairwise(seq):
                if a != b and error not in (a, b) and (a, b) not in walk:
                    walk.append((a, b))
    out = [
        ArcData(source=a, target=b, features=optional if {a, b} & needs else ()) for a, b in full
    ]
    out += [ArcData(source=a, target=b, without=optional) for a, b in bare if (a, b) not in full]
    return tuple(out)


def _odd_strings(to_string: scan.FoundToString | None, prefix: str) -> list[str]:
    """What the review header says about strings that are not the state's name."""
    if to_string is None:
        return []
    return [
        f'{to_string.function}() returns "{text}" for {constant}, not the state\'s name'
        for constant, text in to_string.strings.items()
        if text != constant[len(prefix) :]
    ]


def _review(
    error: str | None,
    initial: str | None,
    drawn: DrawnFlows,
    bracketed: bool,
    odd_strings: list[str],
) -> tuple[str, ...]:
    lines = [
        "features: one mandatory placeholder (BASE); list the real capability flags,",
        "  their macros and bits, and which states need which.",
        "arcs: only the changes of device state the flows draw; add every arc a",
        "  device implements, the refused ones, and sessions (open/close).",
        "groups: none were read; add the states that share a data session.",
        "code.setters and code.registrations: none were read; the transition check",
        "  needs them, and flow steps need their callbacks.",
    ]
    if bracketed:
        lines += [
            f"{BRACKET_FEATURE}: the drawings bracket what some devices do; this one",
            "  placeholder feature stands for whatever they need.",
        ]
    lines.append(
        f"error state: {error}" if error else "error state: none found; mark one (error: true)."
    )
    lines.append(f"initial state: {initial} (the first drawn step's device state)")
    if not drawn.flows:
        lines.append("flows: no drawing was read (see --docs).")
    for odd in odd_strings:
        lines += [
            f"strings: {odd};",
            "  migspec check reports it (states are named after the enum).",
        ]
    return tuple(lines)
