"""How a read state-machine comment differs from the one the spec implies.

Inputs: the comment read from a header and the comment rendered from the
spec (:func:`migspec.align.rendered_comment.rendered_comment`), both read by
:func:`migspec.source.fsm_comment.read_fsm_comment`, and the expectation
(:mod:`migspec.expect.fsm_comment`) that rendered it.
Output: the differences of meaning, each located in the read comment and
pointing at the rendered lines that would mend it.  ``check`` reports them
(:mod:`migspec.check.fsm_comment`) and ``update`` applies them
(:mod:`migspec.update.fsm_comment`): one comparison, so that what check
calls a difference is exactly what update edits, and nothing else.

Prose is never compared: a paragraph whose arcs agree is kept as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..expect.fsm_comment import FsmCommentExpectation, group_rule
from ..model import Interior
from ..source.fsm_comment import (
    ArcParagraph,
    CommentWords,
    FsmComment,
    StateEntry,
    StateList,
    squash,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArcMissing:
    """An arc (or refused pair) the comment does not list where the spec says."""

    pair: tuple[str, str]
    refused: bool
    paragraph: int  # the rendered paragraph it belongs to
    # Where it goes: a read paragraph of the same rendered paragraph (None: a
    # new paragraph goes after ``after``, a read paragraph, or first).
    into: ArcParagraph | None
    after: ArcParagraph | None
    line: int  # where check reports it


@dataclass(frozen=True, slots=True, kw_only=True)
class ArcExtra:
    """A listed arc (or refused pair) the spec does not have as such."""

    pair: tuple[str, str]
    refused: bool
    paragraph: ArcParagraph
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StateMisplaced:
    """A state listed under other flags than it needs (``entry`` None: not listed)."""

    name: str
    entry: StateEntry | None
    listed_under: tuple[str, ...]
    wanted: tuple[str, ...]  # the macros of the list it belongs in
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleMissing:
    """A path rule (``index`` into the rendered ones) or removal sentence the comment lacks."""

    what: str  # "path rule" or "removal"
    text: str
    index: int
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleExtra:
    """A path rule or removal sentence of the comment (lines ``first..last``) the spec lacks."""

    what: str
    text: str
    first: int
    last: int

    @property
    def line(self) -> int:
        return self.first


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleDiffers:
    """A path rule or removal sentence that says otherwise than the rendered one ``index``."""

    what: str
    text: str  # the comment's
    wanted: str  # the spec's
    index: int
    first: int
    last: int

    @property
    def line(self) -> int:
        return self.first


@dataclass(frozen=True, slots=True, kw_only=True)
class StateExtra:
    """A listed state the spec does not have."""

    name: str
    entry: StateEntry
    list: StateList
    line: int


Difference = (
    ArcMissing | ArcExtra | StateMisplaced | StateExtra | RuleMissing | RuleExtra | RuleDiffers
)


def _is_refused(p: ArcParagraph, words: CommentWords) -> bool:
    return words.refuses(p.prose)


def align(
    read: FsmComment,
    rendered: FsmComment,
    expected: FsmCommentExpectation,
    words: CommentWords | None = None,
) -> list[Difference]:
    w = words or CommentWords.of(expected)
    out: list[Difference] = []

    # -- arcs -------------------------------------------------------------------------
    listed: dict[tuple[tuple[str, str], bool], tuple[ArcParagraph, int]] = {}
    for p in read.paragraphs:
        refused = _is_refused(p, w)
        for a in p.arcs:
            listed.setdefault(((a.source, a.target), refused), (p, a.line))
    wanted: dict[tuple[tuple[str, str], bool], int] = {}
    for i, ep in enumerate(expected.paragraphs):
        for pair in ep.arcs:
            wanted.setdefault((pair, ep.refused), i)
    # The read paragraph each rendered paragraph corresponds to (one listing an arc of it).
    match: dict[int, ArcParagraph] = {}
    for key, i in wanted.items():
        if key in listed and i not in match:
            match[i] = listed[key][0]
    anchor: ArcParagraph | None = None
    first_line = read.paragraphs[0].line if read.paragraphs else read.last_line
    for i, ep in enumerate(expected.paragraphs):
        into = match.get(i)
        for pair in ep.arcs:
            if (pair, ep.refused) in listed:
                continue
            out.append(
                ArcMissing(
                    pair=pair,
                    refused=ep.refused,
                    paragraph=i,
                    into=into,
                    after=anchor,
                    line=into.line
                    if into is not None
                    else (anchor.last_line if anchor is not None else first_line),
                )
            )
        if into is not None:
            anchor = into
    for (pair, refused), (p, line) in listed.items():
        if (pair, refused) not in wanted:
            out.append(ArcExtra(pair=pair, refused=refused, paragraph=p, line=line))

    # -- states under their flags ---------------------------------------------------------
    where_listed: dict[str, tuple[StateList, StateEntry]] = {}
    for sl in read.state_lists:
        for e in sl.entries:
            where_listed.setdefault(e.name, (sl, e))
    for el in expected.state_lists:
        for name, _ in el.states:
            got = where_listed.get(name)
            if got is None:
                # Reported where it goes: its list (if only its heading is left), or after the lists.
                home = next(
                    (sl for sl in read.state_lists if set(sl.macros) == set(el.macros)), None
                )
                if home is None and read.state_lists:
                    home = read.state_lists[-1]
                out.append(
                    StateMisplaced(
                        name=name,
                        entry=None,
                        listed_under=(),
                        wanted=el.macros,
                        line=home.last_line if home is not None else read.line,
                    )
                )
            elif set(got[0].macros) != set(el.macros):
                out.append(
                    StateMisplaced(
                        name=name,
                        entry=got[1],
                        listed_under=got[0].macros,
                        wanted=el.macros,
                        line=got[1].line,
                    )
                )

    known = {name for el in expected.state_lists for name, _ in el.states}
    for sl in read.state_lists:
        for e in sl.entries:
            if e.name not in known:
                out.append(StateExtra(name=e.name, entry=e, list=sl, line=e.line))

    # -- path rules and removals -------------------------------------------------------------
    out.extend(_rule_differences(read, rendered, expected, w))
    return out


def rule_end(comment: FsmComment, start: int) -> int:
    """The last line of the path rule (a ``- ...`` item) that starts at ``start``."""
    end = start
    while end + 1 < comment.last_line and _CONTINUED.match(comment.text_at(end + 1)):
        end += 1
    return end


_CONTINUED = re.compile(r"^\s{3,}[^\s-]")


def _rule_kind(group: str, text: str) -> Interior | None:
    """The interior kind a rule on ``group`` states in migspec's words (None: other words)."""
    said = squash(text)
    return next((k for k in Interior if squash(group_rule(group, k) or "") == said), None)


def removal_sentences(comment: FsmComment, words: CommentWords) -> dict[str, tuple[int, int, str]]:
    """Feature -> the paragraph (first, last line, text) saying its arcs are removed without it."""
    pattern = re.compile(rf"{re.escape(words.removed)}\s+(\w+)")
    out: dict[str, tuple[int, int, str]] = {}
    for first, last, text in comment.text_paragraphs():
        for m in pattern.finditer(text):
            out.setdefault(m.group(1), (first, last, text))
    return out


def _rule_differences(
    read: FsmComment, rendered: FsmComment, expected: FsmCommentExpectation, w: CommentWords
) -> list[Difference]:
    """Path rules on groups, by group and by the interior kind they say; removal
    sentences, by feature and the states they name.  Both directions."""
    out: list[Difference] = []
    group = re.compile(rf"(\w+) {re.escape(w.group)}\b")

    def groups(rules: tuple[tuple[str, int], ...]) -> dict[str, tuple[int, str, int]]:
        found: dict[str, tuple[int, str, int]] = {}
        for index, (rule, line) in enumerate(rules):
            m = group.search(rule)
            if m is not None:  # "shortest path": words only
                found.setdefault(m.group(1), (index, rule, line))
        return found

    have, want = groups(read.path_rules), groups(rendered.path_rules)
    after_rules = read.path_rules[-1][1] if read.path_rules else read.last_line
    for name, (index, rule, _) in want.items():
        got = have.get(name)
        if got is None:
            out.append(RuleMissing(what="path rule", text=rule, index=index, line=after_rules))
            continue
        _, said, line = got
        kind = _rule_kind(name, said)
        # A rule in words of its own (the kernel's) is prose, kept; in migspec's, it says a kind.
        if kind is not None and kind != _rule_kind(name, rule):
            end = rule_end(read, line)
            out.append(
                RuleDiffers(
                    what="path rule", text=said, wanted=rule, index=index, first=line, last=end
                )
            )
    for name, (_, said, line) in have.items():
        if name not in want:
            out.append(
                RuleExtra(what="path rule", text=said, first=line, last=rule_end(read, line))
            )

    listed, shown = removal_sentences(read, w), removal_sentences(rendered, w)
    states = {name for sl in expected.state_lists for name, _ in sl.states}
    for index, (feature, removed_states) in enumerate(expected.removed):
        got_removal = listed.get(feature)
        wanted = f"arcs of {feature} are removed without it"
        if got_removal is None:
            out.append(RuleMissing(what="removal", text=wanted, index=index, line=read.last_line))
            continue
        first, last, said = got_removal
        named = {t for t in re.findall(r"\w+", said.split(w.removed)[0]) if t in states}
        if named and named != set(removed_states):
            out.append(
                RuleDiffers(
                    what="removal",
                    text=said,
                    wanted=shown[feature][2],
                    index=index,
                    first=first,
                    last=last,
                )
            )
    removable = {feature for feature, _ in expected.removed}
    for feature, (first, last, said) in listed.items():
        if feature not in removable:
            out.append(RuleExtra(what="removal", text=said, first=first, last=last))
    return out
