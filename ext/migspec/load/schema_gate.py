"""A fast yes/no check of a spec against the shipped JSON Schema.

Inputs: plain data (from :func:`~migspec.load.yamlsrc.to_plain`) and the
schema.  Outputs: ``True`` only when the data is valid.

Why it exists: importing and running ``jsonschema`` costs more than reading,
resolving and linting the spec together, and a spec that is valid -- the
common case, every run of doc CI -- needs no error messages.  So the loader
asks this gate first and calls ``jsonschema`` (the reference implementation,
which also writes the located messages) only when the gate says no.  The gate
interprets the same schema file, for exactly the keywords that file uses; a
keyword it does not know makes it answer no, so an unknown construct can only
cost time, never let an invalid spec through.  A property test checks it
against ``jsonschema`` on thousands of mutated specs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

_TYPES: Mapping[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}
# Keywords that only describe (no effect on validity).
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$comment"})


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _is_type(value: object, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(name, ()))


def _equal(a: object, b: object) -> bool:
    """JSON equality: 1 and True differ, 1 and 1.0 do not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return a == b


def valid(value: object, schema: Mapping[str, Any]) -> bool:
    """Whether ``value`` satisfies ``schema`` (answers False when unsure)."""
    for key, rule in schema.items():
        if key in _ANNOTATIONS:
            continue
        if not _CHECKS.get(key, _unknown)(value, rule, schema):
            return False
    return True


def _unknown(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    return False


def _type(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    names = rule if isinstance(rule, list) else [rule]
    return any(_is_type(value, n) for n in names)


def _properties(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    if not isinstance(value, dict):
        return True
    return all(valid(value[k], sub) for k, sub in rule.items() if k in value)


def _additional(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    if not isinstance(value, dict):
        return True
    known = schema.get("properties", {})
    if "patternProperties" in schema:
        return False  # not used by the spec schema: let jsonschema decide
    extra = [k for k in value if k not in known]
    if rule is False:
        return not extra
    if rule is True:
        return True
    return all(valid(value[k], rule) for k in extra)


def _required(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(value, dict) or all(k in value for k in rule)


def _items(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    if not isinstance(value, list):
        return True
    if not isinstance(rule, dict):
        return False
    return all(valid(v, rule) for v in value)


def _enum(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    return any(_equal(value, choice) for choice in rule)


def _const(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    return _equal(value, rule)


def _pattern_check(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(value, str) or _pattern(rule).search(value) is not None


def _min_items(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(value, list) or len(value) >= rule


def _max_items(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(value, list) or len(value) <= rule


def _unique(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    if not rule or not isinstance(value, list):
        return True
    return not any(_equal(a, b) for i, a in enumerate(value) for b in value[i + 1 :])


def _minimum(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True
    return bool(value >= rule)


def _maximum(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return True
    return bool(value <= rule)


def _min_length(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(value, str) or len(value) >= rule


def _max_length(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(value, str) or len(value) <= rule


def _min_properties(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(value, dict) or len(value) >= rule


def _property_names(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    return not isinstance(value, dict) or all(valid(k, rule) for k in value)


def _one_of(value: object, rule: Any, schema: Mapping[str, Any]) -> bool:
    return sum(1 for sub in rule if valid(value, sub)) == 1


_CHECKS = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "items": _items,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern_check,
    "minItems": _min_items,
    "maxItems": _max_items,
    "uniqueItems": _unique,
    "minimum": _minimum,
    "maximum": _maximum,
    "minLength": _min_length,
    "maxLength": _max_length,
    "minProperties": _min_properties,
    "propertyNames": _property_names,
    "oneOf": _one_of,
}
