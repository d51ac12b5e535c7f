"""migspec: documentation-as-code for device state machines.

The pipeline, one stage a subpackage or module, imports flowing one way:
load (YAML -> located nodes -> :mod:`migspec.model`) -> lint / fsm -> render
-> source (C, rst, trace-events readers) -> check / update -> the CLI and the
Sphinx extension.
"""

__version__ = "0.1.0"
