"""One version of a set of schemas: the documents by name, a registry that resolves every ``$ref``
between them offline, and the checks that make a set fit to compare (metaschema, references).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

from ..exceptions import CompatInputError
from .keywords import DRAFT_2020_12, LEGACY_ITEMS_DIALECTS, REF_OVERRIDES_DIALECTS, dialect_key

if TYPE_CHECKING:
    from jsonschema.protocols import Validator
    from referencing import Registry

SUFFIX = ".schema.json"
# Where a document without an absolute $id lives, so that relative $refs between files resolve.
BASE = "file:///schemas/"
KNOWN_DIALECTS = (
    "http://json-schema.org/draft-04/schema",
    "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-07/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
)
# Values, not schemas: a "$ref" inside them is data.
NOT_SCHEMAS = frozenset({"enum", "const", "default", "examples"})


def escape(token: str) -> str:
    """A JSON pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def _validator_class(dialect: str) -> type[Validator]:
    from jsonschema import validators

    cls: type[Validator] = validators.validator_for({"$schema": dialect})
    return cls


@dataclass(eq=False)
class SchemaSet:
    """Schemas by name (file name without ``.schema.json``) as one version held them."""

    documents: Mapping[str, Any]
    label: str
    default_dialect: str = DRAFT_2020_12
    uris: dict[str, str] = field(init=False)
    _unchanged: dict[int, tuple[SchemaSet, frozenset[str]]] = field(init=False)

    def __post_init__(self) -> None:
        self._unchanged = {}
        self.uris = {}
        for name, schema in self.documents.items():
            here = f"{BASE}{name}{SUFFIX}"
            own = schema.get("$id") if isinstance(schema, dict) else None
            self.uris[name] = urldefrag(urljoin(here, own)).url if isinstance(own, str) else here

    def dialect(self, schema: Any) -> str:
        declared = schema.get("$schema") if isinstance(schema, dict) else None
        return dialect_key(declared if isinstance(declared, str) else self.default_dialect)

    @cached_property
    def registry(self) -> Registry[Any]:
        from referencing import Registry
        from referencing.jsonschema import specification_with

        resources = []
        for name, schema in self.documents.items():
            spec = specification_with(self.dialect(schema))
            resources.append((self.uris[name], spec.create_resource(schema)))
        return Registry().with_resources(resources).crawl()

    def name_of(self, uri: str) -> str | None:
        for name, own in self.uris.items():
            if own == uri:
                return name
        return None

    def root(self, name: str) -> Node:
        schema = self.documents[name]
        uri = self.uris[name]
        return Node(schema, uri, uri, self.dialect(schema), self)

    def ref_targets(self, name: str) -> frozenset[str] | None:
        """The documents the ``$ref``s of ``name`` lead to (None: it has a dynamic reference,
        whose target depends on where it is entered from)."""
        targets: set[str] = set()
        stack = [self.root(name)]
        while stack:
            node = stack.pop()
            schema = node.schema
            if isinstance(schema, list):
                stack.extend(node.child(i) for i in range(len(schema)))
                continue
            if not isinstance(schema, dict):
                continue
            if "$dynamicRef" in schema or "$recursiveRef" in schema:
                return None
            ref = schema.get("$ref")
            if isinstance(ref, str):
                targets.add(urldefrag(urljoin(node.base, ref)).url)
            for key, value in schema.items():
                if key not in NOT_SCHEMAS and isinstance(value, dict | list):
                    stack.append(node.child(key))
        return frozenset(targets)

    def unchanged_since(self, other: SchemaSet) -> frozenset[str]:
        """The documents (by URI) the same in both sets, annotations aside, whose references all
        lead to documents that are unchanged too."""
        from .values import same_schema

        known = self._unchanged.get(id(other))
        if known is not None and known[0] is other:
            return known[1]
        mine = {self.uris[n]: n for n in self.documents}
        theirs = {other.uris[n]: n for n in other.documents}
        kept = {
            uri
            for uri, name in mine.items()
            if uri in theirs and same_schema(self.documents[name], other.documents[theirs[uri]])
        }
        targets = {uri: self.ref_targets(mine[uri]) for uri in kept}
        shrinking = True
        while shrinking:
            shrinking = False
            for uri in list(kept):
                found = targets[uri]
                if found is None or not found <= kept:
                    kept.discard(uri)
                    shrinking = True
        result = frozenset(kept)
        self._unchanged[id(other)] = (other, result)
        return result

    def check(self) -> None:
        """Refuse a set that cannot be compared: a schema that its metaschema rejects, or a $ref that
        resolves to nothing. Raises CompatInputError naming the schema and the place."""
        for name in sorted(self.documents):
            self._check_metaschema(name)
        for name in sorted(self.documents):
            for pointer, node in _refs(self.root(name), ""):
                try:
                    node.resolve()
                except CompatInputError as error:
                    raise CompatInputError(
                        f"{self.label}: {name}{SUFFIX} at {pointer or '/'}: {error}"
                    ) from None

    def _check_metaschema(self, name: str) -> None:
        from jsonschema.exceptions import best_match

        schema = self.documents[name]
        where = f"{self.label}: {name}{SUFFIX}"
        if not isinstance(schema, dict | bool):
            raise CompatInputError(f"{where}: a schema is an object or a boolean")
        dialect = self.dialect(schema)
        if dialect not in KNOWN_DIALECTS:
            raise CompatInputError(f"{where}: unknown $schema {dialect!r}")
        cls = _validator_class(dialect)
        error = best_match(
            cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER).iter_errors(schema)
        )
        if error is not None:
            pointer = "".join(f"/{escape(str(p))}" for p in error.absolute_path) or "/"
            short = dialect.rsplit("/", 2)[-2]
            raise CompatInputError(
                f"{where}: not valid JSON Schema ({short}) at {pointer}: {error.message}"
            )


def _refs(node: Node, pointer: str) -> Iterator[tuple[str, Node]]:
    """Every node holding a ``$ref`` (or ``$dynamicRef``) under ``node``, with its pointer."""
    schema = node.schema
    if isinstance(schema, list):
        for index in range(len(schema)):
            yield from _refs(node.child(index), f"{pointer}/{index}")
        return
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("$ref"), str):
        yield pointer, node
    for key, value in schema.items():
        if key in NOT_SCHEMAS or not isinstance(value, dict | list):
            continue
        yield from _refs(node.child(key), f"{pointer}/{escape(key)}")


@dataclass(frozen=True, eq=False)
class Node:
    """A schema (or a value inside one) with what is needed to read it: the base URI its $refs
    resolve against, its document, its dialect and its set. ``hidden`` keywords are treated as
    absent (a union already split into alternatives)."""

    schema: Any
    base: str
    doc: str
    dialect: str
    sset: SchemaSet
    hidden: frozenset[str] = frozenset()

    @property
    def legacy_items(self) -> bool:
        return self.dialect in LEGACY_ITEMS_DIALECTS

    @property
    def ref_overrides(self) -> bool:
        return self.dialect in REF_OVERRIDES_DIALECTS

    def get(self, keyword: str) -> Any:
        if not isinstance(self.schema, dict) or keyword in self.hidden:
            return None
        return self.schema.get(keyword)

    def has(self, keyword: str) -> bool:
        return (
            isinstance(self.schema, dict) and keyword in self.schema and keyword not in self.hidden
        )

    def keys(self) -> set[str]:
        if not isinstance(self.schema, dict):
            return set()
        return set(self.schema) - self.hidden

    def child(self, *path: str | int) -> Node:
        schema: Any = self.schema
        base = self.base
        for step in path:
            schema = schema[step]
            own = schema.get("$id") if isinstance(schema, dict) else None
            if isinstance(own, str):
                base = urldefrag(urljoin(base, own)).url
        return Node(schema, base, self.doc, self.dialect, self.sset)

    def with_schema(self, schema: Any) -> Node:
        return Node(schema, self.base, self.doc, self.dialect, self.sset)

    def hiding(self, *keywords: str) -> Node:
        return replace(self, hidden=self.hidden | frozenset(keywords))

    def key(self) -> tuple[int, str, frozenset[str], int]:
        return (id(self.schema), self.base, self.hidden, id(self.sset))

    def resolve(self, keyword: str = "$ref") -> Node:
        """The schema the ``$ref`` of this node points at."""
        from referencing.exceptions import Unresolvable

        ref = self.schema[keyword]
        try:
            resolved = self.sset.registry.resolver(base_uri=self.base).lookup(ref)
        except Unresolvable:
            raise CompatInputError(f"$ref {ref!r} does not resolve") from None
        target = urldefrag(urljoin(self.base, ref)).url
        try:
            document = self.sset.registry.contents(target)
        except Exception:
            document = None
        dialect = self.sset.dialect(document) if document is not None else self.dialect
        contents = resolved.contents
        base = target
        if isinstance(contents, dict) and isinstance(contents.get("$id"), str):
            base = urldefrag(urljoin(target, contents["$id"])).url
        return Node(contents, base, target, dialect, self.sset)

    def is_valid(self, instance: Any, *, formats: bool) -> bool:
        """Whether ``instance`` validates under this node's schema (hidden keywords included)."""
        if self.schema is True or self.schema is False:
            return bool(self.schema)
        cls = _validator_class(self.dialect)
        make: Any = cls  # _resolver is jsonschema's (underscored) way to set the base URI
        validator = make(
            self.schema,
            registry=self.sset.registry,
            format_checker=cls.FORMAT_CHECKER if formats else None,
            _resolver=self.sset.registry.resolver(base_uri=self.base),
        )
        return bool(validator.is_valid(instance))
