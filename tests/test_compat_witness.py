"""Witnesses under patterns: a breaking change to a string or a property name that a ``pattern``
governs comes with an instance the old schema accepts and the new one rejects, drawn from the
regular expression itself, the same on every run."""

from __future__ import annotations

import json
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


def test_a_word_a_lookahead_no_longer_excludes_has_a_witness() -> None:
    """pre-commit's ``repo``: ``^(?!.*(local|meta)).*$`` (no URL that holds ``local`` or
    ``meta``) became ``^(?!(?:meta|local)$).*$`` (only those two names). A lookahead keeps the
    pattern's own draw from showing it; a string around the word it spells out does."""
    then, now = "^(?!.*(local|meta)).*$", "^(?!(?:meta|local)$).*$"
    old = {"properties": {"repo": {"type": "string", "pattern": then}}}
    new = {"properties": {"repo": {"type": "string", "pattern": now}}}
    [(kind, _, forward)] = _witnesses(old, new)
    assert kind == "pattern changed"
    [value] = forward
    assert re.search(now, value["repo"])
    assert not re.search(then, value["repo"])


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


def _report(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, Any, Any]]:
    """(schema, pointer, backward witness, forward witness) of each change, for sets of
    schemas given by file name."""
    report = compare_versions(Version("new", new), [Version("old", old)], MODE_OF["FULL"])
    return [(s.name, c.pointer, *c.witnesses) for s in report.schemas for c in s.changes]


def test_a_value_an_enum_lost_is_its_witness() -> None:
    """One value of 200 removed from an enum, in a union's member and under its array member:
    the value itself is the witness (drawing at random would rarely meet it), and the union that
    no longer accepts it shows a witness too."""

    def on(values: list[str]) -> dict[str, Any]:
        members = [{"enum": values}, {"type": "array", "items": {"enum": values}}]
        return {"type": "object", "properties": {"on": {"oneOf": members}}}

    values = [f"v{i}" for i in range(200)]
    old, new = on(values), on([v for v in values if v != "v137"])
    report = _report({"s": {"$schema": DRAFT_07, **old}}, {"s": {"$schema": DRAFT_07, **new}})
    found = {pointer: backward for _, pointer, backward, _ in report}
    assert found["/properties/on/oneOf/0/enum"] == ({"on": "v137"},)
    [(array,)] = [found["/properties/on/oneOf/1/items/enum"]]
    assert "v137" in array["on"]
    assert found["/properties/on"] in (({"on": "v137"},), ({"on": array["on"]},))
    assert all(forward == () for *_, forward in report)


def test_every_breaking_change_is_looked_at() -> None:
    """Six properties each given a maxLength: six witnesses, each with the property it is about,
    however many changes there are."""
    old = {"type": "object", "properties": {k: {"type": "string"} for k in "abcdef"}}
    new = {
        "type": "object",
        "properties": {k: {"type": "string", "maxLength": 3} for k in "abcdef"},
    }
    found = _report({"s": {"$schema": DRAFT_07, **old}}, {"s": {"$schema": DRAFT_07, **new}})
    assert len(found) == 6
    for _, pointer, (value,), forward in found:
        name = pointer.split("/")[2]
        assert len(value[name]) > 3
        assert forward == ()


def test_a_change_in_a_referenced_file_has_a_witness_of_the_referencing_schema() -> None:
    """A value removed from an enum in ``common.json``: ``top.json``, whose instances reach it
    through a ``$ref`` two properties down, shows a whole instance of its own; ``common.json``
    one of its."""

    def common(levels: list[str]) -> dict[str, Any]:
        return {"$schema": DRAFT_07, "properties": {"level": {"enum": levels}}}

    tool = {"type": "object", "properties": {"x": {"$ref": "common.json"}}}
    top = {"$schema": DRAFT_07, "type": "object", "properties": {"tool": tool}}
    found = _report(
        {"top.json": top, "common.json": common(["a", "b", "c"])},
        {"top.json": top, "common.json": common(["a", "b"])},
    )
    assert found == [
        ("common.json", "/properties/level/enum", ({"level": "c"},), ()),
        ("top.json", "/properties/tool/properties/x/properties/level/enum",
         ({"tool": {"x": {"level": "c"}}},), ()),
    ]  # fmt: skip


def test_the_search_goes_where_the_reason_points() -> None:
    """A map of jobs (at least one, named by a pattern, each a union whose member is a
    definition) whose definition lost one of 200 values: the change is listed at the map's
    pattern, its reason points inside the definition, and the witness holds a job with the
    value."""
    values = [f"v{i}" for i in range(200)]

    def workflow(runs: list[str]) -> dict[str, Any]:
        job = {"properties": {"runs": {"enum": runs}}, "required": ["runs"]}
        jobs = {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "patternProperties": {"^[a-z]+$": {"oneOf": [{"$ref": "#/definitions/job"}]}},
        }
        top = {"type": "object", "required": ["jobs"], "properties": {"jobs": jobs}}
        return {**top, "definitions": {"job": {"type": "object", **job}}}

    [(kind, (value,), forward)] = _witnesses(workflow(values), workflow(values[1:]))
    assert (kind, forward) == ("patternProperties changed", ())
    [(name, job)] = value["jobs"].items()
    assert re.search("^[a-z]+$", name)
    assert job == {"runs": "v0"}


def test_what_must_be_there_is_drawn_to_make_a_whole_instance() -> None:
    """A map that needs two entries beside the property that changed: the witness has them, so
    the old schema accepts it."""

    def schema(name: dict[str, Any]) -> dict[str, Any]:
        jobs = {"type": "object", "minProperties": 2, "additionalProperties": {"type": "integer"}}
        return {"type": "object", "required": ["jobs"], "properties": {"name": name, "jobs": jobs}}

    old, new = schema({"type": "string"}), schema({"type": "string", "maxLength": 2})
    [(_, (value,), _)] = _witnesses(old, new)
    assert len(value["jobs"]) >= 2
    assert all(isinstance(v, int) for v in value["jobs"].values())
    assert len(value["name"]) > 2


def test_a_union_only_the_reader_has_is_stepped_past() -> None:
    """The new schema adds an ``allOf`` member that types a property the old one left open: the
    witness gives that property another type."""
    old = {"type": "object", "properties": {"a": {}}}
    new = {**old, "allOf": [{"properties": {"b": {"type": "string"}}}]}
    found = [(kind, backward) for kind, backward, _ in _witnesses(old, new) if backward]
    [(kind, (value,))] = found
    assert kind == "type narrowed"
    assert not isinstance(value["b"], str)


def test_a_value_only_an_else_branch_lists_lands_in_a_whole_instance() -> None:
    """Dependabot's shape: each update's required properties are split over ``allOf`` and
    ``oneOf`` members that only list names, and an ``if``/``else`` beside the main shape lists the
    ecosystems. One ecosystem added: the witness is a whole configuration with an update for it,
    drawn through the main shape (the ``else`` branch alone says nothing of what an update needs)."""

    def config(ecosystems: list[str]) -> dict[str, Any]:
        update = {
            "type": "object",
            "properties": {
                "package-ecosystem": {"type": "string"},
                "directory": {"type": "string"},
                "directories": {"type": "array", "items": {"type": "string"}},
                "schedule": {"type": "object", "properties": {"interval": {"enum": ["daily"]}}},
            },
            "additionalProperties": False,
            "allOf": [
                {"required": ["package-ecosystem", "schedule"]},
                {"oneOf": [{"required": ["directory"]}, {"required": ["directories"]}]},
            ],
        }
        listed = {"properties": {"package-ecosystem": {"enum": ecosystems}}}
        beta = {"properties": {"beta": {"const": True}}, "required": ["beta"]}
        branch = {"if": beta, "then": {}, "else": {"properties": {"updates": {"items": listed}}}}
        return {
            "type": "object",
            "required": ["updates"],
            "properties": {
                "beta": {"type": "boolean"},
                "updates": {"type": "array", "items": update},
            },
            "allOf": [branch],
        }

    [(kind, backward, (value,))] = _witnesses(config(["npm", "pip"]), config(["npm", "pip", "nix"]))
    assert (kind, backward) == ("enum value added", ())
    assert value.get("beta") is not True
    assert {"package-ecosystem": "nix"}.items() <= next(
        u for u in value["updates"] if u["package-ecosystem"] == "nix"
    ).items()
    [update] = [u for u in value["updates"] if u["package-ecosystem"] == "nix"]
    assert "schedule" in update
    assert ("directory" in update) != ("directories" in update)


def test_a_type_given_where_there_was_none_has_a_witness_of_another_type() -> None:
    """``type: object`` added to a schema that declared properties but no type: the witness is
    not an object (the properties no longer suggest one)."""
    old = {"properties": {"a": {"type": "string"}}}
    [(kind, (value,), forward)] = _witnesses(old, {**old, "type": "object"})
    assert (kind, forward) == ("type narrowed", ())
    assert not isinstance(value, dict)


def test_a_bound_added_to_an_unbounded_integer_has_a_witness_past_it() -> None:
    """An integer bounded to JavaScript's safe integers where it had no maximum: the witness
    goes past 2^53 - 1."""

    def schema(**bounds: int) -> dict[str, Any]:
        return {"type": "object", "properties": {"seq": {"type": "integer", **bounds}}}

    old, new = schema(minimum=1), schema(minimum=1, maximum=2**53 - 1)
    [(kind, (value,), _)] = _witnesses(old, new)
    assert kind == "maximum added"
    assert value["seq"] > 2**53 - 1


def test_a_bound_added_at_the_top_has_the_value_just_past_it() -> None:
    """A ``maxLength`` added to a string schema itself: the string one longer is the witness."""
    [(kind, backward, forward)] = _witnesses({"type": "string"}, {"type": "string", "maxLength": 3})
    assert (kind, backward, forward) == ("maxLength added", ("aaaa",), ())


def test_a_change_no_rule_proves_safe_and_no_instance_shows_cannot_be_told() -> None:
    """``maxLength`` added where the pattern already keeps strings shorter: the rule cannot see
    that, and no instance breaks it, so the verdict is "cannot tell", not "breaking"."""
    old = {"properties": {"id": {"type": "string", "pattern": "^a{1,3}$"}}}
    new = {"properties": {"id": {"type": "string", "pattern": "^a{1,3}$", "maxLength": 5}}}
    report = compare_versions(
        Version("new", {"s": {"$schema": DRAFT_07, **new}}),
        [Version("old", {"s": {"$schema": DRAFT_07, **old}})],
        MODE_OF["FULL"],
    )
    [change] = [c for s in report.schemas for c in s.changes]
    assert (change.kind, change.backward, change.witnesses) == (
        "maxLength added",
        "cannot tell",
        ((), ()),
    )


def test_a_change_met_through_a_recursive_branch_has_a_witness_there() -> None:
    """OpenAPI 3.1, 2021-03-02 to 2021-04-15: ``put`` joins the methods a Path Item lists in a
    pattern, closed by ``unevaluatedProperties``. Each place a Path Item is reached from (paths,
    webhooks, components' path items, callbacks: an ``if``/``else`` between a reference and a
    Path Item, under ``additionalProperties``) breaks old readers, and each has a witness with
    a ``put`` in it: the reason names the nearest failure (``put``, not the recursion into
    ``delete``'s callbacks), and the draw follows it down the ``else`` branch it names. All four
    were "cannot tell"."""
    from histories import PAIRS, version

    ((schema, old, new),) = [p for p in PAIRS if p[0] == "openapi-3.1" and p[2][:2] == "03"]
    report = compare_versions(version(schema, new), [version(schema, old)], MODE_OF["FULL"])
    changes = [c for s in report.schemas for c in s.changes]
    assert len(changes) == 4
    for change in changes:
        assert (change.backward, change.forward) == ("compatible", "breaking"), change.pointer
        assert change.reasons[1].endswith("/properties/put: old unevaluatedProperties is false")
        (witness,) = change.witnesses[1]
        assert '"put"' in json.dumps(witness)
