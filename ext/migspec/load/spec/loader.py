"""Loading a spec: read, parse, check the version and the schema and the
limits, resolve; each pass collects every problem it finds before stopping.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from ...diagnostics import Diagnostic
from ...model import Spec
from .. import BUNDLED_SPEC
from ..text import DEFAULT_LIMITS, Limits, read_text
from ..yamlsrc import Mapping, Scalar, Sequence, parse_yaml, to_plain
from .resolve import Builder
from .rules import FORMAT_VERSION, RULE_BY_ID
from .schema import validate


@dataclass
class LoadResult:
    """What loading a spec gives: the model (``None`` if it failed) and the diagnostics."""

    spec: Spec | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str = ""

    @property
    def ok(self) -> bool:
        return self.spec is not None


def load_spec(
    path: str | os.PathLike[str] | None = None,
    *,
    display: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> LoadResult:
    """Load and resolve a spec; never raises for bad input."""
    real = os.fspath(path) if path is not None else BUNDLED_SPEC
    shown = display or (real if path is not None else "spec/vfio-migration.yaml")
    text, diags = read_text(real, shown, limits)
    if text is None:
        return LoadResult(None, diags)
    return load_spec_text(text, shown, limits=limits)


def load_spec_text(text: str, display: str, *, limits: Limits = DEFAULT_LIMITS) -> LoadResult:
    doc = parse_yaml(text, display, limits)
    result = LoadResult(None, list(doc.diagnostics), text)
    if doc.root is None or doc.diagnostics:
        return result
    root = doc.root
    if not isinstance(root, Mapping):
        result.diagnostics.append(
            RULE_BY_ID["schema-invalid"].diagnostic(
                "a spec is a mapping of keys to values", root.location
            )
        )
        return result
    version = root.get("migspec")
    if (
        not isinstance(version, Scalar)
        or not isinstance(version.value, int)
        or isinstance(version.value, bool)  # True == 1 in Python
        or version.value != FORMAT_VERSION
    ):
        where = version.location if version is not None else root.location
        shown = "missing" if version is None else json.dumps(to_plain(version))
        result.diagnostics.append(
            RULE_BY_ID["schema-version"].diagnostic(
                f"spec format version is {shown}; this migspec reads 'migspec: {FORMAT_VERSION}'",
                where,
            )
        )
        return result
    schema_diags = validate(root, display)
    if schema_diags:
        result.diagnostics.extend(schema_diags)
        return result
    limit_diags = _check_limits(root, limits)
    if limit_diags:
        result.diagnostics.extend(limit_diags)
        return result
    builder = Builder(root, display)
    spec = builder.build()
    result.diagnostics.extend(builder.diagnostics)
    if not builder.diagnostics:
        result.spec = spec
    return result


def _check_limits(root: Mapping, limits: Limits) -> list[Diagnostic]:
    """States and optional features beyond what the analyses are bounded for."""
    out: list[Diagnostic] = []
    states = root.get("states")
    if isinstance(states, Sequence) and len(states.items) > limits.max_states:
        out.append(
            RULE_BY_ID["spec-limits"].diagnostic(
                f"{len(states.items)} states; migspec reads at most {limits.max_states}",
                states.items[limits.max_states].location,
            )
        )
    features = root.get("features")
    if isinstance(features, Sequence):
        optional = [
            f
            for f in features.items
            if isinstance(f, Mapping)
            and not (isinstance(m := f.get("mandatory"), Scalar) and m.value is True)
        ]
        if len(optional) > limits.max_optional_features:
            out.append(
                RULE_BY_ID["spec-limits"].diagnostic(
                    f"{len(optional)} optional features ({2 ** len(optional)} device kinds); "
                    f"migspec reads at most {limits.max_optional_features}",
                    optional[limits.max_optional_features].location,
                )
            )
    return out
