"""Validate instances against the shipped schemas.

``validate(name, instance)`` is the one entry point. A compiled validator (jsonschema-rs where its
wheel is installed, else fastjsonschema) gives the verdict; only when it says no does the jsonschema
library walk the instance again to list every violation with its JSON pointer.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any, Literal

import fastjsonschema
import jsonschema
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema import ValidationError as _JsonschemaError

from ._formats import FORMATS, ecma_pattern
from ._schemas import bundle, load_schema, registry, schema_names
from .exceptions import ContractError, Violation

jsonschema_rs: Any
try:
    import jsonschema_rs
except ImportError:  # pragma: no cover - platforms without a wheel
    jsonschema_rs = None

Backend = Literal["jsonschema-rs", "fastjsonschema", "jsonschema"]
BACKENDS: tuple[Backend, ...] = (
    ("jsonschema-rs", "fastjsonschema", "jsonschema")
    if jsonschema_rs
    else ("fastjsonschema", "jsonschema")
)
HOT_PATH: Backend = BACKENDS[0]

Check = Callable[[Any], bool]


def _ecma_pattern_keyword(
    validator: Any, pattern: str, instance: Any, schema: Any
) -> Iterator[_JsonschemaError]:
    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield _JsonschemaError(f"{instance!r} does not match {pattern!r}")


_Reference = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _ecma_pattern_keyword}
)
_FORMAT_CHECKER = FormatChecker(formats=())
for _name, _check in FORMATS.items():
    _FORMAT_CHECKER.checks(_name)(_check)


@cache
def _reference(name: str) -> Any:
    schema = load_schema(name)
    del schema["$schema"]  # see registry(keep_dialect=False)
    return _Reference(schema, registry=registry(keep_dialect=False), format_checker=_FORMAT_CHECKER)


def _fastjsonschema(name: str) -> Check:
    # compile() mutates its argument and by default writes defaults into the data:
    # give it a copy and no defaults.
    compiled = fastjsonschema.compile(bundle(name), formats=dict(FORMATS), use_default=False)

    def check(instance: Any) -> bool:
        try:
            compiled(instance)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    return check


def _jsonschema_rs(name: str) -> Check:
    assert jsonschema_rs is not None
    compiled = jsonschema_rs.validator_for(
        bundle(name), validate_formats=True, formats=dict(FORMATS)
    )
    return compiled.is_valid  # type: ignore[no-any-return]


def _jsonschema(name: str) -> Check:
    return _reference(name).is_valid  # type: ignore[no-any-return]


_FACTORIES: dict[Backend, Callable[[str], Check]] = {
    "jsonschema-rs": _jsonschema_rs,
    "fastjsonschema": _fastjsonschema,
    "jsonschema": _jsonschema,
}


@cache
def compiled(name: str, backend: Backend = HOT_PATH) -> Check:
    """A cached ``instance -> bool`` check for schema ``name`` on ``backend``."""
    load_schema(name)  # unknown names fail here with the list of known ones
    if backend not in BACKENDS:
        raise ValueError(
            f"validator backend {backend!r} is not available; have {', '.join(BACKENDS)}"
        )
    return _FACTORIES[backend](name)


def is_valid(name: str, instance: Any, *, backend: Backend = HOT_PATH) -> bool:
    """Whether ``instance`` matches schema ``name``."""
    return compiled(name, backend)(instance)


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
        return Violation(pointer, f"{error.instance!r} is not a valid {schema['title']}: "
                                  f"must match {schema['pattern']}")  # fmt: skip
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
    errors = _leaves(_reference(name).iter_errors(instance))
    found = {(_pointer(e.absolute_path), e.message): _violation(e) for e in errors}
    return sorted(set(found.values()), key=lambda v: (v.pointer, v.reason))


def validate(name: str, instance: Any, *, source: str | None = None) -> None:
    """Raise :class:`ContractError` listing every violation unless ``instance`` matches ``name``."""
    if compiled(name)(instance):
        return
    found = violations(name, instance)
    if not found:  # the backends disagree: never let that pass silently
        found = [Violation("", f"rejected by {HOT_PATH} but not by jsonschema; please report")]
    raise ContractError(name, found, source)


def validated_copy(name: str, instance: Any) -> Any:
    """``instance`` validated, as a deep copy the caller owns."""
    validate(name, instance)
    return copy.deepcopy(instance)


__all__ = [
    "BACKENDS",
    "HOT_PATH",
    "Backend",
    "compiled",
    "is_valid",
    "schema_names",
    "validate",
    "violations",
]
