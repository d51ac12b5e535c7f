"""Spec loading: YAML file -> validated, resolved :class:`~migspec.model.Spec`.

Inputs: a spec path (or the bundled default).  Outputs: ``(spec or None,
diagnostics)``.  Three passes, each collecting every problem it can find
before giving up: bounded YAML reading (:mod:`.yamlsrc`), JSON Schema
validation against the shipped ``schema/spec.schema.json`` (errors mapped back
to the YAML line of the offending key or value), and name resolution (dangling
references, with did-you-mean).  Semantic checks live in :mod:`migspec.lint`.

Modules: :mod:`.loader` (the passes in order, and the size limits),
:mod:`.schema` (JSON Schema validation and its located messages),
:mod:`.resolve` (names resolved into model objects), :mod:`.rules` (the
rules this stage reports).
"""

from __future__ import annotations

from .loader import LoadResult, load_spec, load_spec_text
from .rules import RULES
from .schema import spec_schema

__all__ = ["RULES", "LoadResult", "load_spec", "load_spec_text", "spec_schema"]
