"""How the FSM engine's all-pairs computation scales (a benchmark, not a test).

Builds synthetic machines of 32, 64, ..., 512 states with about eight arcs
per state (a ring, so every state reaches every other, plus random chords),
an error state, a refused pair, and a "saving-like" group of one state in
eight whose states may be interior only on paths that stay inside it.  Times
:func:`migspec.fsm.engine.compute_table` for each and fits the scaling
exponent by least squares on log(time) against log(states).

Run: ``PYTHONPATH=ext python3 bench/fsm_scale.py [--repeat N] [--max STATES]``.
Targets: 512 states in under 2 s, exponent at most 2.2.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time

from migspec.fsm.engine import compute_table
from migspec.model import (
    Arc,
    Code,
    Feature,
    Group,
    Interior,
    Machine,
    Notation,
    RefusedArc,
    Session,
    Spec,
    State,
    Walk,
)


def synthetic_spec(n: int, arcs_per_state: int = 8, seed: int = 1) -> Spec:
    rng = random.Random(seed)
    names = [f"S{i}" for i in range(n)]
    group_size = max(2, n // 8)
    saving = set(rng.sample(range(n), group_size))
    states = [
        State(
            name="ERR",
            value=0,
            doc="",
            features=frozenset(),
            groups=(),
            classes=(),
            docs_as="ERR",
            stand_ins=(),
            error=True,
            initial=False,
        )
    ]
    for i, name in enumerate(names):
        states.append(
            State(
                name=name,
                value=i + 1,
                doc="",
                features=frozenset({"BASE"}),
                groups=("saving",) if i in saving else (),
                classes=(),
                docs_as=name,
                stand_ins=(),
                error=False,
                initial=i == 0,
            )
        )
    edges: set[tuple[int, int]] = {(i, (i + 1) % n) for i in range(n)}
    while len(edges) < n * arcs_per_state:
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b:
            edges.add((a, b))
    arcs = tuple(
        Arc(
            source=names[a],
            target=names[b],
            features=frozenset(),
            without=frozenset(),
            session=Session.NONE,
            doc="",
        )
        for a, b in sorted(edges)
    )
    refused_pair = next(
        (a, b) for a in range(n) for b in range(n) if a != b and (a, b) not in edges
    )
    return Spec(
        path="<synthetic>",
        version=1,
        machine=Machine(name="synthetic", title="", doc="", enum="e", prefix="S_", header=""),
        features=(Feature(name="BASE", macro="BASE", bit=0, mandatory=True, doc=""),),
        groups=(Group(name="saving", doc="", interior=Interior.WITHIN_GROUP),),
        classes=(),
        states=tuple(states),
        arcs=arcs,
        refused=(RefusedArc(source=names[refused_pair[0]], target=names[refused_pair[1]], doc=""),),
        pins=(),
        walk=Walk(skip_unsupported=True, error_flags_all=True, stop_at_error=True, doc=""),
        vm_states=(),
        migration_states=(),
        notation=Notation(),
        callbacks=(),
        flows=(),
        trace=(),
        code=Code(),
    )


def fit_exponent(points: list[tuple[int, float]]) -> float:
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx = sum(xs) / len(xs)
    my = sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--max", type=int, default=512, help="largest machine (default 512)")
    args = parser.parse_args()
    points: list[tuple[int, float]] = []
    n = 32
    while n <= args.max:
        spec = synthetic_spec(n)
        best = math.inf
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            table = compute_table(spec)
            best = min(best, time.perf_counter() - t0)
        points.append((n, best))
        print(
            f"{n:5d} states {len(spec.arcs):6d} arcs  {best * 1000:9.1f} ms  "
            f"ambiguous {len(table.ambiguous):6d}  no path {len(table.unreachable):5d}  "
            f"inconsistent {len(table.inconsistent):4d}"
        )
        n *= 2
    if len(points) >= 2:
        print(f"fitted exponent (time ~ states^k): k = {fit_exponent(points):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
