"""C artefacts: the seed patch's switch and predicates, the uAPI enum."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migspec.render.c import render_c_enum, render_predicates, render_to_str

from .render_support import TOY, bundled, golden, seed_patch, spec_from

__all__ = ["seed_patch"]  # the fixture, imported for pytest


def test_to_str_matches_golden() -> None:
    assert render_to_str(bundled()) == golden("c", "mig_state_to_str.c")


def test_predicates_match_golden() -> None:
    assert render_predicates(bundled()) == golden("c", "predicates.c")


def test_enum_matches_golden() -> None:
    assert render_c_enum(bundled()) == golden("c", "vfio_device_mig_state.h")


def _post_image(patch: str, file: str) -> list[list[str]]:
    """The new side of each hunk of ``file`` in a unified diff (context + added lines)."""
    hunks: list[list[str]] = []
    current: list[str] | None = None
    in_file = False
    for line in patch.splitlines():
        if line.startswith("diff --git "):
            in_file = line.endswith(f" b/{file}")
            current = None
            continue
        if not in_file:
            continue
        if line.startswith("@@"):
            current = []
            hunks.append(current)
            # The hunk header repeats the enclosing function's first line.
            heading = line.split("@@", 2)[2].strip()
            if heading:
                current.append(heading)
            continue
        if current is None or line.startswith(("---", "+++")):
            continue
        if line.startswith((" ", "+")):
            current.append(line[1:])
        elif line == "":
            current.append("")
    return hunks


def test_to_str_contains_the_seed_patch_hunk(seed_patch: Path) -> None:
    hunks = _post_image(seed_patch.read_text("utf-8"), "hw/vfio/migration.c")
    hunk = next(h for h in hunks if "mig_state_to_str" in h[0])
    ours = render_to_str(bundled())
    assert ours is not None
    body = [line for line in hunk[1:] if line.strip()]
    # The hunk shows the switch from its STOP_COPY case to its end.
    assert "\n".join(body) in ours
    assert ours.startswith(hunk[0] + "\n{\n")


def test_predicates_contain_the_seed_patch_hunk(seed_patch: Path) -> None:
    hunks = _post_image(seed_patch.read_text("utf-8"), "hw/vfio/common.c")
    assert len(hunks) == 1
    hunk = hunks[0]
    ours = render_predicates(bundled())
    assert ours is not None
    # Everything from the first predicate's heading to the second's closing
    # brace, byte for byte (the hunk ends with an unrelated function).
    end = hunk.index("static bool vfio_devices_all_dirty_tracking(VFIOContainer *container)")
    expected = "\n".join(hunk[:end]).rstrip("\n") + "\n"
    assert ours == expected


def test_predicate_without_prologue_and_with_doc() -> None:
    text = TOY.replace(
        "subject: lamp->state}",
        "subject: lamp->state, params: const Lamp *lamp, doc: 'Lit? */ evil'}",
    )
    ours = render_predicates(spec_from(text))
    assert ours == (
        "/* Lit? * / evil */\n"
        "bool lamp_is_on(const Lamp *lamp)\n"
        "{\n"
        "    return lamp->state == LAMP_ON ||\n"
        "           lamp->state == LAMP_DIMMED;\n"
        "}\n"
    )


def test_to_str_default_is_a_c_string() -> None:
    ours = render_to_str(spec_from(TOY))
    assert ours is not None
    assert '        return "\\?\\? \\"odd\\"";\n' in ours
    assert re.search(r"^static const char \*lamp_name\(enum lamp_state state\)$", ours, re.M)


def test_no_code_section_means_no_c() -> None:
    spec = spec_from(TOY.split("code:")[0])
    assert render_to_str(spec) is None
    assert render_predicates(spec) is None
    assert render_c_enum(spec).startswith("enum lamp_state {\n\tLAMP_BROKEN = 0,\n")


@pytest.mark.parametrize("kind", ["to-str", "predicates", "c-enum"])
def test_cli_prints_the_same(kind: str) -> None:
    from .render_support import run_cli

    result = run_cli("render", kind)
    assert result.returncode == 0, result.stderr
    name = {
        "to-str": "mig_state_to_str.c",
        "predicates": "predicates.c",
        "c-enum": "vfio_device_mig_state.h",
    }[kind]
    assert result.stdout == golden("c", name)
