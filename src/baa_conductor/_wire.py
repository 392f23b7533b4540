"""What every instance must be before any schema applies: I-JSON (RFC 7493), as our writers emit it.

An instance is a JSON value: objects with string keys, arrays, strings of Unicode scalar values
(no lone surrogates, which UTF-8 cannot carry), finite numbers (JSON has no NaN or Infinity),
integers within 64 bits (signed or unsigned), booleans and null, nested at most ``MAX_DEPTH`` arrays and objects deep (the depth orjson, our
writer, can write). Every validator backend, and the TypeScript binding, applies these rules
before the schema, so they give one verdict on values that JSON text could not even carry. No
schema can state them (schemas/README.md, "What no schema can state"); the 64-bit rule matters
only in free-form values, since every integer a schema describes is bounded to 2^53 - 1.
"""

from __future__ import annotations

import math
from typing import Any

from .exceptions import Violation

MAX_DEPTH = 254
INT_RANGE = (-(2**63), 2**64 - 1)

# The rules, by the names schemas/README.md lists them under ("What no schema can state").
LONE_SURROGATE = "lone surrogate"
NOT_FINITE = "NaN or Infinity"
TOO_DEEP = "nesting depth"
BIG_INTEGER = "integer beyond 64 bits"
NOT_JSON = "not a JSON value"
RULES = (LONE_SURROGATE, NOT_FINITE, TOO_DEEP, BIG_INTEGER, NOT_JSON)


def fits(instance: Any) -> bool:
    """Cheap check for the hot path: orjson writes it (no lone surrogate, non-string key, integer
    beyond 64 bits or depth beyond ``MAX_DEPTH``). NaN and Infinity pass here (orjson writes null);
    jsonschema-rs rejects them itself."""
    import orjson  # here, not at the top: a one-document `baa validate` never needs it

    try:
        orjson.dumps(instance)
    except orjson.JSONEncodeError:
        return False
    return True


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def problem(instance: Any) -> Violation | None:
    """The first way ``instance`` is not I-JSON, in document order, or None."""
    found = broken_rule(instance)
    return None if found is None else found[1]


def broken_rule(instance: Any) -> tuple[str, Violation] | None:
    """The first rule ``instance`` breaks (one of ``RULES``) and how, or None."""
    stack: list[tuple[str, Any, int]] = [("", instance, 0)]
    while stack:
        pointer, value, depth = stack.pop()
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int):
            if not INT_RANGE[0] <= value <= INT_RANGE[1]:
                return BIG_INTEGER, Violation(pointer, "integer beyond 64 bits")
            continue
        if isinstance(value, float):
            if not math.isfinite(value):
                return NOT_FINITE, Violation(
                    pointer, "not a JSON number (NaN and Infinity are not)"
                )
        elif isinstance(value, str):
            if _has_lone_surrogate(value):
                return LONE_SURROGATE, Violation(
                    pointer, "string holds a lone surrogate (not valid Unicode)"
                )
        elif isinstance(value, dict | list):
            if depth + 1 > MAX_DEPTH:
                return TOO_DEEP, Violation(
                    pointer, f"nested deeper than {MAX_DEPTH} arrays and objects"
                )
            if isinstance(value, list):
                items = [(f"{pointer}/{i}", item) for i, item in enumerate(value)]
            else:
                items = []
                for key, item in value.items():
                    if not isinstance(key, str):
                        return NOT_JSON, Violation(pointer, f"object key {key!r} is not a string")
                    if _has_lone_surrogate(key):
                        return LONE_SURROGATE, Violation(
                            pointer, "object key holds a lone surrogate"
                        )
                    items.append((f"{pointer}/{_escape(key)}", item))
            stack.extend((p, v, depth + 1) for p, v in reversed(items))
        else:
            return NOT_JSON, Violation(pointer, f"a {type(value).__name__} is not a JSON value")
    return None
