"""Validators that know nothing of the package, given only the files in schemas/, as a consumer in
another project would use them: the jsonschema library, jsonschema-rs and ajv (strict, ajv-formats,
compiled at run time), each with its defaults. And the instances to ask them about: fixtures, the
files of real runs, and mutants of both.

Every instance travels as JSON text and each validator parses it itself, as a consumer's would.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import typescript

ROOT = Path(__file__).parent.parent
SCHEMAS = ROOT / "schemas"
AJV = ROOT / "tools" / "typescript" / "independent-ajv.mjs"

Verdict = bool | str  # a str says the validator raised instead of giving a verdict
Check = Callable[[str, Any], Verdict]


@cache
def schema_files() -> dict[str, dict[str, Any]]:
    return {
        p.name.removesuffix(".schema.json"): json.loads(p.read_text("utf-8"))
        for p in sorted(SCHEMAS.glob("*.schema.json"))
    }


def _guard(is_valid: Callable[[Any], bool], instance: Any) -> Verdict:
    try:
        return bool(is_valid(instance))
    except (RecursionError, ValueError, TypeError, OverflowError) as error:
        return f"error: {type(error).__name__}"


def jsonschema_library(*, ecma_dollar: bool = False) -> Check:
    """The jsonschema library's Draft202012Validator over a registry of the files.

    ``ecma_dollar`` makes one change: ``pattern`` read with ``$`` as the end of the text, as
    ECMA-262 (which JSON Schema names) reads it; Python's ``re`` also matches ``$`` before a final
    newline. It tells that deviation of the library apart from a disagreement of the schemas (and
    recurses as deep as the deepest instance needs).
    """
    import jsonschema
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    schemas = schema_files()
    cls: Any = jsonschema.Draft202012Validator
    if ecma_dollar:
        # Without $schema: the library would follow each $ref with the stock class $schema names.
        schemas = {n: {k: v for k, v in s.items() if k != "$schema"} for n, s in schemas.items()}

        def pattern(validator: Any, value: str, instance: Any, schema: Any) -> Iterator[Any]:
            ecma = re.sub(r"(?<!\\)\$", r"\\Z", value)
            if validator.is_type(instance, "string") and not re.search(ecma, instance):
                yield jsonschema.ValidationError(f"{instance!r} does not match {value!r}")

        cls = jsonschema.validators.extend(cls, {"pattern": pattern})  # type: ignore[no-untyped-call]
    registry = Registry().with_resources(
        (s["$id"], DRAFT202012.create_resource(s)) for s in schemas.values()
    )
    validators = {n: cls(s, registry=registry) for n, s in schemas.items()}
    if not ecma_dollar:
        return lambda name, instance: _guard(validators[name].is_valid, instance)

    def deep(name: str, instance: Any) -> Verdict:
        # The classifier's own tool: deep enough for every instance the wire rules let through.
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20_000))
        try:
            return _guard(validators[name].is_valid, instance)
        finally:
            sys.setrecursionlimit(limit)

    return deep


def jsonschema_rs() -> Check | None:
    """jsonschema-rs's validator_for over a registry of the files, with its defaults."""
    try:
        import jsonschema_rs as rs
    except ImportError:  # pragma: no cover - platforms without a wheel
        return None
    registry = rs.Registry([(s["$id"], s) for s in schema_files().values()])
    validators = {n: rs.validator_for(s, registry=registry) for n, s in schema_files().items()}
    return lambda name, instance: _guard(validators[name].is_valid, instance)


def ajv_verdicts(cases: list[tuple[str, str]]) -> list[Verdict]:
    """ajv's verdict on each (schema name, instance as JSON text), in one node process."""
    typescript.require()
    lines = "".join(f'{{"schema": {json.dumps(s)}, "instance": {text}}}\n' for s, text in cases)
    done = subprocess.run(["node", str(AJV), str(SCHEMAS)], input=lines, capture_output=True,
                          text=True, timeout=600, check=False, cwd=AJV.parent)  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout.split("\n")[:-1]
    assert len(out) == len(cases), done.stderr
    return [True if v == "true" else False if v == "false" else v for v in out]


def package_typescript_verdicts(cases: list[tuple[str, str]]) -> list[bool]:
    """The npm package's verdict (baa-contracts-validate) on each (schema name, JSON text)."""
    lines = "".join(f'{{"schema": {json.dumps(s)}, "instance": {text}}}\n' for s, text in cases)
    done = typescript.run(lines)
    assert done.returncode == 0, done.stderr
    out = done.stdout.split()
    assert len(out) == len(cases), done.stderr
    return [word == "true" for word in out]


# What each kind of value is replaced with. Integers get the edges of the safe integers (the
# bound every integer of the schemas has), 64-bit edges, and a big integer written both ways.
_INTEGER_PROBES: tuple[Any, ...] = (
    2**53 - 1, 2**53, -(2**53 - 1), -(2**53), 2**63, 2**64, 10**30, 1e30, -1e30,
    0, -1, 1.5, 1.0, "1", None,
)  # fmt: skip
_NUMBER_PROBES: tuple[Any, ...] = (1e30, 2**53, -(2**53), 0.5, -1, "1", None)
_STRING_PROBES: tuple[Any, ...] = (
    "", "run-1\n", "\ud800", "x" * 129, "2026-13-01T00:00:00Z", "2026-02-29T00:00:00.000Z",
    "2024-02-29T23:59:60Z", "..", 1, None,
)  # fmt: skip
_BOOLEAN_PROBES: tuple[Any, ...] = (0, "true", None)


def _replace(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    if isinstance(root, list):
        return [_replace(v, tuple(rest), value) if i == head else v for i, v in enumerate(root)]
    return {k: (_replace(v, tuple(rest), value) if k == head else v) for k, v in root.items()}


def _remove(root: Any, path: tuple[Any, ...]) -> Any:
    *parents, last = path
    container = root
    for step in parents:
        container = container[step]
    if isinstance(container, list):
        return _replace(root, tuple(parents), [v for i, v in enumerate(container) if i != last])
    return _replace(root, tuple(parents), {k: v for k, v in container.items() if k != last})


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _nodes(item, (*path, key))
    elif isinstance(value, list) and value:  # items share a schema: the first stands for all
        yield from _nodes(value[0], (*path, 0))


def mutants(instance: Any) -> Iterator[tuple[str, Any]]:
    """Variants of ``instance``, one change each, with a key saying what changed where (list
    items count as one place): every scalar replaced by probes of its kind, every property and
    the first array item removed, an unknown property added to every object."""
    for path, value in _nodes(instance):
        where = "/".join("*" if isinstance(p, int) else p for p in path)
        if isinstance(value, bool):
            probes = _BOOLEAN_PROBES
        elif isinstance(value, int):
            probes = _INTEGER_PROBES
        elif isinstance(value, float):
            probes = _NUMBER_PROBES
        elif isinstance(value, str):
            probes = _STRING_PROBES
        elif isinstance(value, dict):
            probes = ({**value, "unknownProperty": 1},)
            for key in value:
                yield f"{where}/{key} removed", _remove(instance, (*path, key))
        elif isinstance(value, list):
            probes = ([],) if value else ([None],)
            if value:
                yield f"{where}/* removed", _remove(instance, (*path, 0))
        else:  # null
            probes = (0, "", {})
        for probe in probes:
            yield f"{where} = {probe!r:.40}", _replace(instance, path, probe)


_INFINITY = "\x00infinity\x00"


def json_text(instance: Any) -> str:
    """JSON text of an instance, ±Infinity written as 1e400 (what the fixture files hold: both
    json.loads and JSON.parse read it as Infinity) and lone surrogates as escapes."""

    def mark(value: Any) -> Any:
        if isinstance(value, float) and math.isinf(value):
            return _INFINITY if value > 0 else "-" + _INFINITY
        if isinstance(value, list):
            return [mark(v) for v in value]
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        return value

    text = json.dumps(mark(instance), allow_nan=False)
    marker = json.dumps(_INFINITY)
    return text.replace(f'"-{marker[1:]}', "-1e400").replace(marker, "1e400")
