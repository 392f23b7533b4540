"""Witnesses under patterns: a breaking change to a string or a property name that a ``pattern``
governs comes with an instance the old schema accepts and the new one rejects, drawn from the
regular expression itself, the same on every run."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from baa_conductor.compat.command import compare_versions
from baa_conductor.compat.modes import MODE_OF
from baa_conductor.compat.sources import Version
from baa_conductor.compat.witness import from_pattern

DRAFT_07 = "http://json-schema.org/draft-07/schema#"

# Patterns from the real-history corpus (GitHub Actions, package.json, pre-commit, Cargo) and
# the constructs they use: classes, negated classes, categories, groups, alternations,
# quantifiers, anchors, escapes, backreferences.
PATTERNS = [
    r"^[_a-zA-Z][a-zA-Z0-9_-]*$",
    r"^(.+\/)+(.+)\.(ya?ml)$",
    r"^\$\{\{(.|[\r\n])*\}\}$",
    r"^(?:@[a-z0-9-*~][a-z0-9-*._~]*/)?[a-z0-9-~][a-z0-9-._~]*$",
    r"^\d+\.\d+(\.\d+)?(-[0-9A-Za-z-.]+)?$",
    r"^[^\s/]+/[^\s/]+$",
    r"^(\w)\w*\1$",
    r"^[A-Z]{2}\d{3}$",
    r"(?i)^pre-commit$",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_strings_drawn_from_a_pattern_match_it_and_repeat(pattern: str) -> None:
    """Every string drawn matches the pattern, and the same seed draws the same strings."""
    first = from_pattern(pattern, random.Random(7))
    rng = random.Random(7)
    drawn = [from_pattern(pattern, rng) for _ in range(20)]
    assert all(s is not None and re.search(pattern, s) for s in drawn), drawn
    assert drawn[0] == first
    assert len(set(drawn)) > 1 or pattern.startswith("(?i)")


def test_a_pattern_python_cannot_compile_draws_nothing() -> None:
    """Nothing is drawn where the pattern is not Python's: the generator goes on without it."""
    assert from_pattern(r"^\p{L}+$", random.Random(0)) is None
    assert from_pattern("(", random.Random(0)) is None


def _witnesses(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    report = compare_versions(
        Version("new", {"s": {"$schema": DRAFT_07, **new}}),
        [Version("old", {"s": {"$schema": DRAFT_07, **old}})],
        MODE_OF["FULL"],
    )
    return [(c.kind, c.witnesses[0], c.witnesses[1]) for s in report.schemas for c in s.changes]


def test_a_bound_added_under_a_pattern_has_a_witness() -> None:
    """maxLength added to a string that must match a pattern: the witness matches the pattern
    (the old schema accepts it) and is longer than the new bound."""
    old = {"type": "string", "pattern": "^[a-z]+-[0-9]+$"}
    [(kind, backward, forward)] = _witnesses(old, {**old, "maxLength": 4})
    assert (kind, forward) == ("maxLength added", ())
    [value] = backward
    assert re.search("^[a-z]+-[0-9]+$", value)
    assert len(value) > 4
    assert _witnesses(old, {**old, "maxLength": 4})[0][1] == backward  # the same every run


def test_a_narrowed_pattern_has_a_witness_and_is_breaking() -> None:
    """A pattern changed ("cannot tell" by rule) with a version the new one refuses: breaking,
    with the witness."""
    old = {"type": "string", "pattern": r"^v?\d+\.\d+$"}
    new = {"type": "string", "pattern": r"^\d+\.\d+$"}
    [(kind, backward, forward)] = _witnesses(old, new)
    assert kind == "pattern changed"
    [value] = backward
    assert re.search(old["pattern"], value)
    assert value.startswith("v")
    assert forward == ()  # every new version is an old one: no witness to the other direction


def test_a_pattern_property_changed_has_a_witness_named_by_the_pattern() -> None:
    """The schema of properties named like ``AB123`` narrowed: the witness holds a property
    with such a name."""
    name = r"^[A-Z]{2}\d{3}$"
    old = {"type": "object", "patternProperties": {name: {"type": ["string", "integer"]}}}
    new = {"type": "object", "patternProperties": {name: {"type": "string"}}}
    [(_kind, backward, _)] = _witnesses(old, new)
    [value] = backward
    [(key, item)] = value.items()
    assert re.search(name, key)
    assert isinstance(item, int)


def test_what_the_reader_now_declares_has_a_witness() -> None:
    """Properties the writer leaves open and the reader now constrains: an extra property for
    ``additionalProperties: false``, the new property for a declared one, a name the new
    pattern matches for a new ``patternProperties``."""
    loose = {"type": "object", "properties": {"a": {"type": "string"}}}
    closed = {**loose, "additionalProperties": False}
    declared = {**loose, "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}
    by_pattern = {**loose, "patternProperties": {"^[A-Z]+$": {"type": "integer"}}}
    assert _witnesses(loose, closed) == [("additionalProperties added", ({"x-extra": "xx"},), ())]
    assert _witnesses(loose, declared) == [("property added", ({"b": "xx"},), ())]
    [(_, (value,), _)] = [w for w in _witnesses(loose, by_pattern) if w[1]]
    [(key, item)] = value.items()
    assert re.search("^[A-Z]+$", key)
    assert not isinstance(item, int)


def test_a_change_inside_a_definition_is_reached_through_its_references() -> None:
    """A bound added inside a definition that only an ``allOf`` member reaches, through a map
    and an array: the witness is a whole instance of the schema, built along that way."""
    step: dict[str, Any] = {"type": "object", "properties": {"n": {"type": "string"}}}
    jobs = {"type": "object", "additionalProperties": {"$ref": "#/definitions/job"}}
    job = {"type": "object", "properties": {"steps": {"items": {"$ref": "#/definitions/step"}}}}
    top = {"allOf": [{"type": "object"}, {"properties": {"jobs": jobs}, "required": ["jobs"]}]}
    old = {"definitions": {"step": step, "job": job}, **top}
    new = {"definitions": {"step": {**step, "maxProperties": 0}, "job": job}, **top}
    [(_, (value,), forward)] = _witnesses(old, new)
    assert forward == ()
    [job] = value["jobs"].values()
    assert any(item != {} for item in job["steps"])
