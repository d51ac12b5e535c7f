"""Escaping: each filter on its own, then a hostile spec through every renderer.

Spec text (titles, docs, flow lines, state spellings, the to-string default)
may hold quotes, backslashes, comment closers, rst markup, HTML and newlines;
none of it may break or inject into rst, C, trace-events, DOT, SVG or HTML.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from migspec.generate import generate
from migspec.model import FlowStyle, Spec
from migspec.render import escape
from migspec.render.c import render_c_enum, render_predicates, render_to_str
from migspec.render.dot import render_flow_dot, render_fsm_dot, render_svg
from migspec.render.flow_rst import render_flow_rst
from migspec.render.trace import render_trace_events

from .render_support import spec_from

EVIL = (
    'a "quote" \\ back */ end /* `rst` *emph* :: .. note:: <b>bold</b> '
    "</svg><script>alert(1)</script> &amp; |sub| {brace} ]]> -->\nsecond line\tafter tab"
)
# What a single output line can keep of EVIL: line breaks and tabs become spaces.
EVIL_LINE = EVIL.replace("\n", " ").replace("\t", " ")


# -- the filters -------------------------------------------------------------------


def test_c_string_reads_back() -> None:
    assert escape.c_string('say "hi"\\\n\t??=') == 'say \\"hi\\"\\\\\\n\\t\\?\\?='
    assert escape.c_string("\x01\x7f") == "\\001\\177"


def test_c_comment_cannot_close_early() -> None:
    assert "*/" not in escape.c_comment("a */ b /* c")
    assert "/*" not in escape.c_comment("a */ b /* c")


def test_c_identifier_refuses_non_identifiers() -> None:
    assert escape.c_identifier("VFIO_X1") == "VFIO_X1"
    for bad in ("1X", "a-b", "a b", "", "x;y"):
        with pytest.raises(ValueError):
            escape.c_identifier(bad)


def test_c_code_line_keeps_one_line() -> None:
    assert escape.c_code_line("Foo *a,\n\tint b") == "Foo *a, int b"


def test_rst_text_escapes_inline_markup() -> None:
    assert escape.rst_text("*a* `b` c_ |d|") == "\\*a\\* \\`b\\` c\\_ \\|d\\|"
    assert "\n" not in escape.rst_text("a\nb")


def test_rst_literal_line_and_trace_text_stay_on_one_line() -> None:
    assert escape.rst_literal_line("a\nb\tc\rd") == "a b c d"
    assert escape.trace_format_text("a\nb\rc") == "a b c"


def test_dot_string_and_html() -> None:
    assert escape.dot_string('a"b\\c\nd') == 'a\\"b\\\\c\\nd'
    assert escape.dot_string("&amp; &") == "&amp;amp; &amp;"
    assert escape.dot_html('<b a="1">&</b>\n') == "&lt;b a=&quot;1&quot;&gt;&amp;&lt;/b&gt;<br/>"


def test_svg_inline_strips_prolog_comments_and_prefixes_ids() -> None:
    svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "x" "http://example.invalid/svg.dtd">\n'
        '<!-- a --> <svg id="graph0"><!-- b\n--><g id="node1"><use href="#node1"/>'
        '<path fill="url(#grad)"/></g></svg>\n'
    )
    out = escape.svg_inline(svg, "fsm-all")
    assert out == (
        '<svg id="fsm-all-graph0"><g id="fsm-all-node1"><use href="#fsm-all-node1"/>'
        '<path fill="url(#fsm-all-grad)"/></g></svg>\n'
    )
    with pytest.raises(ValueError):
        escape.svg_inline(svg, 'x" onload="y')


def test_html_id() -> None:
    assert escape.html_id("flow-save-P2P+PRE_COPY") == "flow-save-P2P-PRE_COPY"


# -- a hostile spec through every renderer ------------------------------------


def hostile_spec() -> Spec:
    return spec_from(yaml.safe_dump(hostile_doc(), allow_unicode=True), "evil.yaml")


def hostile_doc() -> dict[str, Any]:
    """The hostile spec as data (the Sphinx tests write it to a file)."""
    doc: dict[str, Any] = {
        "migspec": 1,
        "machine": {
            "name": "evil",
            "title": EVIL,
            "doc": EVIL,
            "c": {"enum": "evil_state", "prefix": "EVIL_"},
        },
        "features": [
            {"name": "BASE", "macro": "EVIL_BASE", "bit": 0, "mandatory": True, "doc": EVIL},
            {"name": "MORE", "macro": "EVIL_MORE", "bit": 1, "doc": EVIL},
        ],
        "groups": [{"name": "grp", "doc": EVIL}],
        "classes": [{"name": "up", "doc": EVIL}],
        "states": [
            {"name": "DEAD", "value": 0, "error": True, "doc": EVIL},
            {"name": "IDLE", "value": 1, "initial": True, "doc": EVIL, "docs_as": '_I"<i>\\'},
            {"name": "UP", "value": 2, "groups": ["grp"], "classes": ["up"], "doc": EVIL},
            {
                "name": "UP_MORE",
                "value": 3,
                "features": ["MORE"],
                "groups": ["grp"],
                "stand_in": "UP",
                "doc": EVIL,
            },
        ],
        "arcs": [
            {"from": "IDLE", "to": "UP", "session": "open", "doc": EVIL},
            {"from": "UP", "to": "IDLE", "session": "close", "doc": EVIL},
            {"from": "UP", "to": "UP_MORE", "features": ["MORE"], "doc": EVIL},
            {"from": "UP_MORE", "to": "UP", "features": ["MORE"], "doc": EVIL},
        ],
        "refused": [{"from": "IDLE", "to": "UP_MORE", "doc": EVIL}],
        "flows": [
            {
                "name": "evil-flow",
                "title": EVIL,
                "doc": EVIL,
                "features": ["MORE"],
                "steps": [
                    {"text": [EVIL, ""], "state": ["V", "M", "IDLE"]},
                    {
                        "text": [{"text": EVIL, "features": ["MORE"]}],
                        "state": ["V", "M", "UP_MORE"],
                        "text_after": [EVIL, "x" * 200],
                    },
                ],
            }
        ],
        "trace": [
            {
                "file": "t/trace-events",
                "section": "evil.c\n# injected",
                "events": [
                    {"name": "evil_event", "args": ["int a"], "format": '"%d"\ninjected(void) ""'}
                ],
            }
        ],
        "code": {
            "to_string": {"function": "evil_to_str", "file": "e.c", "default": EVIL},
            "predicates": [
                {
                    "function": "evil_is_up",
                    "file": "e.c",
                    "class": "up",
                    "subject": "e->state",
                    "params": "const struct evil *e",
                    "doc": EVIL,
                }
            ],
        },
    }
    return doc


@pytest.mark.parametrize("style", list(FlowStyle))
def test_rst_block_stays_one_literal_block(style: FlowStyle) -> None:
    from docutils.core import publish_doctree
    from docutils.utils import Reporter

    spec = hostile_spec()
    block = render_flow_rst(spec, spec.flows[0], style=style)
    lines = block.splitlines()
    assert all(line == "" or line.startswith(" ") for line in lines)
    assert sum(EVIL_LINE in line for line in lines) == 3
    assert "x" * 200 in block  # too long to centre: one column in, still in the block
    document = "Title\n=====\n\n::\n\n" + block + "\nAfter.\n"
    tree = publish_doctree(document, settings_overrides={"report_level": Reporter.SEVERE_LEVEL + 1})
    literals = [n for n in list(tree.findall()) if n.tagname == "literal_block"]
    assert len(literals) == 1
    assert EVIL_LINE in literals[0].astext()
    assert not [n for n in list(tree.findall()) if n.tagname == "system_message"]
    assert list(tree.findall())[-1].astext() == "After."


def test_trace_events_stay_one_line_each() -> None:
    text = render_trace_events(hostile_spec())
    assert text == '# evil.c # injected\nevil_event(int a) "%d" injected(void) ""\n'


needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")


@needs_gcc
def test_c_compiles_and_the_default_string_reads_back(tmp_path: Path) -> None:
    spec = hostile_spec()
    to_str, predicates = render_to_str(spec), render_predicates(spec)
    assert to_str is not None and predicates is not None
    program = (
        "#include <stdbool.h>\n#include <stdio.h>\n#include <string.h>\n"
        + render_c_enum(spec)
        + "struct evil { enum evil_state state; };\n"
        + to_str.replace("static ", "", 1)
        + predicates
        + "int main(int argc, char **argv)\n{\n"
        + "    struct evil e = { EVIL_UP_MORE };\n"
        + "    (void)argv;\n"
        + "    fputs(evil_to_str((enum evil_state)(argc + 40)), stdout);\n"
        + "    return evil_is_up(&e) ? 3 : 0;\n}\n"
    )
    source = tmp_path / "evil.c"
    source.write_text(program)
    binary = tmp_path / "evil"
    subprocess.run(
        ["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-o", str(binary), str(source)],
        check=True,
        capture_output=True,
    )
    run = subprocess.run([str(binary)], capture_output=True, check=False)
    # The class "up" holds UP only (UP_MORE is not in it): the predicate says no.
    assert run.returncode == 0
    assert run.stdout.decode() == EVIL


needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


@needs_dot
def test_dot_parses_and_keeps_the_text() -> None:
    import json

    import graphviz

    spec = hostile_spec()
    for source in (
        render_fsm_dot(spec, show_refused=True),
        render_fsm_dot(spec, spec.all_features),
        render_flow_dot(spec, spec.flows[0]),
    ):
        laid = json.loads(graphviz.Source(source).pipe(format="json"))
        # The strings Graphviz actually draws: the title is EVIL's first line,
        # exactly (the line break became a real one).
        drawn = [
            op["text"]
            for item in [laid, *laid.get("objects", []), *laid.get("edges", [])]
            for op in item.get("_ldraw_", [])
            if op.get("op") == "T"
        ]
        assert EVIL.split("\n")[0] in drawn
        svg = render_svg(source)
        assert "<script" not in svg
        assert "&lt;/svg&gt;&lt;script&gt;" in svg


@needs_dot
def test_index_html_escapes_everything(tmp_path: Path) -> None:
    report = generate(hostile_spec(), tmp_path)
    assert not report.warnings
    page = (tmp_path / "index.html").read_text("utf-8")

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []
            self.text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.text.append(data)

    parser = Tags()
    parser.feed(page)
    assert "script" not in parser.tags
    assert "b" not in parser.tags and "i" not in parser.tags
    assert parser.tags.count("svg") == page.count("<svg ")
    assert parser.tags.count("svg") == 1 + 2 + 2  # machine, two kinds, the flow for two kinds
    text = "".join(parser.text)
    assert "</svg><script>alert(1)</script>" in text  # shown as text, not markup


# -- control, line-separator and bidi characters --------------------------------------

# A NUL, a terminal escape sequence, a bell, NEL, U+2028 (a line break to
# docutils and editors), a right-to-left override (Trojan Source) and a form feed.
CONTROL = "a\0b \x1b[31mred\x1b[0m \x07 \x85 c\u2028d \u202eevil\u202c \x0c end"
RAW_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    "name",
    [
        "c_comment",
        "c_code_line",
        "rst_text",
        "rst_literal_line",
        "dot_string",
        "dot_html",
        "trace_format_text",
    ],
)
def test_no_filter_lets_a_control_character_through(name: str) -> None:
    out = getattr(escape, name)(CONTROL)
    assert not RAW_CONTROLS.search(out)
    assert escape.REPLACEMENT in out
    if name.startswith(("c_", "trace")):
        assert not BIDI.search(out)
    if name in ("rst_text", "rst_literal_line", "c_code_line", "trace_format_text"):
        assert len(out.splitlines()) == 1


def test_c_string_escapes_controls_and_bidi_as_utf8_octal() -> None:
    out = escape.c_string("x\u202ey\x85\0")
    assert out == "x\\342\\200\\256y\\302\\205\\000"
    assert out.isascii()


def control_spec() -> Spec:
    return spec_from(yaml.safe_dump(control_doc(), allow_unicode=True), "control.yaml")


def control_doc() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(
        (Path(__file__).parent / "specs" / "mirror-small.yaml").read_text()
    )
    doc["machine"]["title"] = CONTROL
    doc["machine"]["doc"] = CONTROL
    doc["states"][1]["doc"] = CONTROL
    doc["flows"][0]["title"] = CONTROL
    doc["flows"][0]["steps"][0]["text"] = [CONTROL]
    doc["trace"][0]["events"][0]["format"] = '"' + CONTROL + '"'
    # (A NUL would end the C string: the default carries the rest.)
    doc["code"]["to_string"]["default"] = CONTROL.replace("\0", "")
    doc["code"]["predicates"][0]["doc"] = CONTROL
    return doc


def test_controls_reach_no_generated_file(tmp_path: Path) -> None:
    """generate used to crash here: dot refused a NUL in an HTML-like label."""
    report = generate(control_spec(), tmp_path)
    assert not [w for w in report.warnings if "refused" in w]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            text = path.read_text("utf-8")
            assert not RAW_CONTROLS.search(text), path
        if path.suffix in (".c", ".h") or path.name == "trace-events":
            assert not BIDI.search(path.read_text("utf-8")), path
    block = (tmp_path / "flows/migrate/THROTTLE.projected.rst").read_text()
    from docutils.core import publish_doctree

    tree = publish_doctree("T\n=\n\n::\n\n" + block, settings_overrides={"report_level": 5})
    (literal,) = [n for n in tree.findall() if n.tagname == "literal_block"]
    assert literal.astext().count("\n") == block.rstrip("\n").count("\n")


@needs_gcc
def test_control_default_string_still_reads_back(tmp_path: Path) -> None:
    spec = control_spec()
    to_str = render_to_str(spec)
    assert to_str is not None
    program = (
        "#include <stdio.h>\n"
        + render_c_enum(spec)
        + to_str.replace("static ", "", 1)
        + "int main(int argc, char **argv)\n{\n    (void)argv;\n"
        + "    fputs(mirror_state_name((enum mirror_state)(argc + 40)), stdout);\n"
        + "    return 0;\n}\n"
    )
    source = tmp_path / "c.c"
    source.write_text(program)
    subprocess.run(
        ["gcc", "-std=c11", "-Wall", "-Werror", "-o", str(tmp_path / "c"), str(source)],
        check=True,
        capture_output=True,
    )
    run = subprocess.run([str(tmp_path / "c")], capture_output=True, check=True)
    assert run.stdout.decode("utf-8") == CONTROL.replace("\0", "")


@needs_dot
def test_dot_from_a_hostile_spec_sets_no_attribute_that_reads_files() -> None:
    """Graphviz reads files for image=, shapefile=, imagepath=, fontpath=; URL= makes links."""
    import json

    import graphviz

    dangerous = {"image", "shapefile", "imagepath", "fontpath", "URL", "href", "stylesheet"}
    for spec in (hostile_spec(), control_spec()):
        sources = [render_fsm_dot(spec, show_refused=True)]
        sources += [render_flow_dot(spec, flow) for flow in spec.flows]
        for source in sources:
            laid = json.loads(graphviz.Source(source).pipe(format="json"))
            for item in [laid, *laid.get("objects", []), *laid.get("edges", [])]:
                assert not dangerous & set(item), sorted(dangerous & set(item))


def test_human_output_cannot_start_a_line_or_send_escapes() -> None:
    from migspec.diagnostics import Diagnostic, Location, Severity
    from migspec.report import format_human

    d = Diagnostic(
        rule="r",
        severity=Severity.ERROR,
        message="bad\n::error file=x::injected \x1b[2J\u2028\ttab",
        location=Location("a\nb.c", 1, 1),
    )
    out = format_human([d])
    assert out.count("\n") == 1 and out.endswith("\n")
    assert "\\x0a::error" in out and "\\x1b" in out and "\\u2028" in out and "\t" in out
