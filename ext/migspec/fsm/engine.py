"""Combination transitions: the next-step table a spec implies, and the kernel's walk.

Inputs: a :class:`~migspec.model.Spec` and a feature set.  Outputs:

* :class:`Table` (:func:`compute_table`): for every pair of states the device
  has, the shortest *legal* path along the arcs available to it, written as a
  next-step table ``next[from][to]`` the way the kernel writes
  ``vfio_from_fsm_table``; plus where the rules leave a choice open
  (:attr:`Table.ambiguous`), pairs with no legal path, pins that do not hold,
  and pairs whose next-step chain cannot follow a shortest legal path.
* :class:`DeviceTable` (:func:`device_table`): what a device with fewer
  features really does.  The kernel does not keep one table per feature set:
  it looks the step up in the full table and, while that step is a state the
  device lacks, looks again from that state (the spec's ``walk`` settings say
  exactly how).  Each request is checked: does the lookup terminate, and does
  it end on a state the device has (or on the error state, which fails it)?

Path rules.  A path is a sequence of available arcs.  Its *interior* states
are all but the first and the last.  For every group an interior state is in:
``interior: allowed`` imposes nothing, ``never`` forbids the path, and
``within-group`` allows it only when every state of the path (both ends
included) is in that group.  Refused pairs get no path and step to the error
state; so does every request from or to the error state.  A state steps to
itself.  Among the shortest legal paths, a pin (``paths: pins``) chooses; a
pin ``[A, B, C]`` also decides the pair ``(B, C)``, because a next-step table
routes every request for ``C`` that reaches ``B`` the same way.

Pure Python that imports only the model, so ``migspec lint`` stays fast.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

from ..model import DeviceKind, Interior, PathPin, Spec

# Path counts only need to tell one from many; capping keeps big machines'
# counts small integers.
_COUNT_CAP = 1 << 30

_V = TypeVar("_V")


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """A pair with more than one shortest legal path."""

    source: str
    target: str
    # How many shortest legal paths there are (capped at about a billion).
    count: int
    # The distinct first steps of those paths that a next-step table can follow.
    next_steps: tuple[str, ...]
    chosen: str
    # A pin (explicit, or implied by a longer pin) decided this pair.
    pinned: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PinProblem:
    """A path pin that cannot be honoured (not a legal path, or at odds with another pin)."""

    pin: PathPin
    message: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Table:
    """All-pairs combination transitions for one feature set.

    ``next[a][b]`` is the state to step to from ``a`` on the way to ``b``; the
    error state (``None`` when the spec has none) for refused pairs, pairs
    with no legal path, and everything in the error state's row and column.
    """

    features: frozenset[str]
    # The states a device with ``features`` has, in enum-value order, then
    # the error state (if any), which every table has.
    states: tuple[str, ...]
    error: str | None
    next: Mapping[str, Mapping[str, str | None]]
    # Length of the shortest legal path (0 for a state to itself); None when
    # there is none, the pair is refused or it involves the error state.
    distance: Mapping[str, Mapping[str, int | None]]
    refused: frozenset[tuple[str, str]]
    # Pairs with more than one shortest legal path.
    multiple: tuple[Choice, ...]
    # Of those, the pairs where more than one next step is possible and no pin
    # decides which: the table would be an arbitrary choice.
    ambiguous: tuple[Choice, ...]
    # Pairs (not refused) with no legal path at all.
    unreachable: tuple[tuple[str, str], ...]
    # Pairs where following ``next`` does not give a shortest legal path
    # (a legal path exists, but no next-step table can route it).
    inconsistent: tuple[tuple[str, str], ...]
    pin_problems: tuple[PinProblem, ...]

    def path(self, source: str, target: str) -> tuple[str, ...] | None:
        """The states a request from ``source`` to ``target`` passes, both ends included.

        ``None`` when the request fails (refused, no legal path, error state).
        """
        return _follow(self.next, self.error, source, target)

    def paths(self) -> dict[str, dict[str, tuple[str, ...] | None]]:
        return {a: {b: self.path(a, b) for b in self.states} for a in self.states}

    def combinations(self) -> Iterator[tuple[str, ...]]:
        """Every path of more than one step, in state order."""
        for a in self.states:
            for b in self.states:
                p = self.path(a, b)
                if p is not None and len(p) > 2:
                    yield p


def _follow(
    table: Mapping[str, Mapping[str, str | None]], error: str | None, source: str, target: str
) -> tuple[str, ...] | None:
    if source not in table or target not in table:
        return None
    if source == target:
        return None if source == error else (source,)
    out = [source]
    cur = source
    for _ in range(len(table)):
        nxt = table[cur].get(target)
        if nxt is None or nxt == error or nxt not in table:
            return None
        out.append(nxt)
        if nxt == target:
            return tuple(out)
        cur = nxt
    return None


def _freeze(rows: dict[str, dict[str, _V]]) -> Mapping[str, Mapping[str, _V]]:
    return MappingProxyType({k: MappingProxyType(v) for k, v in rows.items()})


# --------------------------------------------------------------------------
# The all-pairs computation


@dataclass(frozen=True, slots=True)
class _Graph:
    """The machine for one feature set as integer-indexed arrays (the hot loop's view)."""

    names: tuple[str, ...]
    index: dict[str, int]
    adj: tuple[tuple[int, ...], ...]
    # Reverse arcs: for each state u, the pairs (s, k) with adj[s][k] == u.
    radj: tuple[tuple[tuple[int, int], ...], ...]
    # Bitmask of the within-group groups each state is in.
    within: tuple[int, ...]
    # The state is in a group whose states may never be interior.
    never: tuple[bool, ...]
    # Bits needed for a within mask.
    width: int


def _graph(spec: Spec, features: frozenset[str]) -> _Graph:
    # Lint reports a second state with a taken name (duplicate-name) and a
    # second error state (state-error-count); neither may make the machine
    # look different: the first definition keeps its meaning, and no state
    # marked 'error' is ever a step of a path (the table's error column is
    # the first one).
    first = spec.state_map
    names = tuple(
        s.name
        for s in spec.states_by_value
        if first[s.name] is s and s.features <= features and not s.error
    )
    index = {n: i for i, n in enumerate(names)}
    out: list[set[int]] = [set() for _ in names]
    for arc in spec.arcs:
        if (
            arc.available(features)
            and arc.source in index
            and arc.target in index
            and arc.source != arc.target
        ):
            out[index[arc.source]].add(index[arc.target])
    adj = tuple(tuple(sorted(a)) for a in out)
    rev: list[list[tuple[int, int]]] = [[] for _ in names]
    for s, targets in enumerate(adj):
        for k, u in enumerate(targets):
            rev[u].append((s, k))
    within_groups = [g for g in spec.groups if g.interior is Interior.WITHIN_GROUP]
    bits = {g.name: 1 << i for i, g in enumerate(within_groups)}
    never_groups = {g.name for g in spec.groups if g.interior is Interior.NEVER}
    state_map = spec.state_map
    within = tuple(sum(bits.get(g, 0) for g in set(state_map[n].groups)) for n in names)
    never = tuple(bool(never_groups & set(state_map[n].groups)) for n in names)
    return _Graph(
        names=names,
        index=index,
        adj=adj,
        radj=tuple(tuple(r) for r in rev),
        within=within,
        never=never,
        width=len(within_groups),
    )


def _search_to(g: _Graph, t: int) -> tuple[list[int], list[int], list[int], list[int]]:
    """Breadth-first search backwards from ``t`` over (state, constraint) nodes.

    Legality is symmetric in the direction of a path, so searching from the
    target gives, for every source at once, what a next-step table needs.  A
    node is ``(v, I, R)`` for the path from ``v`` to ``t``: ``I`` is the set
    of within-group groups all its states are in, ``R`` the set its interior
    states require the whole path to stay in; a node with ``R`` not inside
    ``I`` is illegal and never built.  Returns, per source state, the
    shortest legal distance (-1: none) and the number of shortest legal
    paths, a bitmask of their first steps (bit ``k``: ``adj[s][k]``), and the
    sources in order of distance.
    """
    n = len(g.names)
    radj = g.radj
    within = g.within
    never = g.never
    width = g.width
    low = (1 << width) - 1
    dist = [-1] * n
    count = [0] * n
    first = [0] * n
    order: list[int] = []
    dist[t] = 0
    count[t] = 1

    # Keys encode (v, I, R) as ((I << width) | R) * n + v.
    seen: dict[int, int] = {}
    cnt: dict[int, int] = {}
    fst: dict[int, int] = {}
    i_t = within[t]
    for s, k in radj[t]:
        key = ((i_t & within[s]) << width) * n + s
        seen[key] = 1
        cnt[key] = 1
        fst[key] = 1 << k
    frontier = list(seen)
    level = 1
    while frontier:
        nl = level + 1
        grow: list[int] = []
        for key in frontier:
            u = key % n
            c = cnt[key]
            if dist[u] < 0:
                dist[u] = level
                count[u] = c
                first[u] = fst[key]
                order.append(u)
            elif dist[u] == level:
                total = count[u] + c
                count[u] = total if total < _COUNT_CAP else _COUNT_CAP
                first[u] |= fst[key]
            # Going back from u makes it interior.
            if never[u]:
                continue
            ir = key // n
            i_now = ir >> width
            r_now = (ir & low) | within[u]
            if r_now & ~i_now:
                continue
            if not (i_now | r_now):
                # No group constrains this path any more (the common case).
                for s, k in radj[u]:
                    if s == t:
                        continue
                    d = seen.get(s)
                    if d is None:
                        seen[s] = nl
                        cnt[s] = c
                        fst[s] = 1 << k
                        grow.append(s)
                    elif d == nl:
                        total = cnt[s] + c
                        cnt[s] = total if total < _COUNT_CAP else _COUNT_CAP
                        fst[s] |= 1 << k
                continue
            for s, k in radj[u]:
                if s == t:
                    continue
                i2 = i_now & within[s]
                if r_now & ~i2:
                    continue
                k2 = ((i2 << width) | r_now) * n + s
                d = seen.get(k2)
                if d is None:
                    seen[k2] = nl
                    cnt[k2] = c
                    fst[k2] = 1 << k
                    grow.append(k2)
                elif d == nl:
                    total = cnt[k2] + c
                    cnt[k2] = total if total < _COUNT_CAP else _COUNT_CAP
                    fst[k2] |= 1 << k
        frontier = grow
        level = nl
    return dist, count, first, order


def _pin_problems_static(
    spec: Spec, g: _Graph, pin: PathPin, refused: frozenset[tuple[str, str]]
) -> str | None:
    """Why ``pin`` cannot be a path for this feature set, before distances are known."""
    error = spec.error_state
    for name in pin.path:
        if error is not None and name == error.name:
            return f"a pin cannot pass through the error state {name}"
        if name not in g.index:
            return f"{name} is not a state of this device"
    if pin.source == pin.target:
        return "a pin must lead from one state to another"
    if (pin.source, pin.target) in refused:
        return f"{pin.source} -> {pin.target} is refused, so it has no path to pin"
    for a, b in itertools.pairwise(pin.path):
        if g.index[b] not in g.adj[g.index[a]]:
            return f"{a} -> {b} is not an arc"
    return None


def _legal(g: _Graph, path: list[int]) -> bool:
    inside = -1
    required = 0
    for k, v in enumerate(path):
        inside &= g.within[v]
        if 0 < k < len(path) - 1:
            if g.never[v]:
                return False
            required |= g.within[v]
    return not required & ~inside


def _check_pins(
    g: _Graph,
    pins: list[tuple[PathPin, list[int]]],
    dist: list[int],
    prefer: dict[int, int],
    problems: list[PinProblem],
) -> list[tuple[PathPin, list[int]]]:
    """Validate the pins that end at one target; fill ``prefer`` (source -> next)."""
    names = g.names
    valid: list[tuple[PathPin, list[int]]] = []
    for pin, idx in pins:
        shortest = dist[idx[0]]
        why = None
        if not _legal(g, idx):
            why = "the path breaks the interior rule of a group it passes through"
        elif len(idx) - 1 != shortest:
            why = (
                f"it has {len(idx) - 1} steps, but the shortest legal path "
                f"from {pin.source} to {pin.target} has {shortest}"
            )
        else:
            for a, b in itertools.pairwise(idx):
                old = prefer.get(a)
                if old is not None and old != b:
                    why = (
                        f"it routes {names[a]} -> {pin.target} through {names[b]}, "
                        f"but another pin routes it through {names[old]}"
                    )
                    break
        if why is not None:
            problems.append(PinProblem(pin=pin, message=why))
            continue
        for a, b in itertools.pairwise(idx):
            prefer[a] = b
        valid.append((pin, idx))
    return valid


def compute_table(spec: Spec, features: frozenset[str] | None = None) -> Table:
    """All-pairs shortest legal paths for a device with ``features`` (default: all)."""
    have = spec.all_features if features is None else features | spec.mandatory_features
    g = _graph(spec, have)
    n = len(g.names)
    names = g.names
    adj = g.adj
    within = g.within
    never = g.never
    error = spec.error_state.name if spec.error_state is not None else None
    refused = frozenset(
        (r.source, r.target) for r in spec.refused if r.source in g.index and r.target in g.index
    )
    refused_by_target: list[set[int]] = [set() for _ in range(n)]
    for a, b in refused:
        refused_by_target[g.index[b]].add(g.index[a])

    problems: list[PinProblem] = []
    pins_by_target: list[list[tuple[PathPin, list[int]]]] = [[] for _ in range(n)]
    for pin in spec.pins:
        why = _pin_problems_static(spec, g, pin, refused)
        if why is None:
            idx = [g.index[x] for x in pin.path]
            pins_by_target[idx[-1]].append((pin, idx))
        else:
            problems.append(PinProblem(pin=pin, message=why))

    # Columns, one per target: the next step (-1: none, refused or no legal
    # path) and the distance (-1: none) from every source.
    nxt_cols: list[list[int]] = []
    dst_cols: list[list[int]] = []
    multiple: list[list[Choice]] = [[] for _ in range(n)]
    ambiguous: list[list[Choice]] = [[] for _ in range(n)]
    unreachable: list[list[int]] = [[] for _ in range(n)]
    inconsistent: list[list[int]] = [[] for _ in range(n)]
    for t in range(n):
        dist, count, firsts, order = _search_to(g, t)
        refused_here = refused_by_target[t]
        prefer: dict[int, int] = {}
        valid = _check_pins(g, pins_by_target[t], dist, prefer, problems)
        # Per source, about the chain the table walks from it to t (filled
        # nearest first): ``good``, it is a shortest legal path; ``inside``
        # and ``req``, the within-group masks all its states are in and its
        # interior states require; ``need``, what a state stepping to this
        # one must be in for the longer chain to stay legal (-1: impossible).
        good = [False] * n
        inside = [0] * n
        req = [0] * n
        need = [0] * n
        good[t] = True
        inside[t] = -1
        col = [-1] * n
        col[t] = t
        for s in refused_here:
            dist[s] = -1
        for s in order:
            if s in refused_here:
                continue
            d = dist[s]
            mask = firsts[s]
            adj_s = adj[s]
            w_s = within[s]
            if mask & (mask - 1) == 0:
                v = adj_s[mask.bit_length() - 1]
                candidates = [v]
                fits = (
                    candidates
                    if v == t or (good[v] and dist[v] == d - 1 and not need[v] & ~w_s)
                    else []
                )
            else:
                candidates = [adj_s[k] for k in range(len(adj_s)) if mask >> k & 1]
                fits = [
                    v
                    for v in candidates
                    if v == t or (good[v] and dist[v] == d - 1 and not need[v] & ~w_s)
                ]
            pinned = prefer.get(s) if prefer else None
            if pinned is not None and pinned in fits:
                chosen = pinned
            elif fits:
                chosen = fits[0]
            else:
                chosen = next((v for v in candidates if col[v] >= 0), candidates[0])
                inconsistent[s].append(t)
            col[s] = chosen
            if chosen == t:
                r = 0
                i = w_s & within[t]
                good[s] = True
            else:
                r = req[chosen] | within[chosen]
                i = inside[chosen] & w_s
                good[s] = bool(fits)
            req[s] = r
            inside[s] = i
            r |= w_s
            need[s] = -1 if never[s] or r & ~i else r
            c = count[s]
            if c > 1:
                decided = pinned is not None and pinned == chosen
                choice = Choice(
                    source=names[s],
                    target=names[t],
                    count=c,
                    next_steps=tuple([names[v] for v in (fits or candidates)]),
                    chosen=names[chosen],
                    pinned=decided,
                )
                multiple[s].append(choice)
                if len(fits) > 1 and not decided:
                    ambiguous[s].append(choice)
        for s in range(n):
            if dist[s] < 0 and s not in refused_here:
                unreachable[s].append(t)
        nxt_cols.append(col)
        dst_cols.append(dist)
        # A pin holds only if the table, followed from its start, walks it.
        for pin, idx in valid:
            walked = [idx[0]]
            while walked[-1] != t and walked[-1] >= 0 and len(walked) <= n:
                walked.append(col[walked[-1]])
            if walked != idx:
                shown = " -> ".join(names[v] if v >= 0 else "(no step)" for v in walked)
                problems.append(
                    PinProblem(
                        pin=pin, message=f"no next-step table can follow it: it walks {shown}"
                    )
                )

    # -1 (no step) indexes the error state's slot at the end.
    ext: tuple[str | None, ...] = (*names, error)
    dext: tuple[int | None, ...] = (*range(n), None)
    rows: dict[str, dict[str, str | None]] = {}
    drows: dict[str, dict[str, int | None]] = {}
    for s, (nrow, drow_i) in enumerate(
        zip(zip(*nxt_cols, strict=True), zip(*dst_cols, strict=True), strict=True)
    ):
        row = dict(zip(names, [ext[v] for v in nrow], strict=True))
        drow = dict(zip(names, [dext[d] for d in drow_i], strict=True))
        if error is not None:
            row[error] = error
            drow[error] = None
        rows[names[s]] = row
        drows[names[s]] = drow
    states: tuple[str, ...] = names
    if error is not None:
        states = (*names, error)
        rows[error] = dict.fromkeys(states, error)
        drows[error] = dict.fromkeys(states, None)
    return Table(
        features=have,
        states=states,
        error=error,
        next=_freeze(rows),
        distance=_freeze(drows),
        refused=refused,
        multiple=tuple(c for row in multiple for c in row),
        ambiguous=tuple(c for row in ambiguous for c in row),
        unreachable=tuple((names[s], names[t]) for s in range(n) for t in unreachable[s]),
        inconsistent=tuple((names[s], names[t]) for s in range(n) for t in inconsistent[s]),
        pin_problems=tuple(problems),
    )


# --------------------------------------------------------------------------
# The kernel's walk


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """What the next-state lookup does for one request on one kind of device."""

    source: str
    target: str
    # The states the lookup visited, in order (the first is next[source][target]).
    visited: tuple[str, ...]
    # False: the lookup never returns (it cycles through ``visited``).
    terminates: bool
    # The state the lookup returns (None when it never returns).
    result: str | None
    # The lookup succeeds: it returns a state the device has, not the error state.
    ok: bool


class Outcome(enum.Enum):
    """How a request from one state to another ends on one kind of device.

    The values are those ``migspec diff --format json`` reports.
    """

    # The device arrives: :attr:`Answer.path` lists the states it passes.
    ARRIVES = "path"
    # The spec refuses the pair: the lookup returns the error state.
    REFUSED = "refused"
    # The lookup returns the error state for a pair the spec does not refuse
    # (no legal path, or the walk gives up on the way).
    FAILS = "fails"
    # A request from or to the error state: it fails.
    ERROR_STATE = "error-state"
    # A next-state lookup never returns (the walk cycles), or the device
    # steps forever without arriving.
    NEVER_ENDS = "hangs"
    # A lookup returns a state this device does not have.
    UNSUPPORTED = "unsupported"
    # One of the two states is not a state of this device (or of the spec).
    NO_STATE = "no-state"


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """The engine's answer to one request (``source`` -> ``target``) on one device kind.

    Every consumer (CLI, renderers, Sphinx, review) reads this; none decodes
    a next-step cell itself.
    """

    source: str
    target: str
    outcome: Outcome
    # ARRIVES: the states passed, both ends included (``(source,)`` for a
    # state to itself).  None for every other outcome.
    path: tuple[str, ...] | None = None
    # The next-step cell: the state the device steps to first; the error
    # state when the request fails; None when the lookup never returns or a
    # state does not exist.
    step: str | None = None
    # The spec refuses this pair (a refused request may still never end).
    refused: bool = False
    # UNSUPPORTED: the state the lookup returned.
    lands_on: str | None = None

    @property
    def arrives(self) -> bool:
        return self.outcome is Outcome.ARRIVES


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DeviceTable:
    """The effective next steps of a device with ``features``, by the spec's walk."""

    features: frozenset[str]
    # The device's states in enum-value order, then the error state.
    states: tuple[str, ...]
    error: str | None
    # The step a request takes on this device: the lookup's result when it
    # succeeds, the error state when it fails, None when it never returns.
    next: Mapping[str, Mapping[str, str | None]]
    requests: tuple[Request, ...]
    # The single steps the device is asked to take: the arcs it must implement.
    arcs: frozenset[tuple[str, str]]
    # The pairs the spec refuses.
    refused: frozenset[tuple[str, str]]
    # ``requests`` by (source, target).
    by_pair: Mapping[tuple[str, str], Request]

    @property
    def loops(self) -> tuple[Request, ...]:
        return tuple(r for r in self.requests if not r.terminates)

    def unsupported(self, spec: Spec) -> tuple[Request, ...]:
        """Requests whose lookup returns a state the device lacks."""
        return tuple(
            r
            for r in self.requests
            if r.terminates
            and r.result is not None
            and r.result != self.error
            and not spec.state(r.result).features <= self.features
        )

    def answer(self, source: str, target: str) -> Answer:
        """How a request from ``source`` to ``target`` ends on this device.

        The device asks the lookup for a step, takes it, and asks again from
        where it is, until it arrives, a lookup fails or one never returns.
        """
        if source not in self.next or target not in self.next:
            return Answer(source=source, target=target, outcome=Outcome.NO_STATE)
        refused = (source, target) in self.refused
        step = self.next[source][target]
        if self.error is not None and self.error in (source, target):
            return Answer(source=source, target=target, outcome=Outcome.ERROR_STATE, step=step)
        if source == target:
            return Answer(
                source=source, target=target, outcome=Outcome.ARRIVES, path=(source,), step=step
            )
        path = [source]
        for _ in range(len(self.states)):
            request = self.by_pair[(path[-1], target)]
            if not request.terminates:
                outcome = Outcome.NEVER_ENDS
            elif request.ok and request.result is not None:
                path.append(request.result)
                if request.result == target:
                    return Answer(
                        source=source,
                        target=target,
                        outcome=Outcome.ARRIVES,
                        path=tuple(path),
                        step=step,
                        refused=refused,
                    )
                continue
            elif request.result is not None and request.result != self.error:
                return Answer(
                    source=source,
                    target=target,
                    outcome=Outcome.UNSUPPORTED,
                    step=step,
                    refused=refused,
                    lands_on=request.result,
                )
            else:
                outcome = Outcome.REFUSED if refused else Outcome.FAILS
            return Answer(source=source, target=target, outcome=outcome, step=step, refused=refused)
        # Every lookup returns, but the device never arrives.
        return Answer(
            source=source, target=target, outcome=Outcome.NEVER_ENDS, step=step, refused=refused
        )

    def path(self, source: str, target: str) -> tuple[str, ...] | None:
        """The states a request passes, both ends included; None unless it arrives."""
        return self.answer(source, target).path


def device_table(spec: Spec, features: frozenset[str], full: Table | None = None) -> DeviceTable:
    """Run the spec's next-state lookup for every request a device with ``features`` accepts."""
    have = features | spec.mandatory_features
    table = compute_table(spec) if full is None else full
    walk = spec.walk
    error = table.error
    mine = tuple(s for s in table.states if s != error and spec.state(s).features <= have)

    def supported(name: str) -> bool:
        if name == error:
            return not walk.error_flags_all
        return spec.state(name).features <= have

    requests: list[Request] = []
    rows: dict[str, dict[str, str | None]] = {}
    arcs: set[tuple[str, str]] = set()
    for cur in mine:
        row: dict[str, str | None] = {}
        for new in mine:
            visited: list[str] = []
            step = table.next[cur][new]
            terminates = True
            while step is not None:
                visited.append(step)
                if supported(step) or (walk.stop_at_error and step == error):
                    break
                if not walk.skip_unsupported:
                    break
                if step in visited[:-1]:
                    terminates = False
                    break
                step = table.next[step][new]
            result = step if terminates else None
            ok = result is not None and result != error and supported(result)
            requests.append(
                Request(
                    source=cur,
                    target=new,
                    visited=tuple(visited),
                    terminates=terminates,
                    result=result,
                    ok=ok,
                )
            )
            row[new] = result if ok else (error if terminates else None)
            if ok and result is not None and result != cur:
                arcs.add((cur, result))
        if error is not None:
            row[error] = error
        rows[cur] = row
    states = mine
    if error is not None:
        rows[error] = {x: error for x in (*mine, error)}
        states = (*mine, error)
    return DeviceTable(
        features=have,
        states=states,
        error=error,
        next=_freeze(rows),
        requests=tuple(requests),
        arcs=frozenset(arcs),
        refused=table.refused,
        by_pair=MappingProxyType({(r.source, r.target): r for r in requests}),
    )


# --------------------------------------------------------------------------
# One spec's tables, computed once


def full_table(spec: Spec) -> Table:
    """The table for every feature (what the kernel writes down), once per spec."""
    return spec.derived(_full_table)


def _full_table(spec: Spec) -> Table:
    return compute_table(spec)


def _device_steps(spec: Spec) -> dict[frozenset[str], DeviceTable]:
    return {}


def device_steps(spec: Spec, kind: DeviceKind) -> DeviceTable:
    """What a device of ``kind`` does: the spec's lookup walk over the full table.

    This is what every front end asks, through :meth:`DeviceTable.answer`,
    for every kind, every feature included: with a walk that never stops at
    the error state, a refused request hangs on any device.  Kept with the
    spec, one per kind.
    """
    made = spec.derived(_device_steps)
    found = made.get(kind.features)
    if found is None:
        found = made[kind.features] = device_table(spec, kind.features, full_table(spec))
    return found


def answer(spec: Spec, kind: DeviceKind, source: str, target: str) -> Answer:
    """How a request from ``source`` to ``target`` ends on a device of ``kind``."""
    return device_steps(spec, kind).answer(source, target)


# --------------------------------------------------------------------------
# Everything the rules need, once per spec


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Analysis:
    """Everything the FSM lint rules read, computed once per spec."""

    full: Table
    # Every device kind (spec.device_kinds) and, in the same order, its
    # kernel-style walk over the full table and the table computed directly
    # for its features.
    kinds: tuple[DeviceKind, ...]
    devices: tuple[DeviceTable, ...]
    direct: tuple[Table, ...]


def analyze(spec: Spec) -> Analysis:
    """The full table plus every device kind's walk.

    Computed once per spec (:meth:`~migspec.model.Spec.derived`): every FSM
    lint rule needs it.
    """
    return spec.derived(_analyze)


def _analyze(spec: Spec) -> Analysis:
    return Analysis(
        full=full_table(spec),
        kinds=spec.device_kinds,
        devices=tuple(device_steps(spec, kind) for kind in spec.device_kinds),
        direct=tuple(compute_table(spec, kind.features) for kind in spec.device_kinds),
    )
