"""Lint rules for trace events (filled in with the trace-events reader)."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Rule

SPEC_RULES: tuple[Rule[Any], ...] = ()
FILE_RULES: tuple[Rule[Any], ...] = ()
