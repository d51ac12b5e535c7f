"""Spec arguments: a file, or a spec as a git revision holds it.

Inputs: an argument as ``migspec diff`` and ``.. migspec:diff::`` take it:
``PATH``, ``git:REV`` (the spec at :data:`DEFAULT_SPEC_PATH` in ``REV``) or
``git:REV:PATH``.  Outputs: a :class:`~migspec.load.spec.LoadResult`; a git
failure is a located ``diff-git`` diagnostic, never an exception.  The one
place that runs git to read a spec: revisions are read with ``git show``,
nothing is checked out.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..diagnostics import Location, Severity, declare
from .spec import LoadResult, load_spec, load_spec_text
from .text import decode_text

DEFAULT_SPEC_PATH = "spec/vfio-migration.yaml"
GIT_PREFIX = "git:"

RULES = (
    declare(
        "diff-git",
        Severity.ERROR,
        "A ``git:REV[:path]`` spec could not be read with ``git show``.",
        scope="review",
        example="migspec diff git:no-such-branch spec/vfio-migration.yaml",
    ),
)
_GIT = RULES[0]


def _git_parts(arg: str) -> tuple[str, str]:
    """``git:REV[:PATH]`` -> (REV, PATH), PATH defaulting to the spec's usual one."""
    rev, _, path = arg[len(GIT_PREFIX) :].partition(":")
    return rev, path or DEFAULT_SPEC_PATH


def _top_level(base: Path) -> str:
    """The top of the repository ``base`` is in (raises as ``subprocess.run`` does)."""
    return subprocess.run(
        ["git", "rev-parse", "--show-toplevel"],
        cwd=base,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def read_spec_arg(arg: str, *, cwd: Path | None = None) -> LoadResult:
    """``PATH``, ``git:REV`` (the spec at its usual path) or ``git:REV:PATH``.

    A relative ``PATH`` is relative to ``cwd`` (default: the working
    folder) and is shown as written; ``git:`` paths are relative to the top
    of the repository ``cwd`` is in.
    """
    if not arg.startswith(GIT_PREFIX):
        real = Path(arg)
        if cwd is not None and not real.is_absolute():
            real = cwd / real
        return load_spec(real, display=arg)
    rev, path = _git_parts(arg)
    where = Location(arg)
    if not rev or rev.startswith("-"):
        # git would take it for an option (``--output=...``), whatever
        # ``--end-of-options`` makes of it later.
        why = "no revision" if not rev else f"a revision cannot start with '-': {rev!r}"
        return LoadResult(None, [_GIT.diagnostic(why, where)])
    try:
        top = _top_level(cwd or Path.cwd())
        # REV:path is relative to the top level (REV:./path would be to cwd).
        shown = subprocess.run(
            ["git", "show", "--end-of-options", f"{rev}:{path}"],
            cwd=top,
            capture_output=True,
            check=True,
        ).stdout
    except FileNotFoundError:
        return LoadResult(None, [_GIT.diagnostic("git is not installed", where)])
    except subprocess.CalledProcessError as exc:
        stderr = (
            exc.stderr.decode("utf-8", "replace")
            if isinstance(exc.stderr, bytes)
            else (exc.stderr or "")
        )
        reason = stderr.strip().splitlines()[-1] if stderr.strip() else "git failed"
        return LoadResult(None, [_GIT.diagnostic(reason, where)])
    text, diags = decode_text(shown, f"{rev}:{path}")
    if text is None:
        return LoadResult(None, diags)
    return load_spec_text(text, f"{rev}:{path}")


def spec_arg_file(arg: str, *, cwd: Path | None = None) -> Path | None:
    """The file a spec argument reads, for dependency tracking.

    For ``git:`` forms that is the working-tree copy of the spec's path (a
    revision's content changes only with it or with the revision itself,
    which no file stands for); ``None`` when git cannot say where that is.
    """
    base = cwd or Path.cwd()
    if not arg.startswith(GIT_PREFIX):
        return base / arg
    _rev, path = _git_parts(arg)
    try:
        top = _top_level(base)
    except (OSError, subprocess.CalledProcessError):
        return None
    return Path(top) / path
