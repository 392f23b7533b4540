"""The jsonschema library as the reference validator: full 2020-12, every violation listed.

Made to agree with the compiled backends on ``pattern`` (ECMA ``$``) and ``format`` (an
annotation; see ``_formats``). Imported only when a violation has to be explained.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator
from jsonschema import ValidationError as _JsonschemaError

from ._formats import ecma_pattern
from ._schemas import load_schema, registry
from ._wire import MAX_DEPTH
from .exceptions import Violation

# The library recurses a dozen frames per level of the instance; enough for the deepest instance
# that `_wire` lets through.
_FRAMES = 40 * MAX_DEPTH


@contextmanager
def deep_enough() -> Iterator[None]:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _FRAMES))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def _ecma_pattern_keyword(
    validator: Any, pattern: str, instance: Any, schema: Any
) -> Iterator[_JsonschemaError]:
    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield _JsonschemaError(f"{instance!r} does not match {pattern!r}")


_Reference = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _ecma_pattern_keyword}
)


_READABLE_PATTERN = 80


@cache
def reference_validator(name: str) -> Any:
    schema = load_schema(name)
    del schema["$schema"]  # see registry(keep_dialect=False)
    return _Reference(schema, registry=registry(keep_dialect=False))


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _violation(error: _JsonschemaError) -> Violation:
    pointer = _pointer(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "required":
        missing = str(error.message).split("'")[1]
        return Violation(f"{pointer}/{missing}", "required property is missing")
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = schema.get("properties", {})
        extra = sorted(k for k in error.instance if k not in allowed)
        names = ", ".join(repr(k) for k in extra)
        return Violation(pointer, f"unknown propert{'ies' if len(extra) > 1 else 'y'} {names}")
    if error.validator == "pattern" and "title" in schema:
        if len(schema["pattern"]) <= _READABLE_PATTERN:
            rule = f"must match {schema['pattern']}"
        else:  # a pattern too long to read: its schema's description says the rule
            rule = schema.get("description", "").split(". ")[0].rstrip(".")
            rule = rule[:1].lower() + rule[1:]
        return Violation(pointer, f"{error.instance!r} is not a valid {schema['title']}: {rule}")
    if error.validator == "format":
        return Violation(pointer, f"{error.instance!r} is not a valid {error.validator_value}")
    return Violation(pointer, error.message)


def _leaves(errors: Iterator[_JsonschemaError]) -> Iterator[_JsonschemaError]:
    for error in errors:
        if error.context:  # anyOf/oneOf: report what failed inside
            yield from _leaves(iter(error.context))
        else:
            yield error


def violations(name: str, instance: Any) -> list[Violation]:
    """Every violation of schema ``name`` in ``instance``, in document order (empty when valid)."""
    with deep_enough():
        errors = _leaves(reference_validator(name).iter_errors(instance))
        found = {(_pointer(e.absolute_path), e.message): _violation(e) for e in errors}
    return sorted(set(found.values()), key=lambda v: (v.pointer, v.reason))
