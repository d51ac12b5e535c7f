"""What every migspec directive needs: the spec, dependencies, and reporting.

Inputs: the Sphinx environment and config.  Outputs: the loaded spec (cached
per file content, so parallel readers and rebuilds share it), dependency notes
for every file read, and diagnostics turned into Sphinx warnings with
``type="migspec"`` and the rule id as subtype.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from ..diagnostics import Diagnostic, Rule, Severity
from ..load import BUNDLED_SPEC

if TYPE_CHECKING:
    from ..load.spec import LoadResult
    from ..model import Spec

logger = logging.getLogger("migspec")

CHECK_CHOICES = ("off", "warn", "note", "warning", "error")


@dataclass(frozen=True, slots=True)
class Settings:
    spec_path: Path
    spec_display: str
    source_root: Path | None
    features: str
    # Lowest severity reported as a warning; None: checks off.
    threshold: Severity | None


def display_path(path: Path) -> str:
    """How a file is named in warnings: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def settings(env: BuildEnvironment) -> Settings:
    """The extension's config; paths were made absolute at ``config-inited``."""
    config = env.config
    if config.migspec_spec:
        spec_path = Path(config.migspec_spec)
        display = display_path(spec_path)
    else:
        spec_path = Path(BUNDLED_SPEC)
        display = "spec/vfio-migration.yaml"
    source_root = Path(config.migspec_source_root) if config.migspec_source_root else None
    check = str(config.migspec_check)
    threshold: Severity | None
    if check == "off":
        threshold = None
    elif check == "warn":
        threshold = Severity.WARNING
    else:
        threshold = Severity.parse(check)
    return Settings(spec_path, display, source_root, str(config.migspec_features), threshold)


@lru_cache(maxsize=8)
def _load(path: str, display: str, stamp: tuple[int, int]) -> LoadResult:
    # The pipeline is imported when a spec is first needed: a no-op rebuild
    # never needs one, and should not pay for importing it.
    from ..load.spec import LoadResult, load_spec_text
    from ..load.text import read_text

    text, diags = read_text(path, display)
    if text is None:
        return LoadResult(None, diags)
    result = load_spec_text(text, display)
    if result.spec is not None:
        from ..lint.spec import lint_spec

        result.diagnostics.extend(lint_spec(result.spec, catalogue=_rule_catalogue))
    return result


def _rule_catalogue() -> tuple[Rule[Any], ...]:
    # Imported when a spec disables rules: the catalogue imports every stage.
    from ..rules import all_rules

    return all_rules()


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


def load(env: BuildEnvironment) -> LoadResult:
    """The configured spec (linted), loaded once per content; notes the dependency."""
    s = settings(env)
    env.note_dependency(str(s.spec_path))
    return _load(str(s.spec_path), s.spec_display, _stamp(s.spec_path))


Where = str | tuple[str | None, int | None] | None


def spec_or_warn(env: BuildEnvironment, location: Where) -> Spec | None:
    result = load(env)
    if result.spec is None:
        for d in result.diagnostics:
            report(env, d)
        logger.warning(
            "migspec: the spec could not be loaded",
            type="migspec",
            subtype="spec",
            location=location,
        )
    return result.spec


def report(env: BuildEnvironment, diagnostic: Diagnostic) -> None:
    """One diagnostic as a Sphinx warning (or nothing, below the threshold)."""
    threshold = settings(env).threshold
    if threshold is None or diagnostic.severity < threshold:
        return
    loc = diagnostic.location
    where = f"{loc.path}:{loc.line}" if loc.line else f"{loc.path}:0"
    from ..report import printable

    logger.warning(
        "%s",
        printable(diagnostic.message),
        type="migspec",
        subtype=diagnostic.rule,
        location=where,
    )


def report_all(env: BuildEnvironment, diagnostics: Iterable[Diagnostic]) -> None:
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        report(env, d)
