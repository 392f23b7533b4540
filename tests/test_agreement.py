"""Every validator gives one verdict: each Python backend and the TypeScript package, on every fixture."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
import typescript
from conftest import INVALID, VALID

from baa_conductor import validation

# JSON.parse rounds integers beyond 2^53 before any validator sees them (schemas/README.md,
# "Where JavaScript cannot agree"): the one fixture whose verdict JavaScript cannot reach.
JAVASCRIPT_CANNOT_AGREE = {"structured-data/integer-beyond-64-bits"}

_INFINITY = "\x00infinity\x00"


def _json_text(instance: Any) -> str:
    """The instance as JSON text, with ±Infinity written as 1e400 (what the fixture files hold)."""

    def mark(value: Any) -> Any:
        if isinstance(value, float) and math.isinf(value):
            return _INFINITY if value > 0 else "-" + _INFINITY
        if isinstance(value, list):
            return [mark(v) for v in value]
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        return value

    text = json.dumps(mark(instance))
    marker = json.dumps(_INFINITY)
    return text.replace(f'"-{marker[1:]}', "-1e400").replace(marker, "1e400")


def _cases() -> list[tuple[str, str, Any, bool]]:
    cases = [(p.id, p.values[0], p.values[1], True) for p in VALID]
    cases += [(p.id, p.values[0], p.values[1]["instance"], False) for p in INVALID]
    return cases


@pytest.fixture(scope="module")
def typescript_verdicts() -> dict[str, bool]:
    """Every fixture through the TypeScript package's validator, in one node process."""
    cases = _cases()
    lines = "".join(
        f'{{"schema": {json.dumps(schema)}, "instance": {_json_text(instance)}}}\n'
        for _, schema, instance, _ in cases
    )
    done = typescript.run(lines)
    assert done.returncode == 0, done.stderr
    verdicts = done.stdout.split()
    assert len(verdicts) == len(cases), done.stderr
    return {
        case_id: verdict == "true" for (case_id, *_), verdict in zip(cases, verdicts, strict=True)
    }


@pytest.mark.parametrize(
    ("case_id", "schema", "instance", "expected"), _cases(), ids=[c[0] for c in _cases()]
)
def test_every_backend_and_typescript_agree(
    case_id: str, schema: str, instance: Any, expected: bool, typescript_verdicts: dict[str, bool]
) -> None:
    """No validator, in either language, accepts what another refuses, and none crashes."""
    verdicts: dict[str, bool] = {
        b: validation.is_valid(schema, instance, backend=b) for b in validation.BACKENDS
    }
    verdicts["typescript"] = typescript_verdicts[case_id]
    if case_id in JAVASCRIPT_CANNOT_AGREE:
        assert verdicts.pop("typescript") != expected
    assert set(verdicts.values()) == {expected}, verdicts


def test_the_javascript_exception_is_still_one() -> None:
    """The documented exception names a fixture that exists (so the list cannot go stale)."""
    ids = {c[0] for c in _cases()}
    assert ids >= JAVASCRIPT_CANNOT_AGREE
