"""The kernel's variant drivers vs the arcs the core asks of them.

Inputs: a :class:`~migspec.check.context.Context` with a kernel tree and a
spec whose ``code.kernel.drivers`` names how drivers are recognised.
Outputs: diagnostics in the drivers' files, and one :class:`DriverReport`
per driver (``check --format json`` lists them).

The arcs the core can ask of a device kind are the engine's
(:attr:`migspec.fsm.engine.DeviceTable.arcs` of
:func:`~migspec.fsm.engine.device_steps`): every single step some request's
walk takes on that kind.  A driver must handle every one of them for every
kind it may declare (an arc it lacks fails a user's request at run time),
and handles no arc that none of its kinds is ever asked (dead code, or a gap
in the spec).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from ..diagnostics import Location, Note, Severity, declare
from ..fsm.engine import device_steps
from ..model import DeviceKind, Spec
from ..source import FILE_MISSING, SCOPE
from ..source.kernel_drivers import (
    DRIVER_UNREAD,
    DeclaredFlags,
    DriverNames,
    DriverRead,
    read_drivers,
)
from ..source.tree import TreeReader
from .context import Context

ARC_MISSING = declare(
    "check-driver-arc-missing",
    Severity.ERROR,
    "A variant driver does not handle an arc the core asks of a device kind it declares.",
    scope=SCOPE,
    doc="""
    For every set of features a driver may declare (its ``migration_flags``,
    with each capability-guarded addition or not), the kernel's lookup walk
    asks the driver's step function for certain single arcs.  One the step
    function does not handle fails that user request at run time, on the
    hardware that declares those features.  Reported at the step function,
    with the place the request ends up and the place the features are declared.
    """,
    example="flags = STOP_COPY | P2P; /* but no 'cur == RUNNING_P2P && new == STOP' */",
)
ARC_EXTRA = declare(
    "check-driver-arc-extra",
    Severity.WARNING,
    "A variant driver handles an arc the core never asks of any device kind it declares.",
    scope=SCOPE,
    doc="""
    The arc is dead code for this driver: the core's walk never asks it for
    the features the driver declares.  Often the driver handles the arcs of a
    feature (PRE_COPY) it does not declare, or the spec lacks an arc the
    kernel really takes.  Reported at the condition that handles it, naming
    the device kinds the core would ask it of.
    """,
    example="if (cur == RUNNING && new == PRE_COPY)  /* flags: STOP_COPY | P2P only */",
)

RULES = (DRIVER_UNREAD, ARC_MISSING, ARC_EXTRA)

Arc = tuple[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class KindReport:
    """One device kind a driver may declare, and the arcs the core asks of it."""

    kind: DeviceKind
    declared: Location
    # The capability-guarded additions to the flags this kind includes.
    optional: tuple[Location, ...]
    # The capability-guarded removals from the flags this kind includes.
    removed: tuple[Location, ...]
    asked: tuple[Arc, ...]
    missing: tuple[Arc, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DriverReport:
    """One driver: its kinds and the arcs it handles, lacks and has extra (state names)."""

    driver: str  # the directory, as shown
    ops: Location
    step: Location | None
    kinds: tuple[KindReport, ...]
    handled: tuple[Arc, ...]
    extra: tuple[Arc, ...]
    # Handled arcs the driver handles only under an ``#if``/``#ifdef``/``#else``:
    # whether it does depends on the kernel's configuration.
    configured: tuple[Arc, ...]
    # Every arc and every flag was read; otherwise the lists may be short.
    complete: bool


def driver_names(spec: Spec) -> DriverNames | None:
    k = spec.code.kernel
    if k is None or k.drivers is None:
        return None
    d = k.drivers
    return DriverNames(
        dir=d.dir,
        ops=d.ops,
        set_state=d.set_state,
        flags=d.flags,
        lookup=k.function,
        state_prefix=spec.machine.prefix,
        states=frozenset(spec.state_map),
    )


def check_drivers(ctx: Context) -> None:
    names = driver_names(ctx.spec)
    tree = ctx.kernel
    if names is None or tree is None:
        return
    drivers_spec = ctx.spec.code.kernel.drivers if ctx.spec.code.kernel else None
    if tree.escapes(names.dir) is None and not tree.path(names.dir).is_dir():
        named = drivers_spec.location if drivers_spec else None
        ctx.report(
            [
                FILE_MISSING.diagnostic(
                    "no such directory (the spec names it for the variant drivers)",
                    Location(tree.display(names.dir)),
                    notes=(Note(message="named here", location=named),) if named else (),
                )
            ]
        )
        return
    reader = TreeReader(tree)
    drivers, files, diagnostics = read_drivers(reader, ctx.reader, names)
    ctx.read.update(tree.path(rel) for rel in files)
    # And the directories listed: a driver added since is a changed input too
    # (Sphinx reruns the check when any of these changes).
    ctx.read.add(tree.path(names.dir))
    ctx.read.update(tree.path(posixpath.dirname(rel)) for rel in files)
    ctx.read.update(tree.path(posixpath.dirname(posixpath.dirname(rel))) for rel in files)
    ctx.report(reader.diagnostics)
    ctx.report(diagnostics)
    for driver in drivers:
        ctx.drivers.append(_compare(ctx, driver))


def _compare(ctx: Context, driver: DriverRead) -> DriverReport:
    spec = ctx.spec
    machine = spec.machine
    by_macro = spec.feature_by_macro
    kinds: list[tuple[DeviceKind, DeclaredFlags]] = []
    for flags in driver.flags:
        unknown = sorted(m for m in flags.macros if m not in by_macro)
        for macro in unknown:
            ctx.report(
                [
                    DRIVER_UNREAD.diagnostic(
                        f"{macro} is no feature macro of the spec; left out of the driver's "
                        "device kind",
                        flags.location,
                    )
                ]
            )
        kind = spec.device_kind(by_macro[m].name for m in flags.macros if m in by_macro)
        if all(kind != k for k, _ in kinds):
            kinds.append((kind, flags))
    handled: dict[Arc, Location] = {}
    # An arc handled under #if in one place and outside it in another is not
    # configuration-dependent: only arcs every handling of which is.
    config: dict[Arc, Location | None] = {}
    for arc in driver.arcs:
        source = machine.state_name(arc.source)
        target = machine.state_name(arc.target)
        if source not in spec.state_map or target not in spec.state_map:
            strange = arc.source if source not in spec.state_map else arc.target
            ctx.report(
                [
                    DRIVER_UNREAD.diagnostic(
                        f"{strange} names no state of the spec; this arc is not checked",
                        arc.location,
                    )
                ]
            )
            continue
        assert source is not None and target is not None
        names = (source, target)
        handled.setdefault(names, arc.location)
        if names not in config or config[names] is not None:
            config[names] = arc.config
    asked = {kind: device_steps(spec, kind).arcs for kind, _ in kinds}
    anyone: set[Arc] = set().union(*asked.values()) if asked else set()
    reports: list[KindReport] = []
    for kind, flags in kinds:
        missing = sorted(asked[kind] - handled.keys())
        reports.append(
            KindReport(
                kind=kind,
                declared=flags.location,
                optional=flags.optional,
                removed=flags.removed,
                asked=tuple(sorted(asked[kind])),
                missing=tuple(missing) if driver.complete else (),
            )
        )
    extra = sorted(handled.keys() - anyone) if kinds else []
    if driver.complete and driver.step is not None:
        _report_missing(ctx, driver, reports)
    if kinds:
        _report_extra(ctx, driver, kinds, extra, handled, config)
    return DriverReport(
        driver=driver.shown,
        ops=driver.ops,
        step=driver.step.location if driver.step else None,
        kinds=tuple(reports),
        handled=tuple(sorted(handled)),
        extra=tuple(extra),
        configured=tuple(sorted(a for a, where in config.items() if where is not None)),
        complete=driver.complete,
    )


def _report_missing(ctx: Context, driver: DriverRead, reports: list[KindReport]) -> None:
    assert driver.step is not None
    by_arc: dict[Arc, list[KindReport]] = {}
    for report in reports:
        for arc in report.missing:
            by_arc.setdefault(arc, []).append(report)
    for (src, dst), needing in sorted(by_arc.items()):
        kinds = ", ".join(r.kind.name for r in needing)
        notes: list[Note] = []
        for r in needing:
            notes.append(
                Note(
                    message=f"declares the features of a device {r.kind.text} here",
                    location=r.declared,
                )
            )
            notes.extend(
                Note(message=f"adds features of a device {r.kind.text} here", location=where)
                for where in r.optional
            )
            notes.extend(
                Note(message=f"removes features for a device {r.kind.text} here", location=where)
                for where in r.removed
            )
        if driver.fallthrough is not None:
            notes.append(Note(message="the request ends here", location=driver.fallthrough))
        ctx.report(
            [
                ARC_MISSING.diagnostic(
                    f"{driver.step.name}() does not handle {src} -> {dst}, which the core asks "
                    f"of this driver's devices ({kinds}); that request fails at run time",
                    driver.step.location,
                    notes=tuple(notes),
                )
            ]
        )


def _report_extra(
    ctx: Context,
    driver: DriverRead,
    kinds: list[tuple[DeviceKind, DeclaredFlags]],
    extra: list[Arc],
    handled: dict[Arc, Location],
    config: dict[Arc, Location | None],
) -> None:
    spec = ctx.spec
    declared = ", ".join(k.name for k, _ in kinds)
    for arc in extra:
        askers = [k.text for k in spec.device_kinds if arc in device_steps(spec, k).arcs]
        who = (
            f"the core asks it only of devices {', '.join(askers)}"
            if askers
            else "the core asks it of no device kind"
        )
        ctx.report(
            [
                ARC_EXTRA.diagnostic(
                    f"handles {arc[0]} -> {arc[1]}, which the core never asks of this "
                    f"driver's devices ({declared}); {who}",
                    handled[arc],
                    notes=tuple(
                        Note(message="declares its features here", location=f.location)
                        for _, f in kinds
                    )
                    + _config_note(config.get(arc)),
                )
            ]
        )


def _config_note(where: Location | None) -> tuple[Note, ...]:
    if where is None:
        return ()
    return (
        Note(
            message="handled only in the kernel configurations this preprocessor condition selects",
            location=where,
        ),
    )
