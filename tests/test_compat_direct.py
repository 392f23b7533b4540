"""Direct validation (compat/direct.py) gives jsonschema's verdict wherever it gives one: on the
cases where the drafts differ, and on generated schemas of the keywords it evaluates."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jsonschema import validators
from referencing import Registry
from referencing.jsonschema import specification_with

from baa_conductor.compat import direct

DRAFTS = (
    "http://json-schema.org/draft-04/schema#",
    "http://json-schema.org/draft-06/schema#",
    "http://json-schema.org/draft-07/schema#",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
)
BASE = "file:///schemas/s.json"


def _both(schema: Any, instance: Any, draft: str, formats: bool = False,
          others: dict[str, Any] | None = None) -> tuple[bool | None, bool]:  # fmt: skip
    spec = specification_with(draft)
    resources = [(BASE, spec.create_resource(schema))]
    for uri, doc in (others or {}).items():
        resources.append((uri, specification_with(doc.get("$schema", draft)).create_resource(doc)))
    registry: Registry[Any] = Registry().with_resources(resources).crawl()
    cls, validator = _jsonschema(schema, draft, formats, registry)
    resolver = registry.resolver(base_uri=BASE)
    return direct.verdict(schema, instance, cls, resolver, formats=formats), validator.is_valid(
        instance
    )


def _jsonschema(schema: Any, draft: str, formats: bool, registry: Registry[Any]) -> Any:
    """jsonschema's validator class for ``draft`` and its validator of ``schema`` at BASE."""
    cls = validators.validator_for({"$schema": draft})
    make: Any = cls
    validator = make(
        schema,
        registry=registry,
        format_checker=cls.FORMAT_CHECKER if formats else None,
        _resolver=registry.resolver(base_uri=BASE),
    )
    return cls, validator


CASES = [
    # a $ref hides its siblings before 2019-09, not after
    ({"$ref": "#/definitions/s", "type": "integer", "definitions": {"s": {"type": "string"}}}, "a"),
    ({"$ref": "#/definitions/s", "type": "integer", "definitions": {"s": {"type": "string"}}}, 1),
    # 1.0 is an integer from draft-06 on, not in draft-04
    ({"type": "integer"}, 1.0),
    ({"oneOf": [{"type": "integer"}, {"type": "string"}]}, 1.0),
    # const is no keyword of draft-04
    ({"anyOf": [{"const": 1}]}, 2),
    # true is not 1, 1 is 1.0
    ({"anyOf": [{"enum": [1, "x"]}]}, True),
    ({"anyOf": [{"enum": [1, "x"]}]}, 1.0),
    ({"allOf": [{"const": [0, {"a": False}]}]}, [0, {"a": 0}]),
    ({"allOf": [{"const": [0, {"a": False}]}]}, [0.0, {"a": False}]),
    # boolean schemas
    ({"oneOf": [True, {"type": "string"}, False]}, 1),
    ({"oneOf": [True, {"type": "string"}, False]}, "a"),
    # oneOf: exactly one
    ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, 1),
    ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, 1.5),
    ({"not": {"enum": ["a", "b"]}}, "a"),
    ({"not": {"enum": ["a", "b"]}}, "c"),
    # format asserts nothing without a format checker
    ({"anyOf": [{"type": "string", "format": "ipv4"}]}, "not an address"),
    # anything else goes to the validator
    ({"anyOf": [{"type": "string", "pattern": "^a"}]}, "b"),
    ({"type": "notatype"}, 1),
]


@pytest.mark.parametrize("draft", DRAFTS)
@pytest.mark.parametrize(("schema", "instance"), CASES)
def test_same_verdict_as_jsonschema(draft: str, schema: Any, instance: Any) -> None:
    if draft == DRAFTS[0] and True in schema.get("oneOf", ()):
        return  # no boolean schemas in draft-04
    if schema.get("type") == "notatype":
        ours, _ = direct.verdict(schema, instance, validators.validator_for({"$schema": draft}),
                                 Registry().resolver(), formats=False), None  # fmt: skip
        assert ours is None
        return
    ours, theirs = _both(schema, instance, draft)
    assert ours is None or ours == theirs


def test_formats_checked_go_to_the_validator() -> None:
    schema = {"anyOf": [{"type": "string", "format": "ipv4"}]}
    ours, theirs = _both(schema, "not an address", DRAFTS[-1], formats=True)
    assert ours is None
    assert theirs is False


def test_ref_into_a_document_of_another_draft() -> None:
    """The target is read by its own $schema's class: 1.0 is an integer there."""
    other = {"$schema": DRAFTS[2], "type": "integer"}
    schema = {"anyOf": [{"$ref": "other.json"}]}
    ours, theirs = _both(schema, 1.0, DRAFTS[0], others={"file:///schemas/other.json": other})
    assert (ours, theirs) == (True, True)
    ours, theirs = _both({"$ref": "other.json"}, 1.0, DRAFTS[2],
                         others={"file:///schemas/other.json": {**other, "$schema": DRAFTS[0]}})  # fmt: skip
    assert (ours, theirs) == (False, False)


def test_a_ref_cycle_goes_to_the_validator() -> None:
    """(Where jsonschema itself recurses without end.)"""
    schema = {"anyOf": [{"type": "null"}, {"$ref": "#"}]}
    cls = validators.validator_for({"$schema": DRAFTS[-1]})
    registry: Registry[Any] = Registry().with_resource(BASE,
                                                       specification_with(DRAFTS[-1]).create_resource(schema))  # fmt: skip
    assert direct.verdict(schema, 1, cls, registry.resolver(base_uri=BASE), formats=False) is None


def test_the_shortcut_answers_for_a_union_of_constants() -> None:
    schema = {
        "oneOf": [{"type": "string", "const": f"v{i}", "description": "x"} for i in range(50)]
    }
    assert _both(schema, "v7", DRAFTS[2]) == (True, True)
    assert _both(schema, "v77", DRAFTS[2]) == (False, False)


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from([0.0, 1.0, 1.5])
    | st.sampled_from(["", "a", "1"]),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from("ab"), inner, max_size=2),
    max_leaves=4,
)  # fmt: skip
_TYPES = st.sampled_from(["null", "boolean", "integer", "number", "string", "array", "object"])
_PLAIN = st.one_of(
    st.sampled_from([{}, {"not": {}}]),  # true and false, in every draft
    st.fixed_dictionaries({"type": _TYPES | st.lists(_TYPES, min_size=1, max_size=3)}),
    st.fixed_dictionaries({"enum": st.lists(_VALUES, min_size=1, max_size=3)}),
    st.fixed_dictionaries({"const": _VALUES}),
    st.fixed_dictionaries({"format": st.just("date")}),
)
_REFS = st.fixed_dictionaries({"$ref": st.just("#/definitions/d")}) | st.fixed_dictionaries(
    {"$ref": st.just("#/definitions/d"), "type": _TYPES}
)


def _schemas(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            *(
                st.fixed_dictionaries({k: st.lists(inner, min_size=1, max_size=3)})
                for k in ("allOf", "anyOf", "oneOf")
            ),
            st.fixed_dictionaries({"not": inner}),
        ),
        max_leaves=6,
    )


@settings(max_examples=300, deadline=None)
@given(
    schema=_schemas(_PLAIN | _REFS),
    target=_schemas(_PLAIN),
    instance=_VALUES,
    draft=st.sampled_from(DRAFTS),
)
def test_generated_schemas(schema: Any, target: Any, instance: Any, draft: str) -> None:
    whole = {"allOf": [schema], "definitions": {"d": target}, "$defs": {"d": target}}
    ours, theirs = _both(whole, instance, draft)
    assert ours is None or ours == theirs


def _light_both(
    schema: Any, instance: Any, draft: str, formats: bool
) -> tuple[bool | None, bool | None]:
    """Our verdict and jsonschema's (None where jsonschema raises: then so must we defer)."""
    spec = specification_with(draft)
    try:
        registry: Registry[Any] = Registry().with_resources([(BASE, spec.create_resource(schema))])
        registry = registry.crawl()
    except Exception:  # a schema its metaschema rejects, which never gets this far
        assume(False)
    cls, validator = _jsonschema(schema, draft, formats, registry)
    ours = direct.light_verdict(
        schema, instance, cls, registry.resolver(base_uri=BASE), formats=formats
    )
    try:
        theirs: bool | None = validator.is_valid(instance)
    except Exception:
        theirs = None
    return ours, theirs


_NAMES = st.sampled_from(["a", "b", "é", "١"])
_LEAF_KEYWORDS = st.one_of(
    st.fixed_dictionaries({"type": _TYPES}),
    st.fixed_dictionaries({"pattern": st.sampled_from(["^a", r"\d", "[é]", "^$"])}),
    st.fixed_dictionaries({"minLength": st.integers(0, 2)}),
    st.fixed_dictionaries({"minimum": st.sampled_from([0, 1, 0.5])}),
    st.fixed_dictionaries({"exclusiveMaximum": st.sampled_from([1, 1.5])}),
    st.fixed_dictionaries({"multipleOf": st.sampled_from([2, 0.1, 0.5])}),
    st.fixed_dictionaries({"required": st.lists(_NAMES, max_size=2, unique=True)}),
    st.fixed_dictionaries({"uniqueItems": st.booleans()}),
    st.fixed_dictionaries({"maxItems": st.integers(0, 2)}),
    st.fixed_dictionaries({"format": st.sampled_from(["date", "ipv4", "email"])}),
    st.fixed_dictionaries({"enum": st.lists(_VALUES, min_size=1, max_size=3)}),
    st.fixed_dictionaries({"$ref": st.just("#/definitions/d")}),
)


def _object_schemas() -> st.SearchStrategy[Any]:
    def grow(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.fixed_dictionaries({"properties": st.dictionaries(_NAMES, inner, max_size=2)}),
            st.fixed_dictionaries(
                {
                    "patternProperties": st.dictionaries(
                        st.sampled_from(["^a", "b", r"\d"]), inner, max_size=2
                    )
                },
                optional={"additionalProperties": inner | st.booleans()},
            ),
            st.fixed_dictionaries({"additionalProperties": inner}),
            st.fixed_dictionaries(
                {"items": inner | st.lists(inner, max_size=2)}, optional={"additionalItems": inner}
            ),
            st.fixed_dictionaries({"contains": inner}),
            st.fixed_dictionaries({"if": inner}, optional={"then": inner, "else": inner}),
            st.fixed_dictionaries(
                {
                    "dependencies": st.dictionaries(
                        _NAMES, inner | st.lists(_NAMES, max_size=2), max_size=2
                    )
                }
            ),
            st.fixed_dictionaries({"anyOf": st.lists(inner, min_size=1, max_size=3)}),
            st.fixed_dictionaries({"oneOf": st.lists(inner, min_size=1, max_size=3)}),
            st.fixed_dictionaries({"not": inner}),
            st.builds(lambda a, b: {**a, **b}, inner, _LEAF_KEYWORDS),
        )

    return st.recursive(_LEAF_KEYWORDS | st.sampled_from([{}, {"not": {}}]), grow, max_leaves=8)


_INSTANCES = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 3) | st.sampled_from([0.5, 1.0, 0.3, 2.0])
    | st.sampled_from(["", "a", "1", "١", "ab", "2024-01-01", "1.2.3.4", "a@b"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_NAMES, inner, max_size=3),
    max_leaves=8,
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    schema=_object_schemas(),
    target=_object_schemas().filter(lambda s: "#/definitions/d" not in str(s)),
    instance=_INSTANCES,
    draft=st.sampled_from(DRAFTS[1:]),
    formats=st.booleans(),
)
def test_light_validation_generated(
    schema: Any, target: Any, instance: Any, draft: str, formats: bool
) -> None:
    """Object, array, string and number keywords, formats checked or not, in drafts 06 to
    2020-12 (draft-04 has no boolean schemas, which the generator makes): jsonschema's verdict."""
    whole = {"allOf": [schema], "definitions": {"d": target}}
    ours, theirs = _light_both(whole, instance, draft, formats)
    assert ours is None or ours is theirs


def test_light_validation_with_ids_and_dialects() -> None:
    """A subschema with an id of its own resolves from its own base; one with a $schema of its
    own is read by that draft (1.0 is no integer in draft-04)."""
    schema = {
        "properties": {
            "a": {"$id": "https://example.com/x/a.json", "allOf": [{"$ref": "b.json"}]},
            "n": {"$schema": DRAFTS[0], "type": "integer"},
        },
    }
    b = {"$id": "https://example.com/x/b.json", "type": "string"}
    spec = specification_with(DRAFTS[2])
    registry: Registry[Any] = Registry().with_resources(
        [(BASE, spec.create_resource(schema)), ("https://example.com/x/b.json", spec.create_resource(b))]
    ).crawl()  # fmt: skip
    cls = validators.validator_for({"$schema": DRAFTS[2]})
    make: Any = cls
    for instance in ({"a": "s"}, {"a": 1}, {"n": 1.0}, {"n": 1}):
        theirs = make(schema, registry=registry, _resolver=registry.resolver(base_uri=BASE))
        ours = direct.light_verdict(
            schema, instance, cls, registry.resolver(base_uri=BASE), formats=False
        )
        assert ours == theirs.is_valid(instance), instance


@pytest.mark.parametrize("draft", DRAFTS[1:])
@pytest.mark.parametrize(
    ("schema", "instance"),
    [
        # evolve(schema=...) reads a subschema with its own $schema by that draft
        ({"not": {"$schema": DRAFTS[0], "type": "integer"}}, 1.0),
        ({"oneOf": [{"type": "number"}, {"$schema": DRAFTS[0], "type": "integer"}]}, 1.0),
        # a $ref hides its siblings before 2019-09
        (
            {
                "properties": {"a": {"$ref": "#/definitions/d", "type": "integer"}},
                "definitions": {"d": {"type": "string"}},
            },
            {"a": "x"},
        ),
    ],
)
def test_light_validation_follows_the_drafts(draft: str, schema: Any, instance: Any) -> None:
    ours, theirs = _light_both(schema, instance, draft, formats=False)
    assert ours is theirs


@pytest.mark.parametrize("draft", DRAFTS)
@pytest.mark.parametrize(
    "schema",
    [{"type": "integer"}, {"type": ["integer", "string"]}, {"const": 1}, {"enum": [1, "a"]}],
)
@pytest.mark.parametrize("instance", [1, 1.0, True, 2, "a"])
def test_the_set_lookup_follows_the_drafts(draft: str, schema: Any, instance: Any) -> None:
    """A schema of only type, enum and const is decided without a validator, and as jsonschema
    decides it in each draft: in draft-04 1.0 is no integer and const is no keyword."""
    from baa_conductor.compat.schemaset import SchemaSet

    document = {"$schema": draft, **schema}
    node = SchemaSet({"s": document}, "set").root("s")
    registry: Registry[Any] = Registry().with_resources(
        [(BASE, specification_with(draft).create_resource(document))]
    )
    _, validator = _jsonschema(document, draft, False, registry)
    assert node.is_valid(instance, formats=False) == validator.is_valid(instance)
