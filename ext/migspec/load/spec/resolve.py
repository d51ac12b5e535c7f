"""Name resolution: validated YAML nodes -> a resolved :class:`~migspec.model.Spec`.

Every reference (state, feature, group, class, callback) is looked up once;
a dangling one is a located ``ref-unknown`` with did-you-mean.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ...diagnostics import Diagnostic, Location, Note, closest
from ...model import (
    ANY_STATE,
    Arc,
    Callback,
    Code,
    CommentParagraph,
    CommentPathRules,
    DocsTarget,
    Feature,
    Flow,
    FlowStyle,
    FsmComment,
    Group,
    Interior,
    KernelDrivers,
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
from ..files import path_problem
from ..trace_events import split_trace_arg
from ..yamlsrc import Mapping, Node, Scalar, Sequence, to_plain
from .rules import FORMAT_VERSION, RULE_BY_ID

# -- resolution -----------------------------------------------------------------

T = TypeVar("T")


class Builder:
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

    def ref(self, name: str, table: dict[str, Location], what: str, where: Location) -> str:
        if name not in table:
            hint = closest(name, table)
            extra = f"; did you mean '{hint}'?" if hint else ""
            notes: tuple[Note, ...] = ()
            if hint:
                notes = (Note(message=f"'{hint}' is defined here", location=table[hint]),)
            self.diagnostics.append(
                RULE_BY_ID["ref-unknown"].diagnostic(
                    f"unknown {what} '{name}'{extra}", where, notes=notes
                )
            )
        return name

    def names(self, node: Node | None, table: dict[str, Location], what: str) -> tuple[str, ...]:
        if not isinstance(node, Sequence):
            return ()
        out = []
        for item in node.items:
            assert isinstance(item, Scalar)
            out.append(self.ref(str(item.value), table, what, item.location))
        return tuple(out)

    @staticmethod
    def text(node: Mapping, key: str, default: str = "") -> str:
        value = node.get(key)
        if isinstance(value, Scalar) and value.value is not None:
            return str(value.value)
        return default

    def path(self, node: Mapping, key: str, default: str = "") -> str:
        """A file path the spec names; one that can name no file is reported where it is."""
        value = self.text(node, key, default)
        problem = path_problem(value) if node.get(key) is not None else None
        if problem is not None:
            self.diagnostics.append(
                RULE_BY_ID["spec-path-invalid"].diagnostic(f"{key}: {problem}", _loc(node, key))
            )
        return value

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
            header=self.path(c_node, "header"),
            sentinels=tuple(str(to_plain(n)) for n in _seq(c_node.get("sentinels"))),
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
                thread=self.flag(n, "thread"),
                channel=self.text(n, "channel"),
                location=n.location,
            ),
        )
        flows = self.each("flows", self.flow)
        trace = self.each("trace", self.trace_section)
        code = self.code(root.get("code"), machine)
        fsm_comment = self.fsm_comment(root.get("fsm_comment"))
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
            fsm_comment=fsm_comment,
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

    def fsm_comment(self, node: Node | None) -> FsmComment:
        if not isinstance(node, Mapping):
            return FsmComment()
        paragraphs = []
        for p in self.items(node.get("paragraphs")):
            pairs: list[tuple[str, str]] = []
            for item in _seq(p.get("arcs")):
                assert isinstance(item, Scalar)
                # The schema's pattern: "FROM -> TO".
                source, _, target = (part.strip() for part in str(item.value).partition("->"))
                if source != ANY_STATE:
                    self.ref(source, self.states, "state", item.location)
                self.ref(target, self.states, "state", item.location)
                pairs.append((source, target))
            paragraphs.append(
                CommentParagraph(arcs=tuple(pairs), doc=self.text(p, "doc"), location=p.location)
            )
        closing: list[str | CommentPathRules] = []
        for item in _seq(node.get("closing")):
            if isinstance(item, Mapping):
                closing.append(
                    CommentPathRules(
                        lead=self.text(item, "path_rules"),
                        after=self.text(item, "after"),
                        location=item.location,
                    )
                )
            elif isinstance(item, Scalar):
                closing.append(str(item.value))
        return FsmComment(
            intro=tuple(str(to_plain(x)) for x in _seq(node.get("intro"))),
            arcs_intro=self.text(node, "arcs_intro"),
            paragraphs=tuple(paragraphs),
            closing=tuple(closing),
            location=node.location,
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
                file=self.path(docs_node, "file"),
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
                        RULE_BY_ID["schema-invalid"].diagnostic(
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
            file=self.path(n, "file"),
            section=self.text(n, "section"),
            events=tuple(events),
            sources=tuple(str(to_plain(x)) for x in _seq(n.get("sources"))),
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
                file=self.path(ts, "file"),
                default=self.text(ts, "default", "UNKNOWN STATE"),
                location=ts.location,
            )
        predicates = tuple(
            Predicate(
                function=self.text(p, "function"),
                file=self.path(p, "file"),
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
            drivers = None
            d = k.get("drivers")
            if isinstance(d, Mapping):
                drivers = KernelDrivers(
                    dir=self.path(d, "dir", "drivers/vfio"),
                    ops=self.text(d, "ops"),
                    set_state=self.text(d, "set_state"),
                    flags=self.text(d, "flags"),
                    location=d.location,
                )
            kernel = KernelTables(
                file=self.path(k, "file"),
                function=self.text(k, "function"),
                next_table=self.text(k, "next_table"),
                flags_table=self.text(k, "flags_table"),
                bound=self.text(k, "bound"),
                # Default: the header the machine's enum is declared in.
                header=self.path(k, "header", machine.header),
                location=k.location,
                drivers=drivers,
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
