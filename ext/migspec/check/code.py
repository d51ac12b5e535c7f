"""The C artefacts that follow from the machine: the enum, the to-string switch, predicates.

Inputs: a :class:`~migspec.check.context.Context`.  Outputs: diagnostics
located in the C files (the spec's own place goes into a note).
"""

from __future__ import annotations

from ..diagnostics import Location, Note, Severity, declare
from ..expect.code import CodeExpectation, PredicateExpectation, expect_code
from ..source import SCOPE
from ..source.c import CFile, EnumRead, read_enum, read_predicate, read_to_string
from .context import Context, Tree

ENUM_NOT_FOUND = declare(
    "check-enum-not-found",
    Severity.ERROR,
    "The header the spec names has no definition of the state enum.",
    scope=SCOPE,
    example="machine: {c: {enum: vfio_device_mig_state, header: linux-headers/linux/vfio.h}}",
)
ENUM_MISSING = declare(
    "check-enum-missing",
    Severity.ERROR,
    "A spec state has no constant in the C enum.",
    scope=SCOPE,
    example="enum vfio_device_mig_state { ..., VFIO_DEVICE_STATE_PRE_COPY = 6 };  // no PRE_COPY_P2P",
)
ENUM_EXTRA = declare(
    "check-enum-extra",
    Severity.ERROR,
    "The C enum has a constant with the spec's prefix that names no spec state.",
    scope=SCOPE,
    example="enum vfio_device_mig_state { ..., VFIO_DEVICE_STATE_SLEEPING = 8 };",
)
ENUM_AMBIGUOUS = declare(
    "check-enum-ambiguous",
    Severity.ERROR,
    "The C enum cannot be read without a guess: a value depends on an #if branch.",
    scope=SCOPE,
    doc="""
    An enumerator with no explicit value after an ``#if`` block that declares
    enumerators on one branch only, or a constant declared with different
    values on different branches, has a value only the build configuration
    decides.  The checker reports it instead of choosing a branch; give the
    enumerator an explicit value.
    """,
    example="enum st { S_A,\n#ifdef X\n S_B,\n#endif\n S_C };  // S_C is 1 or 2",
)
ENUM_VALUE = declare(
    "check-enum-value",
    Severity.ERROR,
    "A C enum constant's value differs from the spec state's value.",
    scope=SCOPE,
    example="VFIO_DEVICE_STATE_RUNNING_P2P = 9,  // the spec says 5",
)
TO_STRING_NOT_FOUND = declare(
    "check-to-string-not-found",
    Severity.ERROR,
    "The to-string function the spec names is not defined in its file.",
    scope=SCOPE,
    example="code: {to_string: {function: mig_state_to_str, file: hw/vfio/migration.c}}",
)
TO_STRING_MISSING = declare(
    "check-to-string-missing",
    Severity.ERROR,
    "The to-string switch has no case for a spec state.",
    scope=SCOPE,
    example='switch (state) { case VFIO_DEVICE_STATE_STOP: return "STOP"; default: ... }',
)
TO_STRING_EXTRA = declare(
    "check-to-string-extra",
    Severity.ERROR,
    "The to-string switch has a case for a constant that names no spec state.",
    scope=SCOPE,
    example='case VFIO_DEVICE_STATE_SLEEPING: return "SLEEPING";',
)
TO_STRING_STRING = declare(
    "check-to-string-string",
    Severity.ERROR,
    "A to-string case returns a string other than the state's name.",
    scope=SCOPE,
    example='case VFIO_DEVICE_STATE_STOP_COPY: return "STOPCOPY";',
)
TO_STRING_DEFAULT = declare(
    "check-to-string-default",
    Severity.ERROR,
    "The to-string switch's default case is missing or returns another string.",
    scope=SCOPE,
    example='default: return "?";  // the spec says "UNKNOWN STATE"',
)
PREDICATE_NOT_FOUND = declare(
    "check-predicate-not-found",
    Severity.ERROR,
    "A predicate function the spec names is not defined in its file.",
    scope=SCOPE,
    example="predicates: [{function: vfio_device_state_is_running, file: hw/vfio/common.c}]",
)
PREDICATE_MISSING = declare(
    "check-predicate-missing",
    Severity.ERROR,
    "A predicate does not test a state of its class.",
    scope=SCOPE,
    example="return migration->device_state == VFIO_DEVICE_STATE_RUNNING;  // not RUNNING_P2P",
)
PREDICATE_EXTRA = declare(
    "check-predicate-extra",
    Severity.ERROR,
    "A predicate tests a state outside its class.",
    scope=SCOPE,
    example="... || migration->device_state == VFIO_DEVICE_STATE_STOP;  // STOP is not running",
)

ENUM_RULES = (ENUM_NOT_FOUND, ENUM_MISSING, ENUM_EXTRA, ENUM_AMBIGUOUS, ENUM_VALUE)
TO_STRING_RULES = (
    TO_STRING_NOT_FOUND,
    TO_STRING_MISSING,
    TO_STRING_EXTRA,
    TO_STRING_STRING,
    TO_STRING_DEFAULT,
)
PREDICATE_RULES = (PREDICATE_NOT_FOUND, PREDICATE_MISSING, PREDICATE_EXTRA)

RULES = (*ENUM_RULES, *TO_STRING_RULES, *PREDICATE_RULES)


def check_uapi_enum(ctx: Context) -> None:
    """The enum in the machine's header of the source tree."""
    check_enum(ctx, ctx.tree, ctx.spec.machine.header)


def check_enum(ctx: Context, tree: Tree, header: str) -> None:
    """The enum in ``header`` (of ``tree``) against the spec's states and values."""
    spec = ctx.spec
    m = spec.machine
    if not ctx.exists(tree, header, f"enum {m.enum}", m.location):
        return
    cfile = ctx.c_file(header, tree=tree)
    if cfile is None:
        return
    read = read_enum(cfile, m.enum, m.sentinels)
    if read is None:
        ctx.report(
            [
                ENUM_NOT_FOUND.diagnostic(
                    f"no definition of enum {m.enum} here",
                    Location(cfile.path),
                    notes=(Note(message="the spec names it here", location=m.location),),
                )
            ]
        )
        return
    compare_enum(ctx, read)


def compare_enum(ctx: Context, read: EnumRead) -> None:
    expected = expect_code(ctx.spec)
    machine = expected.machine
    by_name = {c.name: c for c in read.constants}
    for ambiguity in read.ambiguities:
        ctx.report([ENUM_AMBIGUOUS.diagnostic(ambiguity.message, ambiguity.location)])
    ambiguous = {a.constant for a in read.ambiguities}
    for want in expected.enum:
        state = want.state
        constant = by_name.get(want.name)
        spec_note = (Note(message=f"state {state.name} is defined here", location=state.location),)
        if constant is None:
            ctx.report(
                [
                    ENUM_MISSING.diagnostic(
                        f"enum {read.name} has no {want.name} "
                        f"(spec: state {state.name} = {state.value})",
                        read.location,
                        notes=spec_note,
                    )
                ]
            )
        elif constant.value is None and constant.name in ambiguous:
            continue  # reported as ambiguous above
        elif constant.value != state.value:
            shown = (
                "a value the checker cannot compute" if constant.value is None else constant.value
            )
            ctx.report(
                [
                    ENUM_VALUE.diagnostic(
                        f"{constant.name} is {shown}; the spec says {state.value}",
                        constant.location,
                        notes=spec_note,
                    )
                ]
            )
    for constant in read.constants:
        if (
            machine.state_name(constant.name) is not None
            and expected.state_of(constant.name) is None
        ):
            ctx.report(
                [
                    ENUM_EXTRA.diagnostic(
                        f"{constant.name} names no state of the spec", constant.location
                    )
                ]
            )


def check_to_string(ctx: Context) -> None:
    code = expect_code(ctx.spec)
    expected = code.to_string
    if expected is None:
        return
    ts = expected.to_string
    if not ctx.exists(ctx.tree, ts.file, f"{ts.function}()", ts.location):
        return
    cfile = ctx.c_file(ts.file)
    if cfile is None:
        return
    read, diagnostics = read_to_string(cfile, ts.function)
    ctx.report(diagnostics)
    spec_note = (Note(message="the spec names it here", location=ts.location),)
    if read is None:
        if not diagnostics:
            ctx.report(
                [
                    TO_STRING_NOT_FOUND.diagnostic(
                        f"{ts.function}() is not defined here",
                        Location(cfile.path),
                        notes=spec_note,
                    )
                ]
            )
        return
    seen: set[str] = set()
    for case in read.cases:
        assert case.constant is not None
        state = code.state_of(case.constant)
        want = expected.string(case.constant)
        if state is None or want is None:
            why = "names no spec state" if state is None else _unhandled(code, state.name)
            ctx.report(
                [
                    TO_STRING_EXTRA.diagnostic(
                        f"{ts.function}() has a case for {case.constant}, which {why}",
                        case.location,
                    )
                ]
            )
            continue
        seen.add(case.constant)
        if case.string is not None and case.string != want:
            ctx.report(
                [
                    TO_STRING_STRING.diagnostic(
                        f'{ts.function}() returns "{case.string}" for {case.constant}; '
                        f'expected "{want}"',
                        case.string_location,
                        notes=(
                            Note(
                                message=f"state {state.name} is defined here",
                                location=state.location,
                            ),
                        ),
                    )
                ]
            )
    for missing in expected.cases:
        constant = missing.constant
        if constant.name not in seen:
            ctx.report(
                [
                    TO_STRING_MISSING.diagnostic(
                        f"{ts.function}() has no case for {constant.name} (expected: "
                        f'case {constant.name}: return "{missing.string}";)',
                        read.location,
                        notes=(
                            Note(
                                message=f"state {constant.state.name} is defined here",
                                location=constant.state.location,
                            ),
                        ),
                    )
                ]
            )
    if read.default is None:
        ctx.report(
            [
                TO_STRING_DEFAULT.diagnostic(
                    f'{ts.function}() has no default case (expected: default: return "{ts.default}";)',
                    read.location,
                    notes=spec_note,
                )
            ]
        )
    elif read.default.string is not None and read.default.string != expected.default:
        ctx.report(
            [
                TO_STRING_DEFAULT.diagnostic(
                    f'{ts.function}() returns "{read.default.string}" by default; '
                    f'expected "{expected.default}"',
                    read.default.string_location,
                    notes=spec_note,
                )
            ]
        )


def _unhandled(code: CodeExpectation, state: str) -> str:
    """Why a spec state has no place in the C: it needs features the C does not handle."""
    handled = ", ".join(sorted(code.features)) or "none"
    return f"needs features the C does not handle (code.features with the mandatory: {handled})"


def check_predicates(ctx: Context) -> None:
    for expected in expect_code(ctx.spec).predicates:
        pred = expected.predicate
        if not ctx.exists(ctx.tree, pred.file, f"{pred.function}()", pred.location):
            continue
        cfile = ctx.c_file(pred.file)
        if cfile is None:
            continue
        _check_predicate(ctx, cfile, expected)


def _check_predicate(ctx: Context, cfile: CFile, expected: PredicateExpectation) -> None:
    code = expect_code(ctx.spec)
    pred = expected.predicate
    function, state_class = pred.function, pred.state_class
    read, diagnostics = read_predicate(cfile, function, pred.subject)
    ctx.report(diagnostics)
    spec_note = (Note(message="the spec names it here", location=pred.location),)
    if read is None:
        if not diagnostics:
            ctx.report(
                [
                    PREDICATE_NOT_FOUND.diagnostic(
                        f"{function}() is not defined here",
                        Location(cfile.path),
                        notes=spec_note,
                    )
                ]
            )
        return
    members = [c.state.name for c in expected.members]
    named: dict[str, Location] = {}
    unknown = []
    for ref in read.constants:
        state = code.state_of(ref.name)
        if state is None:
            unknown.append(ref)
        else:
            named.setdefault(state.name, ref.location)
    tested = {
        state: named.get(state, read.location)
        for state in expected.tested(frozenset(named), read.negated)
    }
    want = ", ".join(members) or "none"
    for member in members:
        if member not in tested:
            ctx.report(
                [
                    PREDICATE_MISSING.diagnostic(
                        f"{function}() does not test {code.machine.constant(member)} "
                        f"(class {state_class}: {want})",
                        read.location,
                        notes=spec_note,
                    )
                ]
            )
    for name, location in sorted(tested.items()):
        if name not in members:
            why = (
                f"which is not in class {state_class} ({want})"
                if code.is_handled(name)
                else f"which {_unhandled(code, name)}"
            )
            ctx.report(
                [
                    PREDICATE_EXTRA.diagnostic(
                        f"{function}() is true for {name}, {why}", location, notes=spec_note
                    )
                ]
            )
    for ref in unknown:
        ctx.report(
            [
                PREDICATE_EXTRA.diagnostic(
                    f"{function}() tests {ref.name}, which names no spec state",
                    ref.location,
                )
            ]
        )
