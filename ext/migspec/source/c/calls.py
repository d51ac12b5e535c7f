"""The calls the spec cares about: state setters, callback registrations,
trace calls, and who calls whom.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...diagnostics import Diagnostic
from .facts import C_FORM, CallbackRegistration, CFile, SetterCall, TraceCall
from .values import resolve_functions, resolve_state


def setter_calls(
    cfile: CFile, setters: Mapping[str, tuple[int, int | None]], prefix: str
) -> tuple[list[SetterCall], list[Diagnostic]]:
    """Every call to a setter (name -> (state_arg, recover_arg)), values resolved."""
    out: list[SetterCall] = []
    diagnostics: list[Diagnostic] = []
    for call in cfile.calls:
        spec = setters.get(call.callee)
        if spec is None:
            continue
        state_arg, recover_arg = spec
        fn = cfile.functions.get(call.function) if call.function else None
        if state_arg >= len(call.args):
            diagnostics.append(
                C_FORM.diagnostic(
                    f"call to {call.callee}() has {len(call.args)} arguments; "
                    f"the state is argument {state_arg}",
                    call.location,
                )
            )
            continue
        state = resolve_state(cfile, fn, call.args[state_arg], prefix)
        recover = None
        if recover_arg is not None and recover_arg < len(call.args):
            recover = resolve_state(cfile, fn, call.args[recover_arg], prefix)
        out.append(
            SetterCall(
                setter=call.callee,
                function=call.function,
                state=state,
                recover=recover,
                location=call.location,
            )
        )
    return out, diagnostics


def registrations(
    cfile: CFile,
    callbacks: frozenset[str],
    calls: Mapping[str, Sequence[tuple[int, str]]],
) -> tuple[list[CallbackRegistration], list[Diagnostic]]:
    """Functions registered as spec callbacks: designated initializers and registration calls."""
    out: list[CallbackRegistration] = []
    diagnostics: list[Diagnostic] = []
    for d in cfile.designated:
        if d.member not in callbacks:
            continue
        fn = cfile.functions.get(d.function) if d.function else None
        refs, _ = resolve_functions(cfile, fn, d.value)
        for ref in refs:
            out.append(
                CallbackRegistration(
                    callback=d.member,
                    function=ref.name,
                    location=d.location,
                    how=f"initializer .{d.member}",
                )
            )
    for call in cfile.calls:
        wanted = calls.get(call.callee)
        if not wanted:
            continue
        fn = cfile.functions.get(call.function) if call.function else None
        for index, callback in wanted:
            if index >= len(call.args):
                diagnostics.append(
                    C_FORM.diagnostic(
                        f"call to {call.callee}() has no argument {index} ({callback})",
                        call.location,
                    )
                )
                continue
            refs, unknown = resolve_functions(cfile, fn, call.args[index])
            if unknown and not refs:
                diagnostics.append(
                    C_FORM.diagnostic(
                        f"cannot tell which function argument {index} of {call.callee}() "
                        f"registers as {callback}",
                        cfile.location(call.args[index]),
                    )
                )
            for ref in refs:
                out.append(
                    CallbackRegistration(
                        callback=callback,
                        function=ref.name,
                        location=cfile.location(call.args[index]),
                        how=f"argument {index} of {call.callee}()",
                    )
                )
    return out, diagnostics


# QEMU's tracing API (trace_event_get_state(), ...) is not an event.
_TRACE_API = "trace_event_"


def trace_calls(cfile: CFile) -> list[TraceCall]:
    """Every ``trace_NAME(...)`` call: event name, argument count, enclosing function."""
    return [
        TraceCall(
            event=call.callee.removeprefix("trace_"),
            argc=len(call.args),
            function=call.function,
            location=call.location,
        )
        for call in cfile.calls
        if call.callee.startswith("trace_") and not call.callee.startswith(_TRACE_API)
    ]


def callers(cfile: CFile) -> dict[str, set[str]]:
    """callee -> the functions in this file that call it."""
    out: dict[str, set[str]] = {}
    for call in cfile.calls:
        if call.function is not None:
            out.setdefault(call.callee, set()).add(call.function)
    return out
