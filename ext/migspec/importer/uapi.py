"""What a uAPI header's state-machine comment says: features, arcs, groups.

The layout (state lists, arc paragraphs, path rules, each located) is read
by :mod:`migspec.source.fsm_comment`, the one reader ``check`` and
``update`` use too; this module says what that structure means.

Inputs: the text of the header that defines the state enum, the enum's name
and its state names (the constants without their prefix).  Outputs: :class:`UapiMachine`, or ``None`` when
the block comment right above the enum does not document a machine in the
regular shape such comments take:

- *state lists*: a line ending in ``:`` that names feature-flag macros
  (macros the header defines as bits, ``#define X (1 << n)``), followed by
  ``NAME - what it is`` lines.  The first list's macros are mandatory; a
  state needs its list's features and the mandatory ones.
- *arc paragraphs*: lines ``A -> B`` (or ``any -> B``: B is the error
  state), then an indented paragraph that says what the arcs do.  A paragraph
  containing one of :attr:`CommentWords.refused` lists refused arcs; one
  containing :attr:`CommentWords.opens_session` opens a data session.
- *groups*: ``A, B and C form the "NAME group"``.
- *stand-ins*: ``X - Y, except ...`` says that ``X`` is ``Y`` on a device
  without ``X``'s extra feature; a description that starts with another
  state's description extends that state.
- *removal*: ``... are removed if support for F is not present`` says that
  lacking ``F`` removes arcs; arcs of any other optional feature are
  projected through the stand-ins (``without``), as the kernel's walk does.

No word here names a machine: the prefix, the enum and the macros come from
the header, and the English conventions are :class:`CommentWords`, which a
caller may replace.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..source.fsm_comment import CommentWords, bit_macros, read_fsm_comment, squash
from .scan import common_prefix

__all__ = ["CommentWords", "bit_macros", "read_uapi_machine"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FeatureData:
    name: str
    macro: str
    bit: int
    mandatory: bool
    doc: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UapiState:
    name: str
    features: tuple[str, ...]
    doc: str
    stand_in: dict[str, str] = field(default_factory=dict)  # missing feature -> state


@dataclass(frozen=True, slots=True, kw_only=True)
class ArcData:
    """An arc as the importer writes it into a spec (and reads it from a comment)."""

    source: str
    target: str
    features: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    session: str | None = None
    doc: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class UapiGroup:
    name: str
    states: tuple[str, ...]
    doc: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UapiMachine:
    comment_line: int  # 1-based line of the comment's first line
    features: tuple[FeatureData, ...]
    states: tuple[UapiState, ...]
    error: str | None
    initial: str | None
    arcs: tuple[ArcData, ...]
    refused: tuple[ArcData, ...]
    groups: tuple[UapiGroup, ...]
    removed_without: tuple[str, ...]  # features whose absence removes arcs
    path_rules: tuple[str, ...]

    def state(self, name: str) -> UapiState | None:
        return next((s for s in self.states if s.name == name), None)


_squash = squash


def _first_sentence(text: str) -> str:
    text = _squash(text)
    m = re.search(r"(?<=[a-z0-9)])\.(\s|$)", text)
    return text[: m.start() + 1] if m else text


def read_uapi_machine(
    text: str,
    enum: str,
    state_names: Sequence[str],
    words: CommentWords | None = None,
) -> UapiMachine | None:
    """The machine the comment above ``enum`` documents, or ``None`` if it documents none."""
    w = words or CommentWords.of()
    comment = read_fsm_comment(text, enum, state_names, any_state=w.any_state)
    if comment is None:
        return None
    lines, comment_line = list(comment.lines), comment.line
    names = set(state_names)
    bits = bit_macros(text)

    # -- state lists (read by source.fsm_comment) --------------------------------------
    lists = [(sl.macros, [(e.name, e.doc) for e in sl.entries]) for sl in comment.state_lists]
    if not lists:
        return None
    macro_prefix = common_prefix([m for macros, _ in lists for m in macros])
    feature_of = {m: m[len(macro_prefix) :] for macros, _ in lists for m in macros}
    mandatory = {feature_of[m] for m in lists[0][0]}
    ordered = sorted(feature_of, key=lambda m: bits[m])
    features = tuple(
        FeatureData(
            name=feature_of[m],
            macro=m,
            bit=bits[m],
            mandatory=feature_of[m] in mandatory,
            doc=_feature_doc(lists, m, feature_of, mandatory),
        )
        for m in ordered
    )
    rank = {f.name: f.bit for f in features}
    state_features: dict[str, tuple[str, ...]] = {}
    state_docs: dict[str, str] = {}
    listed_order: list[str] = []
    for macros, entries in lists:
        wanted = sorted(mandatory | {feature_of[m] for m in macros}, key=rank.__getitem__)
        for name, doc in entries:
            state_features.setdefault(name, tuple(wanted))
            state_docs.setdefault(name, _squash(doc))
            listed_order.append(name)

    error: str | None = None
    raw_arcs: list[tuple[str, str, str, bool, bool]] = []  # src, dst, doc, refused, opens
    for paragraph in comment.paragraphs:
        prose = paragraph.prose
        refused = w.refuses(prose)
        opens = any(word in prose for word in w.opens_session)
        for src, dst in ((a.source, a.target) for a in paragraph.arcs):
            if src == w.any_state:
                error = dst
                continue
            raw_arcs.append((src, dst, _first_sentence(prose), refused, opens))
    if not raw_arcs:
        return None

    whole = _squash(" ".join(lines))
    # -- groups ------------------------------------------------------------------------
    groups: list[UapiGroup] = []
    state_alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    group_re = re.compile(
        rf"((?:(?:{state_alt}),\s+)*(?:{state_alt})\s+and\s+(?:{state_alt}))\s+form\s+the\s+"
        rf"\"(\w+) {re.escape(w.group)}\"([^.]*\.)?"
    )
    for m in group_re.finditer(whole):
        members = tuple(re.findall(rf"\b(?:{state_alt})\b", m.group(1)))
        sentence = _squash(m.group(0))
        groups.append(UapiGroup(name=m.group(2), states=members, doc=sentence))
    group_of = {s: g.name for g in groups for s in g.states}

    removed = re.findall(rf"{re.escape(w.removed)}\s+(\w+)", whole)
    removed_without = tuple(
        dict.fromkeys(feature_of.get(r, r) for r in removed if feature_of.get(r, r) in rank)
    )

    # -- states and their stand-ins ----------------------------------------------------
    stand_ins = _stand_ins(state_docs, state_features, mandatory, w)
    ordered_states = [n for n in state_names if n in state_features]
    states = tuple(
        UapiState(
            name=n,
            features=() if n == error else state_features[n],
            doc=state_docs[n],
            stand_in=stand_ins.get(n, {}),
        )
        for n in ordered_states
    )
    optional_of = {s.name: [f for f in s.features if f not in mandatory] for s in states}

    def needs(*ends: str) -> tuple[str, ...]:
        got = {f for e in ends for f in optional_of.get(e, [])}
        return tuple(sorted(got, key=rank.__getitem__))

    # -- arcs, sessions, projections ---------------------------------------------------
    arcs: list[ArcData] = []
    refused_arcs: list[ArcData] = []
    opened: set[str] = set()
    for src, dst, doc, refused, opens in raw_arcs:
        if refused:
            refused_arcs.append(ArcData(source=src, target=dst, doc=doc))
            continue
        crosses = group_of.get(src) is None or group_of.get(src) != group_of.get(dst)
        session = "open" if opens and crosses else None
        if session:
            opened.add(dst)
        arcs.append(
            ArcData(source=src, target=dst, features=needs(src, dst), session=session, doc=doc)
        )
    closing = []
    for arc in arcs:
        if arc.session is None and arc.source in opened:
            inside = group_of.get(arc.source)
            if inside is None or group_of.get(arc.target) != inside:
                arc = ArcData(
                    source=arc.source,
                    target=arc.target,
                    features=arc.features,
                    session="close",
                    doc=arc.doc,
                )
        closing.append(arc)
    arcs = closing
    arcs += _projected(
        arcs, stand_ins, [f.name for f in features if not f.mandatory], removed_without
    )

    initial = next((n for n in listed_order if n != error), None)
    rules = tuple(rule for rule, _ in comment.path_rules)
    return UapiMachine(
        comment_line=comment_line,
        features=features,
        states=states,
        error=error,
        initial=initial,
        arcs=tuple(arcs),
        refused=tuple(refused_arcs),
        groups=tuple(groups),
        removed_without=removed_without,
        path_rules=rules,
    )


def _feature_doc(
    lists: list[tuple[tuple[str, ...], list[tuple[str, str]]]],
    macro: str,
    feature_of: dict[str, str],
    mandatory: set[str],
) -> str:
    for macros, entries in lists:
        if macros == (macro,):
            states = ", ".join(n for n, _ in entries)
            if feature_of[macro] in mandatory:
                return f"Every device has it: {states}."
            return f"Adds {states}."
    return f"The {macro} flag."


def _stand_ins(
    docs: dict[str, str],
    features: dict[str, tuple[str, ...]],
    mandatory: set[str],
    w: CommentWords,
) -> dict[str, dict[str, str]]:
    """state -> {missing feature: the state that stands in}, from the descriptions."""
    base: dict[str, tuple[str, str]] = {}  # state -> (state it restricts or extends, rest)
    for name, doc in docs.items():
        m = re.match(rf"^([A-Za-z_][A-Za-z0-9_]*), {re.escape(w.extends)} (.*)$", doc)
        if m and m.group(1) in docs and m.group(1) != name:
            base[name] = (m.group(1), m.group(2))
            continue
        longest = max(
            (o for o in docs if o != name and docs[o] and doc.startswith(docs[o])),
            key=lambda o: len(docs[o]),
            default=None,
        )
        if longest is not None:
            base[name] = (longest, "")

    def restricted(state: str, rest: str) -> str | None:
        """The state documented as ``state, except <rest>``."""
        return next((n for n, (b, r) in base.items() if b == state and r == rest and rest), None)

    out: dict[str, dict[str, str]] = {}
    for name in docs:
        got: dict[str, str] = {}
        if name in base:
            parent, rest = base[name]
            extra = set(features[name]) - set(features.get(parent, ())) - mandatory
            for f in extra:
                got[f] = parent
            # What the parent lacks-with-a-feature, restricted the same way.
            for f, grand in _stand_ins_of(parent, base, features, mandatory).items():
                if f not in got and rest:
                    alt = restricted(grand, rest)
                    if alt is not None:
                        got[f] = alt
        if got:
            out[name] = got
    return out


def _stand_ins_of(
    name: str,
    base: dict[str, tuple[str, str]],
    features: dict[str, tuple[str, ...]],
    mandatory: set[str],
) -> dict[str, str]:
    if name not in base:
        return {}
    parent, _ = base[name]
    extra = set(features[name]) - set(features.get(parent, ())) - mandatory
    return {f: parent for f in extra}


def stand_in_for(state: str, missing: str, stand_ins: dict[str, dict[str, str]]) -> str:
    """Where a device lacking ``missing`` is when the spec shows ``state``."""
    seen = {state}
    while missing in stand_ins.get(state, {}):
        state = stand_ins[state][missing]
        if state in seen:
            break
        seen.add(state)
    return state


def _projected(
    arcs: list[ArcData],
    stand_ins: dict[str, dict[str, str]],
    optional: list[str],
    removed: tuple[str, ...],
) -> list[ArcData]:
    """Arcs of devices lacking a feature whose states stand in for others (``without``)."""
    out: list[ArcData] = []
    for feature in optional:
        if feature in removed:
            continue
        for arc in arcs:
            if feature not in arc.features:
                continue
            src = stand_in_for(arc.source, feature, stand_ins)
            dst = stand_in_for(arc.target, feature, stand_ins)
            if src == dst or (src == arc.source and dst == arc.target):
                continue
            rest = tuple(f for f in arc.features if f != feature)
            covered = any(
                a.source == src and a.target == dst and set(a.features) <= set(rest)
                for a in [*arcs, *out]
            )
            if covered:
                continue
            out.append(
                ArcData(source=src, target=dst, features=rest, without=(feature,), doc=arc.doc)
            )
    return out
