"""Validation: verdicts, messages, and agreement of every backend on every fixture."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import INVALID, VALID

from baa_conductor import validation
from baa_conductor.exceptions import ContractError, UnknownSchemaError


@pytest.mark.parametrize(("schema", "instance"), VALID)
def test_valid_fixture_passes_every_backend(schema: str, instance: Any) -> None:
    """A valid document is accepted by the hot path and by every other backend alike."""
    before = copy.deepcopy(instance)
    validation.validate(schema, instance)
    assert [validation.is_valid(schema, instance, backend=b) for b in validation.BACKENDS] == [
        True
    ] * len(validation.BACKENDS)
    assert instance == before, "validation must not write into the data (no defaults)"


@pytest.mark.parametrize(("schema", "case"), INVALID)
def test_invalid_fixture_fails_every_backend_with_its_violations(schema: str, case: Any) -> None:
    """An invalid document is refused by every backend, and the error lists each violation."""
    instance = case["instance"]
    assert [validation.is_valid(schema, instance, backend=b) for b in validation.BACKENDS] == [
        False
    ] * len(validation.BACKENDS)
    with pytest.raises(ContractError) as caught:
        validation.validate(schema, instance)
    assert [str(v) for v in caught.value.violations] == case["violations"], case["why"]


def test_error_message_names_field_and_reason() -> None:
    """The message a user reads names the schema, the count and each field with its reason."""
    with pytest.raises(ContractError) as caught:
        validation.validate(
            "local-run-log-context", {"taskId": "..", "stepId": "s"}, source="x.json"
        )
    assert str(caught.value) == (
        "x.json: not a valid local-run-log-context (2 violations)\n"
        "  /runId: required property is missing\n"
        "  /taskId: not a valid id: must start with an ASCII letter or digit"
    )
    assert isinstance(caught.value, ValueError)


def test_unknown_schema_lists_known_ones() -> None:
    """Asking for a schema that does not exist says which ones do."""
    with pytest.raises(
        UnknownSchemaError,
        match="unknown schema 'envelope'; known schemas: agent-activity, agent-command",
    ):
        validation.validate("envelope", {})


def test_hot_path_is_the_fastest_available_backend() -> None:
    """jsonschema-rs is the hot path where installed; fastjsonschema otherwise."""
    expected = "jsonschema-rs" if validation.jsonschema_rs is not None else "fastjsonschema"
    assert validation.HOT_PATH == expected


def test_every_pattern_has_words_or_a_diagnosis() -> None:
    """No violation quotes a regular expression: each pattern of the schemas is either diagnosed
    (timestamps, ids) or has its words in pattern-words.json."""
    from baa_conductor import _messages
    from baa_conductor._schemas import load_schema, schema_names

    def patterns(node: Any, title: str | None = None) -> list[tuple[str, str | None]]:
        if isinstance(node, list):
            return [p for item in node for p in patterns(item)]
        if not isinstance(node, dict):
            return []
        found = [(node["pattern"], node.get("title", title))] if "pattern" in node else []
        skip = ("pattern", "enum", "const")
        return found + [p for k, v in node.items() if k not in skip for p in patterns(v)]

    found = [p for name in schema_names() for p in patterns(load_schema(name))]
    assert len(found) > 5
    words = _messages.pattern_words()
    for pattern, title in found:
        assert title in ("Timestamp", "RunIdentifier") or pattern in words, pattern
