"""Spec pairs the review tests compare: the seed example, and edits of our own."""

from __future__ import annotations

from pathlib import Path

from migspec.model import Spec

from .conftest import ROOT
from .render_support import TOY, spec_from

SEED_OLD = "spec/examples/vfio-migration-3d4d0f0e06.yaml"
SEED_NEW = "spec/vfio-migration.yaml"
GOLDEN = ROOT / "tests" / "golden" / "diff"


def edit(text: str, *replacements: tuple[str, str]) -> str:
    """``text`` with each (old, new) replaced exactly once (a test that edits
    nothing would prove nothing)."""
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def arcs_edited() -> str:
    """The bundled spec with one arc removed, one added and one re-documented."""
    return edit(
        (ROOT / SEED_NEW).read_text("utf-8"),
        (
            "  - {from: RUNNING, to: STOP, without: [P2P],\n"
            "     doc: Stop the device directly (no P2P quiescent state).}\n",
            "",
        ),
        (
            "     doc: Load the streamed-in state and end the session.}\n",
            "     doc: Load the streamed-in state and end the session.}\n"
            "  - {from: RESUMING, to: RUNNING, session: close,\n"
            "     doc: Load the streamed-in state and start at once.}\n",
        ),
        (
            "doc: Start the device directly (no P2P quiescent state).}",
            "doc: Start the device at once.}",
        ),
    )


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


# The toy lamp with a state, its arcs and a device kind more.
TOY_BLINK = edit(
    TOY,
    (
        "  - {name: DIM, macro: LAMP_DIM, bit: 1}\n",
        "  - {name: DIM, macro: LAMP_DIM, bit: 1}\n  - {name: BLINK, macro: LAMP_BLINK, bit: 2}\n",
    ),
    (
        "     stand_in: ON, doc: Half bright.}\n",
        "     stand_in: ON, doc: Half bright.}\n"
        "  - {name: BLINKING, value: 4, features: [BASE, BLINK], stand_in: ON, doc: On and off.}\n",
    ),
    (
        "  - {from: DIMMED, to: ON, features: [DIM]}\n",
        "  - {from: DIMMED, to: ON, features: [DIM]}\n"
        "  - {from: ON, to: BLINKING, features: [BLINK]}\n"
        "  - {from: BLINKING, to: ON, features: [BLINK]}\n",
    ),
)


def toy() -> Spec:
    return spec_from(TOY, "toy.yaml")


def toy_blink() -> Spec:
    return spec_from(TOY_BLINK, "toy-blink.yaml")
