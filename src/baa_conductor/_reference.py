"""The jsonschema library as the reference validator: full 2020-12, every violation listed.

Made to agree with the compiled backends on ``pattern`` (ECMA ``$``) and ``format`` (an
annotation; see ``_formats``). Imported only when a violation has to be explained.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, cast

import jsonschema
from jsonschema import Draft202012Validator
from jsonschema import ValidationError as _JsonschemaError

from . import _messages
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


@cache
def reference_validator(name: str) -> Any:
    schema = load_schema(name)
    del schema["$schema"]  # see registry(keep_dialect=False)
    return _Reference(schema, registry=registry(keep_dialect=False))


def _pointer(path: Any) -> str:
    return "".join("/" + _escape(str(p)) for p in path)


def _violations(error: _JsonschemaError) -> list[Violation]:
    """What ``error`` says, in the words both bindings use (``_messages``); one per problem."""
    pointer = _pointer(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    keyword, value = error.validator, cast(Any, error.validator_value)
    if keyword == "required":
        missing = next(p for p in value if f"{p!r} is a required property" == error.message)
        return [Violation(f"{pointer}/{_escape(missing)}", _messages.REQUIRED)]
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        allowed = schema.get("properties", {})
        extra = [k for k in error.instance if k not in allowed]
        return [Violation(f"{pointer}/{_escape(k)}", _messages.UNKNOWN) for k in extra]
    if keyword == "pattern" and isinstance(error.instance, str):
        return [Violation(pointer, _messages.pattern(schema, error.instance))]
    reason = {
        "type": lambda: _messages.must_be_type(value),
        "enum": lambda: _messages.must_be_one_of(value),
        "const": lambda: _messages.must_be_one_of([value]),
        "minimum": lambda: f"must be at least {_messages.number(value)}",
        "maximum": lambda: f"must be at most {_messages.number(value)}",
        "exclusiveMinimum": lambda: f"must be greater than {_messages.number(value)}",
        "exclusiveMaximum": lambda: f"must be less than {_messages.number(value)}",
        "minLength": lambda: _messages.length(value, at_least=True),
        "maxLength": lambda: _messages.length(value, at_least=False),
        "minItems": lambda: _messages.items(value),
    }.get(str(keyword))
    return [Violation(pointer, reason() if reason else str(error.message))]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _leaves(errors: Iterator[_JsonschemaError]) -> Iterator[_JsonschemaError]:
    for error in errors:
        if error.context:  # anyOf/oneOf: report what failed inside
            yield from _leaves(iter(error.context))
        else:
            yield error


_SAID_BY_PATTERN = frozenset({"minLength", "maxLength", "format"})


def violations(name: str, instance: Any) -> list[Violation]:
    """Every violation of schema ``name`` in ``instance``, in document order (empty when valid)."""
    with deep_enough():
        errors = list(_leaves(reference_validator(name).iter_errors(instance)))
    # A string that misses its pattern is one problem: the pattern's message says it all.
    patterned = {_pointer(e.absolute_path) for e in errors if e.validator == "pattern"}
    errors = [e for e in errors
              if not (e.validator in _SAID_BY_PATTERN and _pointer(e.absolute_path) in patterned)]  # fmt: skip
    found = {v for e in errors for v in _violations(e)}
    return sorted(found, key=lambda v: (v.pointer, v.reason))
