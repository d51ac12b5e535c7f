"""What the kernel's scripts/checkpatch.pl would say of the lines a patch adds.

Only the rules a generated region can break: no trailing whitespace, lines
of at most 100 columns (tabs at 8), no space before a tab in the
indentation, code indented with tabs (a line of code starting with 8
spaces), no DOS line endings.  Returns the complaints; empty when clean.
"""

from __future__ import annotations

MAX_COLUMNS = 100


def checkpatch(diff: str) -> list[str]:
    out: list[str] = []
    for n, line in enumerate(diff.split("\n"), 1):
        if not line.startswith("+") or line.startswith("+++"):
            continue
        added = line[1:]
        if added.endswith("\r"):
            out.append(f"{n}: DOS line ending")
        if added != added.rstrip():
            out.append(f"{n}: trailing whitespace")
        if len(added.expandtabs(8)) > MAX_COLUMNS:
            out.append(f"{n}: longer than {MAX_COLUMNS} columns")
        indent = added[: len(added) - len(added.lstrip(" \t"))]
        if " \t" in indent:
            out.append(f"{n}: space before tab in indent")
        if added.startswith(" " * 8) and not added.lstrip().startswith("*"):
            out.append(f"{n}: code indent should use tabs")
    return out


def test_checkpatch_finds_what_it_looks_for() -> None:
    bad = "+++ b/x.c\n+\tx = 1; \n+        y = 2;\n+ \tz;\n+" + "a" * 101 + "\n"
    assert len(checkpatch(bad)) == 4
    assert checkpatch("+++ b/x.c\n+\tx = 1;\n+ * comment\n-  old  \n") == []
