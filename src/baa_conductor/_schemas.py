"""The schemas shipped in the package: loading, the offline registry, and bundling.

Schemas are package data of the generated binding, ``baa_conductor_contracts/schemas/``, found
through the import system (so an installed wheel works anywhere) without importing that package:
its ``__init__`` loads every Pydantic model, which reading a schema does not need.
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from referencing import Registry

from .exceptions import UnknownSchemaError

BASE_URI = "https://baa-conductor.dev/schemas/"
SUFFIX = ".schema.json"

Schema = dict[str, Any]


@cache
def _directory() -> str:
    spec = find_spec("baa_conductor_contracts")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "baa_conductor_contracts (the generated binding) is not installed"
        )
    return os.path.join(next(iter(spec.submodule_search_locations)), "schemas")


def _read(name: str) -> str:
    with open(os.path.join(_directory(), f"{name}{SUFFIX}"), encoding="utf-8") as handle:
        return handle.read()


@cache
def schema_names() -> tuple[str, ...]:
    """Names of every shipped schema (the file name without ``.schema.json``), sorted."""
    return tuple(sorted(n[: -len(SUFFIX)] for n in os.listdir(_directory()) if n.endswith(SUFFIX)))


@cache
def _load(name: str) -> Schema:
    if name not in schema_names():
        raise UnknownSchemaError(name, schema_names())
    loaded: Schema = json.loads(_read(name))
    return loaded


def require(name: str) -> None:
    """Raise :class:`UnknownSchemaError` (listing the known names) unless ``name`` is shipped."""
    _load(name)


def load_schema(name: str) -> Schema:
    """A fresh copy of the schema called ``name`` (callers may change it freely)."""
    import copy

    return copy.deepcopy(_load(name))


def schema_text(name: str) -> str:
    """The schema file's exact text, as shipped."""
    _load(name)
    return _read(name)


def schema_page(name: str) -> str:
    """The schema's generated Markdown page (``baa_conductor_contracts/docs/<name>.md``: title,
    description, version, properties, an example, the run files that carry it), as shipped."""
    _load(name)
    page = os.path.join(os.path.dirname(_directory()), "docs", f"{name}.md")
    with open(page, encoding="utf-8") as handle:
        return handle.read()


def schema_version(name: str) -> str:
    """The ``x-version`` a schema declares (MAJOR.MINOR)."""
    version: str = _load(name)["x-version"]
    return version


def _without_dialect(schema: Schema) -> Schema:
    return {k: v for k, v in schema.items() if k != "$schema"}


@cache
def registry(*, keep_dialect: bool = True) -> Registry[Any]:
    """Every shipped schema under its ``$id``: ``$ref``s resolve offline, never over the network.

    ``keep_dialect=False`` drops each ``$schema`` (the dialect is fixed to 2020-12 anyway), so a
    jsonschema validator class extended with our own keywords keeps them across ``$ref``s instead
    of switching back to the stock class that ``$schema`` names.
    """
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    schemas = [s if keep_dialect else _without_dialect(s) for s in map(_load, schema_names())]
    resources = [(s["$id"], DRAFT202012.create_resource(s)) for s in schemas]
    return Registry().with_resources(resources).crawl()


def _name_of(ref: str) -> str:
    return ref.split("#", 1)[0].removeprefix(BASE_URI).removesuffix(SUFFIX)


def _rewrite(node: Any, own: str | None, root: str, found: set[str]) -> Any:
    """Point each ``$ref`` at ``#/$defs/<name>`` (``#`` for the root); ``own`` None is the root."""
    if isinstance(node, list):
        return [_rewrite(item, own, root, found) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref":
            target, _, fragment = value.partition("#")
            if target and _name_of(target) == root:
                value = f"#{fragment}"
            elif target:
                found.add(_name_of(target))
                value = f"#/$defs/{_name_of(target)}{fragment}"
            elif own is not None:
                value = f"#/$defs/{own}{fragment}"
        elif key in ("$id", "$schema") and own is not None:
            continue
        out[key] = _rewrite(value, own, root, found)
    return out


@cache
def shared_bundle(name: str) -> Schema:
    """The cached bundle itself, for validators that only read it: never change it."""
    found: set[str] = set()
    root: Schema = _rewrite(_load(name), None, name, found)
    defs: Schema = {}
    pending = sorted(found)
    while pending:
        dep = pending.pop()
        if dep in defs:
            continue
        more: set[str] = set()
        defs[dep] = _rewrite(_load(dep), dep, name, more)
        pending.extend(sorted(more - defs.keys()))
    if defs:
        root["$defs"] = dict(sorted(defs.items()))
    return root


def bundle(name: str) -> Schema:
    """A self-contained copy of a schema: every referenced schema inlined under ``$defs``.

    Compiled validators get the bundle, so they never resolve a reference across files.
    Only valid because the shipped schemas keep no ``$defs`` of their own.
    """
    import copy

    return copy.deepcopy(shared_bundle(name))
