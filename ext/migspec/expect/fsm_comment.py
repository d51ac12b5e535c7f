"""What the state-machine comment above the uAPI enum must say.

Inputs: a spec (its states, features, arcs, refused pairs, groups and its
``fsm_comment`` prose).  Output: :class:`FsmCommentExpectation`, which both
``templates/fsm-comment.c.j2`` draws and ``check``/``update`` compare a
kernel header with:

- the *state lists*: every state under the feature macros it needs beyond
  the mandatory ones (the mandatory macros for the states every device has);
- the *arc paragraphs*: every arc a device with every feature implements
  (arcs with no ``without``), each refused pair, and ``any -> ERROR``,
  grouped as ``fsm_comment.paragraphs`` groups them; an arc no paragraph
  lists gets a paragraph of its own, with the arc's ``doc``;
- the *path rules*, from the spec's groups;
- the features whose absence removes arcs instead of projecting them
  (optional features no arc is ``without``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import ANY_STATE, CommentParagraph, CommentPathRules, Interior, Spec, State


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentWords:
    """The English the comment's paragraphs use for what has no syntax."""

    refused: tuple[str, ...] = ("not permitted",)
    opens_session: tuple[str, ...] = ("return a new",)
    any_state: str = ANY_STATE
    extends: str = "except"
    removed: str = "are removed if support for"
    group: str = "group"

    @classmethod
    def of(cls, expected: FsmCommentExpectation | None = None) -> CommentWords:
        """The words a comment is read and written with: those of ``expected``'s
        comment when there is one (its word for "any state"), else the defaults
        (the importer, which reads a comment no spec wrote)."""
        return cls() if expected is None else cls(any_state=expected.any_state)

    def refuses(self, prose: str) -> bool:
        """Does a paragraph saying ``prose`` refuse its arcs?"""
        said = squash(prose).lower()
        return any(word.lower() in said for word in self.refused)


def squash(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True, slots=True, kw_only=True)
class StateListExpectation:
    macros: tuple[str, ...]  # the feature macros its heading names
    first: bool  # the list of the states every device has
    states: tuple[tuple[str, str], ...]  # (name, doc)


@dataclass(frozen=True, slots=True, kw_only=True)
class ParagraphExpectation:
    arcs: tuple[tuple[str, str], ...]
    doc: tuple[str, ...]  # paragraphs of text
    refused: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ClosingExpectation:
    """A closing paragraph, or the path rules (``rules`` not empty) with their sentences."""

    text: str = ""
    rules: tuple[str, ...] = ()
    after: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FsmCommentExpectation:
    file: str  # the header, relative to the kernel tree
    enum: str
    intro: tuple[str, ...]
    state_lists: tuple[StateListExpectation, ...]
    arcs_intro: str
    paragraphs: tuple[ParagraphExpectation, ...]
    closing: tuple[ClosingExpectation, ...]
    removed: tuple[tuple[str, tuple[str, ...]], ...]  # (feature, its states)
    any_state: str
    error: str | None

    # -- what the comment must mean --------------------------------------------------

    @property
    def arcs(self) -> frozenset[tuple[str, str]]:
        return frozenset(a for p in self.paragraphs if not p.refused for a in p.arcs)

    @property
    def refused(self) -> frozenset[tuple[str, str]]:
        return frozenset(a for p in self.paragraphs if p.refused for a in p.arcs)

    @property
    def state_macros(self) -> dict[str, frozenset[str]]:
        """State -> the macros of the list it must be in."""
        return {name: frozenset(sl.macros) for sl in self.state_lists for name, _ in sl.states}


def _listed_order(spec: Spec, states: list[State]) -> list[State]:
    """The initial state first, the error state last, the others by value."""
    return sorted(states, key=lambda s: (not s.initial, s.error, s.value))


# What the comment says of a state or arc the spec does not document: the
# layout needs words there (an arc without a paragraph would join the next
# arcs' paragraph when read back; a state without a description is no entry).
UNDOCUMENTED = "Not documented in the spec."


def _texts(doc: str) -> tuple[str, ...]:
    """A doc's paragraphs (separated by blank lines, or by the newlines of ``>-``)."""
    out = [" ".join(p.split()) for p in doc.split("\n") if p.strip()]
    return tuple(out) or (UNDOCUMENTED,)


def listed_arcs(spec: Spec) -> list[tuple[str, str]]:
    """The arcs the comment lists: those a device with every feature implements."""
    return [(a.source, a.target) for a in spec.arcs if not a.without]


def expect_fsm_comment(spec: Spec, words: CommentWords | None = None) -> FsmCommentExpectation:
    w = words or CommentWords.of()
    kernel = spec.code.kernel
    header = kernel.header if kernel is not None else spec.machine.header
    feature = spec.feature_map
    mandatory = spec.mandatory_features
    error = spec.error_state

    # -- state lists --------------------------------------------------------------
    by_set: dict[frozenset[str], list[State]] = {}
    for state in spec.states:
        optional = frozenset(state.features - mandatory) if not state.error else frozenset()
        by_set.setdefault(optional, []).append(state)
    lists = []
    for optional in sorted(by_set, key=lambda fs: (len(fs), sorted(feature[f].bit for f in fs))):
        names = optional or mandatory
        lists.append(
            StateListExpectation(
                macros=tuple(feature[f].macro for f in sorted(names, key=lambda f: feature[f].bit)),
                first=not optional,
                states=tuple(
                    (s.name, squash(s.doc) or UNDOCUMENTED)
                    for s in _listed_order(spec, by_set[optional])
                ),
            )
        )

    # -- arc paragraphs ------------------------------------------------------------
    arcs = listed_arcs(spec)
    refused = [(r.source, r.target) for r in spec.refused]
    docs = {(a.source, a.target): a.doc for a in spec.arcs}
    docs.update({(r.source, r.target): r.doc for r in spec.refused})
    refused_set = set(refused)
    covered = {pair for p in spec.fsm_comment.paragraphs for pair in p.arcs}

    def said(arcs: tuple[tuple[str, str], ...], doc: str, refused: bool) -> ParagraphExpectation:
        texts = _texts(doc)
        if refused and not w.refuses(doc):
            # The comment says a paragraph's arcs are refused in words.
            lead = f"{'These arcs are' if len(arcs) > 1 else 'This arc is'} {w.refused[0]}."
            texts = (f"{lead} {texts[0]}" if texts else lead, *texts[1:])
        return ParagraphExpectation(arcs=arcs, doc=texts, refused=refused)

    def paragraph(p: CommentParagraph) -> ParagraphExpectation:
        return said(p.arcs, p.doc, all(a in refused_set for a in p.arcs))

    def own(pair: tuple[str, str]) -> ParagraphExpectation:
        return said((pair,), docs.get(pair, ""), pair in refused_set)

    def kind(p: ParagraphExpectation) -> int:
        if p.refused:
            return 1
        return 2 if any(a[0] == ANY_STATE for a in p.arcs) else 0

    paragraphs = [paragraph(p) for p in spec.fsm_comment.paragraphs]
    extra = [own(a) for a in arcs if a not in covered]
    extra += [own(r) for r in refused if r not in covered]
    if error is not None and not any(a[0] == ANY_STATE for p in paragraphs for a in p.arcs):
        extra.append(
            ParagraphExpectation(
                arcs=((ANY_STATE, error.name),), doc=_texts(error.doc), refused=False
            )
        )
    for p in extra:  # after the last paragraph of its kind
        at = max((i + 1 for i, q in enumerate(paragraphs) if kind(q) <= kind(p)), default=0)
        paragraphs.insert(at, p)

    # -- closing: path rules, removal ------------------------------------------------
    closing = []
    for item in spec.fsm_comment.closing:
        if isinstance(item, CommentPathRules):
            closing.append(
                ClosingExpectation(text=item.lead, rules=path_rules(spec), after=item.after)
            )
        else:
            closing.append(ClosingExpectation(text=item))
    if not any(c.rules for c in closing):
        closing.append(
            ClosingExpectation(
                text="Other requests combine the arcs above; these rules choose the path:",
                rules=path_rules(spec),
            )
        )
    projected = {f for a in spec.arcs for f in a.without}
    removed = tuple(
        (f, tuple(s.name for s in spec.states_by_value if f in s.features))
        for f in spec.optional_features
        if f not in projected and any(f in s.features for s in spec.states)
    )
    return FsmCommentExpectation(
        file=header,
        enum=spec.machine.enum,
        intro=tuple(spec.fsm_comment.intro),
        state_lists=tuple(lists),
        arcs_intro=spec.fsm_comment.arcs_intro,
        paragraphs=tuple(paragraphs),
        closing=tuple(closing),
        removed=removed,
        any_state=ANY_STATE,
        error=error.name if error is not None else None,
    )


def path_rules(spec: Spec) -> tuple[str, ...]:
    """The rules that choose a combination transition's path, as the comment states them."""
    rules = ["Select the shortest path."]
    for group in spec.groups:
        rule = group_rule(group.name, group.interior)
        if rule is not None:
            rules.append(rule)
    return tuple(rules)


def group_rule(name: str, interior: Interior) -> str | None:
    """The path rule that says a group's ``interior`` (``None``: paths may pass, no rule)."""
    if interior is Interior.NEVER:
        return f"No path passes through {name} group states; they can only start or end one."
    if interior is Interior.WITHIN_GROUP:
        return (
            f"A path passes through {name} group states only while it stays in"
            " the group; they can only start or end a path that crosses its border."
        )
    return None
