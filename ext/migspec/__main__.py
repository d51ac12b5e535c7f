"""``python -m migspec``."""

from .cli import entry

entry()
