"""What one direction of a comparison finds: a difference with its verdict, and the small helpers
every rule shares (values shown short, type atoms, regular expressions tried safely)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from ..exceptions import CompatInputError
from .keywords import ATOMS, ATOMS_OF_TYPE

COMPATIBLE, BREAKING, UNKNOWN = "compatible", "breaking", "cannot tell"
# A writer split into more alternatives than this is not examined: "cannot tell".
MAX_ALTERNATIVES = 256
LOWER = {"minimum": False, "exclusiveMinimum": True}
UPPER = {"maximum": False, "exclusiveMaximum": True}
COUNTS_UP = ("minLength", "minItems", "minProperties")
COUNTS_DOWN = ("maxLength", "maxItems", "maxProperties")
# Keywords whose changes are listed item by item (each property, dependency, requirement).
PER_ITEM = frozenset(
    {"properties", "required", "dependentRequired", "dependentSchemas", "dependencies"}
)


class Finding(NamedTuple):
    """One difference and its verdict in one direction: does the reader still accept the writer?
    A tuple: comparisons make, hash and compare hundreds of thousands of them."""

    pointer: str
    kind: str
    verdict: str
    detail: str = ""  # old -> new, the same in both directions
    reason: str = ""  # why this direction fails
    # The referenced schemas (files) the reader went through to reach it, outermost first.
    via: tuple[str, ...] = ()

    def under(self, prefix: str) -> Finding:
        return Finding(
            prefix + self.pointer, self.kind, self.verdict, self.detail, self.reason, self.via
        )


def ok(findings: Iterable[Finding]) -> bool:
    return all(f.verdict == COMPATIBLE for f in findings)


def worst(findings: Iterable[Finding]) -> str:
    verdicts = {f.verdict for f in findings}
    return UNKNOWN if UNKNOWN in verdicts else BREAKING if BREAKING in verdicts else COMPATIBLE


def short(value: Any, limit: int = 60) -> str:
    text = "absent" if value is None else json.dumps(value, sort_keys=True, default=str)
    if len(text) <= limit:
        return text
    # A list cut short keeps its closing bracket, so that its items can be shown without them.
    return text[: limit - 2] + "…]" if isinstance(value, list) else text[: limit - 1] + "…"


def type_atoms(type_value: Any) -> frozenset[str]:
    if type_value is None:
        return ATOMS
    names = [type_value] if isinstance(type_value, str) else type_value
    return frozenset().union(*(ATOMS_OF_TYPE.get(n, frozenset()) for n in names))


def nearest_failure(findings: Iterable[Finding]) -> Finding | None:
    """The failing finding nearest the top (the first of those as near): where a change's
    witness is sought first, so a change inside a recursive schema met again deeper down is not
    preferred to one right there."""
    nearest, depth = None, 0
    for f in findings:
        if f.verdict != COMPATIBLE:
            here = f.pointer.count("/")
            if nearest is None or here < depth:
                nearest, depth = f, here
    return nearest


def reason_of(finding: Finding) -> str:
    return f"{finding.pointer}: {finding.kind}" if finding.pointer else finding.kind


def failure_reason(findings: Iterable[Finding]) -> str:
    """Why a change judged by ``findings`` fails: the nearest failure, followed through the
    place its own reason names (``/else/additionalProperties/properties/put: ...``), which is
    where a witness is sought first."""
    nearest = nearest_failure(findings)
    if nearest is None:
        return ""
    where, colon, inner = nearest.reason.partition(": ")
    if colon and where.startswith("/"):
        return f"{nearest.pointer}{'' if where == '/' else where}: {inner}"
    return reason_of(nearest)


def atom_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "fraction"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


def has_ref(schema: Any) -> bool:
    if isinstance(schema, dict):
        return any(
            k in ("$ref", "$dynamicRef", "$recursiveRef") or has_ref(v) for k, v in schema.items()
        )
    if isinstance(schema, list):
        return any(has_ref(v) for v in schema)
    return False


def matches(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error as error:
        raise CompatInputError(
            f"pattern {pattern!r} is not a regular expression: {error}"
        ) from None
