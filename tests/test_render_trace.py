"""trace-events rendering: QEMU's real section byte for byte, sorting, sections."""

from __future__ import annotations

from pathlib import Path

from migspec.render.trace import render_trace_events

from .render_support import SEED_REV, TOY, bundled, spec_from


def _section(text: str, title: str) -> str:
    """From the ``# title`` line to the blank line (or end of file) after it."""
    lines = text.splitlines(keepends=True)
    start = lines.index(f"# {title}\n")
    out = []
    for line in lines[start:]:
        if not line.strip():
            break
        out.append(line)
    return "".join(out)


def test_migration_section_equals_qemu_byte_for_byte(corpus: Path) -> None:
    real = (corpus / SEED_REV / "hw/vfio/trace-events").read_text("utf-8")
    expected = _section(real, "migration.c")
    assert expected.count("\n") == 18  # the comment and 17 events
    assert render_trace_events(bundled()) == expected


def test_events_sorted_in_byte_order_and_sections_apart() -> None:
    text = render_trace_events(spec_from(TOY))
    assert text == (
        "# switch.c\n"
        'lamp_Off(void) "off"\n'  # "O" sorts before "d": byte order, not case-folded
        'lamp_dim(const char *why, uint64_t n) "%s %"PRIu64\n'
        'lamp_on(int level) "level %d"\n'
        "\n"
        "# dimmer.c\n"
        'dimmer_set(unsigned level) "%u"\n'
    )


def test_event_properties_lead_the_line() -> None:
    spec = spec_from(
        TOY.replace(
            "- {name: dimmer_set, args: [unsigned level], format: '\"%u\"'}",
            "- {name: dimmer_set, args: [unsigned level], format: '\"%u\"', properties: [vcpu]}",
        )
    )
    assert 'vcpu dimmer_set(unsigned level) "%u"\n' in render_trace_events(spec)
