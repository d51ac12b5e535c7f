"""Benchmark inputs made at run time: a QEMU-sized source tree and a docs set.

Nothing here is committed output: the trees are written into a temporary
folder from the project's own fixtures.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "trees" / "base"

# QEMU's hw/vfio/ at the seed revision holds about 15k lines of C.
TARGET_LINES = 15_000

_FILLER = """
static int vfio_bench_helper_{n}(VFIODevice *vbasedev, uint64_t size)
{{
    VFIOMigration *migration = vbasedev->migration;
    int ret = 0;

    /* Padding so the tree is the size of QEMU's hw/vfio/. */
    if (!migration || size == 0) {{
        return -EINVAL;
    }}
    switch (size & 3) {{
    case 0:
        ret = {n};
        break;
    case 1:
        ret = -{n};
        break;
    default:
        ret = (int)(size >> 2);
        break;
    }}
#ifdef CONFIG_BENCH_{n}
    ret += vfio_bench_helper_{prev}(vbasedev, size - 1);
#endif
    return ret;
}}
"""


def qemu_sized_tree(dest: Path) -> Path:
    """tests/trees/base with its hw/vfio/*.c padded to about 15k lines."""
    tree = dest / "qemu"
    shutil.copytree(BASE, tree, ignore=shutil.ignore_patterns("expected.txt"))
    vfio = tree / "hw" / "vfio"
    lines = sum(len(p.read_text().splitlines()) for p in vfio.glob("*.c"))
    n = 0
    extra = {p: [] for p in sorted(vfio.glob("*.c"))}
    files = list(extra)
    while lines < TARGET_LINES:
        chunk = _FILLER.format(n=n, prev=max(n - 1, 0))
        extra[files[n % len(files)]].append(chunk)
        lines += chunk.count("\n")
        n += 1
    for path, chunks in extra.items():
        path.write_text(path.read_text() + "".join(chunks))
    return tree


def docs_pair(dest: Path) -> tuple[Path, Path]:
    """The VFIO docs page twice: with migspec's directives, and with their
    output pasted in as plain rst (literal blocks, graphviz, list tables)."""
    import sys

    sys.path.insert(0, str(ROOT / "ext"))
    from migspec.fsm.engine import device_steps
    from migspec.load.spec import load_spec
    from migspec.model import FlowStyle
    from migspec.render.dot import render_flow_dot, render_fsm_dot
    from migspec.render.flow_rst import render_flow_rst

    spec = load_spec().spec
    assert spec is not None
    source = (ROOT / "docs" / "vfio.rst").read_text()
    conf = 'extensions = ["migspec.sphinxext"]\ngraphviz_output_format = "svg"\nexclude_patterns = ["_build"]\n'
    with_directives = dest / "directives"
    static = dest / "static"
    for folder in (with_directives, static):
        folder.mkdir(parents=True)
        (folder / "conf.py").write_text(conf)
    (with_directives / "index.rst").write_text(source)

    def indent(text: str) -> str:
        return "".join(("   " + line if line.strip() else "") + "\n" for line in text.splitlines())

    def table(header: list[str], rows: list[list[str]]) -> str:
        out = [".. list-table::", "   :header-rows: 1", ""]

        def cell(text: str) -> str:
            return f"``{text}``" if text else "-"

        for i, row in enumerate([header, *rows]):
            cells = row if i == 0 else [cell(c) for c in row]
            out.append("   * - " + (cells[0] or "-"))
            out.extend("     - " + (c or "-") for c in cells[1:])
        return "\n".join(out) + "\n"

    def replace(match: re.Match[str]) -> str:
        kind, arg, body = match.group(1), (match.group(2) or "").strip(), match.group(3) or ""
        opts = dict(re.findall(r"^\s+:([a-z-]+):\s*(.*)$", body, flags=re.M))
        features = spec.parse_device_kind(opts["features"]).features if "features" in opts else None
        caption = opts.get("caption", "")
        if kind == "flow":
            flow = spec.flow_map[arg]
            if opts.get("format") == "graphviz":
                dot = render_flow_dot(spec, flow, features)
                return f".. graphviz::\n   :caption: {caption}\n\n{indent(dot)}\n"
            style = FlowStyle(opts["style"]) if "style" in opts else None
            text = render_flow_rst(spec, flow, features=features, style=style)
            return f".. code-block:: none\n   :caption: {caption}\n\n{indent(text)}\n"
        if kind == "fsm":
            dot = render_fsm_dot(spec, features, show_refused="show-refused" in opts)
            return f".. graphviz::\n   :caption: {caption}\n\n{indent(dot)}\n"
        if kind == "states":
            rows = [
                [
                    str(s.value),
                    s.name,
                    ", ".join(sorted(s.features)),
                    ", ".join(s.groups),
                    ", ".join(s.classes),
                    s.doc,
                ]
                for s in spec.states_by_value
            ]
            return table(["Value", "State", "Needs", "Groups", "Classes", "Meaning"], rows)
        if kind == "transitions":
            steps = device_steps(spec, spec.device_kind(features or spec.all_features))
            rows = [
                [a, *[steps.answer(a, b).step or "(hangs)" for b in steps.states]]
                for a in steps.states
            ]
            return table(["from \\\\ to", *steps.states], rows)
        if kind == "trace-events":
            rows = [[e.name, e.args_text, e.format, e.caller or "-"] for e in spec.trace_events()]
            return table(["Event", "Arguments", "Format", "Called from"], rows)
        raise ValueError(kind)

    pattern = re.compile(r"^\.\. migspec:([a-z-]+)::(.*)\n((?:[ \t]+:.*\n)*)", re.M)
    text = pattern.sub(replace, source)
    text = re.sub(r":migspec:state:`([A-Z_0-9]+)`", r"``\1``", text)
    (static / "index.rst").write_text(text)
    return with_directives, static
