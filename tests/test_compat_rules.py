"""Each kind of schema change and its verdict in both directions, one case file per kind.

A case file holds ``old`` and ``new`` (and ``others``: more schemas of the set, for ``$ref``s
between files) and the changes expected, each with its BACKWARD and FORWARD verdict.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from baa_conductor.compat.check import COMPATIBLE, Checker, directions
from baa_conductor.compat.report import merge
from baa_conductor.compat.schemaset import SchemaSet
from baa_conductor.exceptions import CompatInputError

CASES = sorted((Path(__file__).parent / "compat" / "cases").glob("*.json"))


def _changes(old: Any, new: Any, others: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    earlier = SchemaSet({"s": old, **(others or {})}, "old")
    current = SchemaSet({"s": new, **(others or {})}, "new")
    earlier.check()
    current.check()
    changes = merge(*directions(earlier.root("s"), current.root("s")))
    return [
        {"pointer": c.pointer, "kind": c.kind, "backward": c.backward, "forward": c.forward}
        | ({"via": c.via} if c.via else {})
        for c in changes
    ]


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_each_kind_of_change_is_judged(case: Path) -> None:
    """Every change is found, named, and judged for new readers and for old readers."""
    data = json.loads(case.read_text())
    assert _changes(data["old"], data["new"], data.get("others")) == data["expect"]


def _verdicts(old: Any, new: Any) -> tuple[bool, bool]:
    changes = _changes(old, new)
    return (
        all(c["backward"] == COMPATIBLE for c in changes),
        all(c["forward"] == COMPATIBLE for c in changes),
    )


def test_not_is_walked_with_the_direction_reversed() -> None:
    """Rejecting all numbers instead of all integers rejects more: breaks new readers."""
    assert _verdicts({"not": {"type": "integer"}}, {"not": {"type": "number"}}) == (False, True)
    assert _verdicts({"not": {"type": "number"}}, {"not": {"type": "integer"}}) == (True, False)


def test_a_recursive_schema_is_compared_without_looping() -> None:
    """A tree type that refers to itself is compared through its reference, once."""
    tree = {
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"$ref": "#"}}},
    }
    narrower = {**tree, "required": ["children"]}
    assert _verdicts(tree, tree) == (True, True)
    assert _verdicts(tree, narrower) == (False, True)


def test_a_recursive_schema_entered_through_many_paths_is_compared_once_per_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A node whose every property (and every other name) is the node again, as OpenAPI's Schema
    Object is: each subschema comparison that assumed a recursive one is kept while that one is
    still being made, so the walk stays far below its step limit instead of retracing each
    path (and the findings passed up are bounded)."""
    from baa_conductor.compat import walk

    def tree(extra: dict[str, Any]) -> dict[str, Any]:
        node = {
            "type": "object",
            "properties": {name: {"$ref": "#/$defs/node"} for name in "abcde"} | extra,
            "additionalProperties": {"$ref": "#/$defs/node"},
        }
        return {"$ref": "#/$defs/node", "$defs": {"node": node}}

    monkeypatch.setattr(walk, "MAX_STEPS", 5000)
    old = SchemaSet({"s": tree({})}, "old")
    new = SchemaSet({"s": tree({"title": {"type": "string"}})}, "new")
    backward, forward = directions(old.root("s"), new.root("s"))
    for findings in (backward, forward):
        assert {f.kind for f in findings} == {"property added", "additionalProperties changed"}
        assert {f.verdict for f in findings} == {"breaking"}
        assert len(findings) <= walk.MAX_FINDINGS


def test_a_metaschema_extended_by_a_recursive_schema_is_compared_in_linear_steps() -> None:
    """AsyncAPI's Schema Object is draft-07's metaschema (``allOf``) with its own subschema
    keywords referring back to itself. Each subschema comparison resting on recursive ones that
    all hold is kept for good once they are made, so the walk grows with the keywords redefined,
    not with the paths between them."""
    from baa_conductor.compat.check import Checker

    keywords = ["allOf", "anyOf", "oneOf", "not", "contains", "propertyNames", "if", "then"]
    keywords += ["else", "additionalItems"]

    def extended(extra: dict[str, Any]) -> dict[str, Any]:
        ref = {"$ref": "#/definitions/schema"}
        own = {k: {"type": "array", "items": ref} if k.endswith("Of") else ref for k in keywords}
        schema = {
            "allOf": [
                {"$ref": "http://json-schema.org/draft-07/schema#"},
                {"type": "object", "properties": own | extra},
            ]
        }
        return {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$ref": "#/definitions/schema",
            "definitions": {"schema": schema},
        }

    old = SchemaSet({"s": extended({})}, "old").with_referenced(lambda uri: None)
    new = SchemaSet({"s": extended({"deprecated": {"type": "boolean"}})}, "new")
    new = new.with_referenced(lambda uri: None)
    for reader, writer, verdict in ((new, old, "breaking"), (old, new, "compatible")):
        checker = Checker(reader is new)
        findings = checker.covers(reader.root("s"), (writer.root("s"),))
        assert checker._steps < 100
        assert {(f.pointer, f.kind, f.verdict) for f in findings} == {
            ("/allOf/1/properties/deprecated", "property added", verdict)
        }


def test_a_schema_with_a_dynamic_reference_reworded_is_unchanged() -> None:
    """OpenAPI 3.1's shape (a ``$dynamicRef`` to the schema dialect, ``unevaluatedProperties``
    beside a ``$ref``): with only a description edited, no document that a dynamic reference
    may land in has changed, so nothing has, and no rule is asked."""

    def spec(description: str) -> dict[str, Any]:
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": "#/$defs/extensions",
            "properties": {
                "schema": {"$dynamicRef": "#meta"},
                "info": {"type": "string", "description": description},
            },
            "unevaluatedProperties": False,
            "$defs": {
                "extensions": {"patternProperties": {"^x-": True}},
                "schema": {"$dynamicAnchor": "meta", "type": ["object", "boolean"]},
            },
        }

    assert _changes(spec("The title."), spec("The document's title.")) == []


def test_a_dynamic_reference_under_another_dialect_is_not_the_same() -> None:
    """The JSON Schema metaschema from 2019-09 to 2020-12: a ``$dynamicRef`` that 2019-09
    ignores is a constraint in 2020-12, so ``{"p": 1}``, valid before, is not after; the same
    text is not a proof that nothing changed."""

    def schema(dialect: str) -> dict[str, Any]:
        return {
            "$schema": f"https://json-schema.org/draft/{dialect}/schema",
            "$dynamicAnchor": "meta",
            "type": "object",
            "properties": {"p": {"$dynamicRef": "#meta"}},
        }

    assert _verdicts(schema("2019-09"), schema("2020-12"))[0] is False


DIALECT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def _extended(own: dict[str, Any], **beside: Any) -> dict[str, Any]:
    """OpenAPI 3.1's object shape: its own properties, specification extensions (``x-``) by a
    ``$ref``, and no other names (``unevaluatedProperties: false``)."""
    return {
        "$schema": DIALECT_2020_12,
        "type": "object",
        "properties": own,
        "$ref": "#/$defs/extensions",
        **beside,
        "unevaluatedProperties": False,
        "$defs": {"extensions": {"patternProperties": {"^x-": True}}},
    }


def test_unevaluated_properties_leaves_the_names_a_referenced_schema_evaluates() -> None:
    """Beside a ``$ref``, ``unevaluatedProperties: false`` rejects only the names neither the
    schema nor the one it refers to evaluates: an optional property added is safe for new
    readers (old documents cannot have it), and ``x-`` names stay allowed on both sides."""
    old = _extended({"title": {"type": "string"}})
    new = _extended({"title": {"type": "string"}, "summary": {"type": "string"}})
    assert _verdicts(old, new) == (True, False)
    closed = {k: v for k, v in old.items() if k not in ("$ref", "$defs")}
    assert _verdicts(old, closed) == (False, True)  # "x-a" was allowed, is not any more


def test_unevaluated_properties_leaves_the_names_conditional_applicators_evaluate() -> None:
    """OpenAPI 3.1's Header Object: ``style`` is allowed only beside ``schema``, by a dependent
    schema that evaluates both. Where both sides apply the same subschemas (an unchanged ``if``,
    the same dependent names), a name one side leaves unevaluated the other does too."""
    header = {
        "dependentSchemas": {
            "schema": {"properties": {"schema": {}, "style": {"enum": ["simple"]}}},
        },
        "if": {"required": ["deprecated"]},
        "then": {"properties": {"since": {"type": "string"}}},
    }
    old = _extended({"description": {"type": "string"}}, **header)
    new = _extended({"description": {"type": "string"}, "required": {"type": "boolean"}}, **header)
    assert _verdicts(old, new) == (True, False)
    other_condition = {**header, "if": {"required": ["description"]}}
    assert _verdicts(old, _extended({"description": {"type": "string"}}, **other_condition)) == (
        False,
        False,
    )  # {"deprecated": 1, "since": ""} is valid before, not after; the reverse for "description"
    # The branch evaluates a name the object itself always does: no name is left differently.
    limited = {"since": {"type": "string"}, "description": {"maxLength": 10}}
    narrower = {**header, "then": {"properties": limited}}
    assert _verdicts(old, _extended({"description": {"type": "string"}}, **narrower)) == (
        False,
        True,
    )


def test_a_pattern_that_lists_its_names_is_compared_name_by_name() -> None:
    """OpenAPI 3.1's Path Item: ``put`` added to ``^(get|post)$``, the other names closed by
    ``unevaluatedProperties``. An operation called ``put`` was rejected and is now allowed: safe
    for new readers, breaking for old ones, and nothing else changed."""

    def path_item(methods: str) -> dict[str, Any]:
        return _extended({"summary": {"type": "string"}}, patternProperties={methods: {}})

    assert _changes(path_item("^(get|post)$"), path_item("^(get|put|post)$")) == [
        {
            "pointer": "/properties/put",
            "kind": "old unevaluatedProperties is false",
            "backward": "compatible",
            "forward": "breaking",
        }
    ]


def test_a_property_matched_by_a_pattern_too_is_compared_keyword_with_keyword() -> None:
    """OpenAPI 3.1's Components Object names each map in ``properties`` and again in a
    ``patternProperties`` that restricts its keys: each side's schema is compared with the same
    keyword's on the other side, so a map added elsewhere is the only change listed (not its
    neighbours' ``type``, ``additionalProperties`` and ``propertyNames`` as added and removed)."""

    def components(extra: dict[str, Any]) -> dict[str, Any]:
        maps = {"schemas": {"type": "object", "additionalProperties": {"type": "object"}}}
        names = {"^(schemas|links)$": {"propertyNames": {"pattern": "^[a-z]+$"}}}
        return _extended(maps | extra, patternProperties=names)

    assert [c["pointer"] for c in _changes(components({}), components({"links": {}}))] == [
        "/properties/links"
    ]


def test_a_change_no_writer_schema_proves_is_reported_from_the_schema_that_holds_it() -> None:
    """A map's values (``additionalProperties``) narrowed beside a ``$ref``: no schema of the
    writer proves the new values' schema, and the one that holds the map's values says why
    ("breaking", ``k`` is no longer a string), not the ``$ref`` that holds them to nothing
    ("cannot tell", as a ``$dynamicRef`` against no schema is)."""

    def spec(kind: str) -> dict[str, Any]:
        values = {"properties": {"s": {"$dynamicRef": "#meta"}, "k": {"type": kind}}}
        return {
            "$schema": DIALECT_2020_12,
            "properties": {"callbacks": {"$ref": "#/$defs/callbacks"}},
            "$defs": {
                "callbacks": {"$ref": "#/$defs/extensions", "additionalProperties": values},
                "extensions": {"patternProperties": {"^x-": True}},
                "schema": {"$dynamicAnchor": "meta", "type": ["object", "boolean"]},
            },
        }

    assert _changes(spec("string"), spec("integer")) == [
        {
            "pointer": "/properties/callbacks/additionalProperties",
            "kind": "additionalProperties changed",
            "backward": "breaking",
            "forward": "breaking",
        }
    ]


@pytest.mark.parametrize(
    "member",
    [
        {"type": "object", "properties": {"style": {}}, "additionalProperties": False},
        {"type": "object", "additionalProperties": {"type": "object"}},
    ],
    ids=["closed", "values-are-objects"],
)
def test_a_one_of_member_widened_stays_apart_from_a_member_that_requires_a_property(
    member: dict[str, Any],
) -> None:
    """OpenAPI 3.0's ``{"oneOf": [Reference, Header]}``: a Reference Object requires a string
    ``$ref``, which a closed Header Object cannot have (and a Callback Object's ``$ref`` would
    be an object), so no object is both, and the widened member (``x-`` extensions allowed)
    cannot take the Reference's values: compatible for new readers."""

    def spec(extensions: bool) -> dict[str, Any]:
        widened = {**member, "patternProperties": {"^x-": {}}} if extensions else member
        reference = {
            "type": "object",
            "required": ["$ref"],
            "patternProperties": {"^\\$ref$": {"type": "string"}},
        }
        return {"$schema": "http://json-schema.org/draft-04/schema#", "oneOf": [reference, widened]}

    assert _verdicts(spec(False), spec(True)) == (True, False)


def test_unevaluated_properties_verdicts_hold_on_every_small_instance() -> None:
    """Schemas with ``unevaluatedProperties`` beside ``properties``, a ``$ref``, ``allOf``,
    ``anyOf``, ``if``/``then`` and ``dependentSchemas``, each against every variant that differs
    in one of these: wherever a direction is called compatible, every object over five names
    and two kinds of value that the writer accepts, the reader accepts too (jsonschema-rs)."""
    import itertools

    owns: list[dict[str, Any]] = [
        {},
        {"properties": {"a": {}}},
        {"properties": {"a": {"type": "string"}}},
    ]
    refs: list[Any] = [None, {"patternProperties": {"^x-": True}}, {"properties": {"b": {}}}]
    applicators: list[dict[str, Any]] = [
        {},
        {"if": {"required": ["a"]}, "then": {"properties": {"c": {}}}},
        {"if": {"required": ["a"]}, "then": {"properties": {"c": {"type": "integer"}}}},
        {"if": {"required": ["a"]}, "then": {"properties": {"c": {}, "a": {"type": "string"}}}},
        {"dependentSchemas": {"c": {"properties": {"c": {}, "d": {}}}}},
        {"anyOf": [{"properties": {"b": {"type": "integer"}}}, {"required": ["c"]}]},
        {"allOf": [{"properties": {"d": {"type": "integer"}}}]},
    ]
    leftovers = [False, {"type": "integer"}]

    def schema(own: int, ref: int, applicator: int, leftover: int) -> dict[str, Any]:
        out = {"$schema": DIALECT_2020_12, "type": "object", **owns[own], **applicators[applicator]}
        out["unevaluatedProperties"] = leftovers[leftover]
        if refs[ref] is not None:
            out |= {"$ref": "#/$defs/base", "$defs": {"base": refs[ref]}}
        return out

    sizes = (len(owns), len(refs), len(applicators), len(leftovers))
    names = ("a", "b", "c", "d", "x-1")
    instances = [
        {k: v for k, v in zip(names, values, strict=True) if v is not None}
        for values in itertools.product([None, 1, "s"], repeat=len(names))
    ]
    wrong, compatible = _compatible_verdicts_checked(schema, sizes, instances)
    assert wrong == []
    assert compatible > 600  # not "compatible" nowhere: 828 when written


def test_unevaluated_items_beside_a_union_split_off_is_not_read_as_items() -> None:
    """A writer's ``unevaluatedItems: false`` beside an ``anyOf`` whose member evaluates the
    first item: ``[1]`` is valid. Split into alternatives, the writer's view without its
    ``anyOf`` must not read ``unevaluatedItems`` as ``items`` (no item at all, so "compatible"
    with any reader): a reader that rejects ``[1]`` breaks BACKWARD."""
    old = {
        "$schema": DIALECT_2020_12,
        "type": "array",
        "anyOf": [{"prefixItems": [{"type": "integer"}]}, {"maxItems": 0}],
        "unevaluatedItems": False,
    }
    new = {"$schema": DIALECT_2020_12, "type": "array", "unevaluatedItems": False}
    assert _verdicts(old, new) == (False, True)


def test_unevaluated_items_verdicts_hold_on_every_small_instance() -> None:
    """``unevaluatedItems`` beside ``prefixItems``, a ``$ref``, ``allOf``, ``anyOf``, ``oneOf``,
    ``if``/``then`` and ``contains``, each against every variant that differs in one of these:
    wherever a direction is called compatible, every array of up to three items of two kinds
    that the writer accepts, the reader accepts too (jsonschema-rs)."""
    import itertools

    owns: list[dict[str, Any]] = [{}, {"prefixItems": [{}]}, {"prefixItems": [{"type": "string"}]}]
    refs: list[Any] = [
        None,
        {"prefixItems": [{}, {}]},
        {"contains": {"type": "string"}},
        {"items": {"type": "integer"}},
    ]
    applicators: list[dict[str, Any]] = [
        {},
        {"anyOf": [{"prefixItems": [{"type": "integer"}]}, {"maxItems": 1}]},
        {"allOf": [{"prefixItems": [{}, {"type": "integer"}]}]},
        {"if": {"minItems": 2}, "then": {"prefixItems": [{}, {}, {}]}},
        {"contains": {"type": "integer"}},
        {"oneOf": [{"prefixItems": [{"type": "integer"}], "minItems": 1}, {"maxItems": 0}]},
    ]
    leftovers = [False, {"type": "integer"}]

    def schema(own: int, ref: int, applicator: int, leftover: int) -> dict[str, Any]:
        out = {"$schema": DIALECT_2020_12, "type": "array", **owns[own], **applicators[applicator]}
        out["unevaluatedItems"] = leftovers[leftover]
        if refs[ref] is not None:
            out |= {"$ref": "#/$defs/base", "$defs": {"base": refs[ref]}}
        return out

    sizes = (len(owns), len(refs), len(applicators), len(leftovers))
    instances = [list(t) for n in range(4) for t in itertools.product([1, "s"], repeat=n)]
    wrong, compatible = _compatible_verdicts_checked(schema, sizes, instances)
    assert wrong == []
    assert compatible > 250  # not "compatible" nowhere: 340 when written


def test_a_change_in_a_referenced_file_is_reported_through_the_reference() -> None:
    """$refs across files are followed: a tightened timestamp breaks the schema that uses it."""
    old_ts = {"type": "string"}
    new_ts = {"type": "string", "maxLength": 30}
    user = {"type": "object", "properties": {"at": {"$ref": "ts.schema.json"}}}
    earlier = SchemaSet({"user": user, "ts": old_ts}, "old")
    current = SchemaSet({"user": user, "ts": new_ts}, "new")
    changes = merge(*directions(earlier.root("user"), current.root("user")))
    assert [(c.pointer, c.kind, c.via, c.backward) for c in changes] == [
        ("/properties/at/maxLength", "maxLength added", "ts", "breaking")
    ]


def test_too_many_alternatives_cannot_be_told() -> None:
    """A writer that splits into too many alternatives is "cannot tell", never compatible."""
    old = {
        "allOf": [{"anyOf": [{"type": "string", "maxLength": n} for n in range(7)]} for _ in "abc"]
    }
    sset = SchemaSet({"s": old, "r": {"type": "string"}}, "set")
    findings = Checker(reader_is_new=True).covers(sset.root("r"), (sset.root("s"),))
    assert [(f.kind, f.verdict) for f in findings] == [
        ("schema too branched to compare", "cannot tell")
    ]


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            {"required": True},
            "s.schema.json: not valid JSON Schema (2020-12) at /required: True is not of type 'array'",
        ),
        (
            {"$ref": "#/$defs/missing"},
            "s.schema.json at /: $ref '#/$defs/missing' does not resolve",
        ),
        (
            {"$schema": "https://example.com/dialect"},
            "s.schema.json: unknown $schema 'https://example.com/dialect'",
        ),
    ],
)
def test_a_schema_that_cannot_be_compared_is_an_input_error(schema: Any, message: str) -> None:
    """Invalid schemas and dangling references are refused with one line naming the place."""
    with pytest.raises(CompatInputError) as raised:
        SchemaSet({"s": schema}, "set").check()
    assert str(raised.value) == f"set: {message}"


@pytest.mark.parametrize(
    "declared",
    [
        "http://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft-07/schema#",
    ],
)
def test_a_draft_published_at_another_address_is_that_draft(declared: str) -> None:
    """The JSON Schema organisation publishes draft-07's metaschema at http:// and https://
    (AsyncAPI 2.0.0 declares the second): either names draft-07, in which a $ref replaces the
    keywords beside it, so a maxLength added there changes nothing."""
    old = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "properties": {"a": {"$ref": "#/definitions/text"}},
        "definitions": {"text": {"type": "string"}},
    }
    sibling = {"$ref": "#/definitions/text", "maxLength": 1}
    new = {**old, "$schema": declared, "properties": {"a": sibling}}
    assert SchemaSet({"s": new}, "new").dialect(new) == "http://json-schema.org/draft-07/schema"
    assert _changes(old, new) == []


def test_a_resource_embedded_under_its_own_id_is_read_in_the_draft_of_its_document() -> None:
    """AsyncAPI inlines its definitions under their own $ids in a draft-07 document: reached by
    that $id, such a definition is still draft-07, where a $ref replaces the keywords beside it."""

    def document(sibling: dict[str, Any]) -> dict[str, Any]:
        message = {
            "$id": "http://example.com/message.json",
            "properties": {"name": {"$ref": "#/definitions/text", **sibling}},
            "definitions": {"text": {"type": "string"}},
        }
        return {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "properties": {"message": {"$ref": "http://example.com/message.json"}},
            "definitions": {"message": message},
        }

    assert _changes(document({}), document({"maxLength": 1})) == []


def test_a_metaschema_copied_under_its_own_id_keeps_its_draft() -> None:
    """AsyncAPI's bundles hold a copy of draft-07's metaschema (no $schema) under that
    metaschema's $id: the copy a reference reaches (the document's own) is read as draft-07."""
    draft_07 = "http://json-schema.org/draft-07/schema"
    document = {
        "$schema": f"{draft_07}#",
        "properties": {"schema": {"$ref": f"{draft_07}#"}},
        "definitions": {draft_07: {"$id": draft_07, "type": ["object", "boolean"]}},
    }
    sset = SchemaSet({"s": document}, "set").with_referenced(lambda uri: None)
    assert sset.root("s").child("properties", "schema").resolve().dialect == draft_07


def test_a_resource_embedded_under_a_metaschemas_id_is_the_one_referred_to() -> None:
    """A document that holds its own copy of draft-07's metaschema under that metaschema's $id
    (AsyncAPI 2.0.0's, whose ``enum`` became ``uniqueItems``) is not given the published one too:
    with both under one URI, which a reference reached changed from run to run, and so did the
    verdict."""
    draft_07 = "http://json-schema.org/draft-07/schema"

    def document(enum: dict[str, Any]) -> dict[str, Any]:
        copy = {"$id": draft_07, "type": "object", "properties": {"enum": enum}}
        return {
            "$schema": f"{draft_07}#",
            "properties": {"schema": {"$ref": f"{draft_07}#"}},
            "definitions": {draft_07: copy},
        }

    old = SchemaSet({"s": document({"type": "array"})}, "old").with_referenced(lambda uri: None)
    assert draft_07 not in old.referenced
    copy = old.documents["s"]["definitions"][draft_07]
    assert old.root("s").child("properties", "schema").resolve().schema is copy
    new = SchemaSet({"s": document({"type": "array", "uniqueItems": True})}, "new")
    new = new.with_referenced(lambda uri: None)
    backward, forward = directions(old.root("s"), new.root("s"))
    assert {f.verdict for f in backward} == {"breaking"}
    assert {f.verdict for f in forward} == {"compatible"}


def _compatible_verdicts_checked(
    schema: Callable[..., dict[str, Any]], sizes: tuple[int, ...], instances: list[Any]
) -> tuple[list[tuple[Any, Any]], int]:
    """Each schema of a family (``schema(*point)``, a point of the grid ``sizes``) against each
    that differs in one coordinate, both ways: the pairs called compatible where some instance
    the writer accepts the reader rejects (as jsonschema-rs judges them), and how many
    directions were called compatible."""
    import itertools

    import jsonschema_rs

    points = list(itertools.product(*map(range, sizes)))
    accepts = {
        p: [jsonschema_rs.validator_for(schema(*p)).is_valid(i) for i in instances] for p in points
    }
    wrong, compatible = [], 0
    for p in points:
        for dim, size in enumerate(sizes):
            for value in set(range(size)) - {p[dim]}:
                q = (*p[:dim], value, *p[dim + 1 :])
                old, new = SchemaSet({"s": schema(*p)}, "old"), SchemaSet({"s": schema(*q)}, "new")
                backward, forward = directions(old.root("s"), new.root("s"))
                for found, writer, reader in ((backward, p, q), (forward, q, p)):
                    if all(f.verdict == COMPATIBLE for f in found):
                        compatible += 1
                        pairs = zip(accepts[writer], accepts[reader], strict=True)
                        if any(w and not r for w, r in pairs):
                            wrong.append((schema(*writer), schema(*reader)))
    return wrong, compatible


def test_a_changed_metaschema_under_an_extension_is_compared_in_linear_steps() -> None:
    """AsyncAPI's bundles came to embed their own copy of draft-07's metaschema, which differs
    from the published one (here ``enum`` requires an item). Each comparison inside it rests on
    the metaschema's root, assumed to hold while that is made, and the root does not hold: such
    a comparison is mended with what the root found, where it was assumed, rather than made
    again from every path (which took tens of thousands of steps and minutes)."""
    from jsonschema_specifications import REGISTRY

    from baa_conductor.compat.check import check

    draft7 = "http://json-schema.org/draft-07/schema"
    published = REGISTRY.contents(draft7)
    copy = json.loads(json.dumps(published)) | {"$id": draft7}
    copy["properties"]["enum"] = published["properties"]["enum"] | {"minItems": 1}
    ref = {"$ref": "#/definitions/schema"}
    keywords = ["allOf", "anyOf", "oneOf", "not", "if", "then", "else", "items"]
    own = {k: {"type": "array", "items": ref} if k.endswith("Of") else ref for k in keywords}

    def bundle(embedded: bool) -> dict[str, Any]:
        extension = {"type": "object", "properties": own}
        definitions: dict[str, Any] = {"schema": {"allOf": [{"$ref": f"{draft7}#"}, extension]}}
        if embedded:
            definitions[draft7] = copy
        return {"$schema": f"{draft7}#", "$ref": "#/definitions/schema", "definitions": definitions}

    old = SchemaSet({"s": bundle(False)}, "old").with_referenced(lambda uri: None)
    new = SchemaSet({"s": bundle(True)}, "new").with_referenced(lambda uri: None)
    for reader, writer, holds in ((new, old, False), (old, new, True)):
        checker = Checker(reader is new)
        checker.covers(reader.root("s"), (writer.root("s"),))
        assert checker._steps < 400
        found = check(reader.root("s"), writer.root("s"), reader_is_new=reader is new)
        failing = [f for f in found if f.verdict != COMPATIBLE]
        if holds:
            assert failing == []
        else:  # where enum's new bound is met, and the keywords whose schemas now have it
            assert any(f.pointer.endswith("/properties/enum/minItems") for f in failing)
            assert {f.kind for f in failing} == {"minItems added", "additionalProperties changed"}


def test_conditions_that_exclude_each_other_are_not_combined() -> None:
    """A message whose payload depends on its ``format``, one ``if``/``then`` per format (as
    AsyncAPI's Multi Format Schema Object): a value meets at most one condition, so the writer is
    one alternative per format, not one per subset of them (512 here, too many to compare)."""
    formats = ["avro", "json", "openapi", "raml", "protobuf", "xsd", "csv", "yaml", "toml"]

    def message(narrowed: bool) -> dict[str, Any]:
        branches = []
        for i, name in enumerate(formats):
            payload = {"type": "string", "maxLength": 10 + i}
            if narrowed and name == "raml":
                payload["maxLength"] = 5
            branches.append(
                {
                    "if": {"required": ["format"], "properties": {"format": {"const": name}}},
                    "then": {"properties": {"payload": payload}},
                }
            )
        return {
            "type": "object",
            "required": ["format"],
            "properties": {"format": {"enum": formats}, "payload": {}},
            "allOf": branches,
        }

    old, new = message(False), message(True)
    checker = Checker(True)
    checker.covers(
        SchemaSet({"s": new}, "new").root("s"), (SchemaSet({"s": old}, "old").root("s"),)
    )
    assert checker._steps < 200
    assert _changes(old, new) == [
        {
            "pointer": "/allOf/3/then/properties/payload/maxLength",
            "kind": "maxLength lowered",
            "backward": "breaking",
            "forward": "compatible",
        }
    ]


def test_conditions_that_exclude_each_other_leave_only_values_that_are_not_objects() -> None:
    """Without ``type: object``, a value that is not an object meets both conditions (they
    hold of objects only): that alternative is kept, for those values alone."""
    branch = [
        {
            "if": {"required": ["format"], "properties": {"format": {"const": name}}},
            "then": {"properties": {"payload": {"type": "string"}}},
        }
        for name in ("avro", "json")
    ]
    writer = SchemaSet({"s": {"allOf": branch}}, "old").root("s")
    checker = Checker(True)
    alternatives = checker.alternatives((writer,))
    assert alternatives is not None
    assert len(alternatives) == 4
    both = [alt for alt in alternatives if sum(n.has("required") for n in alt) == 2]
    assert len(both) == 1
    assert checker.atoms(both[0]) == frozenset(
        {"null", "boolean", "array", "string", "integer", "fraction"}
    )
    assert all("object" in checker.atoms(alt) for alt in alternatives if alt is not both[0])


def test_a_file_two_documents_reach_is_compared_once() -> None:
    """A configuration that refers to a file of rules, itself a document of the set (ESLint's
    and its plugins' rules): compared from its own root after, the file is not compared again,
    and each direction finds what it finds when compared alone."""
    from baa_conductor.compat.check import Directions, directions

    def rules(limit: int) -> dict[str, Any]:
        return {"type": "object", "properties": {f"r{i}": {"maximum": limit} for i in range(40)}}

    top = {"type": "object", "properties": {"rules": {"$ref": "rules.schema.json"}}}
    old = SchemaSet({"top": top, "rules": rules(2)}, "old")
    new = SchemaSet({"top": top, "rules": rules(1)}, "new")
    both = Directions()
    both(old.root("top"), new.root("top"))
    backward, forward = both(old.root("rules"), new.root("rules"))
    assert both._backward._steps <= 2
    assert both._forward._steps <= 2
    assert (backward, forward) == directions(old.root("rules"), new.root("rules"))
    assert len([f for f in backward if f.verdict == "breaking"]) == 40
