"""FSM stage: combination transitions, the kernel's tables and walk, projections.

Inputs: a :class:`~migspec.model.Spec`.  Outputs: computed tables, paths and
projected flows, and the FSM lint rules in :mod:`.rules`.
"""
