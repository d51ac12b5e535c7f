"""Lint rules for FSM semantics (filled in by the FSM engine)."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Rule

RULES: tuple[Rule[Any], ...] = ()
