"""Which phase moves the device where: C's state requests vs the spec's flows.

Inputs: a :class:`~migspec.check.context.Context`.  Outputs: diagnostics at
the C calls that request a device state.  For each such call the checker
finds the callbacks its function is registered as (directly, or through the
functions of the same file that call it, transitively) and requires that
some step of some flow, projected for some feature set, lists one of those
callbacks and shows the requested state.  This is the check that catches a
commit moving the device from STOP_COPY to STOP in ``.save_cleanup()`` while
the docs still attribute STOP to ``.save_live_complete_precopy()``.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass

from ..diagnostics import Note, Severity, declare
from ..fsm.projection import project_flow
from ..model import Spec, Step
from ..source import SCOPE
from ..source.c import CallbackRegistration, CFile, SetterCall, callers, registrations, setter_calls
from .context import Context

TRANSITION = declare(
    "check-transition",
    Severity.ERROR,
    "C requests a constant state in a callback whose flow steps never show that state.",
    scope=SCOPE,
    doc="""
    A function registered as a callback (``.save_cleanup = vfio_save_cleanup``)
    requests a device state with a constant; no step of any flow that lists
    the callback shows that state, for any feature set.  Either the code moved
    a transition to another phase, or the flows (and their docs) are stale.
    """,
    example=(
        "static void vfio_save_cleanup(void *opaque)\n"
        "{ vfio_migration_set_state(vbasedev, VFIO_DEVICE_STATE_STOP, ...); }\n"
        "# while the spec's .save_cleanup() step shows STOP_COPY"
    ),
)
TRANSITION_CANDIDATE = declare(
    "check-transition-candidate",
    Severity.WARNING,
    "A state C may compute in a callback is shown by none of that callback's flow steps.",
    scope=SCOPE,
    doc="""
    Like ``check-transition``, for a state argument that is computed (a ``?:``
    of constants, or a local variable assigned constants): the candidate is
    possible but the checker cannot prove it is requested, so this warns.
    """,
    example="new_state = running ? VFIO_DEVICE_STATE_RUNNING : VFIO_DEVICE_STATE_STOP;",
)
TRANSITION_UNREGISTERED = declare(
    "check-transition-unregistered",
    Severity.NOTE,
    "A function requests a device state but is registered as no callback the spec names.",
    scope=SCOPE,
    doc="""
    Its request belongs to no flow step, so it cannot be checked; it may be an
    error path (migration cancelled or failed) the flows do not draw.
    """,
    example="migration->migration_state.notify = vfio_migration_state_notifier;",
)
TRANSITION_UNKNOWN = declare(
    "check-transition-unknown",
    Severity.NOTE,
    "The state a callback requests is not a constant the checker can follow.",
    scope=SCOPE,
    example="vfio_migration_set_state(vbasedev, migration->saved_state, ...);",
)

RULES = (TRANSITION, TRANSITION_CANDIDATE, TRANSITION_UNREGISTERED, TRANSITION_UNKNOWN)


@dataclass(frozen=True, slots=True, kw_only=True)
class Shown:
    """One flow step that lists a callback and shows a device state."""

    flow: str
    step: Step
    state: str


def shown_by_callback(spec: Spec) -> dict[str, dict[str, list[Shown]]]:
    """callback -> device state -> the steps (any flow, any device kind) showing it."""
    out: dict[str, dict[str, list[Shown]]] = {}
    for flow in spec.flows:
        for kind in spec.device_kinds:
            for step in project_flow(spec, flow, kind.features).steps:
                for callback in step.callbacks:
                    entry = Shown(flow=flow.name, step=step.source, state=step.state.device)
                    bucket = out.setdefault(callback, {}).setdefault(step.state.device, [])
                    if entry not in bucket:
                        bucket.append(entry)
    return out


def _scanned_files(ctx: Context) -> list[str]:
    """The C files of every directory the spec points into (code files and trace files)."""
    spec = ctx.spec
    named = []
    if spec.code.to_string is not None:
        named.append(spec.code.to_string.file)
    named.extend(p.file for p in spec.code.predicates)
    named.extend(s.file for s in spec.trace)
    dirs = sorted({os.path.dirname(f) for f in named})
    files: list[str] = []
    for d in dirs:
        files.extend(f for f in ctx.c_files_in(d) if f not in files)
    return files


def check_transitions(ctx: Context) -> None:
    spec = ctx.spec
    if not spec.code.setters:
        return
    files = [(rel, ctx.c_file(rel)) for rel in _scanned_files(ctx)]
    parsed = [(rel, f) for rel, f in files if f is not None]
    callback_names = frozenset(spec.callback_map)
    reg_calls = {r.function: list(r.args) for r in spec.code.registrations}
    regs: dict[str, list[CallbackRegistration]] = {}
    for _, cfile in parsed:
        found, diagnostics = registrations(cfile, callback_names, reg_calls)
        ctx.report(diagnostics)
        for reg in found:
            regs.setdefault(reg.function, []).append(reg)
    setters = _all_setters(ctx, [f for _, f in parsed])
    shown = shown_by_callback(spec)
    for _, cfile in parsed:
        calls, diagnostics = setter_calls(cfile, setters, ctx.prefix)
        ctx.report(diagnostics)
        graph = callers(cfile)
        for call in calls:
            # Inside a setter, a state passed through is the setter's own business.
            if call.function in setters and call.state.parameter is not None:
                continue
            _check_call(ctx, cfile, call, regs, graph, shown)


def _all_setters(ctx: Context, files: list[CFile]) -> dict[str, tuple[int, int | None]]:
    """The spec's setters, plus functions that pass a parameter straight to one.

    ``vfio_helper(vbasedev, state)`` calling ``vfio_migration_set_state(vbasedev,
    state, ERROR)`` is itself a setter: its callers say which state.
    """
    setters: dict[str, tuple[int, int | None]] = {
        s.function: (s.state_arg, s.recover_arg) for s in ctx.spec.code.setters
    }
    changed = True
    while changed:
        changed = False
        for cfile in files:
            calls, _ = setter_calls(cfile, setters, ctx.prefix)
            for call in calls:
                fn = call.function
                if fn is None or fn in setters or call.state.parameter is None:
                    continue
                recover = call.recover.parameter if call.recover is not None else None
                setters[fn] = (call.state.parameter, recover)
                changed = True
    return setters


def _callbacks_of(
    function: str,
    regs: dict[str, list[CallbackRegistration]],
    graph: dict[str, set[str]],
) -> list[tuple[CallbackRegistration, list[str]]]:
    """Registrations reaching ``function``: its own, or those of its callers, transitively."""
    found: list[tuple[CallbackRegistration, list[str]]] = []
    seen = {function}
    queue: deque[list[str]] = deque([[function]])
    while queue:
        chain = queue.popleft()
        here = chain[-1]
        found.extend((reg, chain) for reg in regs.get(here, ()))
        for caller in sorted(graph.get(here, ())):
            if caller not in seen:
                seen.add(caller)
                queue.append([*chain, caller])
    return found


def _check_call(
    ctx: Context,
    cfile: CFile,
    call: SetterCall,
    regs: dict[str, list[CallbackRegistration]],
    graph: dict[str, set[str]],
    shown: dict[str, dict[str, list[Shown]]],
) -> None:
    spec = ctx.spec
    fn = call.function or "file scope"
    state = call.state
    where = state.location
    reached = _callbacks_of(call.function, regs, graph) if call.function else []
    if not state.constants:
        ctx.report(
            [
                TRANSITION_UNKNOWN.diagnostic(
                    f"{fn}() requests a state the checker cannot follow ('{state.text}')", where
                )
            ]
        )
        return
    requested = ", ".join(spec.machine.short_name(c.name) for c in state.constants)
    if not reached:
        ctx.report(
            [
                TRANSITION_UNREGISTERED.diagnostic(
                    f"{fn}() requests {requested} but is registered as no callback the spec "
                    "names, so no flow step covers it",
                    where,
                )
            ]
        )
        return
    callbacks = sorted({reg.callback for reg, _ in reached})
    reg_notes = tuple(
        Note(
            message=f"{chain[-1]}() is registered as {reg.callback} here ({reg.how})"
            + (f"; it calls {' -> '.join(reversed(chain[:-1]))}()" if len(chain) > 1 else ""),
            location=reg.location,
        )
        for reg, chain in reached
    )
    docs_names = " or ".join(spec.callback_map[c].docs_as for c in callbacks)
    for ref in state.constants:
        name = spec.machine.state_name(ref.name)
        if name is None or name not in spec.state_map:
            ctx.report(
                [
                    TRANSITION.diagnostic(
                        f"{fn}() requests {ref.name}, which names no state of the spec",
                        ref.location,
                    )
                ]
            )
            continue
        if any(name in shown.get(cb, {}) for cb in callbacks):
            continue
        elsewhere = sorted({s for cb in callbacks for s in shown.get(cb, {})})
        shows = (
            f"its steps show only {', '.join(elsewhere)}"
            if elsewhere
            else f"no flow step lists {docs_names}"
        )
        step_notes = tuple(
            Note(
                message=f"flow '{entry.flow}' step for {cb} shows {entry.state}",
                location=entry.step.location,
            )
            for cb in callbacks
            for entries in shown.get(cb, {}).values()
            for entry in entries[:1]
        )
        rule = TRANSITION_CANDIDATE if state.computed else TRANSITION
        how = "may request" if state.computed else "requests"
        ctx.report(
            [
                rule.diagnostic(
                    f"{fn}() {how} {name} in {docs_names}, but {shows}",
                    ref.location if state.computed else where,
                    notes=reg_notes + step_notes,
                )
            ]
        )
