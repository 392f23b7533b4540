"""JSON values compared as JSON compares them, not as Python does.

In Python ``True == 1`` and ``0 == False``; in JSON a boolean is never a number. ``1`` and ``1.0``
are the same JSON number. Every keyword that holds values (``const``, ``enum``, ``default``, whole
schemas compared for equality) goes through ``same``.
"""

from __future__ import annotations

import json
from typing import Any


def same(a: Any, b: Any) -> bool:
    """Whether two JSON values are equal as JSON Schema's ``const`` and ``enum`` compare them."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def key(value: Any) -> Any:
    """A hashable stand-in for a JSON value: equal keys for values ``same`` calls equal."""
    if isinstance(value, bool) or value is None:
        return value  # True, False and None hash apart from every number once tagged below
    if isinstance(value, int | float):
        return ("n", int(value) if isinstance(value, float) and value.is_integer() else value)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, list):
        return ("a", tuple(key(v) for v in value))
    if isinstance(value, dict):
        return ("o", frozenset((k, key(v)) for k, v in value.items()))
    return ("?", repr(value))


_sets: dict[int, tuple[Any, frozenset[Any]]] = {}


def key_set(values: list[Any]) -> frozenset[Any]:
    """The keys of a list of values (an ``enum``), made once per list."""
    known = _sets.get(id(values))
    if known is not None and known[0] is values:
        return known[1]
    keys = frozenset(key(v) for v in values)
    if len(_sets) > 10_000:
        _sets.clear()
    _sets[id(values)] = (values, keys)
    return keys


def member(value: Any, values: Any) -> bool:
    """Whether ``value`` is in the list ``values``, compared as JSON."""
    return isinstance(values, list) and key(value) in key_set(values)


# Keywords by what their value holds, for reading a schema down to what validates.
_ONE_SCHEMA = frozenset(
    {
        "additionalItems", "additionalProperties", "contains", "contentSchema", "else", "if",
        "items", "not", "propertyNames", "then", "unevaluatedItems", "unevaluatedProperties",
    }
)  # fmt: skip
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})
_SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"}
)
# What validation never looks at: descriptions, examples, defaults, flags for tools.
ANNOTATIONS = frozenset(
    {
        "title", "description", "examples", "default", "$comment", "deprecated", "readOnly",
        "writeOnly", "markdownDescription", "markdownEnumDescriptions", "enumDescriptions",
        "deprecationMessage", "errorMessage",
    }
)  # fmt: skip
_forms: dict[int, tuple[Any, Any]] = {}


def validation_form(schema: Any) -> Any:
    """``schema`` without its annotations (``ANNOTATIONS`` and ``x-*``), at every depth: two
    schemas with the same form validate the same instances (their ``$ref``s resolving alike)."""
    if not isinstance(schema, dict):
        return schema
    known = _forms.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    form: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ANNOTATIONS or key.startswith("x-"):
            continue
        if key in _SCHEMA_LISTS and isinstance(value, list):
            form[key] = [validation_form(v) for v in value]
        elif key in _ONE_SCHEMA:
            form[key] = validation_form(value)
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            form[key] = {k: validation_form(v) for k, v in value.items()}
        else:
            form[key] = value
    if len(_forms) > 200_000:
        _forms.clear()
    _forms[id(schema)] = (schema, form)
    return form


def same_schema(a: Any, b: Any) -> bool:
    """Whether two schemas are equal once annotations are left out."""
    form_a, form_b = validation_form(a), validation_form(b)
    if isinstance(form_a, dict) and isinstance(form_b, dict):
        quick = _same_quickly(form_a, form_b)
        if quick is not None:
            return quick
    return _same_forms(form_a, form_b)


def same_document(a: Any, b: Any) -> bool:
    """``same`` for two whole documents (two versions of a file, most often equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        quick = _same_quickly(a, b)
        if quick is not None:
            return quick
    return same(a, b)


def _same_quickly(a: dict[str, Any], b: dict[str, Any]) -> bool | None:
    """``same`` where Python's equality and the JSON text decide it (None where they do not)."""
    if a != b:
        return False  # what ``same`` calls equal, Python does too
    # Python also calls true 1: the text tells them apart (the same text is the same JSON;
    # NaN, which is not equal to itself, has no text).
    text = _text(a)
    if text is not None and text == _text(b):
        return True
    return None


_texts: dict[int, tuple[Any, str | None]] = {}


def _text(form: Any) -> str | None:
    known = _texts.get(id(form))
    if known is not None and known[0] is form:
        return known[1]
    try:
        text: str | None = json.dumps(form, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        text = None
    if len(_texts) > 10_000:
        _texts.clear()
    _texts[id(form)] = (form, text)
    return text


# Pairs of validation forms compared, by identity: (a, b, same). A subschema's form is held by
# its parent's, so once two documents are compared, any two of their subschemas are known.
_form_pairs: dict[tuple[int, int], tuple[Any, Any, bool]] = {}


def _same_forms(a: Any, b: Any) -> bool:
    """``same``, remembered for each pair of objects."""
    if isinstance(a, dict) and isinstance(b, dict):
        pair = (id(a), id(b))
        known = _form_pairs.get(pair)
        if known is not None and known[0] is a and known[1] is b:
            return known[2]
        result = a.keys() == b.keys() and all(_same_forms(a[k], b[k]) for k in a)
        if len(_form_pairs) > 200_000:
            _form_pairs.clear()
        _form_pairs[pair] = (a, b, result)
        _form_pairs[(id(b), id(a))] = (b, a, result)
        return result
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_forms(x, y) for x, y in zip(a, b, strict=True))
    return same(a, b)


def same_keyword(keyword: str, a: Any, b: Any) -> bool:
    """Whether two values of ``keyword`` are equal as far as validation goes."""
    if keyword in _SCHEMA_MAPS and isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_schema(a[k], b[k]) for k in a)
    if keyword in _SCHEMA_LISTS and isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_schema(x, y) for x, y in zip(a, b, strict=True))
    if keyword in _ONE_SCHEMA:
        return same_schema(a, b)
    return same(a, b)
