"""Does a reader's schema accept everything a writer's schema accepts? Decided keyword by keyword.

The walk (``walk.Walk``) splits the writer into alternatives and follows references; each family of
keywords has its rules in ``rules/`` (types, numbers, strings, arrays, objects, combinators), and
``Checker`` puts them together.

BACKWARD runs it with the new schema as reader and the old one as writer; FORWARD the other way.
Each finding is named in old -> new terms ("maxLength lowered") so the two runs line up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..exceptions import CompatInputError
from .findings import BREAKING, COMPATIBLE, UNKNOWN, Finding, dedupe, has_ref, ok, worst
from .keywords import APPLIES_TO, NUMBERS, is_constraint
from .rules.arrays import ArrayRules
from .rules.combinators import CombinatorRules
from .rules.numbers import NumberRules
from .rules.objects import ObjectRules
from .rules.strings import StringRules
from .rules.types import TypeRules
from .schemaset import NOT_SCHEMAS as VALUES
from .schemaset import SCHEMA_MAPS, Node, escape
from .values import ANNOTATIONS, same_schema
from .walk import Writer, without_marks

# Keywords whose changes are listed item by item (each property, dependency, requirement).
PER_ITEM = frozenset(
    {"properties", "required", "dependentRequired", "dependentSchemas", "dependencies"}
)


class Checker(TypeRules, NumberRules, StringRules, ArrayRules, ObjectRules, CombinatorRules):
    """One direction of one comparison, with every rule. ``reader_is_new`` is True for BACKWARD."""

    def __init__(self, reader_is_new: bool) -> None:
        super().__init__(reader_is_new)
        # Pairs of subschemas known to be the same, references followed (see _unchanged).
        self._same: dict[Any, bool] = {}

    def _covers(self, r: Node, writer: Writer, aligned: bool) -> list[Finding]:
        target = self._through_refs(r)
        if target is not r:
            via = r.sset.name_of(target.doc) if target.doc != r.doc else None
            found = self.covers(target, writer, aligned=aligned)
            return [f if via is None else f._replace(via=(via, *f.via)) for f in found]
        # The writer's first schema sits where the reader does; the rest of the conjunction
        # (members lifted from allOf, a branch's view of the same property) only narrows it.
        primary = self._through_refs(writer[0]) if aligned else None
        if primary is not None and self._unchanged(r, primary):
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
        return dedupe(findings)

    def _unchanged(self, r: Node, primary: Node) -> bool:
        """The same schema on both sides, annotations aside: nothing to compare. With references
        inside, only where each leads to a schema that is itself unchanged (a whole document
        unchanged with all it refers to is known at once)."""
        here = _unchanged_here(r, primary)
        if here is not None:
            return here
        key = (r.key(), primary.key())
        known = self._same.get(key)
        if known is None:
            self._decide_unchanged(key, r, primary)
            known = self._same[key]
        return known

    def _decide_unchanged(self, key: Any, r: Node, primary: Node) -> None:
        """Decide every pair of reference targets reachable from (r, primary) at once. A pair is
        unchanged unless some pair it reaches differs on its own; cycles hold unless something
        else differs. Each pair is looked at once, however many paths reach it."""
        reached_from: dict[Any, list[Any]] = {key: []}
        differs: list[Any] = []
        stack = [(key, r, primary)]
        while stack:
            at, a, b = stack.pop()
            try:
                pairs = _ref_pairs(a, b)
            except CompatInputError:
                differs.append(at)
                continue
            for x, y in pairs:
                here = _unchanged_here(x, y)
                if here is None:
                    pair = (x.key(), y.key())
                    here = self._same.get(pair)
                    if here is None:
                        if pair not in reached_from:
                            reached_from[pair] = []
                            stack.append((pair, x, y))
                        reached_from[pair].append(at)
                        continue
                if not here:
                    differs.append(at)
        changed = set(differs)
        while differs:
            for parent in reached_from[differs.pop()]:
                if parent not in changed:
                    changed.add(parent)
                    differs.append(parent)
        for pair in reached_from:
            self._same[pair] = pair not in changed

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


def _unchanged_here(r: Node, primary: Node) -> bool | None:
    """Whether two schemas are the same by themselves, or None where that rests on what their
    references lead to."""
    if primary.hidden or r.hidden or not same_schema(r.schema, primary.schema):
        return False
    if not has_ref(r.schema):
        return True
    if (
        r.doc == primary.doc
        and r.base == primary.base
        and r.doc in r.sset.unchanged_since(primary.sset)
    ):
        return True
    return None


def _ref_pairs(a: Node, b: Node) -> list[tuple[Node, Node]]:
    """The targets of the references in two schemas equal but for annotations, pair by pair.
    A dynamic reference is paired with itself unresolved (never the same: it depends on where
    it is entered from)."""
    pairs: list[tuple[Node, Node]] = []
    # (x, y, whether they are maps of names to schemas, whose keys are names, not keywords)
    stack = [(a, b, False)]
    while stack:
        x, y, is_map = stack.pop()
        if isinstance(x.schema, list) and isinstance(y.schema, list):
            stack.extend((x.child(i), y.child(i), False) for i in range(len(x.schema)))
            continue
        if not isinstance(x.schema, dict) or not isinstance(y.schema, dict):
            continue
        if not is_map and ("$dynamicRef" in x.schema or "$recursiveRef" in x.schema):
            pairs.append((x, y.with_schema(False)))
        if not is_map and isinstance(x.schema.get("$ref"), str):
            pairs.append((x.resolve(), y.resolve()))
        for key, value in x.schema.items():
            if key not in y.schema or not isinstance(value, dict | list):
                continue
            if not is_map and (key in VALUES or key in ANNOTATIONS or key.startswith("x-")):
                continue
            child_is_map = not is_map and key in SCHEMA_MAPS and isinstance(value, dict)
            stack.append((x.child(key), y.child(key), child_is_map))
    return pairs


def check(reader: Node, writer: Node, *, reader_is_new: bool) -> list[Finding]:
    """Every finding of one direction: empty or all compatible means the reader accepts the writer."""
    return _from_root(Checker(reader_is_new), reader, writer)


def directions(old: Node, new: Node) -> tuple[list[Finding], list[Finding]]:
    """(BACKWARD findings: new reads old, FORWARD findings: old reads new)."""
    return Directions()(old, new)


class Directions:
    """Both directions between two versions of a schema set, one document after another: what a
    document reaches in another (ESLint's configuration, the file of plugin rules it refers to)
    is compared once, not again from each document."""

    def __init__(self) -> None:
        self._backward, self._forward = Checker(True), Checker(False)

    def __call__(self, old: Node, new: Node) -> tuple[list[Finding], list[Finding]]:
        """(BACKWARD findings: new reads old, FORWARD findings: old reads new)."""
        return self.backward(old, new), self.forward(old, new)

    def backward(self, old: Node, new: Node) -> list[Finding]:
        return _from_root(self._backward, new, old)

    def forward(self, old: Node, new: Node) -> list[Finding]:
        return _from_root(self._forward, old, new)


def _from_root(checker: Checker, reader: Node, writer: Node) -> list[Finding]:
    checker.restart()
    return without_marks(checker.covers(reader, (writer,)))


__all__: Sequence[str] = (
    "BREAKING",
    "COMPATIBLE",
    "UNKNOWN",
    "Checker",
    "Directions",
    "Finding",
    "check",
    "directions",
    "ok",
    "worst",
)
