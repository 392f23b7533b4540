"""What each JSON Schema keyword is, for the compatibility check: draft 2020-12, plus the draft-07
and 2019-09 spellings (array-form ``items`` with ``additionalItems``, ``dependencies``).

A keyword that is not listed here does not change what validates (2020-12 collects unknown
keywords as annotations), so a change to it is reported but is never breaking.
"""

from __future__ import annotations

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"
DRAFT_04 = "http://json-schema.org/draft-04/schema"
# The dialects the check reads, by their metaschemas' ``$id``s.
KNOWN_DIALECTS = (
    "http://json-schema.org/draft-04/schema",
    "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-07/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
)

# Dialects whose ``items`` may be an array, continued by ``additionalItems`` (before 2020-12).
LEGACY_ITEMS_DIALECTS = frozenset(
    {
        "http://json-schema.org/draft-04/schema",
        "http://json-schema.org/draft-06/schema",
        "http://json-schema.org/draft-07/schema",
        "https://json-schema.org/draft/2019-09/schema",
    }
)
# Dialects in which ``$ref`` replaces the whole schema object: its siblings are ignored.
REF_OVERRIDES_DIALECTS = frozenset(
    {
        "http://json-schema.org/draft-04/schema",
        "http://json-schema.org/draft-06/schema",
        "http://json-schema.org/draft-07/schema",
    }
)


def dialect_key(uri: str) -> str:
    """The dialect a ``$schema`` value names: without the empty fragment some drafts spell out,
    and with the scheme of its metaschema's ``$id`` (the JSON Schema organisation publishes each
    metaschema at both ``http://json-schema.org/...`` and ``https://json-schema.org/...``, and
    schemas declare either: AsyncAPI's and Compose's ``https://json-schema.org/draft-07/schema``)."""
    key = uri.rstrip("#")
    scheme, _, rest = key.partition("://")
    other = f"{'https' if scheme == 'http' else 'http'}://{rest}"
    if key not in KNOWN_DIALECTS and scheme in ("http", "https") and other in KNOWN_DIALECTS:
        return other
    return key


# Instance types as disjoint atoms: "number" is an integer or a number with a fraction.
ATOMS = frozenset({"null", "boolean", "object", "array", "string", "integer", "fraction"})
ATOMS_OF_TYPE = {
    "null": frozenset({"null"}),
    "boolean": frozenset({"boolean"}),
    "object": frozenset({"object"}),
    "array": frozenset({"array"}),
    "string": frozenset({"string"}),
    "integer": frozenset({"integer"}),
    "number": frozenset({"integer", "fraction"}),
}
NUMBERS = ATOMS_OF_TYPE["number"]

# Keywords that describe and never constrain, and containers of schemas reached only by $ref.
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$anchor",
        "$dynamicAnchor",
        "$recursiveAnchor",
        "$vocabulary",
        "$comment",
        "$defs",
        "definitions",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)

NUMERIC = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf")
STRING = ("minLength", "maxLength", "pattern", "format")
CONTENT = ("contentEncoding", "contentMediaType", "contentSchema")
ARRAY_ITEMS = ("prefixItems", "items", "additionalItems", "unevaluatedItems")
ARRAY_COUNTS = ("minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains")
OBJECT_SHAPE = ("properties", "patternProperties", "additionalProperties", "unevaluatedProperties")
OBJECT_RULES = (
    "required",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "dependentSchemas",
    "dependencies",
    "propertyNames",
)
COMBINATORS = ("allOf", "anyOf", "oneOf", "not", "if", "then", "else")
REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef")

# Keywords that apply subschemas to the instance itself: with any of them beside it,
# ``unevaluated*`` depends on what those subschemas evaluated, which is not modelled.
IN_PLACE = frozenset({*COMBINATORS, *REFERENCES, "dependentSchemas", "dependencies"})

CONSTRAINTS = frozenset(
    {
        "type",
        "enum",
        "const",
        *NUMERIC,
        *STRING,
        *CONTENT,
        *ARRAY_ITEMS,
        *ARRAY_COUNTS,
        *OBJECT_SHAPE,
        *OBJECT_RULES,
        *COMBINATORS,
        *REFERENCES,
    }
)

# Which instance types a keyword constrains; other instances pass it untouched.
APPLIES_TO = {
    **dict.fromkeys(NUMERIC, NUMBERS),
    **dict.fromkeys((*STRING, *CONTENT), ATOMS_OF_TYPE["string"]),
    **dict.fromkeys((*ARRAY_ITEMS, *ARRAY_COUNTS), ATOMS_OF_TYPE["array"]),
    **dict.fromkeys((*OBJECT_SHAPE, *OBJECT_RULES), ATOMS_OF_TYPE["object"]),
}


def is_constraint(keyword: str) -> bool:
    return keyword in CONSTRAINTS
