"""Expectations stage: what each region or artefact the spec owns must contain.

Inputs: a resolved :class:`~migspec.model.Spec` (and, for the kernel's
tables and flow projections, the FSM engine).  Outputs: frozen values, one
module per artefact family: the enum constants, to-string cases and
predicate members (:mod:`.code`), the trace-events sections (:mod:`.trace`),
the flow drawings (:mod:`.flows`), the kernel's tables (:mod:`.kernel`).

This is the one place that decides coverage -- which states the C handles,
which events a section lists and in which order, what a drawing shows.  The
renderers draw these values with their templates, ``check`` compares a tree
with them, ``update`` rewrites a tree to them, ``import`` verifies its output
against them and review compares two specs through them.  Nothing here
reads a file or imports a renderer.
"""
