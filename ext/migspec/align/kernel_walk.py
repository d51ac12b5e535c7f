"""The kernel lookup's skip loop, as read, against the spec's walk.

Inputs: the spec's :class:`~migspec.model.Walk`, the error state's name and
the tables read by :func:`migspec.source.kernel.read_spec_kernel_tables`.
Output: what differs, each located at the loop (or the function when there
is none).  ``check`` reports these (:mod:`migspec.check.kernel`);
``update``, which rewrites the tables but not the loop, says they are left
to be edited by hand: the same differences, so the two never disagree.
"""

from __future__ import annotations

from ..diagnostics import Location
from ..model import Walk
from ..source.kernel import KernelRead


def walk_differences(
    spec_walk: Walk, error_name: str | None, parsed: KernelRead
) -> list[tuple[str, Location]]:
    """Where the lookup's loop, as read, differs from the spec's walk: what
    differs and where.  ``check`` reports these; ``update``, which rewrites the
    tables but not the loop, says they are left to be edited by hand."""
    if parsed.function is None:
        return []
    out: list[tuple[str, Location]] = []
    if spec_walk.skip_unsupported and parsed.skip_loop is None:
        out.append(
            (
                "no loop skips the states a device does not support "
                "(the spec's walk says skip_unsupported)",
                parsed.function,
            )
        )
    elif not spec_walk.skip_unsupported and parsed.skip_loop is not None:
        out.append(
            ("this loop skips unsupported states; the spec's walk does not", parsed.skip_loop)
        )
    if parsed.skip_loop is not None and spec_walk.stop_at_error != parsed.stop_at_error:
        error = error_name or "the error state"
        said = "stops" if spec_walk.stop_at_error else "does not stop"
        does = "stops" if parsed.stop_at_error else "does not stop"
        out.append((f"this loop {does} at {error}; the spec's walk {said} there", parsed.skip_loop))
    return out
