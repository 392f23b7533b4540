"""Property test: when the checker calls a change compatible, no generated value proves it wrong.

Pairs of schemas are generated (an old schema and an edit of it: a keyword dropped or added, a
bound moved, a member added to a union, a property added, ...). Whenever the checker says BACKWARD
compatible, values valid under the old schema (drawn by hypothesis-jsonschema) must validate under
the new one; for FORWARD, the other way round. The budget is BAA_COMPAT_EXAMPLES pairs (default 150).
"""

from __future__ import annotations

import copy
import os
from typing import Any

from hypothesis import HealthCheck, assume, event, given, reject, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

from baa_conductor.compat.check import directions, ok
from baa_conductor.compat.schemaset import SchemaSet

SETTINGS = settings(
    max_examples=int(os.environ.get("BAA_COMPAT_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
NAMES = ("a", "b", "c")
SMALL = st.integers(min_value=-3, max_value=6)
VALUES: st.SearchStrategy[Any] = st.sampled_from(
    [None, True, False, 0, 1, 2, 2.5, -1, "", "a", "ab", "b", [], [1], {}]
)
PATTERNS = st.sampled_from(["^a", "b", "^[ab]*$", "^.{0,3}$"])


def _optional(draw: st.DrawFn, keyword: str, values: st.SearchStrategy[Any]) -> dict[str, Any]:
    return {keyword: draw(values)} if draw(st.booleans()) else {}


@st.composite
def leaves(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(["integer", "number", "string", "boolean", "null", "enum", "const"])
    )
    if kind in ("integer", "number"):
        return {
            "type": kind,
            **_optional(draw, "minimum", SMALL),
            **_optional(draw, "maximum", SMALL),
            **_optional(draw, "exclusiveMinimum", SMALL),
            **_optional(draw, "multipleOf", st.sampled_from([1, 2, 3, 4, 0.5])),
        }
    if kind == "string":
        return {
            "type": "string",
            **_optional(draw, "minLength", st.integers(0, 3)),
            **_optional(draw, "maxLength", st.integers(0, 5)),
            **_optional(draw, "pattern", PATTERNS),
        }
    if kind == "enum":
        return {"enum": draw(st.lists(VALUES, min_size=1, max_size=4, unique_by=repr))}
    if kind == "const":
        return {"const": draw(VALUES)}
    return {"type": kind}


def _compound(inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        kind = draw(st.sampled_from(["array", "object", "anyOf", "oneOf", "allOf", "not", "types"]))
        if kind == "array":
            return {
                "type": "array",
                **_optional(draw, "items", inner),
                **_optional(draw, "minItems", st.integers(0, 2)),
                **_optional(draw, "maxItems", st.integers(0, 3)),
                **_optional(draw, "uniqueItems", st.just(True)),
                **_optional(draw, "contains", inner),
            }
        if kind == "object":
            properties = draw(st.dictionaries(st.sampled_from(NAMES), inner, max_size=3))
            required = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=2))
            return {
                "type": "object",
                "properties": properties,
                **({"required": required} if required else {}),
                **_optional(draw, "additionalProperties", st.booleans() | inner),
                **_optional(draw, "maxProperties", st.integers(0, 3)),
            }
        if kind == "not":
            return {"not": draw(inner)}
        if kind == "types":
            types = ["integer", "number", "string", "boolean", "null", "array", "object"]
            return {
                "type": draw(st.lists(st.sampled_from(types), min_size=1, max_size=3, unique=True))
            }
        return {kind: draw(st.lists(inner, min_size=1, max_size=3))}

    return build()


SCHEMAS = st.recursive(leaves(), _compound, max_leaves=6)


def _places(schema: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every subschema's path (dict keys and list indexes) inside ``schema``."""
    found = [path]
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("items", "contains", "not", "additionalProperties") and isinstance(
                value, dict
            ):
                found += _places(value, (*path, key))
            elif key == "properties":
                for name, sub in value.items():
                    found += _places(sub, (*path, key, name))
            elif key in ("anyOf", "oneOf", "allOf"):
                for index, sub in enumerate(value):
                    found += _places(sub, (*path, key, index))
    return found


def _at(schema: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        schema = schema[step]
    return schema


@st.composite
def edits(draw: st.DrawFn, old: dict[str, Any]) -> dict[str, Any]:
    """``old`` with one to three edits, each at a random place."""
    new = copy.deepcopy(old)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_places(new)))
        target = _at(new, path)
        edit = draw(
            st.sampled_from(["drop", "add", "move", "replace", "widen", "union", "required"])
        )
        keys = sorted(target)
        if edit == "drop" and keys:
            del target[draw(st.sampled_from(keys))]
        elif edit == "add":
            target.update(draw(leaves() | _compound(leaves())))
        elif edit == "move":
            bounds = [
                k for k in keys if isinstance(target[k], int) and not isinstance(target[k], bool)
            ]
            bounds = [k for k in bounds if k not in ("multipleOf",)]
            if bounds:
                key = draw(st.sampled_from(bounds))
                target[key] = max(0, target[key] + draw(st.sampled_from([-2, -1, 1, 2])))
        elif edit == "replace":
            fresh = draw(SCHEMAS)
            target.clear()
            target.update(fresh)
        elif edit == "widen" and target.get("type") == "integer":
            target["type"] = "number"
        elif edit == "union":
            before = dict(target)
            target.clear()
            target["anyOf" if draw(st.booleans()) else "oneOf"] = [before, draw(leaves())]
        elif edit == "required" and target.get("type") == "object":
            names = set(target.get("required", ())) ^ {draw(st.sampled_from(NAMES))}
            target["required"] = sorted(names)
    return new


@st.composite
def pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    old = draw(SCHEMAS)
    return old, draw(edits(old))


def _verdicts(old: dict[str, Any], new: dict[str, Any]) -> tuple[bool, bool]:
    earlier, current = SchemaSet({"s": old}, "old"), SchemaSet({"s": new}, "new")
    earlier.check()
    current.check()
    backward, forward = directions(earlier.root("s"), current.root("s"))
    return ok(backward), ok(forward)


@SETTINGS
@given(pair=pairs(), data=st.data())
def test_compatible_never_rejects_a_value_the_other_side_accepts(
    pair: tuple[dict[str, Any], dict[str, Any]], data: st.DataObject
) -> None:
    """BACKWARD compatible: old values pass the new schema; FORWARD: new values pass the old."""
    old, new = pair
    backward, forward = _verdicts(old, new)
    event(f"backward {'compatible' if backward else 'breaking'}")
    event(f"forward {'compatible' if forward else 'breaking'}")
    assume(backward or forward)
    writer, reader = (old, new) if backward else (new, old)
    try:
        strategy = from_schema(writer)
        if strategy.is_empty:  # the writer accepts nothing: vacuously compatible
            event("writer accepts nothing")
            return
        values = data.draw(st.lists(strategy, min_size=1, max_size=4), label="values")
    except InvalidArgument:  # hypothesis-jsonschema on bounds that admit nothing
        reject()
    for value in values:
        assume(Draft202012Validator(writer).is_valid(value))
        assert Draft202012Validator(reader).is_valid(value), (writer, reader, value)
