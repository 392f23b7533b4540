"""Validate instances against the shipped schemas.

``validate(name, instance)`` is the one entry point. A compiled validator (jsonschema-rs where its
wheel is installed, else fastjsonschema) gives the verdict; only when it says no does the jsonschema
library walk the instance again to list every violation with its JSON pointer (it is imported
only then: the hot path does not pay for it). Every backend first applies the rules of ``_wire``
(what a JSON value is), so no backend crashes on, or judges alone, a value JSON cannot carry.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, Literal

from . import _wire
from ._schemas import bundle, require, schema_names, shared_bundle
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


def _fastjsonschema(name: str) -> Check:
    import fastjsonschema

    from ._formats import FORMATS

    # compile() mutates its argument and by default writes defaults into the data:
    # give it a copy and no defaults.
    compiled = fastjsonschema.compile(bundle(name), formats=dict(FORMATS), use_default=False)

    def check(instance: Any) -> bool:
        # The fallback backend: it accepts NaN and Infinity as numbers, so it gets the full walk.
        if _wire.problem(instance) is not None:
            return False
        try:
            compiled(instance)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    return check


@cache
def parsed_check(name: str) -> Check | None:
    """The hot path's check without the wire probe, for values just parsed from JSON text by orjson
    that hold at most ``_wire.MAX_DEPTH`` brackets: such values meet every wire rule (orjson
    refuses lone surrogates, reads integers beyond 64 bits as floats, and no NaN or Infinity
    parses), and cannot nest deeper than their brackets. None without jsonschema-rs.

    ``baa validate`` uses it on JSONL logs, where the probe would cost as much as the check.
    """
    if jsonschema_rs is None:
        return None
    return _rs_check(shared_bundle(name))  # unknown names fail here with the list of known ones


@cache
def parsed_check_of_channel(name: str, channel: str) -> Check | None:
    """:func:`parsed_check` for the entries of one log file, whose ``channel`` must also be
    ``channel`` (stdout.log holds only stdout): the log's hot loop then asks jsonschema-rs once
    per line and nothing more."""
    if jsonschema_rs is None:
        return None
    schema = bundle(name)
    schema["properties"]["channel"] = {
        "allOf": [schema["properties"]["channel"], {"const": channel}]
    }
    return _rs_check(schema)


def _rs_check(schema: dict[str, Any]) -> Check:
    """A bundle compiled by jsonschema-rs. `format` is an annotation: the schemas' patterns carry
    every rule (schemas/README.md)."""
    is_valid: Check = jsonschema_rs.validator_for(schema, validate_formats=False).is_valid
    return is_valid


def _jsonschema_rs(name: str) -> Check:
    is_valid = parsed_check(name)
    assert is_valid is not None

    def check(instance: Any) -> bool:
        # The probe keeps from jsonschema-rs what it cannot convert (lone surrogates) and what
        # would overflow its stack (depth); it rejects NaN and Infinity itself.
        if not _wire.fits(instance):
            return False
        try:
            return is_valid(instance)
        except (ValueError, TypeError):  # a Python value that is not JSON (e.g. a set)
            return False

    return check


def _jsonschema(name: str) -> Check:
    from ._reference import deep_enough, reference_validator

    is_valid: Check = reference_validator(name).is_valid

    def check(instance: Any) -> bool:
        # The library takes NaN and Infinity for numbers: it gets the full walk.
        if _wire.problem(instance) is not None:
            return False
        with deep_enough():
            return is_valid(instance)

    return check


_FACTORIES: dict[Backend, Callable[[str], Check]] = {
    "jsonschema-rs": _jsonschema_rs,
    "fastjsonschema": _fastjsonschema,
    "jsonschema": _jsonschema,
}


@cache
def compiled(name: str, backend: Backend = HOT_PATH) -> Check:
    """A cached ``instance -> bool`` check for schema ``name`` on ``backend``."""
    require(name)  # unknown names fail here with the list of known ones
    if backend not in BACKENDS:
        raise ValueError(
            f"validator backend {backend!r} is not available; have {', '.join(BACKENDS)}"
        )
    return _FACTORIES[backend](name)


def is_valid(name: str, instance: Any, *, backend: Backend = HOT_PATH) -> bool:
    """Whether ``instance`` matches schema ``name``."""
    return compiled(name, backend)(instance)


def violations(name: str, instance: Any) -> list[Violation]:
    """Every violation of schema ``name`` in ``instance``, in document order (empty when valid).

    A value that is not JSON (``_wire``) gets that one violation: no schema applies to it. An
    integer beyond 64 bits is the exception: the schema's bound speaks for it where there is one.
    """
    require(name)
    broken = _wire.broken_rule(instance)
    if broken is not None and broken[0] != _wire.BIG_INTEGER:
        return [broken[1]]
    from ._reference import violations as reference_violations

    found = reference_violations(name, instance)
    if broken is not None and not any(v.pointer == broken[1].pointer for v in found):
        # A big integer where the schema bounds it is the schema's violation (JavaScript, which
        # reads it rounded, reports the same); in a free-form value only this rule refuses it.
        found = sorted([broken[1], *found], key=lambda v: (v.pointer, v.reason))
    return found


def validate(name: str, instance: Any, *, source: str | None = None) -> None:
    """Raise :class:`ContractError` listing every violation unless ``instance`` matches ``name``."""
    if compiled(name)(instance):
        return
    found = violations(name, instance)
    if not found:  # the backends disagree: never let that pass silently
        found = [Violation("", f"rejected by {HOT_PATH} but not by jsonschema; please report")]
    raise ContractError(name, found, source)


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
