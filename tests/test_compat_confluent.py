"""The Confluent Schema Registry's JSON Schema compatibility corpus, case by case.

Each case is an original schema, an update, and whether Confluent calls the update BACKWARD
compatible. We agree on every case except those in tests/compat/confluent-allowlist.json, where the
JSON Schema specification shows Confluent's verdict wrong; each of those carries its proof.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import json5
import pytest
from jsonschema import validators

from baa_conductor.compat.check import directions, ok
from baa_conductor.compat.keywords import DRAFT_07, DRAFT_2020_12
from baa_conductor.compat.schemaset import SchemaSet

CORPUS = Path(__file__).parent / "compat" / "confluent"
ALLOWLIST = Path(__file__).parent / "compat" / "confluent-allowlist.json"
FILES = (
    "diff-schema-examples.json",
    "diff-schema-examples-2020-12.json",
    "diff-combined-schema-examples.json",
    "diff-combined-schema-examples-2020-12.json",
)


def _dialect(file: str) -> str:
    """The files without 2020-12 in their name are draft-07 (array-form ``items``)."""
    return DRAFT_2020_12 if "2020-12" in file else DRAFT_07


@cache
def _cases() -> dict[str, dict[str, Any]]:
    cases = {}
    for file in FILES:
        for index, case in enumerate(json5.loads((CORPUS / file).read_text("utf-8"))):
            cases[f"{file}#{index}"] = {**case, "dialect": _dialect(file)}
    return cases


@cache
def _allowed() -> dict[str, dict[str, Any]]:
    entries = json.loads(ALLOWLIST.read_text("utf-8"))["cases"]
    return {e["case"]: e for e in entries}


def _backward(case: dict[str, Any]) -> bool:
    old = SchemaSet({"s": case["original_schema"]}, "original", case["dialect"])
    new = SchemaSet({"s": case["update_schema"]}, "update", case["dialect"])
    old.check()
    new.check()
    backward, _ = directions(old.root("s"), new.root("s"))
    return ok(backward)


def _accepts(schema: Any, dialect: str, instance: Any) -> bool:
    cls = validators.validator_for({"$schema": dialect})
    return bool(cls(schema).is_valid(instance))


@pytest.mark.parametrize("case_id", list(_cases()))
def test_agrees_with_confluent(case_id: str) -> None:
    """BACKWARD verdict as the Confluent Schema Registry gives it, outside the allow-list."""
    case = _cases()[case_id]
    ours = _backward(case)
    allowed = _allowed().get(case_id)
    if allowed is None:
        assert ours == case["compatible"], case["description"]
    else:
        assert ours != case["compatible"]
        assert ("compatible" if ours else "breaking") == allowed["baa"]


@pytest.mark.parametrize("case_id", list(_allowed()))
def test_each_allowed_disagreement_is_proven(case_id: str) -> None:
    """Where we differ from Confluent, an instance or the spec shows Confluent's verdict wrong."""
    entry = _allowed()[case_id]
    case = _cases()[case_id]
    assert entry["description"] == case["description"]
    assert entry["confluent"] == ("compatible" if case["compatible"] else "breaking")
    assert entry["reason"]
    original, update, dialect = case["original_schema"], case["update_schema"], case["dialect"]
    if entry["baa"] == "breaking":
        assert _accepts(original, dialect, entry["witness"])
        assert not _accepts(update, dialect, entry["witness"])
    else:
        for instance in entry["both_accept"]:
            assert _accepts(original, dialect, instance)
            assert _accepts(update, dialect, instance)


def test_agreement_figures() -> None:
    """The corpus is whole (263 cases) and no verdict outside the allow-list says compatible
    where Confluent says breaking."""
    cases = _cases()
    assert len(cases) == 263
    verdicts = {case_id: _backward(case) for case_id, case in cases.items()}
    disagree = {i for i, v in verdicts.items() if v != cases[i]["compatible"]}
    false_compatible = {i for i in disagree if verdicts[i]} - set(_allowed())
    assert (len(cases) - len(disagree), false_compatible) == (259, set())
    assert disagree == set(_allowed())
