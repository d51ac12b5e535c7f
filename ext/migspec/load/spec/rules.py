"""The spec format version this loader reads, and the rules it reports
(format version, schema, limits, unknown names).
"""

from __future__ import annotations

from ...diagnostics import Severity, declare

FORMAT_VERSION = 1

RULES = (
    declare(
        "schema-version",
        Severity.ERROR,
        "The spec does not start with a supported ``migspec: <version>`` key.",
        scope="load",
        example="migspec: 2",
    ),
    declare(
        "schema-unknown-key",
        Severity.ERROR,
        "A key the spec format does not define (typos are offered a correction).",
        scope="load",
        example="states:\n  - name: STOP\n    vaule: 1",
    ),
    declare(
        "schema-missing-key",
        Severity.ERROR,
        "A required key is missing.",
        scope="load",
        example="states:\n  - name: STOP",
    ),
    declare(
        "schema-invalid",
        Severity.ERROR,
        "A value has the wrong type or form for its key.",
        scope="load",
        example="states:\n  - name: STOP\n    value: one",
    ),
    declare(
        "spec-limits",
        Severity.ERROR,
        "The spec has more states or optional features than migspec's analyses are bounded for.",
        scope="load",
        doc="""
        The spec has more states or optional features than migspec's analyses are bounded for.

        Every combination of optional features is a device kind, and the
        linter and the generators work through every kind and, in each, the
        paths between every pair of states: ``2 ** features * states ** 2``.  So
        that ``lint`` in doc CI always finishes in seconds, a spec may have at
        most 64 states and 6 optional features (64 device kinds).
        """,
        example="features: [{name: F1, ...}, ..., {name: F7, ...}]  # seven optional features",
    ),
    declare(
        "spec-path-invalid",
        Severity.ERROR,
        "A path the spec names cannot name a file: a NUL byte, or a name longer than "
        "the system allows.",
        scope="load",
        doc="""
        The spec's file paths (``machine.c.header``, ``code.to_string.file``,
        the predicates' and the kernel tables' files, ``trace[].file``,
        ``flows[].docs.file``) are opened by ``check``, ``update`` and the
        Sphinx extension.  A path holding a NUL byte, a name longer than 255
        bytes or a path longer than 4095 bytes names no file on any system
        migspec runs on, so it is refused where the spec writes it.
        """,
        example='trace:\n  - file: "hw/vfio/trace-events\\0"',
    ),
    declare(
        "ref-unknown",
        Severity.ERROR,
        "A name refers to a state, feature, group, class or callback that is not defined.",
        scope="load",
        example="arcs:\n  - {from: STOP, to: RUNNNING}",
    ),
)
RULE_BY_ID = {r.id: r for r in RULES}
