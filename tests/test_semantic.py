"""The semantic check the real-history corpus relies on (tests/semantic.py): it must find a
counterexample where there is one, draw only what the writer accepts, and say when it falls back."""

from __future__ import annotations

import re
from typing import Any

from semantic import python_pattern, self_contained, semantic_check

from baa_conductor.compat.schemaset import SchemaSet

DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def _set(documents: dict[str, Any]) -> SchemaSet:
    return SchemaSet({n: {"$schema": DRAFT_07, **d} for n, d in documents.items()}, "test")


def test_a_narrower_reader_is_caught_across_files() -> None:
    """A bound added in a referenced file: hypothesis draws an instance over it, shrunk."""
    writer = _set({"a": {"$ref": "b.schema.json"}, "b": {"type": "integer"}})
    reader = _set({"a": {"$ref": "b.schema.json"}, "b": {"type": "integer", "maximum": 5}})
    outcome = semantic_check(writer, reader, "a", 20)
    assert outcome.fallback is None
    assert outcome.counterexample == (6,)


def test_the_same_schema_has_no_counterexample() -> None:
    """The same schema on both sides: every instance drawn is accepted, none is reported."""
    schema = {"type": "object", "properties": {"n": {"type": "string", "pattern": "^a.b$"}}}
    outcome = semantic_check(_set({"a": schema}), _set({"a": schema}), "a", 20)
    assert outcome == type(outcome)(None, 20, None)


def test_recursion_is_cut_to_false() -> None:
    """A tree refers to itself: entered twice, then ``false``: still a schema the writer's
    accepts only a subset of."""
    tree = {
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"$ref": "#"}}},
    }
    contained = self_contained(_set({"t": tree}).root("t"), depth=2)
    leaf = {"type": "object", "properties": {"children": {"type": "array", "items": False}}}
    inner = {"type": "object", "properties": {"children": {"type": "array", "items": leaf}}}
    assert contained == {
        "type": "object",
        "properties": {"children": {"type": "array", "items": inner}},
    }


def test_a_schema_after_draft_07_falls_back() -> None:
    """hypothesis-jsonschema knows drafts 04 to 07: a 2020-12 schema is left to the own
    generator, and the outcome says so."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "integer"}
    sset = SchemaSet({"a": schema}, "test")
    reader = SchemaSet({"a": {**schema, "maximum": -1000}}, "test")
    outcome = semantic_check(sset, reader, "a", 20)
    assert outcome.fallback == "dialect https://json-schema.org/draft/2020-12/schema"
    assert outcome.counterexample is not None


def test_patterns_match_as_ecma_262_reads_them() -> None:
    """``.`` stops at \\r, ``\\d`` and ``\\w`` are ASCII, as jsonschema-rs reads them."""
    assert not re.search(python_pattern("^a.b$"), "a\rb")
    assert not re.search(python_pattern(r"^\d$"), "\u0663")
    assert not re.search(python_pattern(r"^[\w.]+$"), "\u00e9")
    assert re.search(python_pattern(r"^\\.[\d]$"), "\\x1")


def test_base64_content_is_drawn_as_jsonschema_rs_decodes_it() -> None:
    """jsonschema-rs asserts ``contentEncoding`` in draft-07: only canonical base64 is drawn (as
    the CloudEvents schema's ``data_base64`` needs), and a media type falls back."""
    data = {"type": "object", "properties": {"d": {"type": "string", "contentEncoding": "base64"}}}
    outcome = semantic_check(_set({"a": data}), _set({"a": data}), "a", 20)
    assert outcome == type(outcome)(None, 20, None)
    typed = {"type": "string", "contentMediaType": "application/json"}
    outcome = semantic_check(_set({"a": typed}), _set({"a": typed}), "a", 20)
    assert outcome.fallback == "contentMediaType or contentEncoding, which jsonschema-rs asserts"
