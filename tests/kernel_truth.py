"""Ground truth, written out by hand from the kernel's ``vfio_mig_get_next_state()``.

From ``drivers/vfio/vfio_main.c`` (v6.2 and later, with the PRE_COPY rows):
the next-step table, the state-flags table, and the comment above them that
lists the arcs a driver implements per feature set.
"""

from __future__ import annotations

STATES = (
    "STOP",
    "RUNNING",
    "PRE_COPY",
    "PRE_COPY_P2P",
    "STOP_COPY",
    "RESUMING",
    "RUNNING_P2P",
    "ERROR",
)

# Rows are the current state, columns the requested one (in STATES order).
S, R, PC, PCP, SC, RS, RP, E = STATES
KERNEL_NEXT = {
    "STOP": (S, RP, RP, RP, SC, RS, RP, E),
    "RUNNING": (RP, R, PC, RP, RP, RP, RP, E),
    "PRE_COPY": (R, R, PC, PCP, PCP, R, R, E),
    "PRE_COPY_P2P": (RP, RP, PC, PCP, SC, RP, RP, E),
    "STOP_COPY": (S, S, E, E, SC, S, S, E),
    "RESUMING": (S, S, S, S, S, RS, S, E),
    "RUNNING_P2P": (S, R, R, PCP, S, S, RP, E),
    "ERROR": (E, E, E, E, E, E, E, E),
}

# state_flags_table, as feature sets; None: ~0U (every bit).
KERNEL_FLAGS = {
    "STOP": {"STOP_COPY"},
    "RUNNING": {"STOP_COPY"},
    "STOP_COPY": {"STOP_COPY"},
    "RESUMING": {"STOP_COPY"},
    "RUNNING_P2P": {"STOP_COPY", "P2P"},
    "PRE_COPY": {"STOP_COPY", "PRE_COPY"},
    "PRE_COPY_P2P": {"STOP_COPY", "P2P", "PRE_COPY"},
    "ERROR": None,
}

ALWAYS = {("RESUMING", "STOP"), ("STOP", "RESUMING"), ("STOP", "STOP_COPY"), ("STOP_COPY", "STOP")}
P2P_ARCS = {
    ("RUNNING", "RUNNING_P2P"),
    ("RUNNING_P2P", "RUNNING"),
    ("RUNNING_P2P", "STOP"),
    ("STOP", "RUNNING_P2P"),
}
NO_P2P_ARCS = {("RUNNING", "STOP"), ("STOP", "RUNNING")}
PRE_COPY_ARCS = {("RUNNING", "PRE_COPY"), ("PRE_COPY", "RUNNING"), ("PRE_COPY", "STOP_COPY")}
PRE_COPY_P2P_ARCS = {
    ("PRE_COPY", "RUNNING"),
    ("PRE_COPY", "PRE_COPY_P2P"),
    ("PRE_COPY_P2P", "PRE_COPY"),
    ("PRE_COPY_P2P", "RUNNING_P2P"),
    ("PRE_COPY_P2P", "STOP_COPY"),
    ("RUNNING", "PRE_COPY"),
    ("RUNNING_P2P", "PRE_COPY_P2P"),
}
KERNEL_ARCS = {
    frozenset({"STOP_COPY"}): ALWAYS | NO_P2P_ARCS,
    frozenset({"STOP_COPY", "P2P"}): ALWAYS | P2P_ARCS,
    frozenset({"STOP_COPY", "PRE_COPY"}): ALWAYS | NO_P2P_ARCS | PRE_COPY_ARCS,
    frozenset({"STOP_COPY", "P2P", "PRE_COPY"}): ALWAYS | P2P_ARCS | PRE_COPY_P2P_ARCS,
}
