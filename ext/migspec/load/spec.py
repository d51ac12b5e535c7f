"""Spec loading: YAML file -> validated, resolved :class:`~migspec.model.Spec`.

Inputs: a spec path (or the bundled default).  Outputs: ``(spec or None,
diagnostics)``.  Three passes, each collecting every problem it can find
before giving up: bounded YAML reading (:mod:`.yamlsrc`), JSON Schema
validation against the shipped ``schema/spec.schema.json`` (errors mapped back
to the YAML line of the offending key or value), and name resolution (dangling
references, with did-you-mean).  Semantic checks live in :mod:`migspec.lint`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from ..diagnostics import Diagnostic, Location, Note, Severity, closest, declare
from ..model import (
    Arc,
    Callback,
    Code,
    DocsTarget,
    Feature,
    Flow,
    FlowStyle,
    Group,
    Interior,
    KernelTables,
    Line,
    Machine,
    Notation,
    PathPin,
    Predicate,
    RefusedArc,
    Registration,
    Session,
    Setter,
    Spec,
    StandIn,
    State,
    StateClass,
    StateTuple,
    Step,
    Suppression,
    ToString,
    TraceEvent,
    TraceSection,
    Walk,
)
from . import BUNDLED_SPEC, PACKAGE_DIR, schema_gate
from .text import DEFAULT_LIMITS, Limits, read_text
from .trace_events import split_trace_arg
from .yamlsrc import Mapping, Node, Scalar, Sequence, node_at, parse_yaml, to_plain

FORMAT_VERSION = 1

RULES = (
    declare(
        "schema-version",
        Severity.ERROR,
        "The spec does not start with a supported ``migspec: <version>`` key.",
        scope="load",
        example="migspec: 2",
    ),
    declare(
        "schema-unknown-key",
        Severity.ERROR,
        "A key the spec format does not define (typos are offered a correction).",
        scope="load",
        example="states:\n  - name: STOP\n    vaule: 1",
    ),
    declare(
        "schema-missing-key",
        Severity.ERROR,
        "A required key is missing.",
        scope="load",
        example="states:\n  - name: STOP",
    ),
    declare(
        "schema-invalid",
        Severity.ERROR,
        "A value has the wrong type or form for its key.",
        scope="load",
        example="states:\n  - name: STOP\n    value: one",
    ),
    declare(
        "spec-limits",
        Severity.ERROR,
        "The spec has more states or optional features than migspec's analyses are bounded for.",
        scope="load",
        doc="""
        The spec has more states or optional features than migspec's analyses are bounded for.

        Every combination of optional features is a device kind, and the
        linter and the generators work through every kind and, in each, the
        paths between every pair of states: ``2 ** features * states ** 2``.  So
        that ``lint`` in doc CI always finishes in seconds, a spec may have at
        most 64 states and 6 optional features (64 device kinds).
        """,
        example="features: [{name: F1, ...}, ..., {name: F7, ...}]  # seven optional features",
    ),
    declare(
        "ref-unknown",
        Severity.ERROR,
        "A name refers to a state, feature, group, class or callback that is not defined.",
        scope="load",
        example="arcs:\n  - {from: STOP, to: RUNNNING}",
    ),
)
_RULE = {r.id: r for r in RULES}


@cache
def _schema() -> dict[str, Any]:
    with open(os.path.join(PACKAGE_DIR, "schema", "spec.schema.json"), encoding="utf-8") as fh:
        text = fh.read()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def spec_schema() -> dict[str, Any]:
    """The JSON Schema every spec is validated against (format version 1)."""
    return _schema()


@dataclass
class LoadResult:
    """What loading a spec gives: the model (``None`` if it failed) and the diagnostics."""

    spec: Spec | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str = ""

    @property
    def ok(self) -> bool:
        return self.spec is not None


def load_spec(
    path: str | os.PathLike[str] | None = None,
    *,
    display: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> LoadResult:
    """Load and resolve a spec; never raises for bad input."""
    real = os.fspath(path) if path is not None else BUNDLED_SPEC
    shown = display or (real if path is not None else "spec/vfio-migration.yaml")
    text, diags = read_text(real, shown, limits)
    if text is None:
        return LoadResult(None, diags)
    return load_spec_text(text, shown, limits=limits)


def load_spec_text(text: str, display: str, *, limits: Limits = DEFAULT_LIMITS) -> LoadResult:
    doc = parse_yaml(text, display, limits)
    result = LoadResult(None, list(doc.diagnostics), text)
    if doc.root is None or doc.diagnostics:
        return result
    root = doc.root
    if not isinstance(root, Mapping):
        result.diagnostics.append(
            _RULE["schema-invalid"].diagnostic(
                "a spec is a mapping of keys to values", root.location
            )
        )
        return result
    version = root.get("migspec")
    if (
        not isinstance(version, Scalar)
        or not isinstance(version.value, int)
        or isinstance(version.value, bool)  # True == 1 in Python
        or version.value != FORMAT_VERSION
    ):
        where = version.location if version is not None else root.location
        shown = "missing" if version is None else json.dumps(to_plain(version))
        result.diagnostics.append(
            _RULE["schema-version"].diagnostic(
                f"spec format version is {shown}; this migspec reads 'migspec: {FORMAT_VERSION}'",
                where,
            )
        )
        return result
    schema_diags = validate(root, display)
    if schema_diags:
        result.diagnostics.extend(schema_diags)
        return result
    limit_diags = _check_limits(root, limits)
    if limit_diags:
        result.diagnostics.extend(limit_diags)
        return result
    builder = _Builder(root, display)
    spec = builder.build()
    result.diagnostics.extend(builder.diagnostics)
    if not builder.diagnostics:
        result.spec = spec
    return result


def _check_limits(root: Mapping, limits: Limits) -> list[Diagnostic]:
    """States and optional features beyond what the analyses are bounded for."""
    out: list[Diagnostic] = []
    states = root.get("states")
    if isinstance(states, Sequence) and len(states.items) > limits.max_states:
        out.append(
            _RULE["spec-limits"].diagnostic(
                f"{len(states.items)} states; migspec reads at most {limits.max_states}",
                states.items[limits.max_states].location,
            )
        )
    features = root.get("features")
    if isinstance(features, Sequence):
        optional = [
            f
            for f in features.items
            if isinstance(f, Mapping)
            and not (isinstance(m := f.get("mandatory"), Scalar) and m.value is True)
        ]
        if len(optional) > limits.max_optional_features:
            out.append(
                _RULE["spec-limits"].diagnostic(
                    f"{len(optional)} optional features ({2 ** len(optional)} device kinds); "
                    f"migspec reads at most {limits.max_optional_features}",
                    optional[limits.max_optional_features].location,
                )
            )
    return out


# -- schema validation -------------------------------------------------------


def validate(root: Node, display: str) -> list[Diagnostic]:
    """Located diagnostics for every way the spec breaks the JSON Schema."""
    data = to_plain(root)
    # The common case -- a valid spec -- needs no messages: a quick yes from
    # the gate spares importing jsonschema (see schema_gate).
    if schema_gate.valid(data, _schema()):
        return []
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    out: list[Diagnostic] = []
    seen: set[tuple[str, Location]] = set()
    for error in validator.iter_errors(data):
        for diag in _explain(error, root):
            key = (diag.message, diag.location)
            if key not in seen:
                seen.add(key)
                out.append(diag)
    return out


def _path_text(path: Iterable[object]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "the spec"


def _yaml_kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


_PATTERN_WORDS = {
    r"^[A-Za-z_][A-Za-z0-9_]*$": "a C identifier (letters, digits, underscores)",
    r"^[a-z][a-z0-9-]*$": "a lower-case kebab-case name",
    "^[0-9]+$": "an argument index",
}


def _explain(error: Any, root: Node) -> Iterable[Diagnostic]:
    path = tuple(error.absolute_path)
    node, _key_node = node_at(root, path)
    where = node.location
    name = _path_text(path)
    validator = error.validator
    if validator == "additionalProperties" and isinstance(node, Mapping):
        allowed = sorted(error.schema.get("properties", {}))
        for key, _value in node.items:
            if key.value not in allowed:
                yield _RULE["schema-unknown-key"].diagnostic(
                    f"unknown key '{key.value}' in {name}{_key_hint(str(key.value), allowed)}",
                    key.location,
                )
        return
    if validator == "required":
        missing = [
            k for k in error.validator_value if not isinstance(node, Mapping) or node.get(k) is None
        ]
        for key in missing:
            yield _RULE["schema-missing-key"].diagnostic(f"{name} needs a '{key}' key", where)
        return
    if validator == "type":
        expected = error.validator_value
        yield _type_error(
            name, expected if isinstance(expected, list) else [expected], error, where
        )
        return
    if validator == "pattern":
        what = _PATTERN_WORDS.get(error.validator_value, f"match {error.validator_value}")
        if "propertyNames" in error.schema_path and isinstance(node, Mapping):
            # A bad key: jsonschema reports it at the mapping; point at the key.
            bad_key = node.key_node(str(error.instance))
            yield _RULE["schema-invalid"].diagnostic(
                f"{name}: key {error.instance!r} is not {what}",
                bad_key.location if bad_key is not None else where,
            )
            return
        yield _RULE["schema-invalid"].diagnostic(f"{name}: {error.instance!r} is not {what}", where)
        return
    if validator == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        yield _RULE["schema-invalid"].diagnostic(
            f"{name}: {error.instance!r} is not one of: {choices}", where
        )
        return
    if validator == "uniqueItems":
        repeated = _first_repeat(node)
        if repeated is not None:
            yield _RULE["schema-invalid"].diagnostic(
                f"{name} lists {to_plain(repeated)!r} twice", repeated.location
            )
        else:
            yield _RULE["schema-invalid"].diagnostic(f"{name} lists the same item twice", where)
        return
    if validator == "oneOf":
        branches = [b for b in error.validator_value if isinstance(b, dict)]
        types = [str(b["type"]) for b in branches if isinstance(b.get("type"), str)]
        if not _fitting_branches(error) and types and len(types) == len(branches):
            yield _type_error(name, types, error, where)
            return
        branch = _matching_branch(error)
        if branch:
            for sub in branch:
                yield from _explain(sub, root)
            return
    yield _RULE["schema-invalid"].diagnostic(f"{name}: {error.message}", where)


def _key_hint(key: str, allowed: list[str]) -> str:
    if key == "<<":
        return "; YAML merge keys are not supported, write the keys out"
    hint = closest(key, allowed)
    if hint:
        return f"; did you mean '{hint}'?"
    return f" (known keys: {', '.join(allowed)})"


def _first_repeat(node: Node) -> Node | None:
    if not isinstance(node, Sequence):
        return None
    seen: set[str] = set()
    for item in node.items:
        key = json.dumps(to_plain(item), sort_keys=True)
        if key in seen:
            return item
        seen.add(key)
    return None


def _fitting_branches(error: Any) -> list[int]:
    """Indexes of the ``oneOf`` branches whose ``type`` fits the value."""
    import jsonschema

    checker = jsonschema.Draft202012Validator.TYPE_CHECKER
    return [
        i
        for i, sub in enumerate(error.validator_value)
        if isinstance(sub, dict)
        and isinstance(sub.get("type"), str)
        and checker.is_type(error.instance, sub["type"])
    ]


# JSON Schema's type names, as someone writing YAML calls them.
_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


def _type_error(name: str, expected: list[str], error: Any, where: Location) -> Diagnostic:
    wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
    return _RULE["schema-invalid"].diagnostic(
        f"{name} must be {wanted}, not {_yaml_kind(error.instance)}", where
    )


def _matching_branch(error: Any) -> list[Any]:
    """The errors of the one ``oneOf`` branch whose type fits the value.

    A line written as a mapping with a typo'd key should be told about the
    key, not that it "must be a string".  Falls back to jsonschema's best match.
    """
    import jsonschema.exceptions

    fitting = _fitting_branches(error)
    if len(fitting) == 1:
        chosen = [e for e in error.context if e.relative_schema_path[0] == fitting[0]]
        if chosen:
            return chosen
    if not error.context:
        return []
    return [jsonschema.exceptions.best_match(error.context)]


# -- resolution -----------------------------------------------------------------

T = TypeVar("T")


class _Builder:
    def __init__(self, root: Mapping, display: str) -> None:
        self.root = root
        self.display = display
        self.diagnostics: list[Diagnostic] = []
        self.states: dict[str, Location] = {}
        self.features: dict[str, Location] = {}
        self.groups: dict[str, Location] = {}
        self.classes: dict[str, Location] = {}
        self.callbacks: dict[str, Location] = {}
        self.vm_states: set[str] = set()
        self.migration_states: set[str] = set()

    # helpers -------------------------------------------------------------

    def ref(self, name: str, table: dict[str, Location], kind: str, where: Location) -> str:
        if name not in table:
            hint = closest(name, table)
            extra = f"; did you mean '{hint}'?" if hint else ""
            notes: tuple[Note, ...] = ()
            if hint:
                notes = (Note(message=f"'{hint}' is defined here", location=table[hint]),)
            self.diagnostics.append(
                _RULE["ref-unknown"].diagnostic(
                    f"unknown {kind} '{name}'{extra}", where, notes=notes
                )
            )
        return name

    def names(self, node: Node | None, table: dict[str, Location], kind: str) -> tuple[str, ...]:
        if not isinstance(node, Sequence):
            return ()
        out = []
        for item in node.items:
            assert isinstance(item, Scalar)
            out.append(self.ref(str(item.value), table, kind, item.location))
        return tuple(out)

    @staticmethod
    def text(node: Mapping, key: str, default: str = "") -> str:
        value = node.get(key)
        if isinstance(value, Scalar) and value.value is not None:
            return str(value.value)
        return default

    @staticmethod
    def integer(node: Mapping, key: str, default: int) -> int:
        value = node.get(key)
        if (
            isinstance(value, Scalar)
            and isinstance(value.value, int)
            and not isinstance(value.value, bool)
        ):
            return value.value
        return default

    @staticmethod
    def flag(node: Mapping, key: str, default: bool = False) -> bool:
        value = node.get(key)
        if isinstance(value, Scalar) and isinstance(value.value, bool):
            return value.value
        return default

    @staticmethod
    def items(node: Node | None) -> list[Mapping]:
        if not isinstance(node, Sequence):
            return []
        return [item for item in node.items if isinstance(item, Mapping)]

    def each(self, key: str, make: Callable[[Mapping], T]) -> tuple[T, ...]:
        return tuple(make(item) for item in self.items(self.root.get(key)))

    # build -----------------------------------------------------------------

    def build(self) -> Spec:
        root = self.root
        # Declarations first so references can be checked in any order.
        for key, table in (
            ("states", self.states),
            ("features", self.features),
            ("groups", self.groups),
            ("classes", self.classes),
            ("callbacks", self.callbacks),
        ):
            for item in self.items(root.get(key)):
                table.setdefault(self.text(item, "name"), item.location)
        self.vm_states = {str(to_plain(n)) for n in _seq(root.get("vm_states"))}
        self.migration_states = {str(to_plain(n)) for n in _seq(root.get("migration_states"))}

        machine_node = root.get("machine")
        assert isinstance(machine_node, Mapping)
        c_node = machine_node.get("c")
        assert isinstance(c_node, Mapping)
        machine = Machine(
            name=self.text(machine_node, "name"),
            title=self.text(machine_node, "title", self.text(machine_node, "name")),
            doc=self.text(machine_node, "doc"),
            enum=self.text(c_node, "enum"),
            prefix=self.text(c_node, "prefix"),
            header=self.text(c_node, "header"),
            location=machine_node.location,
        )
        features = self.each("features", self.feature)
        groups = self.each("groups", self.group)
        classes = self.each(
            "classes",
            lambda n: StateClass(
                name=self.text(n, "name"), doc=self.text(n, "doc"), location=n.location
            ),
        )
        states = self.each("states", self.state)
        arcs = self.each("arcs", self.arc)
        refused = self.each(
            "refused",
            lambda n: RefusedArc(
                source=self.ref(self.text(n, "from"), self.states, "state", _loc(n, "from")),
                target=self.ref(self.text(n, "to"), self.states, "state", _loc(n, "to")),
                doc=self.text(n, "doc"),
                location=n.location,
            ),
        )
        paths = root.get("paths")
        pins: tuple[PathPin, ...] = ()
        if isinstance(paths, Mapping):
            pins = tuple(
                PathPin(
                    path=self.names(p.get("path"), self.states, "state"),
                    doc=self.text(p, "doc"),
                    location=p.location,
                )
                for p in self.items(paths.get("pins"))
            )
        walk_node = root.get("walk")
        walk = Walk(skip_unsupported=True, error_flags_all=True, stop_at_error=True, doc="")
        if isinstance(walk_node, Mapping):
            walk = Walk(
                skip_unsupported=self.flag(walk_node, "skip_unsupported", True),
                error_flags_all=self.text(walk_node, "error_flags", "all") == "all",
                stop_at_error=self.flag(walk_node, "stop_at_error", True),
                doc=self.text(walk_node, "doc"),
                location=walk_node.location,
            )
        notation_node = root.get("notation")
        notation = Notation()
        if isinstance(notation_node, Mapping):
            notation = Notation(
                width=self.integer(notation_node, "width", 80),
                connector_column=self.integer(notation_node, "connector_column", 38),
                connector=self.text(notation_node, "connector", "|"),
                vm_prefix=self.text(notation_node, "vm_prefix", ""),
                migration_prefix=self.text(notation_node, "migration_prefix", "_"),
                location=notation_node.location,
            )
        callbacks = self.each(
            "callbacks",
            lambda n: Callback(
                name=self.text(n, "name"),
                docs_as=self.text(n, "docs_as", f".{self.text(n, 'name')}()"),
                doc=self.text(n, "doc"),
                location=n.location,
            ),
        )
        flows = self.each("flows", self.flow)
        trace = self.each("trace", self.trace_section)
        code = self.code(root.get("code"), machine)
        suppressions: tuple[Suppression, ...] = ()
        lint_node = root.get("lint")
        if isinstance(lint_node, Mapping):
            suppressions = tuple(
                Suppression(rule=str(to_plain(n)), location=n.location)
                for n in _seq(lint_node.get("disable"))
            )
        return Spec(
            path=self.display,
            version=FORMAT_VERSION,
            machine=machine,
            features=features,
            groups=groups,
            classes=classes,
            states=states,
            arcs=arcs,
            refused=refused,
            pins=pins,
            walk=walk,
            vm_states=tuple(str(to_plain(n)) for n in _seq(root.get("vm_states"))),
            migration_states=tuple(str(to_plain(n)) for n in _seq(root.get("migration_states"))),
            notation=notation,
            callbacks=callbacks,
            flows=flows,
            trace=trace,
            code=code,
            disabled_rules=frozenset(x.rule for x in suppressions),
            suppressions=suppressions,
            location=root.location,
        )

    def feature(self, n: Mapping) -> Feature:
        return Feature(
            name=self.text(n, "name"),
            macro=self.text(n, "macro"),
            bit=self.integer(n, "bit", 0),
            mandatory=self.flag(n, "mandatory"),
            doc=self.text(n, "doc"),
            location=n.location,
        )

    def group(self, n: Mapping) -> Group:
        return Group(
            name=self.text(n, "name"),
            doc=self.text(n, "doc"),
            interior=Interior(self.text(n, "interior", "never")),
            location=n.location,
        )

    def state(self, n: Mapping) -> State:
        name = self.text(n, "name")
        stand_in_node = n.get("stand_in")
        stand_ins: list[StandIn] = []
        if isinstance(stand_in_node, Scalar):
            stand_ins.append(
                StandIn(
                    feature=None,
                    state=self.ref(
                        str(stand_in_node.value), self.states, "state", stand_in_node.location
                    ),
                    location=stand_in_node.location,
                )
            )
        elif isinstance(stand_in_node, Mapping):
            for key, value in stand_in_node.items:
                assert isinstance(value, Scalar)
                stand_ins.append(
                    StandIn(
                        feature=self.ref(str(key.value), self.features, "feature", key.location),
                        state=self.ref(str(value.value), self.states, "state", value.location),
                        location=key.location,
                    )
                )
        return State(
            name=name,
            value=self.integer(n, "value", -1),
            doc=self.text(n, "doc"),
            features=frozenset(self.names(n.get("features"), self.features, "feature")),
            groups=self.names(n.get("groups"), self.groups, "group"),
            classes=self.names(n.get("classes"), self.classes, "class"),
            docs_as=self.text(n, "docs_as", f"_{name}"),
            stand_ins=tuple(stand_ins),
            error=self.flag(n, "error"),
            initial=self.flag(n, "initial"),
            location=n.location,
        )

    def arc(self, n: Mapping) -> Arc:
        return Arc(
            source=self.ref(self.text(n, "from"), self.states, "state", _loc(n, "from")),
            target=self.ref(self.text(n, "to"), self.states, "state", _loc(n, "to")),
            features=frozenset(self.names(n.get("features"), self.features, "feature")),
            without=frozenset(self.names(n.get("without"), self.features, "feature")),
            session=Session(self.text(n, "session", "none")),
            doc=self.text(n, "doc"),
            location=n.location,
        )

    def lines(self, node: Node | None) -> tuple[Line, ...]:
        out: list[Line] = []
        for item in _seq(node):
            if isinstance(item, Scalar):
                out.append(Line(text=str(item.value), location=item.location))
            elif isinstance(item, Mapping):
                out.append(
                    Line(
                        text=self.text(item, "text"),
                        features=frozenset(
                            self.names(item.get("features"), self.features, "feature")
                        ),
                        without=frozenset(
                            self.names(item.get("without"), self.features, "feature")
                        ),
                        location=item.location,
                    )
                )
        return tuple(out)

    def step(self, n: Mapping) -> Step:
        state_node = n.get("state")
        assert isinstance(state_node, Sequence)
        vm, mig, dev = (str(to_plain(x)) for x in state_node.items)
        # vm and migration states are checked by lint (tuple-unknown-*), so a
        # spec that lists none of them can still be drawn.
        self.ref(dev, self.states, "device state", state_node.items[2].location)
        return Step(
            text=self.lines(n.get("text")),
            state=StateTuple(vm=vm, migration=mig, device=dev, location=state_node.location),
            text_after=self.lines(n.get("text_after")),
            callbacks=self.names(n.get("callbacks"), self.callbacks, "callback"),
            features=frozenset(self.names(n.get("features"), self.features, "feature")),
            without=frozenset(self.names(n.get("without"), self.features, "feature")),
            doc=self.text(n, "doc"),
            location=n.location,
        )

    def flow(self, n: Mapping) -> Flow:
        docs_node = n.get("docs")
        docs = None
        if isinstance(docs_node, Mapping):
            docs = DocsTarget(
                file=self.text(docs_node, "file"),
                section=self.text(docs_node, "section"),
                location=docs_node.location,
            )
        return Flow(
            name=self.text(n, "name"),
            title=self.text(n, "title"),
            doc=self.text(n, "doc"),
            features=frozenset(self.names(n.get("features"), self.features, "feature")),
            style=FlowStyle(self.text(n, "style", "projected")),
            steps=tuple(self.step(s) for s in self.items(n.get("steps"))),
            docs=docs,
            location=n.location,
        )

    def trace_section(self, n: Mapping) -> TraceSection:
        events = []
        for e in self.items(n.get("events")):
            args = []
            for a in _seq(e.get("args")):
                assert isinstance(a, Scalar)
                parsed = split_trace_arg(str(a.value))
                if parsed is None:
                    hint = "; write 'args: []' for none" if str(a.value).strip() == "void" else ""
                    self.diagnostics.append(
                        _RULE["schema-invalid"].diagnostic(
                            f"trace argument {a.value!r} is not 'type name'{hint}", a.location
                        )
                    )
                    continue
                args.append(parsed)
            events.append(
                TraceEvent(
                    name=self.text(e, "name"),
                    args=tuple(args),
                    format=self.text(e, "format"),
                    properties=tuple(str(to_plain(p)) for p in _seq(e.get("properties"))),
                    caller=self.text(e, "caller") or None,
                    doc=self.text(e, "doc"),
                    location=e.location,
                )
            )
        return TraceSection(
            file=self.text(n, "file"),
            section=self.text(n, "section"),
            events=tuple(events),
            location=n.location,
        )

    def code(self, node: Node | None, machine: Machine) -> Code:
        if not isinstance(node, Mapping):
            return Code()
        to_string = None
        ts = node.get("to_string")
        if isinstance(ts, Mapping):
            to_string = ToString(
                function=self.text(ts, "function"),
                file=self.text(ts, "file"),
                default=self.text(ts, "default", "UNKNOWN STATE"),
                location=ts.location,
            )
        predicates = tuple(
            Predicate(
                function=self.text(p, "function"),
                file=self.text(p, "file"),
                state_class=self.ref(
                    self.text(p, "class"), self.classes, "class", _loc(p, "class")
                ),
                subject=self.text(p, "subject"),
                params=self.text(p, "params", "void"),
                prologue=tuple(str(to_plain(x)) for x in _seq(p.get("prologue"))),
                doc=self.text(p, "doc"),
                location=p.location,
            )
            for p in self.items(node.get("predicates"))
        )
        setters = tuple(
            Setter(
                function=self.text(s, "function"),
                state_arg=self.integer(s, "state_arg", 1),
                recover_arg=self.integer(s, "recover_arg", -1) if s.get("recover_arg") else None,
                location=s.location,
            )
            for s in self.items(node.get("setters"))
        )
        registrations = []
        for r in self.items(node.get("registrations")):
            args_node = r.get("args")
            pairs: list[tuple[int, str]] = []
            if isinstance(args_node, Mapping):
                for key, value in args_node.items:
                    assert isinstance(value, Scalar)
                    pairs.append(
                        (
                            int(str(key.value)),
                            self.ref(str(value.value), self.callbacks, "callback", value.location),
                        )
                    )
            registrations.append(
                Registration(
                    function=self.text(r, "function"), args=tuple(pairs), location=r.location
                )
            )
        kernel = None
        k = node.get("kernel")
        if isinstance(k, Mapping):
            kernel = KernelTables(
                file=self.text(k, "file"),
                function=self.text(k, "function"),
                next_table=self.text(k, "next_table"),
                flags_table=self.text(k, "flags_table"),
                # Default: the header the machine's enum is declared in.
                header=self.text(k, "header", machine.header),
                location=k.location,
            )
        features = None
        if node.get("features") is not None:
            features = frozenset(self.names(node.get("features"), self.features, "feature"))
        return Code(
            features=features,
            to_string=to_string,
            predicates=predicates,
            setters=setters,
            registrations=tuple(registrations),
            kernel=kernel,
        )


def _seq(node: Node | None) -> tuple[Node, ...]:
    return node.items if isinstance(node, Sequence) else ()


def _loc(node: Mapping, key: str) -> Location:
    value = node.get(key)
    return value.location if value is not None else node.location
