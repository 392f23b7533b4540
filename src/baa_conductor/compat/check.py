"""Does a reader's schema accept everything a writer's schema accepts? Decided keyword by keyword.

``Checker.covers(reader, writer)`` walks the reader's constraints and, for each, looks for a proof
that the writer already implies it (a tighter bound, a narrower type, a member that covers, ...).
No proof is a finding that breaks; there is no "probably fine". The writer is a conjunction of
schemas (its ``allOf`` members and ``$ref`` targets are flattened into it) and a union (``anyOf``,
``oneOf``, ``if``/``then``/``else``) is split into alternatives, each of which must be covered.

BACKWARD runs it with the new schema as reader and the old one as writer; FORWARD the other way.
Each finding is named in old → new terms ("maxLength lowered") so the two runs line up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from ..exceptions import CompatInputError
from .keywords import (
    APPLIES_TO,
    ATOMS,
    ATOMS_OF_TYPE,
    CONTENT,
    IN_PLACE,
    NUMBERS,
    is_constraint,
)
from .schemaset import Node, escape
from .values import member as is_member
from .values import same

COMPATIBLE, BREAKING, UNKNOWN = "compatible", "breaking", "cannot tell"
# A writer split into more alternatives than this is not examined: "cannot tell".
MAX_ALTERNATIVES = 256
LOWER = {"minimum": False, "exclusiveMinimum": True}
UPPER = {"maximum": False, "exclusiveMaximum": True}
COUNTS_UP = ("minLength", "minItems", "minProperties")
COUNTS_DOWN = ("maxLength", "maxItems", "maxProperties")
# Keywords whose changes are listed item by item (each property, dependency, requirement).
PER_ITEM = frozenset(
    {"properties", "required", "dependentRequired", "dependentSchemas", "dependencies"}
)


@dataclass(frozen=True)
class Finding:
    """One difference and its verdict in one direction: does the reader still accept the writer?"""

    pointer: str
    kind: str
    verdict: str
    detail: str = ""  # old -> new, the same in both directions
    reason: str = ""  # why this direction fails
    # The referenced schemas (files) the reader went through to reach it, outermost first.
    via: tuple[str, ...] = ()

    def under(self, prefix: str) -> Finding:
        return replace(self, pointer=prefix + self.pointer)


def ok(findings: Iterable[Finding]) -> bool:
    return all(f.verdict == COMPATIBLE for f in findings)


def worst(findings: Iterable[Finding]) -> str:
    verdicts = {f.verdict for f in findings}
    return UNKNOWN if UNKNOWN in verdicts else BREAKING if BREAKING in verdicts else COMPATIBLE


def _short(value: Any, limit: int = 60) -> str:
    text = "absent" if value is None else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _atoms(type_value: Any) -> frozenset[str]:
    if type_value is None:
        return ATOMS
    names = [type_value] if isinstance(type_value, str) else type_value
    return frozenset().union(*(ATOMS_OF_TYPE.get(n, frozenset()) for n in names))


def _why(finding: Finding) -> str:
    return f"{finding.pointer}: {finding.kind}" if finding.pointer else finding.kind


def _atom_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "fraction"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


def _has_ref(schema: Any) -> bool:
    if isinstance(schema, dict):
        return any(
            k in ("$ref", "$dynamicRef", "$recursiveRef") or _has_ref(v) for k, v in schema.items()
        )
    if isinstance(schema, list):
        return any(_has_ref(v) for v in schema)
    return False


def _matches(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error as error:
        raise CompatInputError(
            f"pattern {pattern!r} is not a regular expression: {error}"
        ) from None


Writer = tuple[Node, ...]


class Checker:
    """One direction of one comparison. ``reader_is_new`` is True for BACKWARD."""

    def __init__(self, reader_is_new: bool) -> None:
        self.reader_is_new = reader_is_new
        self._in_progress: set[Any] = set()

    # naming ------------------------------------------------------------------------------------

    def _old_new(self, reader_value: Any, writer_value: Any) -> tuple[Any, Any]:
        return (writer_value, reader_value) if self.reader_is_new else (reader_value, writer_value)

    def _kind(self, keyword: str, reader_value: Any, writer_value: Any) -> str:
        old, new = self._old_new(reader_value, writer_value)
        if keyword == "enum" and isinstance(old, list) and isinstance(new, list):
            added = any(not is_member(v, old) for v in new)
            removed = any(not is_member(v, new) for v in old)
            if added != removed:
                return f"enum value {'added' if added else 'removed'}"
        if old is None:
            return f"{keyword} added"
        if new is None:
            return f"{keyword} removed"
        if (
            isinstance(old, int | float)
            and isinstance(new, int | float)
            and not isinstance(old, bool)
            and not isinstance(new, bool)
        ):
            return f"{keyword} {'raised' if new > old else 'lowered'}"
        return f"{keyword} changed"

    def _detail(self, reader_value: Any, writer_value: Any) -> str:
        old, new = self._old_new(reader_value, writer_value)
        return f"{_short(old)} -> {_short(new)}"

    def _finding(
        self, pointer: str, keyword: str, r: Any, w: Any, verdict: str, why: str = ""
    ) -> Finding:
        return Finding(pointer, self._kind(keyword, r, w), verdict, self._detail(r, w), why)

    def _presence(self, pointer: str, what: str, in_reader: bool, subs: list[Finding]) -> Finding:
        """An item (property, prefix item) present on one side only, judged by ``subs``."""
        in_old = not in_reader if self.reader_is_new else in_reader
        verdict = worst(subs)
        why = next((_why(f) for f in subs if f.verdict != COMPATIBLE), "")
        return Finding(pointer, f"{what} {'removed' if in_old else 'added'}", verdict, "", why)

    # the walk ----------------------------------------------------------------------------------

    def deref(self, node: Node) -> Node:
        """Before 2019-09 a ``$ref`` replaces the schema it sits in: follow it."""
        for _ in range(64):
            if not (node.ref_overrides and isinstance(node.get("$ref"), str)):
                return node
            node = node.resolve()
        raise CompatInputError(f"$ref chain too long at {node.doc}")

    def covers(self, reader: Node, writer: Writer, *, aligned: bool = True) -> list[Finding]:
        """Findings for every reader constraint the writer does not provably imply.

        ``aligned``: reader and writer sit at the same place in their schemas, so what only the
        writer has is a change worth listing (not so for an ``allOf`` member against the writer).
        """
        r = self.deref(reader)
        key = (r.key(), tuple(n.key() for n in writer), aligned)
        if key in self._in_progress:
            return []  # a recursive schema met again: judged where it started
        self._in_progress.add(key)
        try:
            return self._covers(r, writer, aligned)
        finally:
            self._in_progress.discard(key)

    @staticmethod
    def _get(node: Node | None, keyword: str) -> Any:
        return node.get(keyword) if node is not None else None

    def _through_refs(self, node: Node) -> Node:
        """A schema that is only a ``$ref`` (and annotations) stands for its target."""
        for _ in range(64):
            node = self.deref(node)
            if not isinstance(node.get("$ref"), str) or any(
                is_constraint(k) for k in node.keys() - {"$ref"}
            ):
                return node
            node = node.resolve()
        raise CompatInputError(f"$ref chain too long at {node.doc}")

    def _covers(self, r: Node, writer: Writer, aligned: bool) -> list[Finding]:
        target = self._through_refs(r)
        if target is not r:
            via = r.sset.name_of(target.doc) if target.doc != r.doc else None
            found = self.covers(target, writer, aligned=aligned)
            return [f if via is None else replace(f, via=(via, *f.via)) for f in found]
        primary = self._through_refs(writer[0]) if aligned and len(writer) == 1 else None
        if (
            primary is not None
            and not primary.hidden
            and same(r.schema, primary.schema)
            and not _has_ref(r.schema)
        ):
            return []
        alternatives = self.alternatives(writer)
        if alternatives is None:
            return [Finding("", "schema too branched to compare", UNKNOWN)]
        if r.schema is True:
            return self._extras(r, primary) if primary is not None else []
        findings: list[Finding] = []
        for alt in alternatives:
            if r.schema is False:
                findings.append(Finding("", "schema is false", BREAKING, "", "rejects every value"))
                break
            findings.extend(self._covers_alt(r, alt, primary))
        return _dedupe(findings)

    def flatten(self, nodes: Iterable[Node], present: Writer = ()) -> Writer:
        """The writer as a conjunction: ``allOf`` members and ``$ref`` targets lifted beside it.

        Schemas already in ``present`` are not added again (one that recurs inside a branch of its
        own union is dropped there: a weaker writer, so still a safe check)."""
        out: list[Node] = []
        seen: set[Any] = {(id(n.schema), n.base) for n in present}
        stack = [self.deref(n) for n in nodes]
        while stack:
            node = stack.pop(0)
            if (id(node.schema), node.base) in seen:
                continue
            seen.add((id(node.schema), node.base))
            out.append(node)
            for index in range(len(node.get("allOf") or ())):
                stack.append(self.deref(node.child("allOf", index)))
            if isinstance(node.get("$ref"), str):
                stack.append(self.deref(node.resolve()))
        return tuple(out)

    def alternatives(self, writer: Writer) -> list[Writer] | None:
        """The writer as a union of conjunctions with no union left inside (None: too many)."""
        work = [self.flatten(writer)]
        done: list[Writer] = []
        for _ in range(4 * MAX_ALTERNATIVES):
            if not work:
                return done
            alt = work.pop()
            if any(n.schema is False for n in alt) or not self.atoms(alt):
                continue  # accepts nothing
            split = next((n for n in alt if n.keys() & {"anyOf", "oneOf", "if"}), None)
            if split is None:
                done.append(alt)
                continue
            rest = tuple(n for n in alt if n is not split)
            if split.has("anyOf") or split.has("oneOf"):
                # oneOf accepts a subset of what anyOf of the same members accepts.
                keyword = "anyOf" if split.has("anyOf") else "oneOf"
                hidden = split.hiding(keyword)
                branches = [split.child(keyword, i) for i in range(len(split.get(keyword)))]
            else:
                hidden = split.hiding("if", "then", "else")
                branches = [
                    split.child(k) if split.has(k) else split.with_schema(True)
                    for k in ("then", "else")
                ]
            for branch in branches:
                work.append((*rest, hidden, *self.flatten((branch,), (*rest, hidden))))
            if len(work) + len(done) > MAX_ALTERNATIVES:
                return None
        return None

    def atoms(self, alt: Writer) -> frozenset[str]:
        result = ATOMS
        for node in alt:
            if node.has("type"):
                result &= _atoms(node.get("type"))
        return result

    def _finite(self, alt: Writer) -> list[Any] | None:
        """The writer's values when there are few: an enum, a const, or only nulls and booleans."""
        atoms = self.atoms(alt)
        if atoms <= {"null", "boolean"}:
            candidates = [None] * ("null" in atoms) + [True, False] * ("boolean" in atoms)
            return [v for v in candidates if all(n.is_valid(v, formats=False) for n in alt)]
        for node in alt:
            if node.has("const"):
                candidates = [node.get("const")]
            elif node.has("enum"):
                candidates = list(node.get("enum"))
            else:
                continue
            return [v for v in candidates if all(n.is_valid(v, formats=False) for n in alt)]
        return None

    def _extras(self, r: Node, primary: Node) -> list[Finding]:
        """Constraints only the writer has: they narrow the writer, so they are safe here."""
        findings = []
        r_keys = r.keys() if isinstance(r.schema, dict) else set()
        for keyword in sorted(primary.keys() - r_keys):
            if not is_constraint(keyword) or keyword in PER_ITEM:
                continue
            value = primary.get(keyword)
            if keyword == "type":
                findings.append(self._type_finding(None, value, COMPATIBLE))
            else:
                findings.append(self._finding(f"/{keyword}", keyword, None, value, COMPATIBLE))
        for name in primary.get("required") or ():
            if name not in (r.get("required") or ()):
                findings.append(self._required_finding(name, in_reader=False, verdict=COMPATIBLE))
        for name in primary.get("properties") or {}:
            if name not in (r.get("properties") or {}) and r.schema is True:
                findings.append(
                    self._presence(f"/properties/{escape(name)}", "property", False, [])
                )
        return findings

    def _required_finding(self, name: str, *, in_reader: bool, verdict: str) -> Finding:
        in_new = in_reader == self.reader_is_new
        kind = "property newly required" if in_new else "property no longer required"
        return Finding("/required", kind, verdict, name)

    # one alternative ---------------------------------------------------------------------------

    def _covers_alt(self, r: Node, alt: Writer, primary: Node | None) -> list[Finding]:
        values = self._finite(alt)
        if values is not None:
            return self._finite_rule(r, values, primary)
        atoms = self.atoms(alt)
        findings: list[Finding] = []
        for keyword in ("const", "enum"):
            if r.has(keyword):  # a finite set never holds a writer that is not finite
                findings += self._judge(keyword, r, primary, False)
        findings += self._type_rule(r, atoms, primary)
        if atoms & NUMBERS:
            findings += self._numeric_rule(r, alt, atoms, primary)
        if "string" in atoms:
            findings += self._string_rule(r, alt, primary)
        if "array" in atoms:
            findings += self._array_rule(r, alt, primary)
        if "object" in atoms:
            findings += self._object_rule(r, alt, primary)
        findings += self._combinator_rule(r, alt, primary)
        if primary is not None:
            findings += self._extras(r, primary)
        return [f for f in findings if f.verdict != COMPATIBLE or self._applies(f, atoms)]

    @staticmethod
    def _applies(finding: Finding, atoms: frozenset[str]) -> bool:
        """A safe change to a keyword that none of the writer's values reach is not worth a line."""
        keyword = finding.pointer.split("/")[1] if finding.pointer.startswith("/") else ""
        applies = APPLIES_TO.get(keyword)
        return applies is None or bool(applies & atoms)

    def _finite_rule(self, r: Node, values: list[Any], primary: Node | None) -> list[Finding]:
        rejected = [v for v in values if not r.is_valid(v, formats=True)]
        verdict = BREAKING if rejected else COMPATIBLE
        why = f"rejects {', '.join(_short(v, 30) for v in rejected)}" if rejected else ""
        findings = []
        keyword = "const" if r.has("const") else "enum" if r.has("enum") else None
        p_keyword = None
        if primary is not None:
            p_keyword = "const" if primary.has("const") else "enum" if primary.has("enum") else None
        if keyword is not None:
            r_value = r.get(keyword)
            p_value = primary.get(keyword) if primary is not None else None
            if rejected or not same(r_value, p_value):
                findings.append(
                    self._finding(f"/{keyword}", keyword, r_value, p_value, verdict, why)
                )
        elif r.has("type") and any(_atom_of(v) not in _atoms(r.get("type")) for v in rejected):
            findings.append(self._type_finding(r.get("type"), self._get(primary, "type"), BREAKING))
        elif rejected:
            findings.append(Finding("", "values no longer accepted", BREAKING, "", why))
        elif r.has("type") and _atoms(r.get("type")) != _atoms(self._get(primary, "type")):
            findings.append(
                self._type_finding(r.get("type"), self._get(primary, "type"), COMPATIBLE)
            )
        if p_keyword is not None and keyword is None:
            findings.append(
                self._finding(
                    f"/{p_keyword}",
                    p_keyword,
                    None,
                    primary.get(p_keyword) if primary else None,
                    COMPATIBLE,
                )
            )
        return findings

    def _type_rule(self, r: Node, atoms: frozenset[str], primary: Node | None) -> list[Finding]:
        if not r.has("type"):
            return []
        r_type = r.get("type")
        p_type = primary.get("type") if primary is not None else None
        if atoms <= _atoms(r_type):
            if primary is not None and _atoms(r_type) != _atoms(p_type):
                return [self._type_finding(r_type, p_type, COMPATIBLE)]
            return []
        return [self._type_finding(r_type, p_type, BREAKING)]

    def _type_finding(self, r_type: Any, p_type: Any, verdict: str) -> Finding:
        old, new = self._old_new(_atoms(r_type), _atoms(p_type))
        kind = "type widened" if new > old else "type narrowed" if new < old else "type changed"
        shown = self._detail(r_type, p_type)
        return Finding("/type", kind, verdict, shown)

    # numbers, strings --------------------------------------------------------------------------

    def _numeric_rule(
        self, r: Node, alt: Writer, atoms: frozenset[str], primary: Node | None
    ) -> list[Finding]:
        findings = []
        for keyword in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
            bound = r.get(keyword)
            if bound is None:
                continue
            if isinstance(bound, bool):
                holds = False  # draft-04 boolean exclusive bounds are not compared
            elif keyword in LOWER:
                holds = any(
                    self._beats(n.get(k), bound, strict=LOWER[keyword] and not LOWER[k], up=True)
                    for n in alt
                    for k in LOWER
                    if n.get(k) is not None and not isinstance(n.get(k), bool)
                )
            else:
                holds = any(
                    self._beats(n.get(k), bound, strict=UPPER[keyword] and not UPPER[k], up=False)
                    for n in alt
                    for k in UPPER
                    if n.get(k) is not None and not isinstance(n.get(k), bool)
                )
            findings += self._judge(keyword, r, primary, holds)
        step = r.get("multipleOf")
        if step is not None:
            k = Fraction(str(step))
            holds = any(
                n.get("multipleOf") is not None
                and (Fraction(str(n.get("multipleOf"))) / k).denominator == 1
                for n in alt
            ) or (atoms & NUMBERS <= {"integer"} and (1 / k).denominator == 1)
            findings += self._judge("multipleOf", r, primary, holds)
        return findings

    @staticmethod
    def _beats(writer: Any, reader: Any, *, strict: bool, up: bool) -> bool:
        """A writer bound at least as tight as the reader's (``strict``: it must be tighter)."""
        if strict:
            return bool(writer > reader) if up else bool(writer < reader)
        return bool(writer >= reader) if up else bool(writer <= reader)

    def _judge(
        self, keyword: str, r: Node, primary: Node | None, holds: bool, verdict: str = BREAKING
    ) -> list[Finding]:
        r_value = r.get(keyword)
        p_value = primary.get(keyword) if primary is not None else None
        if holds:
            if primary is not None and not same(r_value, p_value):
                return [self._finding(f"/{keyword}", keyword, r_value, p_value, COMPATIBLE)]
            return []
        return [self._finding(f"/{keyword}", keyword, r_value, p_value, verdict)]

    def _count_rule(self, keyword: str, r: Node, alt: Writer, primary: Node | None,
                    extra: int | None = None) -> list[Finding]:  # fmt: skip
        limit = r.get(keyword)
        if limit is None:
            return []
        values = [n.get(keyword) for n in alt if n.get(keyword) is not None]
        if extra is not None:
            values.append(extra)
        if keyword in COUNTS_UP:
            holds = limit <= 0 or any(v >= limit for v in values)
        else:
            holds = any(v <= limit for v in values)
        return self._judge(keyword, r, primary, holds)

    def _string_rule(self, r: Node, alt: Writer, primary: Node | None) -> list[Finding]:
        findings = self._count_rule("minLength", r, alt, primary)
        findings += self._count_rule("maxLength", r, alt, primary)
        for keyword in ("pattern", "format", *CONTENT):
            value = r.get(keyword)
            if value is None:
                continue
            if keyword == "contentSchema":
                holds = any(same(n.get(keyword), value) for n in alt) and not _has_ref(value)
            else:
                holds = any(same(n.get(keyword), value) for n in alt)
            changed = primary is not None and primary.get(keyword) is not None
            # Two regular expressions are not compared: a changed pattern cannot be told.
            verdict = UNKNOWN if keyword == "pattern" and changed else BREAKING
            findings += self._judge(keyword, r, primary, holds, verdict)
        return findings

    # arrays ------------------------------------------------------------------------------------

    def _items(self, node: Node, *, reader: bool) -> tuple[list[Node], Node | None, str, str]:
        """(prefix schemas, schema of the remaining items or None for any, their pointers).

        The reader's ``unevaluatedItems`` is read as applying to every item after the prefix
        (stricter than it is, so safe); the writer's only where nothing else can evaluate items.
        """
        if node.legacy_items:
            items = node.get("items")
            if isinstance(items, list):
                prefix = [node.child("items", i) for i in range(len(items))]
                rest = node.child("additionalItems") if node.has("additionalItems") else None
                prefix_ptr, rest_ptr = "/items", "/additionalItems"
            else:
                prefix = []
                rest = node.child("items") if node.has("items") else None
                prefix_ptr, rest_ptr = "/items", "/items"
        else:
            prefix = [
                node.child("prefixItems", i) for i in range(len(node.get("prefixItems") or ()))
            ]
            rest = node.child("items") if node.has("items") else None
            prefix_ptr, rest_ptr = "/prefixItems", "/items"
        modelled = reader or not node.keys() & (IN_PLACE | {"contains"})
        if rest is None and node.has("unevaluatedItems") and modelled:
            rest = node.child("unevaluatedItems")
            rest_ptr = "/unevaluatedItems"
        return prefix, rest, prefix_ptr, rest_ptr

    def _array_rule(self, r: Node, alt: Writer, primary: Node | None) -> list[Finding]:
        findings: list[Finding] = []
        r_prefix, r_rest, prefix_ptr, rest_ptr = self._items(r, reader=True)
        writers = [self._items(n, reader=False)[:2] for n in alt]
        max_items = [n.get("maxItems") for n in alt if n.get("maxItems") is not None]
        max_items += [len(p) for p, rest in writers if rest is not None and rest.schema is False]
        longest = min(max_items) if max_items else None
        p_prefix = self._items(primary, reader=False)[0] if primary is not None else []
        width = max([len(r_prefix), *(len(p) for p, _ in writers)])
        for i in range(width):
            if longest is not None and i >= longest:
                break
            r_i = r_prefix[i] if i < len(r_prefix) else r_rest
            if r_i is None:
                if i >= len(r_prefix) and i < len(p_prefix):
                    findings.append(self._presence(f"{prefix_ptr}/{i}", "prefix item", False, []))
                continue
            w_i = tuple(
                x for x in (p[i] if i < len(p) else rest for p, rest in writers) if x is not None
            )
            subs = self.covers(r_i, w_i or (r.with_schema(True),))
            if (i < len(r_prefix)) == (i < len(p_prefix)) or primary is None:
                findings += [f.under(f"{prefix_ptr}/{i}") for f in subs]
            else:
                findings.append(
                    self._presence(f"{prefix_ptr}/{i}", "prefix item", i < len(r_prefix), subs)
                )
        if r_rest is not None and (longest is None or width < longest):
            w_rest = tuple(rest for _, rest in writers if rest is not None)
            subs = self.covers(r_rest, w_rest or (r.with_schema(True),))
            findings += [f.under(rest_ptr) for f in subs]
        findings += self._count_rule("minItems", r, alt, primary)
        findings += self._count_rule("maxItems", r, alt, primary, longest)
        if r.get("uniqueItems") is True:
            holds = any(n.get("uniqueItems") is True for n in alt) or (
                longest is not None and longest <= 1
            )
            findings += self._judge("uniqueItems", r, primary, holds)
        findings += self._contains_rule(r, alt, primary, longest)
        return findings

    def _contains_rule(
        self, r: Node, alt: Writer, primary: Node | None, longest: int | None
    ) -> list[Finding]:
        if not r.has("contains"):
            return []
        legacy = r.dialect.endswith("draft-07/schema") or r.dialect.endswith("draft-06/schema")
        least = 1 if legacy else r.get("minContains")
        least = 1 if least is None else least
        most = None if legacy else r.get("maxContains")
        findings: list[Finding] = []
        if least > 0:
            covering = [
                n
                for n in alt
                if n.has("contains")
                and ok(self.covers(r.child("contains"), (n.child("contains"),)))
            ]
            findings += self._judge("contains", r, primary, bool(covering))

            def least_of(n: Node) -> int:
                value = n.get("minContains")
                return 1 if value is None or n.dialect.endswith("draft-07/schema") else int(value)

            if covering and not legacy:
                holds = any(least_of(n) >= least for n in covering)
                if not holds or not same(r.get("minContains"), self._get(primary, "minContains")):
                    findings += self._judge("minContains", r, primary, holds)
        if most is not None:
            holds = (longest is not None and longest <= most) or any(
                same(n.get("contains"), r.get("contains"))
                and n.get("maxContains") is not None
                and n.get("maxContains") <= most
                for n in alt
            )
            findings += self._judge("maxContains", r, primary, holds)
        return findings

    # objects -----------------------------------------------------------------------------------

    def _additional(self, node: Node, *, reader: bool) -> tuple[Node | None, str]:
        if node.has("additionalProperties"):
            return node.child("additionalProperties"), "/additionalProperties"
        if node.has("unevaluatedProperties") and (reader or not node.keys() & IN_PLACE):
            return node.child("unevaluatedProperties"), "/unevaluatedProperties"
        return None, "/additionalProperties"

    def _property(self, node: Node, name: str, *, reader: bool) -> list[tuple[Node, str]]:
        """The schemas that a property called ``name`` must match in ``node``, with pointers."""
        found: list[tuple[Node, str]] = []
        if name in (node.get("properties") or {}):
            found.append((node.child("properties", name), f"/properties/{escape(name)}"))
        for pattern in node.get("patternProperties") or {}:
            if _matches(pattern, name):
                found.append(
                    (
                        node.child("patternProperties", pattern),
                        f"/patternProperties/{escape(pattern)}",
                    )
                )
        if not found:
            extra, pointer = self._additional(node, reader=reader)
            if extra is not None:
                found.append((extra, pointer))
        return found

    def _cannot_have(self, alt: Writer, name: str) -> bool:
        return any(s.schema is False for n in alt for s, _ in self._property(n, name, reader=False))

    def _object_rule(self, r: Node, alt: Writer, primary: Node | None) -> list[Finding]:
        findings: list[Finding] = []
        r_props = r.get("properties") or {}
        p_props = (primary.get("properties") or {}) if primary is not None else {}
        names = dict.fromkeys([*r_props, *(k for n in alt for k in n.get("properties") or {})])
        for name in names:
            w_k = tuple(s for n in alt for s, _ in self._property(n, name, reader=False))
            subs: list[Finding] = []
            for r_k, r_pointer in self._property(r, name, reader=True):
                found = self.covers(r_k, w_k or (r.with_schema(True),))
                if r_k.schema is False and found:  # say which keyword shuts the property out
                    side = "new" if self.reader_is_new else "old"
                    found = [replace(found[0], kind=f"{side} {r_pointer[1:]} is false")]
                subs += found
            pointer = f"/properties/{escape(name)}"
            if (name in r_props) == (name in p_props) or primary is None:
                findings += [f.under(pointer) for f in subs]
            else:
                findings.append(self._presence(pointer, "property", name in r_props, subs))
        findings += self._other_names(r, alt, primary)
        findings += self._required_rule(r, alt, primary)
        required = max((len(set(n.get("required") or ())) for n in alt), default=0)
        findings += self._count_rule("minProperties", r, alt, primary, required)
        findings += self._count_rule("maxProperties", r, alt, primary, self._most_names(alt))
        findings += self._dependencies_rule(r, alt, primary)
        findings += self._property_names_rule(r, alt, primary)
        return findings

    def _most_names(self, alt: Writer) -> int | None:
        counts = []
        for n in alt:
            extra, _ = self._additional(n, reader=False)
            if extra is not None and extra.schema is False and not n.get("patternProperties"):
                props = n.get("properties") or {}
                counts.append(sum(1 for v in props.values() if v is not False))
        return min(counts) if counts else None

    def _other_names(self, r: Node, alt: Writer, primary: Node | None) -> list[Finding]:
        """Properties named in neither schema: the reader's additional / pattern schemas must
        accept whatever the writer lets such properties hold."""
        findings: list[Finding] = []
        r_patterns = r.get("patternProperties") or {}
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
            if region.schema is True:
                continue
            attempts = [self._region_in(region, pattern, n, r_patterns) for n in alt]
            good = next((a for a in attempts if ok(a)), None)
            keyword = pointer.split("/")[1]
            r_value = r.get(keyword) if pattern is None else r_patterns[pattern]
            p_value = None
            if primary is not None:
                p_value = primary.get(keyword)
                if pattern is not None:
                    p_value = (p_value or {}).get(pattern)
            if good is not None:
                if primary is not None and not same(r_value, p_value):
                    findings.append(self._finding(pointer, keyword, r_value, p_value, COMPATIBLE))
                continue
            subs = attempts[0] if attempts else []
            why = next(
                (f"{f.pointer or '/'}: {f.kind}" for f in subs if f.verdict != COMPATIBLE), ""
            )
            findings.append(
                self._finding(
                    pointer, keyword, r_value, p_value, worst(subs) if subs else BREAKING, why
                )
            )
        return findings

    def _region_in(
        self, region: Node, pattern: str | None, n: Node, r_patterns: dict[str, Any]
    ) -> list[Finding]:
        n_patterns = n.get("patternProperties") or {}
        if pattern is not None and pattern in n_patterns:
            return self.covers(region, (n.child("patternProperties", pattern),))
        extra, _ = self._additional(n, reader=False)
        parts = (
            [] if extra is not None and extra.schema is False else [extra or n.with_schema(True)]
        )
        for q in n_patterns:
            if pattern is None and q in r_patterns:
                continue
            parts.append(n.child("patternProperties", q))
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
            if not holds or (primary is not None and not same(schema.schema, p_value)):
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
                extra, _ = self._additional(n, reader=False)
                if extra is not None and extra.schema is False and not n.get("patternProperties"):
                    props = n.get("properties") or {}
                    if all(
                        names.is_valid(k, formats=True) for k, v in props.items() if v is not False
                    ):
                        holds = True
                        break
        return self._judge("propertyNames", r, primary, holds)

    # combinators -------------------------------------------------------------------------------

    def _combinator_rule(self, r: Node, alt: Writer, primary: Node | None) -> list[Finding]:
        findings: list[Finding] = []
        for index in range(len(r.get("allOf") or ())):
            member = self.covers(r.child("allOf", index), alt, aligned=False)
            findings += [f.under(f"/allOf/{index}") for f in member]
        if isinstance(r.get("$ref"), str):
            target = r.resolve()
            via = r.sset.name_of(target.doc) if target.doc != r.doc else None
            for f in self.covers(target, alt, aligned=False):
                findings.append(f if via is None else replace(f, via=(via, *f.via)))
        for keyword in ("$dynamicRef", "$recursiveRef"):
            if r.has(keyword):
                unchanged = primary is not None and same(primary.get(keyword), r.get(keyword))
                findings += self._judge(keyword, r, primary, unchanged, UNKNOWN)
        for keyword in ("anyOf", "oneOf"):
            if r.has(keyword):
                findings += self._union_rule(keyword, r, alt, primary)
        if r.has("not"):
            holds = self.disjoint(r.child("not"), alt)
            findings += self._judge("not", r, primary, holds)
        if r.has("if"):
            findings += self._conditional_rule(r, alt, primary)
        return findings

    def _union_rule(
        self, keyword: str, r: Node, alt: Writer, primary: Node | None
    ) -> list[Finding]:
        members = [r.child(keyword, i) for i in range(len(r.get(keyword)))]
        holds = False
        for i, member in enumerate(members):
            if not ok(self.covers(member, alt, aligned=False)):
                continue
            if keyword == "anyOf" or all(
                self.disjoint(other, alt) for j, other in enumerate(members) if j != i
            ):
                holds = True
                break
        r_value = r.get(keyword)
        p_value = primary.get(keyword) if primary is not None else None
        if holds:
            if primary is not None and not same(r_value, p_value):
                return [self._union_finding(keyword, r_value, p_value, COMPATIBLE)]
            return []
        why = "no member accepts every value" + (
            " without overlapping another" if keyword == "oneOf" else ""
        )
        return [self._union_finding(keyword, r_value, p_value, BREAKING, why)]

    def _union_finding(
        self, keyword: str, r_value: Any, p_value: Any, verdict: str, why: str = ""
    ) -> Finding:
        old, new = self._old_new(r_value, p_value)
        if isinstance(old, list) and isinstance(new, list) and len(old) != len(new):
            kind = f"{keyword} member {'added' if len(new) > len(old) else 'removed'}"
        else:
            kind = self._kind(keyword, r_value, p_value)
        detail = f"{len(old or ())} -> {len(new or ())} members"
        return Finding(f"/{keyword}", kind, verdict, detail, why)

    def _conditional_rule(self, r: Node, alt: Writer, primary: Node | None) -> list[Finding]:
        condition = r.child("if")
        then = r.child("then") if r.has("then") else r.with_schema(True)
        otherwise = r.child("else") if r.has("else") else r.with_schema(True)
        if ok(self.covers(condition, alt, aligned=False)):
            subs = [f.under("/then") for f in self.covers(then, alt, aligned=False)]
        elif self.disjoint(condition, alt):
            subs = [f.under("/else") for f in self.covers(otherwise, alt, aligned=False)]
        else:
            subs = [f.under("/then") for f in self.covers(then, alt, aligned=False)]
            subs += [f.under("/else") for f in self.covers(otherwise, alt, aligned=False)]
        return subs + self._judge("if", r, primary, ok(subs))

    def disjoint(self, a: Node, alt: Writer) -> bool:
        """Provably no value is accepted both by ``a`` and by the writer alternative."""
        a_alts = self.alternatives((a,))
        if a_alts is None:
            return False
        w_values = self._finite(alt)
        for a_alt in a_alts:
            if not self.atoms(a_alt) & self.atoms(alt):
                continue
            a_values = self._finite(a_alt)
            if a_values is not None and all(
                any(not n.is_valid(v, formats=False) for n in alt) for v in a_values
            ):
                continue
            if w_values is not None and all(
                any(not n.is_valid(v, formats=False) for n in a_alt) for v in w_values
            ):
                continue
            if any(
                n.has("not") and ok(self.covers(n.child("not"), a_alt, aligned=False)) for n in alt
            ):
                continue
            if any(
                n.has("not") and ok(self.covers(n.child("not"), alt, aligned=False)) for n in a_alt
            ):
                continue
            return False
        return True


def check(reader: Node, writer: Node, *, reader_is_new: bool) -> list[Finding]:
    """Every finding of one direction: empty or all compatible means the reader accepts the writer."""
    return Checker(reader_is_new).covers(reader, (writer,))


def directions(old: Node, new: Node) -> tuple[list[Finding], list[Finding]]:
    """(BACKWARD findings: new reads old, FORWARD findings: old reads new)."""
    return check(new, old, reader_is_new=True), check(old, new, reader_is_new=False)


__all__: Sequence[str] = (
    "BREAKING",
    "COMPATIBLE",
    "UNKNOWN",
    "Checker",
    "Finding",
    "check",
    "directions",
    "ok",
)
