"""The semantic check of a "compatible" verdict: instances drawn from the writer's schema by
hypothesis-jsonschema, each judged by jsonschema-rs (not the library the checker uses) under the
writer's schema, which must accept it, and the reader's, which must too.

hypothesis-jsonschema reads one document whose ``$ref``s are local and not recursive, and it
canonicalises the whole schema before drawing anything. So the writer's schema is first made one
self-contained document: every ``$ref`` (to another file, a catalogue entry or a place in the same
file) is replaced by the schema it resolves to, as the checker's own resolution finds it, and a
schema already entered ``DEPTH`` times on the way down is replaced by ``false``. That only narrows
the writer's schema (an array of it must be empty, a property holding it absent), so every
instance drawn is still one the writer accepts, which jsonschema-rs confirms for each.

(hypothesis-jsonschema would inline local definitions itself; inlining them here is what lets a
recursive one be cut where it recurs.) Patterns are rewritten where Python and ECMA-262 read them
differently, so that what hypothesis draws for one, jsonschema-rs matches.

Where hypothesis-jsonschema cannot take the schema (a dialect after draft-07, a dynamic
reference, a regular expression it refuses, nothing drawn), the self-contained schema is larger
than ``SIZE`` subschemas (a size, not a clock, so that these fall back on any machine), or drawing
a revision's instances takes more than ``SECONDS`` of CPU (hypothesis-jsonschema canonicalises
merged subschemas again at each draw, up to seconds each on some real schemas; that schema's later
revisions then fall back too), the project's own seeded generator
(``baa_conductor.compat.witness.candidates``) draws the instances instead, and the outcome says
why. Each revision's instances are drawn once and judged by both its neighbours.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jsonschema_rs
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis_jsonschema import from_schema

from baa_conductor.compat.schemaset import Node, SchemaSet
from baa_conductor.compat.witness import candidates

DEPTH = 2  # times a recursive schema is entered before its next entry becomes ``false``
SIZE = 1000  # subschemas in the self-contained schema beyond which it is not canonicalised
SECONDS = 120.0  # of CPU for drawing a revision's instances: a hang guard, not a split
# Schemas on which hypothesis-jsonschema takes over 10 s of CPU a revision (measured on a 2-core
# machine): their instances come from the project's generator, named here rather than found by a
# clock, so which check a pair gets never depends on the machine's speed.
TOO_SLOW = frozenset({"github-workflow.json", "pre-commit-config.json", "dependabot-2.0.json"})

_DRAFTS = frozenset(
    {
        "http://json-schema.org/draft-04/schema",
        "http://json-schema.org/draft-06/schema",
        "http://json-schema.org/draft-07/schema",
    }
)
# What validates in drafts 04 to 07, by what the keyword holds; every other keyword (annotations,
# definitions, ids, extensions) is left out of the self-contained schema.
_ONE = frozenset(
    {
        *("additionalItems", "additionalProperties", "contains", "propertyNames"),
        *("not", "if", "then", "else"),
    }
)
_MANY = ("allOf", "anyOf", "oneOf")
_BY_NAME = ("properties", "patternProperties")
_VALUES = (
    "type",
    "enum",
    "const",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "format",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
)


class Unsupported(Exception):
    """The writer's schema is out of hypothesis-jsonschema's reach; the reason says why."""


class _TooLarge(Unsupported):
    pass


def self_contained(root: Node, depth: int = DEPTH, budget: int = SIZE) -> Any:
    """``root``'s schema with every ``$ref`` replaced by what it resolves to, a schema entered
    ``depth`` times already on the way down replaced by ``false``: one document without
    references, which accepts only instances ``root`` accepts."""
    size = 0

    def expand(node: Node, entered: tuple[int, ...]) -> Any:
        nonlocal size
        size += 1
        if size > budget:
            raise _TooLarge(f"more than {budget} subschemas once references are inlined")
        if node.dialect not in _DRAFTS:
            raise Unsupported(f"dialect {node.dialect}")
        schema = node.schema
        if isinstance(schema, bool):
            return schema
        if not isinstance(schema, dict):
            raise Unsupported(f"a schema that is a {type(schema).__name__}")
        if "$dynamicRef" in schema or "$recursiveRef" in schema:
            raise Unsupported("a dynamic reference")
        if "contentMediaType" in schema or schema.get("contentEncoding", "base64") != "base64":
            raise Unsupported("contentMediaType or contentEncoding, which jsonschema-rs asserts")
        if isinstance(schema.get("$ref"), str):  # drafts 04-07: the siblings of $ref are ignored
            target = node.resolve()
            if isinstance(target.schema, bool):
                return target.schema
            if entered.count(id(target.schema)) >= depth:
                return False
            return expand(target, (*entered, id(target.schema)))
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key == "pattern" and isinstance(value, str):
                out[key] = python_pattern(value)
            elif key in _VALUES:
                out[key] = value
            elif key in _ONE or (key == "items" and not isinstance(value, list)):
                out[key] = expand(node.child(key), entered)
            elif key in _MANY or key == "items":
                out[key] = [expand(node.child(key, i), entered) for i in range(len(value))]
            elif key in _BY_NAME:
                out[key] = {
                    python_pattern(name) if key == "patternProperties" else name: expand(
                        node.child(key, name), entered
                    )
                    for name in value
                }
            elif key == "dependencies":
                out[key] = {
                    name: item if isinstance(item, list) else expand(node.child(key, name), entered)
                    for name, item in value.items()
                }
        if (
            schema.get("contentEncoding") == "base64"
        ):  # an assertion in drafts 04-07 to jsonschema-rs
            out["allOf"] = [*out.get("allOf", []), {"pattern": _BASE64}]
        return out

    return expand(root, ())


# ECMA-262 (jsonschema-rs) and Python read these differently: "." also stops at \r, \u2028 and
# \u2029, and \d and \w are ASCII only.
_ECMA = {".": r"[^\n\r\u2028\u2029]", r"\d": "[0-9]", r"\w": "[A-Za-z0-9_]"}
_ECMA_IN_CLASS = {r"\d": "0-9", r"\w": "A-Za-z0-9_"}


def python_pattern(pattern: str) -> str:
    """``pattern`` (ECMA-262, as a schema means it) as a Python pattern that matches the same
    strings where hypothesis draws them: what differs is spelled out."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        token = pattern[i : i + 2] if char == "\\" else char
        i += len(token)
        if token == "[" and not in_class:
            in_class = True
        elif token == "]" and in_class:
            in_class = False
        out.append((_ECMA_IN_CLASS if in_class else _ECMA).get(token, token))
    return "".join(out)


# Canonical base64, as jsonschema-rs decodes it: the bits padding leaves over are zero.
_BASE64 = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$"


@dataclass(frozen=True)
class Outcome:
    """What the check found: ``counterexample`` holds the instance (None: none found), ``tried``
    how many instances were judged, ``fallback`` why the own generator drew them (None:
    hypothesis-jsonschema did)."""

    counterexample: tuple[Any] | None
    tried: int
    fallback: str | None


def validator(sset: SchemaSet, name: str) -> Any:
    """jsonschema-rs for ``name`` with every document of its set in its registry."""
    resources = [(uri, sset.documents[n]) for n, uri in sset.uris.items()]
    resources += list(sset.referenced.items())
    registry = jsonschema_rs.Registry(resources)
    return jsonschema_rs.validator_for(
        sset.documents[name], registry=registry, base_uri=sset.uris[name]
    )


class _Found(Exception):
    pass


class _OverBudget(Exception):
    pass


def _settings(examples: int, *phases: Phase) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,  # the same instances every run
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )


_SLOW: dict[str, str] = {}  # schema name -> why hypothesis-jsonschema is no longer asked


@lru_cache(maxsize=8)
def _drawn(text: str, examples: int) -> tuple[Any, ...] | str:
    """The instances hypothesis-jsonschema draws from a self-contained schema (as JSON text:
    consecutive pairs share a revision, whose instances are drawn once), or why it cannot."""
    drawn: list[Any] = []
    start = time.process_time()

    @_settings(examples, Phase.generate)
    @given(from_schema(json.loads(text)))
    def collect(instance: Any) -> None:
        if time.process_time() - start > SECONDS:  # the same on hypothesis' replay
            raise _OverBudget
        drawn.append(instance)

    try:
        collect()
    except _OverBudget:
        return f"over {SECONDS:g} s of CPU after {len(drawn)} instances"
    except Exception as error:  # hypothesis-jsonschema refused the schema, or drew nothing
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0][:120]}"
    return tuple(drawn)


def semantic_check(writer: SchemaSet, reader: SchemaSet, name: str, examples: int) -> Outcome:
    """An instance of ``name`` that ``writer`` accepts and ``reader`` rejects, if ``examples``
    instances drawn from the writer's schema hold one (the smallest hypothesis shrinks it to)."""
    accepts, judge = validator(writer, name), validator(reader, name)
    try:
        text = json.dumps(self_contained(writer.root(name)), sort_keys=True)
    except Unsupported as error:
        return _fallback(writer, accepts, judge, name, examples, str(error))
    if name in TOO_SLOW:
        return _fallback(writer, accepts, judge, name, examples, "over 10 s of CPU a revision")
    if name in _SLOW:
        return _fallback(writer, accepts, judge, name, examples, _SLOW[name])
    drawn = _drawn(text, examples)
    if isinstance(drawn, str):
        if drawn.startswith("over "):  # its later revisions would be too: not tried again
            _SLOW[name] = f"an earlier revision was {drawn}"
        return _fallback(writer, accepts, judge, name, examples, drawn)
    for instance in drawn:
        # Not a counterexample: a fault in the self-contained schema, which fails the test.
        assert accepts.is_valid(instance), (
            f"drawn from {name}'s self-contained schema, rejected by the writer's: "
            f"{json.dumps(instance)[:300]}"
        )
    failing = [instance for instance in drawn if not judge.is_valid(instance)]
    if not failing:
        return Outcome(None, len(drawn), None)
    found = failing[:1]

    @_settings(examples, Phase.generate, Phase.shrink)
    @given(from_schema(json.loads(text)))
    def shrink(instance: Any) -> None:
        if accepts.is_valid(instance) and not judge.is_valid(instance):
            found[:] = [instance]
            raise _Found

    with contextlib.suppress(Exception):  # _Found: found holds the smallest
        shrink()
    return Outcome((found[0],), len(drawn), None)


def _fallback(
    writer: SchemaSet, accepts: Any, judge: Any, name: str, examples: int, reason: str
) -> Outcome:
    tried = 0
    for instance in candidates(writer.root(name), "", attempts=examples):
        if accepts.is_valid(instance):
            tried += 1
            if not judge.is_valid(instance):
                return Outcome((instance,), tried, reason)
    return Outcome(None, tried, reason)
