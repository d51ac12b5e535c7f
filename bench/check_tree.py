"""Time ``check_tree`` on a source tree (not a test).

Usage: PYTHONPATH=ext python3 bench/check_tree.py [SOURCE_ROOT [KERNEL_ROOT]]
Default: the fixture tree tests/trees/base with tests/trees/kernel.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from migspec.artefacts import check_tree
from migspec.load.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    source = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "tests/trees/base")
    kernel = sys.argv[2] if len(sys.argv) > 2 else str(ROOT / "tests/trees/kernel")
    spec = load_spec().spec
    assert spec is not None
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        diagnostics = check_tree(spec, source, kernel)
        runs.append(time.perf_counter() - start)
    print(f"{source}: {len(diagnostics)} diagnostics; best {min(runs) * 1000:.0f} ms of 5 runs")


if __name__ == "__main__":
    main()
