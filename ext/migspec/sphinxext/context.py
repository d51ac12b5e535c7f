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
from typing import TYPE_CHECKING

from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from ..diagnostics import Diagnostic, Severity
from ..load import BUNDLED_DISPLAY, BUNDLED_SPEC
from ..pipeline import prepare
from ..report import printable

if TYPE_CHECKING:
    from ..model import Spec
    from ..pipeline import Prepared

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
    # The Linux tree whose uAPI enum, tables and variant drivers to check.
    kernel_root: Path | None = None


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
        display = BUNDLED_DISPLAY
    source_root = Path(config.migspec_source_root) if config.migspec_source_root else None
    check = str(config.migspec_check)
    threshold: Severity | None
    if check == "off":
        threshold = None
    elif check == "warn":
        threshold = Severity.WARNING
    else:
        threshold = Severity.parse(check)
    kernel_root = Path(config.migspec_kernel_root) if config.migspec_kernel_root else None
    return Settings(
        spec_path, display, source_root, str(config.migspec_features), threshold, kernel_root
    )


@lru_cache(maxsize=8)
def _prepare(path: str, display: str, stamp: tuple[int, int]) -> Prepared:
    return prepare(path, display=display)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


def load(env: BuildEnvironment) -> Prepared:
    """The configured spec, loaded and linted once per content; notes the dependency.

    Its ``spec`` is ``None`` when the spec did not load or lint found errors
    in it: then nothing may be rendered or checked (``stopped`` says why).
    """
    s = settings(env)
    env.note_dependency(str(s.spec_path))
    return _prepare(str(s.spec_path), s.spec_display, _stamp(s.spec_path))


Where = str | tuple[str | None, int | None] | None


def spec_or_warn(env: BuildEnvironment, location: Where) -> Spec | None:
    """The spec, or ``None`` after reporting why there is none (as ``migspec`` would)."""
    prepared = load(env)
    if prepared.spec is None:
        report_stopped(prepared)
        logger.warning(
            "migspec: the spec %s has errors; nothing rendered",
            prepared.name,
            type="migspec",
            subtype="spec",
            location=location,
        )
    return prepared.spec


def report_stopped(prepared: Prepared) -> None:
    """The errors that stopped the pipeline, whatever ``migspec_check`` says:
    they are the spec's, not the tree check's."""
    for d in prepared.stopped:
        _warn(d)


def report(env: BuildEnvironment, diagnostic: Diagnostic) -> None:
    """One diagnostic as a Sphinx warning (or nothing, below the threshold)."""
    threshold = settings(env).threshold
    if threshold is None or diagnostic.severity < threshold:
        return
    _warn(diagnostic)


def sphinx_location(diagnostic: Diagnostic, at: Where = None) -> tuple[Where, str]:
    """Where Sphinx should place a diagnostic, and the text to say there.

    A diagnostic about a whole file (line 0: the file is missing, a FIFO,
    too large) has no line Sphinx could show: it is placed at ``at`` (the
    directive that named the file), or nowhere, and the text names the file.
    """
    loc = diagnostic.location
    text = printable(diagnostic.message)
    if loc.line:
        # "path:line": Sphinx takes a location without a colon for a docname.
        return f"{loc.path}:{loc.line}", text
    return (at if at is not None else (None, None)), f"{printable(loc.path)}: {text}"


def _warn(diagnostic: Diagnostic, at: Where = None) -> None:
    where, text = sphinx_location(diagnostic, at)
    logger.warning(
        "%s",
        text,
        type="migspec",
        subtype=diagnostic.rule,
        location=where,
    )


def report_all(env: BuildEnvironment, diagnostics: Iterable[Diagnostic]) -> None:
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        report(env, d)
