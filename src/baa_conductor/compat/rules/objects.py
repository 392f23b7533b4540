"""Objects: each property between the schemas that apply to it on each side, names neither
lists, ``required``, dependencies and ``propertyNames``.

``unevaluatedProperties`` applies to the names that nothing else evaluated: not the names of
``properties`` and ``patternProperties`` beside it, and not those of the schemas its in-place
applicators (``$ref``, ``allOf``, ``anyOf``, ...) apply, when these validate (2020-12 core,
"unevaluatedProperties"). Which of those validate depends on the instance, so each side is read
the way that can only make a "compatible" harder to prove: a reader's evaluated names are those
of the schemas that always apply (``$ref`` and ``allOf`` targets, followed through theirs), a
writer's those of every in-place subschema (``anyOf`` members and ``then`` included)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ...exceptions import CompatInputError
from ..findings import (
    BREAKING,
    COMPATIBLE,
    UNKNOWN,
    Finding,
    failure_reason,
    matches,
    ok,
    worst,
)
from ..keywords import REF_OVERRIDES_DIALECTS
from ..schemaset import Node, escape
from ..values import same_schema
from ..walk import Walk, Writer, marks, under_each

# In-place applicators whose subschemas always apply when the schema validates, and the others
# (``not`` evaluates nothing: its subschema's annotations are dropped when ``not`` holds).
_ALWAYS = ("$ref", "allOf")
_SOMETIMES = ("anyOf", "oneOf", "if", "then", "else", "dependentSchemas", "dependencies")
_UNEVALUATED = "unevaluatedProperties"
# Beside these, every name may be evaluated, or which ones is not followed.
_EVERY = frozenset({"additionalProperties", _UNEVALUATED})
_UNFOLLOWED = frozenset({"$dynamicRef", "$recursiveRef", "dependencies"})
# The keywords ``_property`` reads: a schema with none of them says nothing of any property.
_NAMING = frozenset({"properties", "patternProperties", "additionalProperties", _UNEVALUATED})


@dataclass(frozen=True)
class Evaluated:
    """Names that in-place applicators beside ``unevaluatedProperties`` may evaluate, or
    ``every``: some name they evaluate is not known (an ``additionalProperties`` among them, a
    dynamic reference)."""

    names: frozenset[str] = frozenset()
    patterns: frozenset[str] = frozenset()
    every: bool = False

    def covers(self, name: str) -> bool:
        return self.every or name in self.names or any(matches(p, name) for p in self.patterns)


_META = frozenset(".^$*+?()[]{}|\\/")
# Escapes that stand for their character (the rest are classes or assertions: \d, \b, ...).
_PLAIN_ESCAPES = frozenset(".^$*+?()[]{}|\\/-_:#@!%&=<>,;'\" ~")
MAX_LISTED = 64
_RANK = {UNKNOWN: 0, BREAKING: 1, COMPATIBLE: 2}


@cache
def listed_names(pattern: str) -> frozenset[str] | None:
    """The names a pattern that lists them matches (``^(get|put)$``, ``^(?:a|b\\.c)$``,
    ``^only$``), or None for any other pattern. Anchored at both ends as ECMA-262 reads ``^``
    and ``$``: no other name matches."""
    if len(pattern) < 2 or pattern[0] != "^" or pattern[-1] != "$" or pattern[-2:] == "\\$":
        return None
    body = pattern[1:-1]
    grouped = False
    for opening in ("(?:", "("):
        if body.startswith(opening) and body.endswith(")"):
            body, grouped = body[len(opening) : -1], True
            break
    names: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            if index + 1 >= len(body) or body[index + 1] not in _PLAIN_ESCAPES:
                return None
            current.append(body[index + 1])
            index += 2
            continue
        if char == "|":
            names.append("".join(current))
            current = []
        elif char in _META:
            return None
        else:
            current.append(char)
        index += 1
    names.append("".join(current))
    if len(names) > MAX_LISTED or (len(names) > 1 and not grouped):
        return None  # a bare "^a|b$" is "^a" or "b$": not a list
    return frozenset(names)


class ObjectRules(Walk):
    def __init__(self, reader_is_new: bool) -> None:
        super().__init__(reader_is_new)
        self._evaluated_memo: dict[Any, Evaluated] = {}
        self._shape_memo: dict[Any, bool] = {}
        self._property_memo: dict[Any, list[tuple[Node, str]]] = {}

    def _evaluated(self, node: Node, *, reader: bool) -> Evaluated:
        """What the in-place applicators of ``node`` evaluate, for its ``unevaluatedProperties``:
        no more than they surely do for a reader, no less than they may for a writer."""
        key = (id(node.schema), node.base, reader)
        known = self._evaluated_memo.get(key)
        if known is not None:
            return known
        names: set[str] = set()
        patterns: set[str] = set()
        every = False
        seen: set[Any] = {(id(node.schema), node.base)}
        stack = list(self._applied(node, reader=reader))
        while stack and not every:
            sub = stack.pop()
            if sub is None:  # a subschema that cannot be followed
                every = not reader
                continue
            if (id(sub.schema), sub.base) in seen or not isinstance(sub.schema, dict):
                continue
            seen.add((id(sub.schema), sub.base))
            if sub.dialect in REF_OVERRIDES_DIALECTS:
                # Before 2019-09 nothing is evaluated (there are no annotations to collect).
                every = not reader
                continue
            if sub.has("additionalProperties") or sub.has("unevaluatedProperties"):
                every = True  # between them, every name is evaluated
                continue
            names.update(sub.get("properties") or {})
            patterns.update(sub.get("patternProperties") or {})
            stack.extend(self._applied(sub, reader=reader))
        found = Evaluated(frozenset(names), frozenset(patterns), every)
        self._evaluated_memo[key] = found
        return found

    @staticmethod
    def _applied(node: Node, *, reader: bool) -> list[Node | None]:
        """The subschemas ``node`` applies in place (None where one cannot be followed)."""
        schema = node.schema
        out: list[Node | None] = []
        for keyword in _ALWAYS if reader else (*_ALWAYS, *_SOMETIMES):
            value = schema.get(keyword)
            if keyword == "$ref":
                if isinstance(value, str):
                    try:
                        out.append(node.resolve())
                    except CompatInputError:
                        out.append(None)
            elif isinstance(value, list):
                out += [node.child(keyword, i) for i in range(len(value))]
            elif keyword in ("if", "then", "else") and isinstance(value, dict):
                out.append(node.child(keyword))
            elif isinstance(value, dict):
                out += [node.child(keyword, k) for k, v in value.items() if isinstance(v, dict)]
        if not reader and any(k in schema for k in ("$dynamicRef", "$recursiveRef")):
            out.append(None)
        return out

    def _same_shape(self, r: Node, w: Node) -> bool:
        """Whatever the instance, a name the reader's ``unevaluatedProperties`` applies to, the
        writer's applies to too (so it holds there): both sides apply in-place subschemas of
        the same structure, every one that applies only when it validates (an ``if``, a member
        of ``anyOf`` or ``oneOf``) unchanged, and each of the writer's evaluates no name that
        the reader's at the same place does not, unless the reader always evaluates it (its
        own ``properties`` and ``patternProperties``, what its ``$ref`` and ``allOf`` apply).
        What always applies (``allOf``, ``$ref``, the branch ``if`` chooses, the dependent
        schema of a name present) may otherwise differ: a valid instance validates it."""
        if not (r.has(_UNEVALUATED) and w.has(_UNEVALUATED)):
            return False
        if r.has("additionalProperties") or w.has("additionalProperties"):
            return False
        key = (r.key(), w.key())
        known = self._shape_memo.get(key)
        if known is None:
            always = self._evaluated(r, reader=True)
            if always.every:
                known = False
            else:
                own = Evaluated(
                    always.names | set(r.get("properties") or ()),
                    always.patterns | set(r.get("patternProperties") or ()),
                )
                try:
                    known = self._shape(r, w, own, set(), top=True)
                except CompatInputError:
                    known = False
            self._shape_memo[key] = known
        return known

    def _shape(
        self, a: Node, b: Node, always: Evaluated, seen: set[Any], *, top: bool = False
    ) -> bool:
        """``b`` (the writer's) evaluates no more than ``a`` (the reader's), see _same_shape."""
        if not isinstance(a.schema, dict) or not isinstance(b.schema, dict):
            return isinstance(a.schema, bool) and a.schema is b.schema
        pair = (a.key(), b.key())
        if pair in seen:
            return True
        seen.add(pair)
        if not top:
            if a.dialect in REF_OVERRIDES_DIALECTS or b.dialect in REF_OVERRIDES_DIALECTS:
                return False
            if a.keys() & _EVERY or b.keys() & _EVERY:
                return False
            mine = set(a.get("properties") or ())
            if any(k not in mine and not always.covers(k) for k in b.get("properties") or ()):
                return False
            mine = set(a.get("patternProperties") or ())
            if any(q not in mine | always.patterns for q in b.get("patternProperties") or ()):
                return False
        if a.keys() & _UNFOLLOWED or b.keys() & _UNFOLLOWED:
            return False
        if any(a.has(k) != b.has(k) for k in (*_ALWAYS, *_SOMETIMES)):
            return False
        if a.has("$ref") and not self._shape(a.resolve(), b.resolve(), always, seen):
            return False
        for keyword in ("allOf", "anyOf", "oneOf"):
            mine_l, theirs_l = a.get(keyword) or [], b.get(keyword) or []
            if len(mine_l) != len(theirs_l):
                return False
            for i in range(len(mine_l)):
                x, y = a.child(keyword, i), b.child(keyword, i)
                if keyword == "allOf":
                    same = self._shape(x, y, always, seen)
                else:
                    same = self._unchanged(x, y)
                if not same:
                    return False
        if a.has("if") and not self._unchanged(a.child("if"), b.child("if")):
            return False
        for keyword in ("then", "else"):
            if a.has(keyword) and not self._shape(a.child(keyword), b.child(keyword), always, seen):
                return False
        mine_d, theirs_d = a.get("dependentSchemas") or {}, b.get("dependentSchemas") or {}
        if set(mine_d) != set(theirs_d):
            return False
        return all(
            self._shape(
                a.child("dependentSchemas", k), b.child("dependentSchemas", k), always, seen
            )
            for k in mine_d
        )

    def _additional(self, node: Node, *, reader: bool) -> tuple[Node | None, str]:
        """The schema the names ``properties`` and ``patternProperties`` leave must match
        (for ``unevaluatedProperties``, except those the applicators beside it evaluate)."""
        if node.has("additionalProperties"):
            return node.child("additionalProperties"), "/additionalProperties"
        if node.has("unevaluatedProperties") and not self._evaluated(node, reader=reader).every:
            return node.child("unevaluatedProperties"), "/unevaluatedProperties"
        return None, "/additionalProperties"

    def _elsewhere(self, node: Node, *, reader: bool) -> Evaluated:
        """The names ``node``'s ``unevaluatedProperties`` leaves to its in-place applicators."""
        if node.has("additionalProperties") or not node.has("unevaluatedProperties"):
            return Evaluated()
        return self._evaluated(node, reader=reader)

    def _property(self, node: Node, name: str, *, reader: bool) -> list[tuple[Node, str]]:
        """The schemas that a property called ``name`` must match in ``node``, with pointers."""
        # Asked again for the same nodes and names from every comparison that meets them.
        key = (node.key(), name, reader)
        found = self._property_memo.get(key)
        if found is not None:
            return found
        found = self._own(node, name)
        if not found and not self._elsewhere(node, reader=reader).covers(name):
            extra, pointer = self._additional(node, reader=reader)
            if extra is not None:
                found.append((extra, pointer))
        self._property_memo[key] = found
        return found

    @staticmethod
    def _own(node: Node | None, name: str) -> list[tuple[Node, str]]:
        """The ``properties`` and ``patternProperties`` schemas of ``node`` for ``name``."""
        found: list[tuple[Node, str]] = []
        if node is None:
            return found
        if name in (node.get("properties") or {}):
            found.append((node.child("properties", name), f"/properties/{escape(name)}"))
        for pattern in node.get("patternProperties") or {}:
            if matches(pattern, name):
                found.append(
                    (
                        node.child("patternProperties", pattern),
                        f"/patternProperties/{escape(pattern)}",
                    )
                )
        return found

    def _cannot_have(self, alt: Writer, name: str) -> bool:
        return any(s.schema is False for n in alt for s, _ in self._property(n, name, reader=False))

    def _object_rule(self, r: Node, alt: Writer, primary: Node | None) -> list[Finding]:
        findings: list[Finding] = []
        r_props = r.get("properties") or {}
        p_props = (primary.get("properties") or {}) if primary is not None else {}
        names = dict.fromkeys([*r_props, *(k for n in alt for k in n.get("properties") or {})])
        # A pattern that lists its names is read as those properties, one by one.
        for n in (r, *alt):
            for pattern in n.get("patternProperties") or {}:
                names.update(dict.fromkeys(sorted(listed_names(pattern) or ())))
        # The writer's unevaluatedProperties holds wherever the reader's does (see _same_shape).
        also = (
            (primary.child(_UNEVALUATED),)
            if primary is not None and self._same_shape(r, primary)
            else ()
        )
        # Only these writer schemas hold schemas for properties (an alternative is often a dozen
        # schemas, of which two or three say anything about properties).
        shaping = [n for n in alt if n.keys() & _NAMING]
        parts: list[tuple[str, list[Finding]]] = []
        for name in names:
            r_ks = self._property(r, name, reader=True)
            w_k = (
                [(s, ptr) for n in shaping for s, ptr in self._property(n, name, reader=False)]
                if r_ks
                else []
            )
            subs: list[Finding] = []
            for r_k, r_pointer in r_ks:
                # The writer's schema from the same keyword first: it sits where r_k does.
                writer = tuple(s for s, ptr in sorted(w_k, key=lambda w: w[1] != r_pointer))
                if also and r_pointer == f"/{_UNEVALUATED}" and not self._own(primary, name):
                    writer = (*writer, *also)
                found = self.covers(r_k, writer or (r.with_schema(True),))
                if r_k.schema is False and found:  # say which keyword shuts the property out
                    side = "new" if self.reader_is_new else "old"
                    found = [found[0]._replace(kind=f"{side} {r_pointer[1:]} is false")]
                subs += found
            pointer = f"/properties/{escape(name)}"
            if (name in r_props) == (name in p_props) or primary is None:
                parts.append((pointer, subs))
            else:
                parts.append(("", [self._presence(pointer, "property", name in r_props, subs)]))
        findings += under_each(parts)
        findings += self._other_names(r, alt, primary, frozenset(names))
        findings += self._required_rule(r, alt, primary)
        required = max((len(set(n.get("required") or ())) for n in alt), default=0)
        findings += self._count_rule("minProperties", r, alt, primary, required)
        findings += self._count_rule("maxProperties", r, alt, primary, self._most_names(alt))
        findings += self._dependencies_rule(r, alt, primary)
        findings += self._property_names_rule(r, alt, primary)
        return findings

    def _most_names(self, alt: Writer) -> int | None:
        counts = [len(names) for n in alt if (names := self._only_names(n)) is not None]
        return min(counts) if counts else None

    def _only_names(self, n: Node) -> set[str] | None:
        """The only names a writer's object may have (None: any others too)."""
        extra, _ = self._additional(n, reader=False)
        if extra is None or extra.schema is not False or n.get("patternProperties"):
            return None
        elsewhere = self._elsewhere(n, reader=False)
        if elsewhere.patterns:
            return None
        props = n.get("properties") or {}
        return {k for k, v in props.items() if v is not False} | elsewhere.names

    def _other_names(
        self, r: Node, alt: Writer, primary: Node | None, named: frozenset[str]
    ) -> list[Finding]:
        """Properties named in neither schema: the reader's additional / pattern schemas must
        accept whatever the writer lets such properties hold."""
        findings: list[Finding] = []
        r_patterns = r.get("patternProperties") or {}
        # Names the reader's own applicators evaluate are not in its unevaluatedProperties' share.
        r_elsewhere = self._elsewhere(r, reader=True)
        # A name the writer's applicators may evaluate is held to its unevaluatedProperties when
        # the reader's is applied to it too (see _same_shape).
        shaped = primary if primary is not None and self._same_shape(r, primary) else None
        regions: list[tuple[Node, str, str | None]] = []
        extra, extra_ptr = self._additional(r, reader=True)
        if extra is not None:
            regions.append((extra, extra_ptr, None))
        for pattern in r_patterns:
            regions.append(
                (
                    r.child("patternProperties", pattern),
                    f"/patternProperties/{escape(pattern)}",
                    pattern,
                )
            )
        for region, pointer, pattern in regions:
            if region.schema is True or (pattern is not None and listed_names(pattern)):
                continue  # a listed name is compared by name
            attempts = [
                self._region_in(region, pattern, n, r_patterns, r_elsewhere, named, shaped)
                for n in alt
            ]
            good = next((a for a in attempts if ok(a)), None)
            keyword = pointer.split("/")[1]
            r_value = r.get(keyword) if pattern is None else r_patterns[pattern]
            p_value = None
            if primary is not None:
                p_value = primary.get(keyword)
                if pattern is not None:
                    p_value = (p_value or {}).get(pattern)
            if good is not None:
                if primary is not None and not same_schema(r_value, p_value):
                    findings.append(self._finding(pointer, keyword, r_value, p_value, COMPATIBLE))
                findings += marks(good, pointer)
                continue
            # No node of the writer proves it: report the closest (a node that holds these
            # names to nothing is "cannot tell" where the one that does may prove "breaking").
            subs = max(attempts, key=lambda a: _RANK[worst(a)]) if attempts else []
            why = failure_reason(subs)
            findings.append(
                self._finding(
                    pointer, keyword, r_value, p_value, worst(subs) if subs else BREAKING, why
                )
            )
        return findings

    def _region_in(
        self,
        region: Node,
        pattern: str | None,
        n: Node,
        r_patterns: dict[str, Any],
        r_elsewhere: Evaluated,
        named: frozenset[str],
        shaped: Node | None,
    ) -> list[Finding]:
        """The reader's ``region`` (its schema for unnamed properties, or for those ``pattern``
        matches) against what the writer's node ``n`` lets such properties hold."""
        n_patterns = n.get("patternProperties") or {}
        if pattern is not None and pattern in n_patterns:
            return self.covers(region, (n.child("patternProperties", pattern),))
        extra, _ = self._additional(n, reader=False)
        parts = (
            [] if extra is not None and extra.schema is False else [extra or n.with_schema(True)]
        )
        for q in n_patterns:
            if (pattern is None and q in r_patterns) or listed_names(q):
                continue  # names in the reader's pattern region, or compared by name
            parts.append(n.child("patternProperties", q))
        # Names n's applicators may evaluate escape its unevaluatedProperties: n holds them to
        # nothing (the applicators' own schemas are other nodes of the writer).
        elsewhere = self._elsewhere(n, reader=False)
        if shaped is not None and (id(n.schema), n.base) == (id(shaped.schema), shaped.base):
            escaping = False  # a name the reader holds to its region, n holds to its own
        elif pattern is None:  # the region: names the reader's patterns and applicators leave
            escaping = any(
                q not in r_patterns and q not in r_elsewhere.patterns for q in elsewhere.patterns
            ) or any(
                not r_elsewhere.covers(k) and not any(matches(p, k) for p in r_patterns)
                for k in elsewhere.names - named
            )
        else:
            escaping = bool(elsewhere.patterns) or any(
                matches(pattern, k) for k in elsewhere.names - named
            )
        if escaping:
            parts.append(n.with_schema(True))
        findings: list[Finding] = []
        for part in parts:
            findings += self.covers(region, (part,))
        return findings

    def _required_rule(self, r: Node, alt: Writer, primary: Node | None) -> list[Finding]:
        findings = []
        for name in r.get("required") or ():
            held = any(name in (n.get("required") or ()) for n in alt)
            in_primary = primary is not None and name in (primary.get("required") or ())
            if not held:
                findings.append(self._required_finding(name, in_reader=True, verdict=BREAKING))
            elif primary is not None and not in_primary:
                findings.append(self._required_finding(name, in_reader=True, verdict=COMPATIBLE))
        return findings

    def _dependencies(
        self, node: Node
    ) -> tuple[dict[str, tuple[list[str], str]], dict[str, tuple[Node, str]]]:
        """Property dependencies as (names, pointer) and dependent schemas as (node, pointer)."""
        arrays: dict[str, tuple[list[str], str]] = {}
        schemas: dict[str, tuple[Node, str]] = {}
        for keyword in ("dependencies", "dependentRequired", "dependentSchemas"):
            for name, value in (node.get(keyword) or {}).items():
                pointer = f"/{keyword}/{escape(name)}"
                if isinstance(value, list):
                    names = arrays.get(name, ([], pointer))[0]
                    arrays[name] = ([*names, *value], pointer)
                else:
                    schemas[name] = (node.child(keyword, name), pointer)
        return arrays, schemas

    def _dependencies_rule(self, r: Node, alt: Writer, primary: Node | None) -> list[Finding]:
        findings: list[Finding] = []
        r_arrays, r_schemas = self._dependencies(r)
        w_deps = [self._dependencies(n) for n in alt]
        p_arrays, p_schemas = self._dependencies(primary) if primary is not None else ({}, {})
        for name, (needed, pointer) in r_arrays.items():
            missing = [
                d
                for d in needed
                if not any(d in (n.get("required") or ()) for n in alt)
                and not any(d in arrays.get(name, ([], ""))[0] for arrays, _ in w_deps)
                and not self._cannot_have(alt, name)
            ]
            p_value = p_arrays[name][0] if name in p_arrays else None
            if missing:
                findings.append(self._finding(pointer, "dependency", needed, p_value, BREAKING))
            elif primary is not None and sorted(needed) != sorted(p_value or ()):
                findings.append(self._finding(pointer, "dependency", needed, p_value, COMPATIBLE))
        for name, (schema, pointer) in r_schemas.items():
            holds = (
                self._cannot_have(alt, name)
                or any(
                    name in schemas and ok(self.covers(schema, (schemas[name][0],)))
                    for _, schemas in w_deps
                )
                or ok(self.covers(schema, alt, aligned=False))
            )
            p_value = p_schemas[name][0].schema if name in p_schemas else None
            verdict = COMPATIBLE if holds else BREAKING
            if not holds or (primary is not None and not same_schema(schema.schema, p_value)):
                findings.append(
                    self._finding(pointer, "dependent schema", schema.schema, p_value, verdict)
                )
        for name in p_arrays.keys() - r_arrays.keys():
            names, pointer = p_arrays[name]
            findings.append(self._finding(pointer, "dependency", None, names, COMPATIBLE))
        for name in p_schemas.keys() - r_schemas.keys():
            node, pointer = p_schemas[name]
            findings.append(
                self._finding(pointer, "dependent schema", None, node.schema, COMPATIBLE)
            )
        return findings

    def _property_names_rule(self, r: Node, alt: Writer, primary: Node | None) -> list[Finding]:
        if not r.has("propertyNames"):
            return []
        names = r.child("propertyNames")
        holds = any(
            n.has("propertyNames") and ok(self.covers(names, (n.child("propertyNames"),)))
            for n in alt
        )
        if not holds:
            for n in alt:
                only = self._only_names(n)
                if only is not None and all(names.is_valid(k, formats=True) for k in only):
                    holds = True
                    break
        return self._judge("propertyNames", r, primary, holds)
