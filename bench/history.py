"""Import, then lint and check, on every QEMU revision that touched VFIO migration.

Not a test: it needs a QEMU clone (``--repo``, e.g. the oracle/qemu mirror).
For each commit from ``--since`` to ``--until`` that touched one of
:data:`PATHS`, the files of those paths are laid out as a tree with
``git archive``; ``migspec import`` writes a spec from it, ``migspec lint
--fail-on warning`` lints that spec and ``migspec check`` checks the tree
against it.  ``--extra DIR`` adds trees that are already laid out (QEMU
master's files).  Output: an rst list-table (``--rst FILE``) and one line a
revision on standard output.

    python3 bench/history.py --repo /path/to/qemu --since e4082063e4 \\
        --extra master=../shared/corpus/qemu-master --rst /tmp/history.rst
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PATHS = (
    "hw/vfio",
    "docs/devel/vfio-migration.rst",
    "docs/devel/migration/vfio.rst",
    "linux-headers/linux/vfio.h",
)
TOUCHED = (
    "hw/vfio/migration.c",
    "hw/vfio/common.c",
    "hw/vfio/trace-events",
    "docs/devel/vfio-migration.rst",
    "linux-headers/linux/vfio.h",
)
_RULE = re.compile(r"^(.+?):(\d+):\d+: (error|warning|note): .*\[([a-z0-9-]+)\]$")


@dataclass(frozen=True, slots=True)
class Outcome:
    label: str
    subject: str
    import_rc: int
    lint_rc: int | None
    check_rc: int | None
    reported: str
    imported: str = ""


def migspec(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MIGSPEC_CACHE_DIR="")
    return subprocess.run(
        [sys.executable, "-m", "migspec", *args], capture_output=True, text=True, env=env
    )


def summarize(output: str, root: str) -> str:
    """``rule (file:line)`` for each error and warning, notes counted."""
    found: list[str] = []
    notes = 0
    for line in output.splitlines():
        m = _RULE.match(line)
        if m is None:
            continue
        path, lineno, severity, rule = m.groups()
        if severity == "note":
            notes += 1
            continue
        rel = os.path.relpath(path, root) if os.path.isabs(path) else path
        found.append(f"{rule} ({rel}:{lineno})")
    out = "; ".join(dict.fromkeys(found))
    if notes:
        out += ("; " if out else "") + f"{notes} notes"
    return out or "clean"


def run_tree(label: str, subject: str, tree: Path, work: Path) -> Outcome:
    spec = work / f"{label}.yaml"
    imported = migspec("import", "--source-root", str(tree), "-o", str(spec), "--force")
    if imported.returncode != 0:
        said = summarize(imported.stderr, str(tree))
        if said == "clean":  # no diagnostic: it did not run (no migspec, a crash)
            lines = imported.stderr.strip().splitlines() or ["no output"]
            said = f"import failed (exit {imported.returncode}): {lines[-1]}"
        return Outcome(label, subject, imported.returncode, None, None, said)
    what = contents(spec)
    lint = migspec("lint", "--spec", str(spec), "--fail-on", "warning")
    check = migspec("check", "--source-root", str(tree), "--spec", str(spec))
    said = summarize(check.stdout + check.stderr, str(tree))
    if lint.returncode != 0:
        said = "lint: " + summarize(lint.stdout + lint.stderr, str(spec)) + "; check: " + said
    return Outcome(label, subject, 0, lint.returncode, check.returncode, said, what)


def contents(path: Path) -> str:
    """What an imported spec holds, in a few words."""
    from migspec.load.spec import load_spec_text

    spec = load_spec_text(path.read_text(), str(path)).spec
    if spec is None:
        return "does not load"
    parts = [
        f"{len(spec.states)} states",
        f"{len(spec.features)} features",
        f"{len(spec.arcs)} arcs",
        f"{len(spec.flows)} flows",
        f"{sum(len(t.events) for t in spec.trace)} trace events",
    ]
    if spec.code.to_string is None:
        parts.append("no to-string")
    if spec.code.features is not None:
        parts.append("code.features " + (",".join(sorted(spec.code.features)) or "none"))
    return ", ".join(parts)


def revisions(repo: str, since: str, until: str) -> list[tuple[str, str]]:
    log = subprocess.run(
        [
            "git",
            "-C",
            repo,
            "log",
            "--reverse",
            "--format=%h %ad %s",
            "--date=short",
            f"{since}^..{until}",
            "--",
            *TOUCHED,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [(line.split(" ", 1)[0], line.split(" ", 1)[1]) for line in log.splitlines() if line]


def archive(repo: str, rev: str, dest: Path) -> None:
    dest.mkdir(parents=True)
    have = subprocess.run(
        ["git", "-C", repo, "ls-tree", "-r", "--name-only", rev, "--", *PATHS],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    tar = subprocess.run(
        [
            "git",
            "-C",
            repo,
            "archive",
            rev,
            "--",
            *sorted({p for p in PATHS if any(h.startswith(p) for h in have)}),
        ],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=tar, check=True)


def show(o: Outcome) -> None:
    print(
        f"{o.label} import={o.import_rc} lint={o.lint_rc} check={o.check_rc} "
        f"{o.reported} | {o.imported}",
        flush=True,
    )


def rst_table(outcomes: list[Outcome]) -> str:
    def cell(text: str) -> str:
        text = text.replace("\n", " ").replace("`", "'")
        return (
            text.replace("\\", "\\\\").replace("*", r"\*").replace("_", r"\_").replace("|", r"\|")
        )

    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 10 26 6 6 6 22 24",
        "",
        "   * - revision",
        "     - subject",
        "     - import",
        "     - lint",
        "     - check",
        "     - imported",
        "     - reported",
    ]
    for o in outcomes:
        lines += [
            f"   * - ``{o.label}``",
            f"     - {cell(o.subject)}",
            f"     - {o.import_rc}",
            f"     - {'' if o.lint_rc is None else o.lint_rc}",
            f"     - {'' if o.check_rc is None else o.check_rc}",
            f"     - {cell(o.imported)}",
            f"     - {cell(o.reported)}",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repo", required=True)
    p.add_argument("--since", default="e4082063e4")
    p.add_argument("--until", default="HEAD")
    p.add_argument("--extra", action="append", default=[], metavar="LABEL=DIR")
    p.add_argument("--rst", metavar="FILE")
    args = p.parse_args()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for rev, subject in revisions(args.repo, args.since, args.until):
            tree = work / "trees" / rev
            archive(args.repo, rev, tree)
            outcomes.append(run_tree(rev, subject, tree, work))
            o = outcomes[-1]
            show(o)
        for extra in args.extra:
            label, _, path = extra.partition("=")
            outcomes.append(run_tree(label, f"files in {path}", Path(path), work))
            o = outcomes[-1]
            show(o)
    if args.rst:
        Path(args.rst).write_text(rst_table(outcomes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
