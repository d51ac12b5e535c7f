"""Schema validation: the spec's YAML against ``schema/spec.schema.json``.

Inputs: located YAML nodes.  Outputs: diagnostics at the line of the
offending key or value, in words someone writing YAML uses.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import cache
from typing import Any

from ...diagnostics import Diagnostic, Location, closest
from .. import PACKAGE_DIR, schema_gate
from ..yamlsrc import Mapping, Node, Sequence, node_at, to_plain
from .rules import RULE_BY_ID


@cache
def _schema() -> dict[str, Any]:
    with open(os.path.join(PACKAGE_DIR, "schema", "spec.schema.json"), encoding="utf-8") as fh:
        text = fh.read()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def spec_schema() -> dict[str, Any]:
    """The JSON Schema every spec is validated against (format version 1)."""
    return _schema()


def validate(root: Node, display: str) -> list[Diagnostic]:
    """Located diagnostics for every way the spec breaks the JSON Schema."""
    data = to_plain(root)
    # The common case -- a valid spec -- needs no messages: a quick yes from
    # the gate spares importing jsonschema (see schema_gate).
    if schema_gate.valid(data, _schema()):
        return []
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    out: list[Diagnostic] = []
    seen: set[tuple[str, Location]] = set()
    for error in validator.iter_errors(data):
        for diag in _explain(error, root):
            key = (diag.message, diag.location)
            if key not in seen:
                seen.add(key)
                out.append(diag)
    return out


def _path_text(path: Iterable[object]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "the spec"


def _yaml_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


_PATTERN_WORDS = {
    r"^[A-Za-z_][A-Za-z0-9_]*$": "a C identifier (letters, digits, underscores)",
    r"^[a-z][a-z0-9-]*$": "a lower-case kebab-case name",
    "^[0-9]+$": "an argument index",
}


def _explain(error: Any, root: Node) -> Iterable[Diagnostic]:
    path = tuple(error.absolute_path)
    node, _key_node = node_at(root, path)
    where = node.location
    name = _path_text(path)
    validator = error.validator
    if validator == "additionalProperties" and isinstance(node, Mapping):
        allowed = sorted(error.schema.get("properties", {}))
        for key, _value in node.items:
            if key.value not in allowed:
                yield RULE_BY_ID["schema-unknown-key"].diagnostic(
                    f"unknown key '{key.value}' in {name}{_key_hint(str(key.value), allowed)}",
                    key.location,
                )
        return
    if validator == "required":
        missing = [
            k for k in error.validator_value if not isinstance(node, Mapping) or node.get(k) is None
        ]
        for key in missing:
            yield RULE_BY_ID["schema-missing-key"].diagnostic(f"{name} needs a '{key}' key", where)
        return
    if validator == "type":
        expected = error.validator_value
        yield _type_error(
            name, expected if isinstance(expected, list) else [expected], error, where
        )
        return
    if validator == "pattern":
        what = _PATTERN_WORDS.get(error.validator_value, f"match {error.validator_value}")
        if "propertyNames" in error.schema_path and isinstance(node, Mapping):
            # A bad key: jsonschema reports it at the mapping; point at the key.
            bad_key = node.key_node(str(error.instance))
            yield RULE_BY_ID["schema-invalid"].diagnostic(
                f"{name}: key {error.instance!r} is not {what}",
                bad_key.location if bad_key is not None else where,
            )
            return
        yield RULE_BY_ID["schema-invalid"].diagnostic(
            f"{name}: {error.instance!r} is not {what}", where
        )
        return
    if validator == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        yield RULE_BY_ID["schema-invalid"].diagnostic(
            f"{name}: {error.instance!r} is not one of: {choices}", where
        )
        return
    if validator == "uniqueItems":
        repeated = _first_repeat(node)
        if repeated is not None:
            yield RULE_BY_ID["schema-invalid"].diagnostic(
                f"{name} lists {to_plain(repeated)!r} twice", repeated.location
            )
        else:
            yield RULE_BY_ID["schema-invalid"].diagnostic(
                f"{name} lists the same item twice", where
            )
        return
    if validator == "oneOf":
        branches = [b for b in error.validator_value if isinstance(b, dict)]
        types = [str(b["type"]) for b in branches if isinstance(b.get("type"), str)]
        if not _fitting_branches(error) and types and len(types) == len(branches):
            yield _type_error(name, types, error, where)
            return
        branch = _matching_branch(error)
        if branch:
            for sub in branch:
                yield from _explain(sub, root)
            return
    yield RULE_BY_ID["schema-invalid"].diagnostic(f"{name}: {error.message}", where)


def _key_hint(key: str, allowed: list[str]) -> str:
    if key == "<<":
        return "; YAML merge keys are not supported, write the keys out"
    hint = closest(key, allowed)
    if hint:
        return f"; did you mean '{hint}'?"
    return f" (known keys: {', '.join(allowed)})"


def _first_repeat(node: Node) -> Node | None:
    if not isinstance(node, Sequence):
        return None
    seen: set[str] = set()
    for item in node.items:
        key = json.dumps(to_plain(item), sort_keys=True)
        if key in seen:
            return item
        seen.add(key)
    return None


def _fitting_branches(error: Any) -> list[int]:
    """Indexes of the ``oneOf`` branches whose ``type`` fits the value."""
    import jsonschema

    checker = jsonschema.Draft202012Validator.TYPE_CHECKER
    return [
        i
        for i, sub in enumerate(error.validator_value)
        if isinstance(sub, dict)
        and isinstance(sub.get("type"), str)
        and checker.is_type(error.instance, sub["type"])
    ]


# JSON Schema's type names, as someone writing YAML calls them.
_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


def _type_error(name: str, expected: list[str], error: Any, where: Location) -> Diagnostic:
    wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
    return RULE_BY_ID["schema-invalid"].diagnostic(
        f"{name} must be {wanted}, not {_yaml_type(error.instance)}", where
    )


def _matching_branch(error: Any) -> list[Any]:
    """The errors of the one ``oneOf`` branch whose type fits the value.

    A line written as a mapping with a typo'd key should be told about the
    key, not that it "must be a string".  Falls back to jsonschema's best match.
    """
    import jsonschema.exceptions

    fitting = _fitting_branches(error)
    if len(fitting) == 1:
        chosen = [e for e in error.context if e.relative_schema_path[0] == fitting[0]]
        if chosen:
            return chosen
    if not error.context:
        return []
    return [jsonschema.exceptions.best_match(error.context)]
