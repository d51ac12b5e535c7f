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
from ..fsm.engine import full_table
from ..load.files import check_regular
from ..load.spec import load_spec_text
from ..load.trace_events import read_trace_events
from ..model import state_of_constant
from ..render.env import render_template
from ..source.c import CFile, CReader, unwrap
from ..source.tree import TreeReader
from . import scan, verify
from .flows import BRACKET_FEATURE, DrawnFlows, ImportedFlow, read_drawn_flows
from .kernel import find_kernel_tables, machine_from_tables, table_path
from .transitions import (
    FoundRegistration,
    RegisteredCallback,
    find_registrations,
    find_setters,
    registered_steps,
    requested_states,
    step_callbacks,
)
from .uapi import ArcData, CommentWords, FeatureData, UapiMachine, bit_macros, read_uapi_machine

RULES: tuple[Rule[Any], ...] = (*scan.RULES, *verify.RULES)

BASE_FEATURE = "BASE"


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportOptions:
    enum: str | None = None
    header: str | None = None
    to_string: str | None = None
    docs: str | None = None
    kernel_root: str | None = None
    words: CommentWords = field(default_factory=CommentWords.of)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportResult:
    text: str | None  # None: nothing worth writing (see diagnostics)
    diagnostics: tuple[Diagnostic, ...]

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


# -- what the template writes ------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class StateData:
    name: str
    value: int
    features: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    stand_in: str | None = None
    stand_in_by: tuple[tuple[str, str], ...] = ()  # missing feature -> state
    error: bool = False
    initial: bool = False
    doc: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupData:
    name: str
    doc: str
    interior: str


@dataclass(frozen=True, slots=True, kw_only=True)
class KernelData:
    file: str
    function: str
    next_table: str
    flags_table: str
    header: str
    bound: str  # the constant the tables are sized by ("": not read)


@dataclass(frozen=True, slots=True, kw_only=True)
class WalkData:
    skip_unsupported: bool
    error_flags_all: bool
    stop_at_error: bool


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
    groups: tuple[GroupData, ...] = ()
    state_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    refused: tuple[ArcData, ...] = ()
    code_features: tuple[str, ...] | None = None  # None: every optional feature
    kernel: KernelData | None = None
    walk: WalkData | None = None
    pins: tuple[tuple[str, ...], ...] = ()
    setters: tuple[Any, ...] = ()  # transitions.FoundSetter
    step_callbacks: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    registered: tuple[RegisteredCallback, ...] = ()  # callbacks registration calls name
    registrations: tuple[FoundRegistration, ...] = ()


# -- the import ------------------------------------------------------------------------


def import_spec(
    root: str | os.PathLike[str] | None, options: ImportOptions | None = None
) -> ImportResult:
    """A spec for the tree at ``root``, as text, or the diagnostics that stop it.

    ``root`` is a QEMU-layout tree; ``None`` imports from ``options.kernel_root``
    alone (the uAPI header and the core's tables).
    """

    opts = options or ImportOptions()
    if root is None:
        if opts.kernel_root is None:
            raise ValueError("import_spec needs a source root or a kernel root")
        return _import_kernel(Path(opts.kernel_root), opts)
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
    states = [
        (name, c.value)
        for c in enum.read.constants
        if (name := state_of_constant(prefix, c.name)) is not None
    ]
    uapi = read_uapi_machine(
        scan.read_text(base, enum.header), enum.read.name, [name for name, _ in states], opts.words
    )
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
    setters: list[Any] = []
    cfile = None
    if to_string is not None:
        cfile = reader.parse_bytes(
            base.read(to_string.file) or b"", base.tree.display(to_string.file)
        )
        callbacks = tuple(scan.find_callbacks(cfile))
        skip = [to_string.function, *(p.function for p in predicates)]
        setters = find_setters(cfile, enum.read.name, skip)
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

    handled = scan.features_handled(base, c_files, to_string, uapi, prefix) if uapi else None
    data = _assemble(os.fspath(root), enum, states, to_string, predicates, trace, callbacks, drawn)
    if uapi is not None:
        data = with_uapi(data, uapi, enum.header, handled)
    if setters and drawn.flows and cfile is not None and to_string is not None:
        docs_text = scan.read_text(base, docs) if docs is not None else ""
        data = _with_transitions(data, cfile, to_string.file, setters, docs_text)
    if opts.kernel_root is not None:
        kernel = TreeReader.at(opts.kernel_root)
        data, _, found = _with_kernel_tree(data, kernel, reader, opts, names)
        diagnostics.extend([*found, *_skipped(kernel)])
    # What the reader refused comes first: the import went on without those files.
    return _finish(
        data, [*_skipped(base), *diagnostics], _reading(root, to_string, predicates, trace)
    )


def _skipped(tree: TreeReader) -> list[Diagnostic]:
    """What the tree reader refused, as warnings: the import went on without those files."""
    return [replace(d, severity=Severity.WARNING) for d in tree.diagnostics]


def _finish(
    data: SpecData, diagnostics: list[Diagnostic], reading: verify.TreeReading | None
) -> ImportResult:
    """The spec's text, loaded back (and held against what the import read from a
    QEMU tree, ``reading``), or the diagnostics that stop it."""

    text = render_template("spec.yaml.j2", spec=data)
    loaded = load_spec_text(text, "<imported spec>")
    if loaded.spec is None:
        # A bug of ours (the template or the data); never hand out such a file.
        return ImportResult(text=None, diagnostics=(*diagnostics, *loaded.diagnostics))
    if reading is not None:
        diagnostics.extend(verify.verify_import(loaded.spec, reading))
    return ImportResult(text=text, diagnostics=tuple(diagnostics))


def _kernel_enum(
    root: TreeReader, reader: Any, opts: ImportOptions
) -> tuple[scan.FoundEnum | None, list[Diagnostic]]:
    """The state enum of a kernel tree: in its uAPI headers (``include/uapi``) when it has them."""
    uapi_dir = root.tree.root / "include" / "uapi"
    under = "include/uapi" if uapi_dir.is_dir() and not opts.header else None
    return scan.find_enum(root, reader, opts.enum, opts.header, under=under)


def _with_kernel_tree(
    data: SpecData, root: TreeReader, reader: Any, opts: ImportOptions, names: list[str]
) -> tuple[SpecData, Any, list[Diagnostic]]:
    """``data`` with the kernel's tables named (``code.kernel``) and its walk read."""
    enum, diagnostics = _kernel_enum(root, reader, opts)
    if enum is None:
        return data, None, diagnostics
    facts, found = find_kernel_tables(root, reader, enum, names)
    diagnostics.extend(found)
    if facts is None:
        return data, None, diagnostics
    return (
        replace(
            data,
            kernel=KernelData(
                file=facts.file,
                function=facts.function,
                next_table=facts.next_table,
                flags_table=facts.flags_table,
                header=enum.header,
                bound=facts.read.next_size or "",
            ),
            walk=WalkData(
                skip_unsupported=facts.read.skip_loop is not None,
                error_flags_all=facts.error is not None,
                stop_at_error=facts.read.stop_at_error,
            ),
        ),
        facts,
        diagnostics,
    )


def _import_kernel(root: Path, opts: ImportOptions) -> ImportResult:
    """A spec from a kernel tree alone: the uAPI header's comment and the core's tables."""
    tree = TreeReader.at(root)
    reader = CReader()
    diagnostics: list[Diagnostic] = []
    enum, found = _kernel_enum(tree, reader, opts)
    diagnostics.extend(found)
    if enum is None:
        return ImportResult(text=None, diagnostics=tuple(diagnostics))
    prefix = enum.prefix
    states = [
        (name, c.value)
        for c in enum.read.constants
        if (name := state_of_constant(prefix, c.name)) is not None
    ]
    names = [name for name, _ in states]
    header_text = scan.read_text(tree, enum.header)
    uapi = read_uapi_machine(header_text, enum.read.name, names, opts.words)
    data = _assemble(os.fspath(root), enum, states, None, [], None, (), DrawnFlows())
    data, facts, found = _with_kernel_tree(data, tree, reader, opts, names)
    diagnostics.extend(found)
    if uapi is None and facts is not None:
        uapi = machine_from_tables(facts, bit_macros(header_text), names)
        if uapi is not None:
            data = _pinned(with_uapi(data, uapi, enum.header, None), facts)
            return _finish(data, diagnostics, None)
    if uapi is not None:
        data = with_uapi(data, uapi, enum.header, None)
    return _finish(data, diagnostics, None)


def _pinned(data: SpecData, facts: Any) -> SpecData:
    """``data`` with a pin, the kernel table's path, wherever the path rules leave a choice.

    Without a machine comment no group says which paths are legal; the table
    itself is the answer, so each pair it decides alone is pinned to it.
    """
    for _ in range(len(data.states) ** 2):
        loaded = load_spec_text(render_template("spec.yaml.j2", spec=data), "<imported spec>")
        if loaded.spec is None:
            return data
        pins = list(data.pins)
        for choice in full_table(loaded.spec).ambiguous:
            path = table_path(facts, choice.source, choice.target)
            if path is not None and path not in pins:
                pins.append(path)
        if len(pins) == len(data.pins):
            return data
        data = replace(data, pins=tuple(pins))
    return data


def with_uapi(
    data: SpecData, uapi: UapiMachine, header: str, handled: tuple[str, ...] | None
) -> SpecData:
    """``data`` with what the header's machine comment says in place of the placeholders."""
    groups_of: dict[str, tuple[str, ...]] = {}
    for g in uapi.groups:
        for member in g.states:
            groups_of[member] = (*groups_of.get(member, ()), g.name)
    known = {s.name: s for s in uapi.states}
    states = []
    for s in data.states:
        u = known.get(s.name)
        if u is None:
            states.append(s)
            continue
        by = tuple((f, u.stand_in[f]) for f in (f.name for f in uapi.features) if f in u.stand_in)
        single = {st for _, st in by}
        extra = {
            f for f in u.features if not any(m.name == f and m.mandatory for m in uapi.features)
        }
        scalar = next(iter(single)) if len(single) == 1 and {f for f, _ in by} == extra else None
        states.append(
            replace(
                s,
                features=u.features,
                stand_in=scalar,
                stand_in_by=() if scalar else by,
                error=s.name == uapi.error,
                initial=s.name == uapi.initial if uapi.initial else s.initial,
                doc=u.doc,
            )
        )
    optional = tuple(f.name for f in uapi.features if not f.mandatory)
    flows, flow_features = data.flows, {name: optional for name in data.flow_features}
    if any(f.bracketed for f in data.flows):
        # The brackets draw what devices with some feature do: the features
        # the bracketed states need, as the header says.
        bracketed = [s.name for s in data.states if BRACKET_FEATURE in s.features]
        real = tuple(
            f for f in optional if any(f in known[n].features for n in bracketed if n in known)
        )
        flows = tuple(_unbracket(flow, real) for flow in data.flows)
        flow_features = {name: real for name in data.flow_features}
    return replace(
        data,
        flows=flows,
        review=_uapi_review(uapi, header, data),
        features=uapi.features,
        states=tuple(states),
        arcs=uapi.arcs,
        refused=tuple(ArcData(source=a.source, target=a.target, doc=a.doc) for a in uapi.refused),
        groups=tuple(
            GroupData(name=g.name, doc=g.doc, interior="within-group") for g in uapi.groups
        ),
        state_groups=groups_of,
        flow_features=flow_features,
        code_features=handled if handled is not None and set(handled) != set(optional) else None,
    )


def _with_transitions(
    data: SpecData, cfile: CFile, rel: str, setters: list[Any], docs_text: str
) -> SpecData:
    """``data`` with the setters, the registrations and each flow step's callbacks."""
    requested = requested_states(cfile, setters, data.prefix)
    registrations, registered = find_registrations(
        cfile, requested, [s.function for s in setters], data.callbacks, docs_text
    )
    explains: dict[str, frozenset[str]] = {r.name: frozenset(r.states) for r in registered}
    for d in cfile.designated:
        value = unwrap(d.value)
        fn = cfile.text(value) if value.type == "identifier" else ""
        if d.member in data.callbacks and fn in requested:
            explains[d.member] = explains.get(d.member, frozenset()) | requested[fn]
    initial = next((s.name for s in data.states if s.initial), None)
    steps = registered_steps(
        data.flows, step_callbacks(data.flows, data.callbacks), explains, registered, initial
    )
    return replace(
        data,
        setters=tuple(setters),
        registered=tuple(registered),
        registrations=tuple(registrations),
        step_callbacks=steps,
        review=tuple(
            line for line in data.review if not line.startswith(("code.setters", "  needs them"))
        )
        + _transition_review(rel, registrations, registered),
    )


def _transition_review(
    rel: str, registrations: list[FoundRegistration], registered: list[RegisteredCallback]
) -> tuple[str, ...]:
    lines = [
        "code.setters: the functions that take the enum by value; flow steps'",
        "  callbacks: those the drawing names at a step or the one before.",
    ]
    if not registrations:
        return (
            *lines,
            "code.registrations: no call passes a function that requests a state.",
        )
    function_of = {r.name: r.function for r in registered}
    lines.append("code.registrations: the calls that pass functions requesting states:")
    for reg in registrations:
        lines.append(f"  {reg.function}() ({rel}:{reg.location.line}) registers")
        lines += [f"    {function_of[cb]} (argument {i}) as {cb};" for i, cb in reg.args]
    lines += [
        "  each is named after its function; the flow steps that move the device",
        "  to a state it may request list it (first where no other callback may).",
    ]
    for r in registered:
        if r.docs_as is None:
            lines.append(f"  {r.name}: the docs do not name it; docs_as is its C function.")
    return tuple(lines)


def _unbracket(flow: ImportedFlow, real: tuple[str, ...]) -> ImportedFlow:
    """``flow`` with the bracket placeholder feature replaced by ``real``."""

    def fix(features: tuple[str, ...]) -> tuple[str, ...]:
        out = [f for f in features if f != BRACKET_FEATURE]
        if BRACKET_FEATURE in features:
            out += [f for f in real if f not in out]
        return tuple(out)

    def lines(items: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(replace(item, features=fix(item.features)) for item in items)

    return replace(
        flow,
        steps=tuple(
            replace(
                step,
                features=fix(step.features),
                text=lines(step.text),
                text_after=lines(step.text_after),
            )
            for step in flow.steps
        ),
    )


def _uapi_review(uapi: UapiMachine, header: str, data: SpecData) -> tuple[str, ...]:
    if uapi.comment_line:
        lines = [
            "features, states' features, arcs, refused arcs, groups and stand-ins:",
            f"  read from the comment above enum {data.enum} ({header}:{uapi.comment_line}).",
        ]
    else:
        lines = [
            "features, states' features, arcs and refused arcs: read from the kernel's",
            "  tables (the uAPI header has no machine comment); no groups, no stand-ins,",
            "  no sessions: add them.",
            f"initial state: {next((s.name for s in data.states if s.initial), 'none')}"
            " (a guess: the first drawn step's, or the first state that is not the error).",
        ]
    if uapi.groups:
        lines += [
            "groups: interior is within-group, the reading of the comment's path",
            "  rules that keeps a shared session:",
            *(f"  {rule}" for rule in uapi.path_rules or ("(no path rule read)",)),
        ]
    lines += [
        "code.setters and code.registrations: none were read; the transition check",
        "  needs them, and flow steps need their callbacks.",
    ]
    if data.kernel is None:
        lines.append("code.kernel and walk: no kernel tree was read (see --kernel-root).")
    if not data.flows:
        lines.append("flows: no drawing was read (see --docs).")
    return tuple(lines)


def _unique_classes(found: list[scan.FoundPredicate]) -> list[scan.FoundPredicate]:
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
        who = callers.get(line.name, [])
        out.append(
            EventData(
                name=line.name,
                args=tuple(str(a) for a in line.args),
                format=line.format,
                properties=line.properties,
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
            if (state := state_of_constant(prefix, constant)) is not None:
                classes_of.setdefault(state, []).append(pred.class_name)
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
        if text != state_of_constant(prefix, constant)
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


def _reading(
    root: str | os.PathLike[str],
    to_string: scan.FoundToString | None,
    predicates: list[scan.FoundPredicate],
    trace: TraceData | None,
) -> verify.TreeReading:
    """What the import read, for :func:`verify.verify_import` to hold the spec against."""
    return verify.TreeReading(
        to_string=verify.ReadFunction(
            function=to_string.function,
            location=to_string.location,
            values=dict(to_string.strings),
        )
        if to_string is not None
        else None,
        predicates=tuple(
            verify.ReadFunction(
                function=p.function,
                location=verify.function_location(root, p.file),
                values=dict.fromkeys(p.constants, ""),
            )
            for p in predicates
        ),
        trace_file=verify.function_location(root, trace.file) if trace is not None else None,
        trace_events=tuple(
            verify.ReadEvent(name=e.name, args=e.args, format=e.format) for e in trace.events
        )
        if trace is not None
        else (),
    )
