"""How close the rendered uAPI comment is to a real kernel's, line for line.

Not a benchmark and not a test: a measurement for ``docs/kernel-comment.rst``.
It renders the comment above the state enum from a spec (the bundled one by
default), reads the real one from a kernel tree's uAPI header, and prints
whether ``check`` finds any difference of meaning, then how many lines of the
rendered comment are byte-equal to a line of the real one (as ``diff`` pairs
them) and how many lines each has::

    python3 bench/fsm_comment.py /path/to/linux [--spec SPEC]
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "ext"))

from migspec.align.fsm_comment import align  # noqa: E402
from migspec.align.rendered_comment import rendered_comment  # noqa: E402
from migspec.load.spec import load_spec  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kernel_root", type=Path)
    parser.add_argument("--spec", type=Path, default=ROOT / "spec" / "vfio-migration.yaml")
    args = parser.parse_args()
    spec = load_spec(args.spec).spec
    if spec is None or spec.code.kernel is None:
        print(f"{args.spec}: no spec with a code.kernel section", file=sys.stderr)
        return 2
    header = args.kernel_root / spec.code.kernel.header
    text = header.read_text()
    rendered = rendered_comment(spec)
    read = rendered.read_header(text, str(header))
    if read is None:
        print(f"{header}: no comment above enum {spec.machine.enum}", file=sys.stderr)
        return 1
    differences = align(read, rendered.read, rendered.expected)
    real = text.split("\n")[read.line - 1 : read.last_line]
    ours = rendered.text.split("\n")[:-1]
    matcher = difflib.SequenceMatcher(a=real, b=ours, autojunk=False)
    equal = sum(block.size for block in matcher.get_matching_blocks())
    print(f"{header}: lines {read.line}-{read.last_line}")
    print(f"differences of meaning: {len(differences)}")
    for d in differences:
        print(f"  line {d.line}: {type(d).__name__}")
    print(f"real comment: {len(real)} lines; rendered: {len(ours)} lines")
    print(f"byte-equal lines: {equal} ({100 * equal / len(ours):.0f}% of the rendered)")
    blank = sum(
        1
        for i, j, n in matcher.get_matching_blocks()
        for k in range(n)
        if not ours[j + k].strip(" *")
    )
    print(f"  of which ' *' or blank: {blank}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
