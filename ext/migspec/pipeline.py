"""Pipeline: the one sequence every front end runs on a spec.

Inputs: a spec (a path, or ``None`` for the bundled one), a
:class:`~migspec.diagnostics.Policy` (the rules turned off, the severity that
fails the run), and what the front end asks for: a source tree to check or to
update, a directory to generate into.  Outputs: typed results holding the
diagnostics to report and an :class:`Outcome`.  Nothing here prints, exits or
knows about argparse or Sphinx: ``migspec check``, ``update``, ``generate``,
``render`` and the Sphinx extension call these functions and only present
what they return.

The sequence is load -> lint -> stage.  Lint is a gate: a spec in which it
finds an error never becomes output, a rewrite or a check (:func:`prepare`
then holds no spec, only the errors, and every stage function passes them
on).  Lint's warnings and notes do not stop anything and are reported by
``migspec lint`` alone; the other commands report the errors that stopped
them, the same lines whichever command (or Sphinx) ran into them.

The inspection commands (``show``, ``table``, ``path``) use :func:`load`
alone: they are how one looks at a spec that lint rejects (a lookup that
never ends, say), so lint does not gate them.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cache
from .diagnostics import Diagnostic, Policy, Rule, Severity
from .load import BUNDLED_DISPLAY, BUNDLED_SPEC

# Each stage is imported in the function that runs it, and only here: the
# pipeline is the one module that defers its own package's stages.  A cached
# ``lint`` (:func:`lint`) then loads nothing, and ``render`` or ``lint`` never
# pay for tree-sitter (check, update) or Jinja2 (generate).  The edges are
# still the pipeline's, in the import contract (pyproject.toml).
if TYPE_CHECKING:
    from .check.drivers import DriverReport
    from .generate import GenerateReport
    from .load.spec import LoadResult
    from .model import Spec
    from .update import ApplyResult, UpdatePlan

# Loader rules that mean the input could not be read at all (a usage-level
# problem, exit 2), rather than read and found wrong (findings, exit 1).
_UNREADABLE = frozenset({"input-unreadable", "input-encoding", "input-too-large"})


class Outcome(enum.Enum):
    """How a run ended; the CLI maps each to its exit status."""

    CLEAN = "clean"  # nothing at or above the policy's fail-on severity
    FINDINGS = "findings"  # something at or above it (or the gate stopped the run)
    UNREADABLE = "unreadable"  # an input could not be read at all


def outcome_of(diagnostics: Iterable[Diagnostic], policy: Policy) -> Outcome:
    """The outcome of a run that read its inputs and found ``diagnostics``."""
    return Outcome.FINDINGS if policy.fails(diagnostics) else Outcome.CLEAN


# -- load and lint -------------------------------------------------------------------


def spec_name(path: str | os.PathLike[str] | None, display: str | None = None) -> str:
    """How diagnostics and summaries name the spec at ``path`` (``None``: the bundled one)."""
    if display is not None:
        return display
    return os.fspath(path) if path is not None else BUNDLED_DISPLAY


def load(path: str | os.PathLike[str] | None = None, *, display: str | None = None) -> LoadResult:
    """Read and resolve a spec (``None``: the bundled one); no lint."""
    from .load.spec import load_spec

    return load_spec(path, display=spec_name(path, display))


def rule_catalogue() -> tuple[Rule[Any], ...]:
    """Every rule migspec knows (:func:`migspec.rules.all_rules`), for lint's
    check of ``lint.disable`` and for SARIF output.

    Imported when first called: the catalogue imports every stage (about
    45 ms, more than a whole ``migspec lint`` of the bundled spec), and only
    a spec that disables rules, ``--disable`` and SARIF output need it.
    """
    from .rules import all_rules

    return all_rules()


@dataclass(frozen=True, slots=True, kw_only=True)
class Prepared:
    """A spec after load and lint: usable, or stopped with the reasons."""

    # The spec, when it loaded and lint found no error in it; else None.
    spec: Spec | None
    # How diagnostics name the spec's file.
    name: str
    # What load and lint found, after the policy (sorted): what `lint` reports.
    findings: tuple[Diagnostic, ...]
    # The caller's policy, with the rules the spec itself disables.
    policy: Policy
    # The spec could not be read at all (missing, not UTF-8, too large).
    unreadable: bool

    @property
    def stopped(self) -> tuple[Diagnostic, ...]:
        """Why the gate stopped the run (empty when it did not): every loader
        diagnostic of a spec that did not load, or lint's errors."""
        if self.spec is not None:
            return ()
        return tuple(d for d in self.findings if d.severity is Severity.ERROR)

    @property
    def outcome(self) -> Outcome:
        """Load's and lint's findings against the policy (a stopped run has errors)."""
        if self.unreadable:
            return Outcome.UNREADABLE
        return outcome_of(self.findings, self.policy)


def prepare(
    path: str | os.PathLike[str] | None = None,
    policy: Policy | None = None,
    *,
    display: str | None = None,
) -> Prepared:
    """Load the spec at ``path`` and lint it under ``policy`` and the spec's ``lint.disable``.

    ``display`` is how diagnostics name the file (default: ``path`` as given).
    """
    from .lint.spec import lint_spec

    policy = policy or Policy()
    loaded = load(path, display=display)
    found = list(loaded.diagnostics)
    spec = loaded.spec
    if spec is not None:
        policy = policy.merged(spec.disabled_rules)
        found.extend(lint_spec(spec, policy.disabled, catalogue=rule_catalogue))
    findings = tuple(policy.filter(found))
    # Load errors are never disabled away: a spec that did not load is no spec.
    rejected = spec is None or any(d.severity is Severity.ERROR for d in findings)
    return Prepared(
        spec=None if rejected else spec,
        name=spec_name(path, display),
        findings=findings if spec is not None else tuple(sorted(found, key=Diagnostic.sort_key)),
        policy=policy,
        unreadable=unreadable(loaded),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Linted:
    """What ``migspec lint`` reports about a spec: :class:`Prepared` without the spec."""

    name: str
    findings: tuple[Diagnostic, ...]
    policy: Policy
    unreadable: bool

    @property
    def outcome(self) -> Outcome:
        if self.unreadable:
            return Outcome.UNREADABLE
        return outcome_of(self.findings, self.policy)


def lint(path: str | os.PathLike[str] | None = None, policy: Policy | None = None) -> Linted:
    """:func:`prepare`'s findings, kept in :mod:`migspec.cache` between runs.

    An unchanged spec (same bytes, same options, same migspec) is neither
    loaded nor linted again: a hit imports no stage at all, which is why
    this module imports each stage only in the function that runs it.
    """
    policy = policy or Policy()
    source = os.fspath(path) if path is not None else BUNDLED_SPEC
    options = ("lint", os.fspath(path) if path is not None else "", *sorted(policy.disabled))
    entry = cache.find(source, options)
    record = cache.read(entry) if entry is not None else None
    if record is None:
        prepared = prepare(path, policy)
        record = {
            "name": prepared.name,
            "findings": [d.to_data() for d in prepared.findings],
            "disabled": sorted(prepared.policy.disabled),
            "unreadable": prepared.unreadable,
        }
        if entry is not None and not prepared.unreadable:
            cache.write(entry, source, options, record)
    return Linted(
        name=record["name"],
        findings=tuple(Diagnostic.from_data(d) for d in record["findings"]),
        policy=policy.merged(record["disabled"]),
        unreadable=record["unreadable"],
    )


def lint_trace_events(
    paths: Iterable[str], disabled: frozenset[str]
) -> tuple[list[Diagnostic], list[str]]:
    """Lint trace-events files, no spec: (sorted diagnostics, unreadable paths).

    Files unchanged since an earlier run are not linted again (``migspec.cache``).
    Here rather than in ``migspec lint`` itself so that linting a spec never
    imports the trace-events files' reader.
    """
    from .lint.trace_files import lint_trace_files_cached

    return lint_trace_files_cached(paths, disabled)


def unreadable(loaded: LoadResult) -> bool:
    """The spec could not be read at all (rather than read and found wrong)."""
    return loaded.spec is None and any(d.rule in _UNREADABLE for d in loaded.diagnostics)


# -- check -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckRun:
    """What ``check`` found: the gate's errors, or the tree's disagreements."""

    diagnostics: tuple[Diagnostic, ...]
    # Every file the check read (for dependency tracking), sorted.
    files: tuple[Path, ...]
    outcome: Outcome
    # The kernel's variant drivers, as the driver check found them (none
    # without a kernel tree, or when the gate stopped the check).
    drivers: tuple[DriverReport, ...] = ()


def check(
    prepared: Prepared,
    root: str | os.PathLike[str] | None,
    kernel_root: str | os.PathLike[str] | None = None,
) -> CheckRun:
    """Compare the tree at ``root`` and the kernel tree (either may be ``None``)
    with a prepared spec."""
    if prepared.spec is None:
        return CheckRun(diagnostics=prepared.stopped, files=(), outcome=prepared.outcome)
    from .artefacts import run_check

    checked = run_check(prepared.spec, root, kernel_root)
    kept = tuple(prepared.policy.filter(checked.diagnostics))
    return CheckRun(
        diagnostics=kept,
        files=checked.files,
        outcome=outcome_of(kept, prepared.policy),
        drivers=checked.drivers,
    )


# -- update ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateRun:
    """What ``update`` would write: the plan, or the gate's errors and no plan."""

    plan: UpdatePlan | None
    diagnostics: tuple[Diagnostic, ...]
    # The policy the plan's diagnostics were filtered with (for applying it).
    policy: Policy
    outcome: Outcome

    @property
    def changes(self) -> bool:
        """Some file would change (``update --check`` fails on it)."""
        return self.plan is not None and bool(self.plan.files)


def plan_update(prepared: Prepared, root: str | os.PathLike[str]) -> UpdateRun:
    """Plan the rewrite of the generated regions under ``root``; nothing is written."""
    if prepared.spec is None:
        return UpdateRun(
            plan=None,
            diagnostics=prepared.stopped,
            policy=prepared.policy,
            outcome=prepared.outcome,
        )
    from .artefacts import plan_update as plan_regions

    plan = plan_regions(prepared.spec, root)
    kept = tuple(prepared.policy.filter(plan.diagnostics))
    return UpdateRun(
        plan=plan,
        diagnostics=kept,
        policy=prepared.policy,
        outcome=outcome_of(kept, prepared.policy),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteRun:
    """What ``update --write`` wrote, and everything it reports."""

    written: tuple[str, ...]  # relative to the root
    diagnostics: tuple[Diagnostic, ...]
    outcome: Outcome


def write_update(run: UpdateRun, *, force: bool = False) -> WriteRun:
    """Write a plan (a file changed since it was read is left alone; a
    read-only one too, unless ``force``)."""
    if run.plan is None:
        return WriteRun(written=(), diagnostics=run.diagnostics, outcome=run.outcome)
    from .update import apply_plan

    applied: ApplyResult = apply_plan(run.plan, force=force)
    kept = tuple(run.policy.filter((*run.diagnostics, *applied.diagnostics)))
    return WriteRun(written=applied.written, diagnostics=kept, outcome=outcome_of(kept, run.policy))


# -- generate --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class GenerateRun:
    """What ``generate`` wrote (``report``), or the gate's errors and no report."""

    report: GenerateReport | None
    diagnostics: tuple[Diagnostic, ...]
    outcome: Outcome


def generate(
    prepared: Prepared, out: str | os.PathLike[str], *, force: bool = False
) -> GenerateRun:
    """Write every artefact of a prepared spec into ``out``.

    Only into an empty directory or one an earlier run marked as its own,
    unless ``force`` (:func:`migspec.writes.claim_directory`).  Raises
    :class:`OSError` when ``out`` cannot be written at all; a file the
    system refuses is a diagnostic.
    """
    if prepared.spec is None:
        return GenerateRun(report=None, diagnostics=prepared.stopped, outcome=prepared.outcome)
    from .generate import generate as generate_site

    report = generate_site(prepared.spec, Path(out), force=force)
    kept = tuple(prepared.policy.filter(report.refused))
    return GenerateRun(report=report, diagnostics=kept, outcome=outcome_of(kept, prepared.policy))
