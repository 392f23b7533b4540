"""Validate instances against the shipped schemas.

``validate(name, instance)`` is the one entry point. A compiled validator (jsonschema-rs where its
wheel is installed, else fastjsonschema) gives the verdict; only when it says no does the jsonschema
library walk the instance again to list every violation with its JSON pointer (it is imported
only then: the hot path does not pay for it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, Literal

from ._formats import FORMATS
from ._schemas import bundle, load_schema, schema_names
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
    from ._reference import reference_validator

    return reference_validator(name).is_valid  # type: ignore[no-any-return]


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


def violations(name: str, instance: Any) -> list[Violation]:
    """Every violation of schema ``name`` in ``instance``, in document order (empty when valid)."""
    from ._reference import violations as reference_violations

    return reference_violations(name, instance)


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
