"""The C reader (real tree-sitter) on small snippets and on the fixture tree."""

from __future__ import annotations

import os
from pathlib import Path

from migspec.source import c

from .source_trees import BASE

PREFIX = "S_"


def parse(text: str, path: str = "x.c") -> c.CFile:
    return c.CReader().parse_bytes(text.encode(), path)


def names(refs: tuple[c.Ref, ...]) -> list[str]:
    return [r.name for r in refs]


def test_enum_values_explicit_implicit_and_expressions() -> None:
    cfile = parse(
        "enum other { S_NOT = 9 };\n"
        "enum st {\n"
        "\tS_A = 0,   /* first */\n"
        "\tS_B,\n"
        "#ifdef X\n"
        "\tS_C = 1 << 3,\n"
        "#endif\n"
        "\tS_D,\n"
        "\tS_E = S_B + 10,\n"
        "\tS_F = some_macro(2),\n"
        "};\n"
    )
    read = c.read_enum(cfile, "st")
    assert read is not None
    assert [(k.name, k.value) for k in read.constants] == [
        ("S_A", 0),
        ("S_B", 1),
        ("S_C", 8),
        # 9 if X is defined, 2 if not: the reader does not guess.
        ("S_D", None),
        ("S_E", 11),
        ("S_F", None),
    ]
    assert read.constants[2].conditions == ("#ifdef X",)
    assert read.constants[3].conditions == ()
    assert [(a.location.line, a.message) for a in read.ambiguities] == [
        (8, "the value of S_D depends on which #if branch the compiler takes (one of 2, 9)")
    ]
    assert (read.constants[1].location.line, read.constants[1].location.column) == (4, 2)
    assert c.read_enum(cfile, "missing") is None


def test_enum_trailing_count_enumerators_are_sentinels_not_members() -> None:
    for sentinel in ("S_NR", "S_MAX", "S_COUNT", "__S_LAST"):
        cfile = parse(f"enum st {{\n\tS_A = 0,\n\n\t/* b */\n\tS_B,\n\t{sentinel},\n}};\n")
        read = c.read_enum(cfile, "st")
        assert read is not None
        assert [(k.name, k.value) for k in read.constants] == [("S_A", 0), ("S_B", 1)]
        assert [(k.name, k.value, k.location.line) for k in read.sentinels] == [(sentinel, 2, 6)]


def test_enum_sentinel_shapes_that_are_members() -> None:
    # An explicit value, or a place other than the end, makes it a member.
    for body in ("S_A, S_NR = 1", "S_A, S_MAX, S_B", "S_A, S_LAST"):
        read = c.read_enum(parse(f"enum st {{ {body} }};"), "st")
        assert read is not None and read.sentinels == ()
    # A name the caller declares is a sentinel wherever it is.
    read = c.read_enum(parse("enum st { S_A, S_ALL = 7, S_B };"), "st", sentinels=["S_ALL"])
    assert read is not None
    assert [k.name for k in read.constants] == ["S_A", "S_B"]
    assert [k.name for k in read.sentinels] == ["S_ALL"]


def test_enum_if_branches_that_agree_are_read_and_those_that_differ_are_not() -> None:
    read = c.read_enum(
        parse(
            "enum st {\n"
            "\tS_A,\n"
            "#if defined(X)\n"
            "\tS_B = 4,\n"
            "#elif Y\n"
            "\tS_B = 5,\n"
            "#else\n"
            "\tS_B = 4,\n"
            "#endif\n"
            "#ifdef Z\n"
            "\tS_C = 9,\n"
            "#else\n"
            "\tS_C = 9,\n"
            "#endif\n"
            "\tS_D,\n"
            "};\n"
        ),
        "st",
    )
    assert read is not None
    assert [(k.name, k.value) for k in read.constants] == [
        ("S_A", 0),
        ("S_B", None),
        ("S_C", 9),
        ("S_D", 10),
    ]
    assert [(a.location.line, a.message) for a in read.ambiguities] == [
        (6, "S_B is 4 in one #if branch and 5 in another")
    ]


def test_enum_of_the_qemu_master_uapi_header(corpus: Path) -> None:
    header = corpus / "qemu-master" / "linux-headers" / "linux" / "vfio.h"
    cfile = c.CReader().parse_bytes(header.read_bytes(), str(header))
    read = c.read_enum(cfile, "vfio_device_mig_state")
    assert read is not None and read.ambiguities == ()
    assert [k.value for k in read.constants] == list(range(8))
    assert [(k.name, k.value) for k in read.sentinels] == [("VFIO_DEVICE_STATE_NR", 8)]


def test_to_string_fall_through_ifdef_comments_and_default() -> None:
    cfile = parse(
        "static const char *to_str(enum st s)\n"
        "{\n"
        "    switch (s) {\n"
        "    /* a comment before the first case */\n"
        "    case S_A:\n"
        "    case (S_B):   /* falls through */\n"
        '        return "AB";\n'
        "#ifdef CONFIG_C\n"
        "    case S_C:\n"
        '\treturn "C" "1";\n'
        "#endif\n"
        "    case S_D:\n"
        "        name = lookup(s);\n"
        "        break;\n"
        "    default:\n"
        '        return "?\\"";\n'
        "    }\n"
        "}\n"
    )
    read, diagnostics = c.read_to_string(cfile, "to_str")
    assert read is not None
    assert [(k.constant, k.string) for k in read.cases] == [
        ("S_A", "AB"),
        ("S_B", "AB"),
        ("S_C", "C1"),
        ("S_D", None),
    ]
    assert read.default is not None and read.default.string == '?"'
    assert read.cases[0].location.line == 5
    assert read.cases[1].string_location.line == 7
    assert [(d.rule, d.location.line) for d in diagnostics] == [("check-c-form", 13)]


def test_to_string_function_absent_or_without_switch() -> None:
    cfile = parse('static const char *f(int s) { return s ? "a" : "b"; }\n')
    assert c.read_to_string(cfile, "g") == (None, [])
    read, diagnostics = c.read_to_string(cfile, "f")
    assert read is None and diagnostics[0].rule == "check-c-form"


def test_predicate_forms() -> None:
    cfile = parse(
        "bool eq(D *d) { return d->st == S_A || (d->st == S_B) || S_C == d->st; }\n"
        "bool ne(D *d) {\n"
        "    return d->st != S_A &&\n"
        "           d->st != S_B;\n"
        "}\n"
        "bool bang(D *d) { return !(d->st == S_A || d->st == S_B); }\n"
        "bool sw(D *d)\n"
        "{\n"
        "    switch (d->st) {\n"
        "    case S_A:\n"
        "    case S_B:\n"
        "        return true;\n"
        "    default:\n"
        "        return false;\n"
        "    }\n"
        "}\n"
        "bool sw_neg(D *d)\n"
        "{\n"
        "    switch (d -> st) {\n"
        "    case S_C:\n"
        "        return false;\n"
        "    }\n"
        "    return true;\n"
        "}\n"
        "bool mixed(D *d) { return d->st == S_A && d->st != S_B; }\n"
        "bool other(D *d) { return d->old == S_A; }\n"
        "bool two(D *d) { if (x) return d->st == S_A; return false; }\n"
    )
    for fn, want, negated in (
        ("eq", ["S_A", "S_B", "S_C"], False),
        ("ne", ["S_A", "S_B"], True),
        ("bang", ["S_A", "S_B"], True),
        ("sw", ["S_A", "S_B"], False),
        ("sw_neg", ["S_C"], True),
    ):
        read, diagnostics = c.read_predicate(cfile, fn, "d->st")
        assert diagnostics == [], fn
        assert read is not None, fn
        assert (names(read.constants), read.negated) == (want, negated), fn
    for fn in ("mixed", "other", "two"):
        read, diagnostics = c.read_predicate(cfile, fn, "d->st")
        assert read is None, fn
        assert [d.rule for d in diagnostics] == ["check-c-form"], fn
    assert c.read_predicate(cfile, "absent", "d->st") == (None, [])


SETTERS = """\
static int set(Dev *d, enum st new_state, enum st recover);

static void direct(Dev *d)
{
    set(d, S_A, S_ERR);
}

static void ternary(Dev *d, bool on)
{
    set(d, on ? S_A : (S_B), (enum st)S_ERR);
}

static void local_var(Dev *d, bool on)
{
    enum st next = S_C;

    if (on) {
        next = S_A;
    } else if (d->x) {
        next = d->flag ? S_B : S_D;
    }
    set(d, next, d->st);
}

static void unknown_local(Dev *d)
{
    enum st next;

    next = compute(d);
    set(d, next, S_ERR);
}

static void helper(Dev *d, enum st target)
{
    set(d, target, S_ERR);
}

static void via_helper(Dev *d)
{
    helper(d, S_B);
}
"""


def test_setter_calls_resolve_constants_ternaries_and_locals() -> None:
    cfile = parse(SETTERS)
    calls, diagnostics = c.setter_calls(cfile, {"set": (1, 2)}, PREFIX)
    assert diagnostics == []
    got = {
        call.function: (
            names(call.state.constants),
            call.state.computed,
            call.state.unknown,
            call.state.parameter,
        )
        for call in calls
    }
    assert got == {
        "direct": (["S_A"], False, False, None),
        "ternary": (["S_A", "S_B"], True, False, None),
        "local_var": (["S_C", "S_A", "S_B", "S_D"], True, False, None),
        "unknown_local": ([], True, True, None),
        "helper": ([], False, True, 1),
    }
    local = next(call for call in calls if call.function == "local_var")
    assert local.state.text == "next"
    assert local.recover is not None and local.recover.unknown
    assert (local.state.location.line, local.state.location.column) == (22, 12)
    # Each candidate is located where the constant is written.
    assert [r.location.line for r in local.state.constants] == [15, 18, 20, 20]
    via = c.setter_calls(cfile, {"helper": (1, None)}, PREFIX)[0]
    assert [(v.function, names(v.state.constants)) for v in via] == [("via_helper", ["S_B"])]


def test_setter_call_with_too_few_arguments_is_reported() -> None:
    cfile = parse("void f(Dev *d) { set(d); }\n")
    calls, diagnostics = c.setter_calls(cfile, {"set": (1, 2)}, PREFIX)
    assert calls == []
    assert [(d.rule, d.location.line) for d in diagnostics] == [("check-c-form", 1)]


def test_registrations_from_initializers_and_calls() -> None:
    cfile = parse(
        "static const Handlers h = {\n"
        "    .save_setup = my_setup,\n"
        "    .not_a_callback = my_other,\n"
        "    .load_state = &my_load,\n"
        "};\n"
        "static int init(Dev *d)\n"
        "{\n"
        "    Handler *prepare_cb;\n"
        "\n"
        "    prepare_cb = d->flags & P2P ?\n"
        "                     my_prepare :\n"
        "                     NULL;\n"
        "    d->vm = add_handler_full(d, my_change, prepare_cb, d);\n"
        "    add_handler(d, NULL, d);\n"
        "    return 0;\n"
        "}\n"
    )
    regs, diagnostics = c.registrations(
        cfile,
        frozenset({"save_setup", "load_state", "change", "prepare"}),
        {"add_handler_full": [(1, "change"), (2, "prepare")], "add_handler": [(1, "change")]},
    )
    assert diagnostics == []
    assert [(r.callback, r.function, r.location.line) for r in regs] == [
        ("save_setup", "my_setup", 2),
        ("load_state", "my_load", 4),
        ("change", "my_change", 13),
        ("prepare", "my_prepare", 13),
    ]
    assert regs[3].how == "argument 2 of add_handler_full()"


def test_trace_calls_and_callers() -> None:
    cfile = parse(
        "static void helper(Dev *d) { trace_dev_helper(d->name, 1, 2); }\n"
        "void outer(Dev *d)\n"
        "{\n"
        "    if (trace_event_get_state_backends(TRACE_DEV_HELPER)) {\n"
        "        helper(d);\n"
        "    }\n"
        "    trace_dev_void();\n"
        "}\n"
    )
    assert [(t.event, t.argc, t.function, t.location.line) for t in c.trace_calls(cfile)] == [
        ("dev_helper", 3, "helper", 1),
        ("dev_void", 0, "outer", 7),
    ]
    assert c.callers(cfile)["helper"] == {"outer"}


def test_qemu_macros_do_not_hide_functions() -> None:
    cfile = parse(
        "typedef struct QEMU_PACKED Hdr { int a; } Hdr;\n"
        "static int glue(do_, thing)(int x) { return x; }\n"
        "static int init(Dev *d)\n"
        "{\n"
        "    g_autofree char *path = NULL, *oid = NULL;\n"
        "    set(d, S_A, S_ERR);\n"
        "    return 0;\n"
        "}\n"
    )
    assert "init" in cfile.functions
    calls, _ = c.setter_calls(cfile, {"set": (1, 2)}, PREFIX)
    assert [(call.function, names(call.state.constants)) for call in calls] == [("init", ["S_A"])]


def test_k_and_r_definitions_and_declarators_returning_pointers() -> None:
    cfile = parse(
        "static int\n"
        "old_style(d, on)\n"
        "    Dev *d;\n"
        "    int on;\n"
        "{\n"
        "    set(d, on ? S_A : S_B, S_ERR);\n"
        "    return 0;\n"
        "}\n"
        "int (*getter(void))(int) { set(0, S_C, S_ERR); return 0; }\n"
    )
    assert set(cfile.functions) == {"old_style", "getter"}
    calls, _ = c.setter_calls(cfile, {"set": (1, 2)}, PREFIX)
    assert [(call.function, names(call.state.constants)) for call in calls] == [
        ("old_style", ["S_A", "S_B"]),
        ("getter", ["S_C"]),
    ]


def test_fixture_tree_reads_like_qemu() -> None:
    reader = c.CReader()
    cfile, diagnostics = reader.parse(BASE / "hw/vfio/migration.c", "hw/vfio/migration.c")
    assert diagnostics == [] and cfile is not None
    read, _ = c.read_to_string(cfile, "mig_state_to_str")
    assert read is not None and len(read.cases) == 8
    calls, _ = c.setter_calls(cfile, {"vfio_migration_set_state": (1, 2)}, "VFIO_DEVICE_STATE_")
    assert {call.function for call in calls} == {
        "vfio_save_setup",
        "vfio_finish_stop_copy",
        "vfio_save_complete_precopy",
        "vfio_load_setup",
        "vfio_vmstate_change_prepare",
        "vfio_vmstate_change",
        "vfio_migration_state_notifier",
    }


def test_parse_cache_is_per_path_and_mtime(tmp_path: Path) -> None:
    src = tmp_path / "a.c"
    src.write_text("void f(void) {}\n")
    reader = c.CReader()
    first, _ = reader.parse(src, "a.c")
    again, _ = reader.parse(src, "a.c")
    assert first is again
    src.write_text("void g(void) {}\n")
    os.utime(src, ns=(1, 10**18))
    changed, _ = reader.parse(src, "a.c")
    assert changed is not first and changed is not None and "g" in changed.functions


def test_unreadable_file_is_a_diagnostic(tmp_path: Path) -> None:
    cfile, diagnostics = c.CReader().parse(tmp_path / "absent.c", "absent.c")
    assert cfile is None
    assert [d.rule for d in diagnostics] == ["check-file-unreadable"]


# -- hostile shapes: deep, long, one-line ---------------------------------------


def test_a_long_or_chain_is_read_whole() -> None:
    terms = " || ".join(f"s == S_{i}" for i in range(5000))
    cfile = parse(f"bool p(int s)\n{{\n    return {terms};\n}}\n")
    read, diagnostics = c.read_predicate(cfile, "p", "s")
    assert diagnostics == [] and read is not None
    assert len(read.constants) == 5000 and not read.negated
    assert read.constants[-1].location.column == len(f"    return {terms}") - len("S_4999") + 1


def test_nesting_deeper_than_the_limit_is_a_diagnostic_not_a_crash() -> None:
    depth = 3 * c.MAX_NESTING
    cfile = parse("bool p(int s) { return " + "!" * depth + "(s == S_A); }\n")
    read, diagnostics = c.read_predicate(cfile, "p", "s")
    assert read is None
    assert [d.rule for d in diagnostics] == ["check-c-form"]
    assert "nested more than" in diagnostics[0].message
    # Enum values and state arguments: the value is "unknown", never a RecursionError.
    cfile = parse("enum st { S_A = " + " + ".join(["1"] * depth) + " };\n")
    read_enum = c.read_enum(cfile, "st")
    assert read_enum is not None and read_enum.constants[0].value is None
    chain = "void g(void)\n{\n    int v0 = S_A;\n"
    chain += "".join(f"    int v{i + 1} = v{i};\n" for i in range(depth))
    chain += f"    set(d, v{depth});\n    set(d, " + "c ? S_A : " * depth + "S_B);\n}\n"
    cfile = parse(chain)
    calls, _ = c.setter_calls(cfile, {"set": (1, None)}, "S_")
    assert [(call.state.unknown, call.state.computed) for call in calls] == [(True, True)] * 2
    # ... but a chain within the limit is followed to the end.
    cfile = parse(chain.replace(f"set(d, v{depth})", "set(d, v50)"))
    calls, _ = c.setter_calls(cfile, {"set": (1, None)}, "S_")
    assert calls[0].state.unknown is False
    assert [r.name for r in calls[0].state.constants] == ["S_A"]


def test_quoted_text_is_cut_and_one_line_files_stay_linear() -> None:
    n = 20000
    cfile = parse("void g(void) { " + "set(d, " * n + "S_A" + ")" * n + "; }\n")
    calls, _ = c.setter_calls(cfile, {"set": (1, None)}, "S_")
    assert len(calls) == n
    assert max(len(call.state.text) for call in calls) == c.MAX_QUOTE
    assert (
        calls[-1].state.constants[0].location.column == len("void g(void) { " + "set(d, " * n) + 1
    )


def test_columns_count_characters_in_non_ascii_lines() -> None:
    cfile = parse("void g(void) { /* é€😀 */ set(d, S_A); }\n")
    (call,) = c.setter_calls(cfile, {"set": (1, None)}, "S_")[0]
    assert call.location.column == len("void g(void) { /* é€😀 */ ") + 1


def test_enum_values_stay_within_64_bits() -> None:
    """E(n+1) = En * En doubles the digits each time: 40 of them took forever."""
    chain = ", ".join(f"S_{i + 1} = S_{i} * S_{i}" for i in range(40))
    cfile = parse("enum st { S_0 = 3, " + chain + ", S_BIG = " + "9" * 5000 + " };\n")
    read = c.read_enum(cfile, "st")
    assert read is not None
    values = [k.value for k in read.constants]
    assert values[:6] == [3, 9, 81, 6561, 43046721, 1853020188851841]
    assert values[6:] == [None] * (len(values) - 6)


def test_to_string_reads_every_c_escape() -> None:
    cfile = parse(
        "const char *f(int s)\n{\n    switch (s) {\n"
        '    case S_A: return "RUN\\x4eING";\n'
        '    case S_B: return "RUN\\116ING";\n'
        '    case S_C: return "caf\\u00e9 \\"q\\" \\\\ \\q";\n'
        "    }\n}\n"
    )
    read, diagnostics = c.read_to_string(cfile, "f")
    assert read is not None and diagnostics == []
    assert [case.string for case in read.cases] == ["RUNNING", "RUNNING", 'café "q" \\ \\q']


def test_a_second_definition_is_reported_not_silently_ignored() -> None:
    body = 'static const char *f(int s)\n{\n    switch (s) {\n    case S_A: return "A";\n    }\n}\n'
    cfile = parse("#ifdef X\n" + body + "#else\n" + body + "#endif\n")
    read, diagnostics = c.read_to_string(cfile, "f")
    assert read is not None and [k.constant for k in read.cases] == ["S_A"]
    assert [(d.rule, d.location.line) for d in diagnostics] == [("check-c-form", 9)]
    assert "only the first definition, at line 2" in diagnostics[0].message
    pred = "bool p(int s) { return s == S_A; }\n"
    _, diagnostics = c.read_predicate(parse(pred + "#if 0\n" + pred + "#endif\n"), "p", "s")
    assert [(d.rule, d.location.line) for d in diagnostics] == [("check-c-form", 3)]


def test_a_pointer_returning_knr_definition_is_named_not_called_missing() -> None:
    """tree-sitter reads it as a declaration and a stray block: say so, where it is."""
    cfile = parse(
        "static const char *f(s)\n    enum st s;\n{\n    switch (s) {\n"
        '    case S_A: return "A";\n    }\n}\n'
    )
    read, diagnostics = c.read_to_string(cfile, "f")
    assert read is None
    assert [(d.rule, d.location.line, d.location.column) for d in diagnostics] == [
        ("check-c-form", 1, 20)
    ]
    assert c.read_to_string(parse("int g(void);\n{ }\n"), "f") == (None, [])


def test_a_state_named_many_times_is_listed_once() -> None:
    cfile = parse("void g(void) { set(d, " + "c ? S_A : " * 500 + "S_B); }\n")
    (call,) = c.setter_calls(cfile, {"set": (1, None)}, "S_")[0]
    assert [r.name for r in call.state.constants] == ["S_A"]  # S_B is past MAX_NESTING
    cfile = parse("void g(void) { set(d, c ? S_A : e ? S_A : S_B); }\n")
    (call,) = c.setter_calls(cfile, {"set": (1, None)}, "S_")[0]
    assert [r.name for r in call.state.constants] == ["S_A", "S_B"]
