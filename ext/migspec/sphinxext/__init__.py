"""Sphinx front end: ``extensions = ["migspec.sphinxext"]``.

Inputs: the Sphinx config (``migspec_spec``, ``migspec_source_root``,
``migspec_kernel_root``, ``migspec_features``, ``migspec_check``) and the directives in the documents.
Outputs: rendered flows, diagrams and tables, and warnings (type
``migspec``, the rule id as subtype) wherever the docs, the code and the spec
disagree, so that ``sphinx-build -W`` fails.  Only this package imports
Sphinx; it asks the same pipeline functions as the CLI for its data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from .. import __version__
from .checks import (
    CheckFlowDirective,
    check_flow_marker,
    check_flows_in,
    check_tree_before_reading,
)
from .comparison import ComparisonDirective
from .context import CHECK_CHOICES
from .directives import (
    FlowDirective,
    FsmDirective,
    StatesDirective,
    TraceEventsDirective,
    TransitionsDirective,
)
from .domain import MigspecDomain


def _absolute_paths(app: Sphinx, config: Config) -> None:
    """Config paths are relative to conf.py; make them absolute once."""
    confdir = Path(app.confdir)
    for name in ("migspec_spec", "migspec_source_root", "migspec_kernel_root"):
        value = getattr(config, name)
        if value:
            setattr(config, name, str((confdir / value).resolve()))
    if str(config.migspec_check) not in CHECK_CHOICES:
        from sphinx.errors import ConfigError

        raise ConfigError(
            f"migspec_check must be one of {', '.join(CHECK_CHOICES)}, not {config.migspec_check!r}"
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx.ext.graphviz")
    app.add_config_value("migspec_spec", "", "env", types=[str])
    app.add_config_value("migspec_source_root", "", "env", types=[str])
    app.add_config_value("migspec_kernel_root", "", "env", types=[str])
    app.add_config_value("migspec_features", "all", "env", types=[str])
    app.add_config_value("migspec_check", "warning", "env", types=[str])
    MigspecDomain.directives = {
        "check-flow": CheckFlowDirective,
        "diff": ComparisonDirective,
        "flow": FlowDirective,
        "fsm": FsmDirective,
        "states": StatesDirective,
        "trace-events": TraceEventsDirective,
        "transitions": TransitionsDirective,
    }
    app.add_domain(MigspecDomain)
    app.add_node(check_flow_marker)
    app.connect("config-inited", _absolute_paths)
    app.connect("env-before-read-docs", check_tree_before_reading)
    app.connect("doctree-read", check_flows_in)
    return {
        "version": __version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
