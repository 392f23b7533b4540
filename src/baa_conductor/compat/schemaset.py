"""One version of a set of schemas: the documents by name, a registry that resolves every ``$ref``
between them offline, and the checks that make a set fit to compare (metaschema, references).
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from ..exceptions import CompatInputError
from . import direct
from .keywords import (
    DRAFT_04,
    DRAFT_2020_12,
    KNOWN_DIALECTS,
    LEGACY_ITEMS_DIALECTS,
    REF_OVERRIDES_DIALECTS,
    dialect_key,
)

if TYPE_CHECKING:
    from jsonschema.protocols import Validator
    from referencing import Registry

SUFFIX = ".schema.json"
# Where a document without an absolute $id lives, so that relative $refs between files resolve.
BASE = "file:///schemas/"
# Drafts in which an id of "#name" is a plain-name anchor, not a new base.
_FRAGMENT_IDS = frozenset(
    {"http://json-schema.org/draft-04/schema", "http://json-schema.org/draft-06/schema",
     "http://json-schema.org/draft-07/schema"}
)  # fmt: skip
# Values, not schemas: a "$ref" inside them is data (``example`` is OpenAPI's and AsyncAPI's
# single example, which they write as a JSON Reference to an example file).
NOT_SCHEMAS = frozenset({"enum", "const", "default", "examples", "example"})
# Keywords whose value maps names to schemas: a name there ("examples", "$ref") is a property's
# or a definition's name, not a keyword.
SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"}
)


def _children(value: dict[str, Any], is_map: bool) -> Iterator[tuple[str, Any, bool]]:
    """(key, child, whether the child is a schema map) for what may hold schemas in ``value``,
    a schema or (``is_map``) a map of names to schemas."""
    for key, child in value.items():
        if is_map:
            yield key, child, False
        elif key not in NOT_SCHEMAS:
            yield key, child, key in SCHEMA_MAPS and isinstance(child, dict)


# Schemas jsonschema's metaschema check accepted (jsonschema-rs did not), by dialect and text:
# the same file in two versions is checked once.
_FIT: set[tuple[str, str]] = set()


def _fit_fast(schema: Any, dialect: str) -> bool:
    """Whether jsonschema-rs finds the schema valid under its metaschema (much faster on large
    schemas; only a "no" is asked again of the jsonschema library, for its message)."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - not on every platform
        return False
    declared = schema.get("$schema") if isinstance(schema, dict) else None
    if isinstance(schema, dict) and not isinstance(declared, str):
        schema = {**schema, "$schema": dialect}
    try:
        return bool(jsonschema_rs.meta.is_valid(schema))
    except Exception:  # a dialect it does not know, or a value it cannot read
        return False


_SIMPLE = frozenset({"enum", "const", "type"})
_TYPES = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
}


def _is_whole(value: Any) -> bool:
    """An integer as draft-04 has it: written without a fraction (``1.0`` is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _simple(schema: Any, instance: Any, dialect: str) -> bool | None:
    """Validation of a schema of only ``enum``, ``const`` and ``type`` (and annotations) without
    a validator: a set lookup, where a validator would compare with each of a large enum's
    values. None for any other schema. Draft-04 has no ``const``, and its integers are the
    numbers written without a fraction."""
    from .values import ANNOTATIONS, key_set, same

    if not isinstance(schema, dict):
        return None
    keys = {k for k in schema if k not in ANNOTATIONS and not k.startswith(("x-", "$"))}
    if not keys <= _SIMPLE or any(k in schema for k in ("$ref", "$dynamicRef", "$recursiveRef")):
        return None
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        if not isinstance(names, list) or any(n not in _TYPES for n in names):
            return None
        draft_04 = dialect == DRAFT_04
        if not any(
            _is_whole(instance) if draft_04 and n == "integer" else _TYPES[n](instance)
            for n in names
        ):
            return False
    enum = schema.get("enum")
    if enum is not None:
        if not isinstance(enum, list):
            return None
        from .values import key

        if key(instance) not in key_set(enum):
            return False
    if dialect == DRAFT_04:
        return True  # a "const" there is an unknown keyword: it constrains nothing
    return not ("const" in schema and not same(schema["const"], instance))


def metaschema(uri: str) -> Any:
    """The JSON Schema metaschema (or vocabulary metaschema) published at ``uri``, as every
    validator knows it (None: not one). Schemas refer to them by address for their definitions
    (``http://json-schema.org/draft-04/schema#/definitions/positiveInteger``) or whole."""
    from jsonschema_specifications import REGISTRY

    try:
        return REGISTRY.contents(dialect_key(uri))
    except LookupError:
        return None


def file_of(name: str) -> str:
    """The file a schema of the set is read from: ``user`` is ``user.schema.json``; a file with
    another name (``eslintrc.json``) keeps it as its name."""
    return name if name.endswith(".json") else f"{name}{SUFFIX}"


def name_of_file(file: str) -> str | None:
    """The name a file has in a set (None: not a JSON file)."""
    if file.endswith(SUFFIX):
        return file[: -len(SUFFIX)]
    return file if file.endswith(".json") else None


def own_id(schema: Any, dialect: str) -> str | None:
    """A schema's ``$id`` (``id`` in draft-04)."""
    if not isinstance(schema, dict):
        return None
    value = schema.get("id" if dialect == DRAFT_04 else "$id")
    return value if isinstance(value, str) else None


def escape(token: str) -> str:
    """A JSON pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


@cache
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
    # Documents that are referenced but not compared: other files reached by path (uri -> doc),
    # and other published schemas the user supplied by their $id.
    referenced: Mapping[str, Any] = field(default_factory=dict)
    uris: dict[str, str] = field(init=False)
    _unchanged: dict[int, tuple[SchemaSet, frozenset[str]]] = field(init=False)
    # Each $ref resolved once: (base, reference, dialect) -> the node it leads to.
    resolved: dict[tuple[str, str, str], Node] = field(init=False)
    validators: dict[Any, Any] = field(init=False)  # one per subschema validated against
    # Each value validated once against each subschema: (validator key, value as JSON) -> valid.
    verdicts: dict[tuple[Any, str], bool] = field(init=False)

    def __post_init__(self) -> None:
        self._unchanged = {}
        self.resolved = {}
        self.validators = {}
        self.verdicts = {}
        self.uris = {}
        for name, schema in self.documents.items():
            here = f"{BASE}{file_of(name)}"
            own = own_id(schema, self.dialect(schema))
            self.uris[name] = urldefrag(urljoin(here, own)).url if own else here

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
        for uri, schema in self.referenced.items():
            spec = specification_with(self.dialect(schema))
            resources.append((uri, spec.create_resource(schema)))
            own = own_id(schema, self.dialect(schema))
            if own and urldefrag(own).url != uri:
                resources.append((urldefrag(own).url, spec.create_resource(schema)))
        return Registry().with_resources(resources).crawl()

    def name_of(self, uri: str) -> str | None:
        """The schema of the set at ``uri`` (also under a URI it was reached by, by path)."""
        by_uri, by_document = self._names
        name = by_uri.get(uri)
        if name is not None:
            return name
        return by_document.get(id(self.referenced.get(uri)))

    @cached_property
    def _names(self) -> tuple[dict[str, str], dict[int, str]]:
        """Names by URI and by document (the first name of each, in order)."""
        by_uri: dict[str, str] = {}
        by_document: dict[int, str] = {}
        for name, own in self.uris.items():
            by_uri.setdefault(own, name)
            by_document.setdefault(id(self.documents[name]), name)
        return by_uri, by_document

    def node_at(self, uri: str) -> Node:
        """The root of the document at ``uri``, compared or only referenced."""
        name = self.name_of(uri)
        if name is not None and self.uris[name] == uri:
            return self.root(name)
        document = self.referenced[uri]
        return Node(document, uri, uri, self.dialect(document), self)

    def root(self, name: str) -> Node:
        schema = self.documents[name]
        uri = self.uris[name]
        return Node(schema, uri, uri, self.dialect(schema), self)

    def ref_targets(self, name: str) -> frozenset[str] | None:
        """The documents the ``$ref``s of ``name`` lead to (None: it has a dynamic reference,
        whose target depends on where it is entered from)."""
        return ref_targets(self.root(name))

    def with_referenced(self, find: Callable[[str], Any]) -> SchemaSet:
        """This set with every document its references reach and it does not hold, looked up by
        URI with ``find`` (None: not found; ``check`` then names the reference). A relative
        reference from a document with an ``$id`` elsewhere (``https://host/a.json`` naming
        ``b.json``) that nothing supplies is followed by path: the file beside it. A JSON Schema
        metaschema that nothing supplies is the one published at its address.

        A resource a document embeds under its own ``$id`` is the one at that URI (AsyncAPI 2's
        copy of draft-07's metaschema, with changes): nothing is looked up for it, else two
        resources would share the URI and which one a ``$ref`` reached would change from run to
        run."""
        known = set(self.uris.values()) | set(self.referenced)
        found = dict(self.referenced)
        by_file = {file_of(name): name for name in self.documents}
        pending: list[tuple[Node, str | None]] = [
            (self.root(name), file_of(name)) for name in self.documents
        ]
        for node, _ in pending:
            known |= _walk(node.schema, node.base, node.dialect)[4]
        while pending:
            node, file = pending.pop()
            targets = ref_targets(node, dynamic=True) or frozenset()
            for uri in sorted(targets - known):
                known.add(uri)
                document, path = find(uri), None
                if uri.startswith(BASE):
                    path = posixpath.normpath(uri[len(BASE) :])
                elif file is not None:
                    path = _beside(node.doc, uri, file)
                    if document is None and path is not None:
                        document = (
                            self.documents[by_file[path]] if path in by_file else find(BASE + path)
                        )
                if document is None:
                    document = metaschema(uri)
                if document is not None:
                    found[uri] = document
                    here = Node(document, uri, uri, self.dialect(document), self)
                    known |= _walk(here.schema, here.base, here.dialect)[4]
                    pending.append((here, path))
        if len(found) == len(self.referenced):
            return self
        return SchemaSet(self.documents, self.label, self.default_dialect, found)

    def unchanged_since(self, other: SchemaSet) -> frozenset[str]:
        """The documents (by URI) the same in both sets, annotations aside, whose references all
        lead to documents that are unchanged too."""
        from .values import same_schema

        known = self._unchanged.get(id(other))
        if known is not None and known[0] is other:
            return known[1]
        mine = {**{self.uris[n]: self.documents[n] for n in self.documents}, **self.referenced}
        theirs = {
            **{other.uris[n]: other.documents[n] for n in other.documents},
            **other.referenced,
        }
        kept = {uri for uri in mine if uri in theirs and same_schema(mine[uri], theirs[uri])}
        # A dynamic reference may land in any document that holds a dynamic anchor, on either side.
        anchors = self.dynamic_scope | other.dynamic_scope
        targets = {uri: self._reach(uri, anchors) for uri in kept}
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

    def _reach(self, uri: str, anchors: frozenset[str]) -> frozenset[str]:
        """The documents that the references of the document at ``uri`` may lead to."""
        node = self.node_at(uri)
        found = ref_targets(node)
        if found is None:  # a dynamic reference: its static target, or any dynamic anchor
            found = (ref_targets(node, dynamic=True) or frozenset()) | anchors
        return found

    @cached_property
    def dynamic_scope(self) -> frozenset[str]:
        """The documents (by URI) holding a ``$dynamicAnchor`` (or ``$recursiveAnchor``)."""
        mine = {**{self.uris[n]: self.documents[n] for n in self.documents}, **self.referenced}
        return frozenset(
            uri for uri, document in mine.items() if _walk(document, uri, self.dialect(document))[3]
        )

    def check(self) -> None:
        """Refuse a set that cannot be compared: a schema that its metaschema rejects, or a $ref that
        resolves to nothing. Raises CompatInputError naming the schema and the place."""
        for name in sorted(self.documents):
            self._check_metaschema(name)
        for name in sorted(self.documents):
            root = self.root(name)
            _, _, sites, _, _ = _walk(root.schema, root.base, root.dialect)
            if all(self._resolves_within(base, ref) for base, ref in sites):
                continue  # (found by the walk with_referenced made already)
            for pointer, base, schema in _ref_sites(root.schema, root.base, root.dialect):
                if self._resolves_within(base, schema["$ref"]):
                    continue
                try:
                    Node(schema, base, root.doc, root.dialect, self).resolve()
                except CompatInputError as error:
                    raise CompatInputError(
                        f"{self.label}: {file_of(name)} at {pointer or '/'}: {error}",
                        self.path_of(name),
                    ) from None

    def _resolves_within(self, base: str, ref: str) -> bool:
        """Whether ``ref`` surely resolves, as the registry's resolver would find it: to a whole
        document of this set (metaschema-checked), or along a JSON pointer that exists in one.
        False when unsure: ``Node.resolve`` then decides, and words the error."""
        uri, fragment = (base, ref[1:]) if ref.startswith("#") else _split(base, ref)
        try:
            contents = self.registry[uri].contents
        except LookupError:
            return False
        if id(contents) not in self._names[1]:
            return False  # a document only referenced: not checked against its metaschema
        if not fragment:
            return True
        if not fragment.startswith("/"):
            return False  # an anchor
        for segment in unquote(fragment[1:]).split("/"):
            if isinstance(contents, list):
                if not (segment.isascii() and segment.isdigit()) or int(segment) >= len(contents):
                    return False
                contents = contents[int(segment)]
            elif isinstance(contents, dict):
                segment = segment.replace("~1", "/").replace("~0", "~")
                if segment not in contents:
                    return False
                contents = contents[segment]
            else:
                return False
        return True

    def path_of(self, name: str) -> str | None:
        """The file of ``name`` on disk, when this set was read from a directory."""
        from pathlib import Path

        return f"{self.label}/{file_of(name)}" if Path(self.label).is_dir() else None

    def _check_metaschema(self, name: str) -> None:
        schema = self.documents[name]
        where = f"{self.label}: {file_of(name)}"
        if not isinstance(schema, dict | bool):
            raise CompatInputError(
                f"{where}: a schema is an object or a boolean", self.path_of(name)
            )
        dialect = self.dialect(schema)
        if dialect not in KNOWN_DIALECTS:
            raise CompatInputError(f"{where}: unknown $schema {dialect!r}", self.path_of(name))
        if _fit_fast(schema, dialect):
            return
        text = json.dumps(schema, sort_keys=True)
        if (dialect, text) in _FIT:
            return
        from jsonschema.exceptions import best_match

        cls = _validator_class(dialect)
        error = best_match(
            cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER).iter_errors(schema)
        )
        if error is not None:
            pointer = "".join(f"/{escape(str(p))}" for p in error.absolute_path) or "/"
            short = dialect.rsplit("/", 2)[-2]
            raise CompatInputError(
                f"{where}: not valid JSON Schema ({short}) at {pointer}: {error.message}",
                self.path_of(name),
            )
        if len(_FIT) > 10_000:
            _FIT.clear()
        _FIT.add((dialect, text))


def _beside(doc: str, target: str, file: str) -> str | None:
    """The file ``target`` names when taken as a path from ``file``, whose URI is ``doc``: both
    URIs on one host, so that a relative reference is a relative path."""
    here, there = urlsplit(doc), urlsplit(target)
    if (here.scheme, here.netloc) != (there.scheme, there.netloc) or not there.path:
        return None
    relative = posixpath.relpath(there.path, posixpath.dirname(here.path) or "/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(file), relative))


def ref_targets(node: Node, *, dynamic: bool = False) -> frozenset[str] | None:
    """The documents the ``$ref``s under ``node`` lead to. None if it has a dynamic reference
    (whose target depends on where it is entered from), unless ``dynamic``."""
    targets, has_dynamic, _, _, _ = _walk(node.schema, node.base, node.dialect)
    return None if has_dynamic and not dynamic else targets


_Found = tuple[frozenset[str], bool, tuple[tuple[str, str], ...], bool, frozenset[str]]
# Each (schema, base, dialect) walked once: (schema, what _walk found).
_walked: dict[tuple[int, str, str], tuple[Any, _Found]] = {}


def _walk(schema: Any, base: str, dialect: str) -> _Found:
    """The documents the ``$ref``s and ``$dynamicRef``s under ``schema`` lead to, whether it has
    a dynamic reference, each ``$ref`` as (base, reference) in no particular order, whether it
    has a dynamic anchor (``$dynamicAnchor``, ``$recursiveAnchor``), and the URIs of the
    resources embedded in it under their own ``$id``. Bases change as ``Node.child`` changes
    them."""
    key = (id(schema), base, dialect)
    known = _walked.get(key)
    if known is not None and known[0] is schema:
        return known[1]
    targets: set[str] = set()
    embedded: set[str] = set()
    sites: list[tuple[str, str]] = []
    has_dynamic = has_anchor = False
    id_keyword = "id" if dialect == DRAFT_04 else "$id"
    fragment_ids = dialect in _FRAGMENT_IDS
    stack: list[tuple[Any, str, bool]] = [(schema, base, False)]
    while stack:
        value, here, is_map = stack.pop()
        if isinstance(value, list):
            children: Any = [(v, False) for v in value]
        elif isinstance(value, dict):
            if not is_map and ("$dynamicRef" in value or "$recursiveRef" in value):
                has_dynamic = True
            if not is_map and ("$dynamicAnchor" in value or "$recursiveAnchor" in value):
                has_anchor = True
            for keyword in ("$ref", "$dynamicRef") if not is_map else ():
                ref = value.get(keyword)
                if isinstance(ref, str):
                    targets.add(_join(here, ref))
                    if keyword == "$ref":
                        sites.append((here, ref))
            children = [(v, m) for _, v, m in _children(value, is_map)]
        else:
            continue
        for child, child_is_map in children:
            if isinstance(child, dict):
                own = None if child_is_map else child.get(id_keyword)
                if isinstance(own, str) and own and not (fragment_ids and own.startswith("#")):
                    embedded.add(_join(here, own))
                    stack.append((child, _join(here, own), child_is_map))
                    continue
                stack.append((child, here, child_is_map))
            elif isinstance(child, list):
                stack.append((child, here, False))
    found = (frozenset(targets), has_dynamic, tuple(sites), has_anchor, frozenset(embedded))
    if len(_walked) > 20_000:
        _walked.clear()
    _walked[key] = (schema, found)
    return found


@lru_cache(maxsize=1 << 16)
def _join(base: str, reference: str) -> str:
    """``reference`` resolved against ``base``, without its fragment."""
    return urldefrag(urljoin(base, reference)).url


@lru_cache(maxsize=1 << 16)
def _split(base: str, reference: str) -> tuple[str, str]:
    """``reference`` resolved against ``base``: the URI and the fragment."""
    uri, fragment = urldefrag(urljoin(base, reference))
    return uri, fragment


def _ref_sites(schema: Any, base: str, dialect: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every schema holding a ``$ref`` under ``schema``, as (pointer, base, schema), in document
    order; bases change as ``Node.child`` changes them."""
    id_keyword = "id" if dialect == DRAFT_04 else "$id"
    fragment_ids = dialect in _FRAGMENT_IDS
    path: list[str] = []

    def rebased(value: Any, here: str) -> str:
        own = value.get(id_keyword) if isinstance(value, dict) else None
        if isinstance(own, str) and own and not (fragment_ids and own.startswith("#")):
            return _join(here, own)
        return here

    def walk(value: Any, here: str, is_map: bool) -> Iterator[tuple[str, str, dict[str, Any]]]:
        if isinstance(value, list):
            for index, item in enumerate(value):
                path.append(str(index))
                yield from walk(item, rebased(item, here), False)
                path.pop()
            return
        if not isinstance(value, dict):
            return
        if not is_map and isinstance(value.get("$ref"), str):
            yield "".join(f"/{p}" for p in path), here, value
        for key, item, item_is_map in _children(value, is_map):
            if not isinstance(item, dict | list):
                continue
            path.append(escape(key))
            yield from walk(item, here if item_is_map else rebased(item, here), item_is_map)
            path.pop()

    return walk(schema, base, False)


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
            own = own_id(schema, self.dialect)
            if own and not (self.dialect in _FRAGMENT_IDS and own.startswith("#")):
                base = _join(base, own)
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
        key = (self.base, ref, self.dialect)
        known = self.sset.resolved.get(key)
        if known is not None:
            return known
        try:
            resolved = self.sset.registry.resolver(base_uri=self.base).lookup(ref)
        except Unresolvable:
            raise CompatInputError(f"$ref {ref!r} does not resolve") from None
        target = _join(self.base, ref)
        try:
            document = self.sset.registry.contents(target)
        except Exception:
            document = None
        # A resource embedded in a document under its own $id (AsyncAPI's definitions, and the
        # copy of draft-07's metaschema it holds under that metaschema's $id) is read in the
        # dialect of the schema referring to it, as jsonschema reads it, unless it names one.
        dialect = self.dialect
        name = self.sset.name_of(target)
        if document is not None and (
            (isinstance(document, dict) and "$schema" in document)
            or document is self.sset.referenced.get(target)
            or (name is not None and document is self.sset.documents[name])
        ):
            dialect = self.sset.dialect(document)
        contents = resolved.contents
        base = target
        own = own_id(contents, dialect)
        if own and not (dialect in _FRAGMENT_IDS and own.startswith("#")):
            base = _join(target, own)
        node = Node(contents, base, target, dialect, self.sset)
        self.sset.resolved[key] = node
        return node

    def is_valid(self, instance: Any, *, formats: bool) -> bool:
        """Whether ``instance`` validates under this node's schema (hidden keywords included)."""
        if self.schema is True or self.schema is False:
            return bool(self.schema)
        simple = _simple(self.schema, instance, self.dialect)
        if simple is not None:
            return simple
        key = (id(self.schema), self.base, self.dialect, formats)
        try:  # the text tells 1 from 1.0 and true from 1, as draft-04's "integer" does
            seen = (key, json.dumps(instance, sort_keys=True))
        except (TypeError, ValueError):
            seen = None
        known = self.sset.verdicts.get(seen) if seen is not None else None
        if known is not None:
            return known
        cls = _validator_class(self.dialect)
        resolver = self.sset.registry.resolver(base_uri=self.base)
        verdict = direct.verdict(self.schema, instance, cls, resolver, formats=formats)
        if verdict is None:
            verdict = direct.light_verdict(self.schema, instance, cls, resolver, formats=formats)
        if verdict is None:
            validator = self.sset.validators.get(key)
            if validator is None:
                make: Any = cls  # _resolver is jsonschema's (underscored) way to set the base URI
                validator = make(
                    self.schema,
                    registry=self.sset.registry,
                    format_checker=cls.FORMAT_CHECKER if formats else None,
                    _resolver=resolver,
                )
                self.sset.validators[key] = validator
            verdict = bool(validator.is_valid(instance))
        if seen is not None:
            self.sset.verdicts[seen] = verdict
        return verdict
