"""The walk every rule runs on: a reader node against a writer (a conjunction of nodes), the
writer split into alternatives at each union, ``$ref`` followed, and findings named in old -> new
terms whichever side is the reader.

``Checker.covers(reader, writer)`` walks the reader's constraints and, for each, looks for a proof
that the writer already implies it (a tighter bound, a narrower type, a member that covers, ...).
No proof is a finding that breaks; there is no "probably fine". The writer is a conjunction of
schemas (its ``allOf`` members and ``$ref`` targets are flattened into it) and a union (``anyOf``,
``oneOf``, ``if``/``then``/``else``) is split into alternatives, each of which must be covered.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..exceptions import CompatInputError
from .findings import (
    BREAKING,
    COMPATIBLE,
    UNKNOWN,
    Finding,
    dedupe,
    failure_reason,
    has_ref,
    ok,
    short,
    type_atoms,
    worst,
)
from .keywords import ATOMS, is_constraint
from .schemaset import Node
from .values import member as is_member
from .values import same_keyword

# A writer split into more alternatives than this is not examined: "cannot tell".
MAX_ALTERNATIVES = 256
# Subschema comparisons one direction may make before the rest is "cannot tell": bounds the time
# a pathological pair can take.
MAX_STEPS = 200_000
COUNTS_UP = ("minLength", "minItems", "minProperties")
# Findings one subschema comparison passes up (the worst first): a recursive schema entered
# through many paths reports a change once per path, and the count would grow with their number.
MAX_FINDINGS = 64
_RANK = {UNKNOWN: 0, BREAKING: 1, COMPATIBLE: 2}

Writer = tuple[Node, ...]
# Beside a writer's alternative that no object meets: what is left of it.
_NOT_OBJECT = {"type": ["null", "boolean", "array", "string", "number"]}
# The kind of a finding that only marks where a recursive comparison was assumed to hold.
_MARK = "assumed to hold"
# Counted where a comparison reused lacks some of its marks.
_LOST = ""


def _cut(found: list[Finding], needed: dict[str, bool]) -> tuple[list[Finding], bool]:
    """At most MAX_FINDINGS findings, the worst first; and whether they are ``whole``: each
    mark that ``needed`` says came in findings that held is still there at least once.

    Putting in what a comparison assumed to hold, where it did not, only adds findings that do
    not hold (a rule never proves more from less). So a mark may go with findings that did not
    hold, which stay so; one that came with findings that held must be kept (where it is put
    in, the comparison fails as it should) or the comparison be made again."""
    if len(found) > MAX_FINDINGS:
        # The cap is on what is shown; a mark per comparison assumed is kept beyond it.
        one_each = {f.detail: f for f in reversed(found) if f.kind is _MARK}
        shown = [f for f in found if f.kind is not _MARK]
        found = sorted(shown, key=lambda f: _RANK.get(f.verdict, 0))[:MAX_FINDINGS]
        found += one_each.values()
    if _LOST in needed:
        return found, False
    kept = {f.detail for f in found if f.kind is _MARK}
    return found, all(m in kept for m, held in needed.items() if held)


def under_each(parts: list[tuple[str, list[Finding]]]) -> list[Finding]:
    """Each part's findings under its prefix (no two parts hold equal ones), less those that
    no cut (see _cut) can pass up: a finding with MAX_FINDINGS + 1 distinct failing ones ahead
    of it (worse, or as bad and earlier) here is never among the worst MAX_FINDINGS of a list
    that holds these, and prefixing it is most of the time a failing recursive schema takes.
    Marks are all kept, as _cut keeps them."""
    if sum(f.verdict != COMPATIBLE for _, found in parts for f in found) <= MAX_FINDINGS:
        return [f.under(prefix) for prefix, found in parts for f in found]
    counts = {UNKNOWN: 0, BREAKING: 0}
    distinct: list[set[Finding]] = []
    for _, found in parts:
        failing = {f for f in found if f.verdict != COMPATIBLE and f.kind is not _MARK}
        distinct.append(failing)
        for f in failing:
            counts[f.verdict] += 1
    # How many distinct failing findings are ahead of one of each verdict, so far: all those
    # of a worse verdict, and those of its own met before it.
    ahead = {v: sum(n for u, n in counts.items() if _RANK[u] < _RANK[v]) for v in _RANK}
    out: list[Finding] = []
    for (prefix, found), failing in zip(parts, distinct, strict=True):
        met: set[Finding] = set()
        for f in found:
            if f.kind is not _MARK:
                if ahead[f.verdict] > MAX_FINDINGS:
                    continue
                if f.verdict != COMPATIBLE and f in failing and f not in met:
                    met.add(f)
                    ahead[f.verdict] += 1
            out.append(f.under(prefix))
    return out


def without_marks(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.kind is not _MARK]


def marks(found: list[Finding], prefix: str) -> list[Finding]:
    """The marks in findings that held, kept where a rule keeps only its verdict on them."""
    return [f.under(prefix) for f in found if f.kind is _MARK]


class Walk:
    """One direction of one comparison. ``reader_is_new`` is True for BACKWARD."""

    def __init__(self, reader_is_new: bool) -> None:
        self.reader_is_new = reader_is_new
        self._in_progress: set[Any] = set()
        # Comparisons already made (the same subschemas meet again through every $ref to them),
        # kept for good when no recursive comparison was assumed to hold while making them.
        self._memo: dict[Any, list[Finding]] = {}
        # The others, with the comparisons they assumed: good again while each of those is
        # still in progress or has finished (see _current); kept for good once none is in
        # progress. ``whole``: every mark those comparisons left is still in the findings.
        self._provisional: dict[Any, tuple[list[Finding], frozenset[Any], bool]] = {}
        self._assumed: set[Any] = set()
        # The provisional comparisons in the order they were made (see _settle).
        self._made: list[Any] = []
        self._steps = 0
        # Marks of recursive comparisons assumed to hold (see _covers_memo), and per comparison
        # being made, the marks the comparisons it asked for returned: whether any came with
        # findings that held (``_LOST``: one returned findings that lack some of their marks).
        self._marks: dict[Any, str] = {}
        self._frames: list[dict[str, bool]] = []

    def restart(self) -> None:
        """Before a comparison from another document's root: a budget of steps of its own, and
        every comparison made so far kept (they depend only on the subschemas compared)."""
        self._steps = 0

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

    def _detail(self, reader_value: Any, writer_value: Any, keyword: str = "") -> str:
        old, new = self._old_new(reader_value, writer_value)
        if keyword == "enum" and isinstance(old, list) and isinstance(new, list):
            # Two long lists cut short would hide the difference: show only the difference.
            added = [v for v in new if not is_member(v, old)]
            removed = [v for v in old if not is_member(v, new)]
            shown = [
                f"{sign}{short(values)[1:-1]}"
                for sign, values in (("+", added), ("-", removed))
                if values
            ]
            if shown:
                return " ".join(shown)
        if old is not None and short(old) == short(new) and same_keyword(keyword, old, new):
            # The same text on both sides: the change is in what it means here.
            why = (
                "what it refers to changed"
                if has_ref(old) or keyword in ("$ref", "$dynamicRef", "$recursiveRef")
                else "the names it applies to changed"
                if keyword in ("additionalProperties", "unevaluatedProperties")
                else "what is around it changed"
            )
            return f"{short(old)}, the same here: {why}"
        return f"{short(old)} -> {short(new)}"

    def _finding(
        self, pointer: str, keyword: str, r: Any, w: Any, verdict: str, why: str = ""
    ) -> Finding:
        detail = self._detail(r, w, keyword)
        return Finding(pointer, self._kind(keyword, r, w), verdict, detail, why)

    def _presence(self, pointer: str, what: str, in_reader: bool, subs: list[Finding]) -> Finding:
        """An item (property, prefix item) present on one side only, judged by ``subs``."""
        in_old = not in_reader if self.reader_is_new else in_reader
        verdict = worst(subs)
        why = failure_reason(subs)
        return Finding(pointer, f"{what} {'removed' if in_old else 'added'}", verdict, "", why)

    def _judge(
        self, keyword: str, r: Node, primary: Node | None, holds: bool, verdict: str = BREAKING
    ) -> list[Finding]:
        r_value = r.get(keyword)
        p_value = primary.get(keyword) if primary is not None else None
        if holds:
            if primary is not None and not same_keyword(keyword, r_value, p_value):
                return [self._finding(f"/{keyword}", keyword, r_value, p_value, COMPATIBLE)]
            return []
        return [self._finding(f"/{keyword}", keyword, r_value, p_value, verdict)]

    def _type_finding(self, r_type: Any, p_type: Any, verdict: str) -> Finding:
        old, new = self._old_new(type_atoms(r_type), type_atoms(p_type))
        kind = "type widened" if new > old else "type narrowed" if new < old else "type changed"
        shown = self._detail(r_type, p_type)
        return Finding("/type", kind, verdict, shown)

    def _required_finding(self, name: str, *, in_reader: bool, verdict: str) -> Finding:
        in_new = in_reader == self.reader_is_new
        kind = "property newly required" if in_new else "property no longer required"
        return Finding("/required", kind, verdict, name)

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

    def deref(self, node: Node) -> Node:
        """Before 2019-09 a ``$ref`` replaces the schema it sits in: follow it."""
        for _ in range(64):
            schema = node.schema  # most schemas hold no $ref: asked first, as it is cheapest
            if not (
                isinstance(schema, dict)
                and isinstance(schema.get("$ref"), str)
                and node.ref_overrides
                and "$ref" not in node.hidden
            ):
                return node
            node = node.resolve()
        raise CompatInputError(f"$ref chain too long at {node.doc}")

    def covers(self, reader: Node, writer: Writer, *, aligned: bool = True) -> list[Finding]:
        """Findings for every reader constraint the writer does not provably imply.

        ``aligned``: reader and writer sit at the same place in their schemas, so what only the
        writer has is a change worth listing (not so for an ``allOf`` member against the writer).
        """
        r = self.deref(reader)
        found = self._covers_memo(r, writer, aligned)
        if r.doc != reader.doc:  # a draft-07 $ref (no siblings) into another file
            via = reader.sset.name_of(r.doc)
            if via is not None:
                found = [f._replace(via=(via, *f.via)) for f in found]
        if self._frames:
            arrived = [f.detail for f in found if f.kind is _MARK]
            if arrived:
                needed = self._frames[-1]
                held = ok(found)
                for m in arrived:
                    needed[m] = needed.get(m, False) or held
        return found

    def _covers_memo(self, r: Node, writer: Writer, aligned: bool) -> list[Finding]:
        key = (r.key(), tuple(n.key() for n in writer), aligned)
        known = self._memo.get(key)
        if known is not None:
            return known
        if key in self._in_progress:
            self._assumed.add(key)
            # A recursive schema met again: judged where it started. The mark says where it was
            # assumed to hold, so that what it finds can be put there once it is known.
            return [Finding("", _MARK, COMPATIBLE, self._mark(key))]
        if key in self._provisional:
            current = self._current(key, frozenset())
            if current is not None:
                found, waiting, whole = current
                self._assumed |= waiting
                if not whole and self._frames:
                    self._frames[-1][_LOST] = True  # what the caller finds lacks marks too
                return found
        self._steps += 1
        if self._steps > MAX_STEPS:
            return [Finding("", "schema too large to compare", UNKNOWN)]
        outer, self._assumed = self._assumed, set()
        made = len(self._made)
        self._in_progress.add(key)
        self._frames.append({})
        try:
            found = self._covers(r, writer, aligned)
        finally:
            needed = self._frames.pop()
            self._in_progress.discard(key)
        self._assumed.discard(key)
        own = self._marks.get(key)
        if own is not None:
            found = [f for f in found if not (f.kind is _MARK and f.detail == own)]
            needed.pop(own, None)
        found, whole = _cut(found, needed)
        if not whole and self._frames:
            self._frames[-1][_LOST] = True  # what the caller finds lacks marks too
        if self._assumed:
            self._provisional[key] = (found, frozenset(self._assumed), whole)
            self._made.append(key)
        else:
            self._memo[key] = found
            self._settle(made)
        self._assumed |= outer
        return found

    def _mark(self, key: Any) -> str:
        mark = self._marks.get(key)
        if mark is None:
            mark = self._marks[key] = str(len(self._marks))
        return mark

    def _current(
        self, key: Any, seen: frozenset[Any]
    ) -> tuple[list[Finding], frozenset[Any], bool] | None:
        """What a comparison made earlier finds now: its findings, the comparisons in progress
        they still rest on, and whether each of those is marked where it was assumed. None: it
        must be made again.

        A comparison it assumed to hold that has since finished is put in at its marks: what
        it found is what making this one again would meet there. Where one did not hold and a
        mark is missing (dropped by a rule that only kept a verdict), it is made again."""
        found = self._memo.get(key)
        if found is not None:
            return found, frozenset(), True
        entry = self._provisional.get(key)
        if entry is None or key in seen:
            return None
        found, assumed, whole = entry
        waiting: set[Any] = set()
        known: dict[str, list[Finding]] = {}
        for other in assumed:
            if other in self._in_progress:
                waiting.add(other)
                continue
            current = self._current(other, seen | {key})
            if current is None:
                return None
            other_found, other_waiting, other_whole = current
            if not whole and not ok(other_found):
                return None
            waiting |= other_waiting
            whole = whole and other_whole
            known[self._mark(other)] = other_found
        if known:
            found, whole = self._put_in(found, known, whole)
        if waiting:
            self._provisional[key] = (found, frozenset(waiting), whole)
        else:
            self._memo[key] = found
            del self._provisional[key]
        return found, frozenset(waiting), whole

    @staticmethod
    def _put_in(
        found: list[Finding], known: dict[str, list[Finding]], whole: bool
    ) -> tuple[list[Finding], bool]:
        out: list[Finding] = []
        for f in found:
            other = known.get(f.detail) if f.kind is _MARK else None
            if other is None:
                out.append(f)
                continue
            for g in other:
                pointer, via = f.pointer + g.pointer, f.via + g.via
                out.append(Finding(pointer, g.kind, g.verdict, g.detail, g.reason, via))
        # Still whole if the cut to MAX_FINDINGS leaves every mark.
        entered = {f.detail: True for f in out if f.kind is _MARK}
        out, cut_whole = _cut(dedupe(out), entered)
        return out, whole and cut_whole

    def _settle(self, start: int) -> None:
        """Keep for good the provisional comparisons made since ``start``, now that none of
        them waits on a comparison still in progress. Without this, a recursive schema reached
        through many paths (a metaschema, whose every subschema refers to its root) is compared
        again from each."""
        made, self._made[start:] = self._made[start:], []
        for key in made:
            if key in self._provisional:
                self._current(key, frozenset())

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
            atoms = self.atoms(alt)
            if "object" in atoms and self._apart(alt):
                # No object meets them all; other values pass what only objects are held to.
                alt = (*alt, alt[0].with_schema(_NOT_OBJECT))
                atoms -= {"object"}
            if any(n.schema is False for n in alt) or not atoms:
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
                branches: list[Writer] = [
                    (split.child(keyword, i),) for i in range(len(split.get(keyword)))
                ]
            else:
                # A value that meets ``then`` here meets ``if`` too: kept beside it, conditions
                # that exclude each other (AsyncAPI's schemaFormat) leave no alternative.
                hidden = split.hiding("if", "then", "else")
                then = split.child("then") if split.has("then") else split.with_schema(True)
                otherwise = split.child("else") if split.has("else") else split.with_schema(True)
                branches = [(split.child("if"), then), (otherwise,)]
            for branch in branches:
                work.append((*rest, hidden, *self.flatten(branch, (*rest, hidden))))
            if len(work) + len(done) > MAX_ALTERNATIVES:
                return None
        return None

    def _apart(self, alt: Writer) -> bool:
        """No object meets every member: one requires a property another forbids
        (``not: {required: [p]}``), or their ``const``/``enum`` for a required one share no value."""
        required = {p for n in alt for p in n.get("required") or () if isinstance(p, str)}
        if not required:
            return False
        for n in alt:
            absent = n.get("not")
            if (
                isinstance(absent, dict)
                and {k for k in absent if is_constraint(k)} == {"required"}
                and isinstance(absent["required"], list)
                and all(p in required for p in absent["required"])
            ):
                return True
        for name in required:
            allowed: list[Any] | None = None
            for n in alt:
                spec = (n.get("properties") or {}).get(name)
                if not isinstance(spec, dict) or (n.ref_overrides and "$ref" in spec):
                    continue
                values = [spec["const"]] if "const" in spec else spec.get("enum")
                if isinstance(values, list):
                    allowed = (
                        values if allowed is None else [v for v in allowed if is_member(v, values)]
                    )
            if allowed == []:
                return True
        return False

    def atoms(self, alt: Writer) -> frozenset[str]:
        result = ATOMS
        for node in alt:
            if node.has("type"):
                result &= type_atoms(node.get("type"))
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

    def _covers(self, r: Node, writer: Writer, aligned: bool) -> list[Finding]:
        raise NotImplementedError  # the Checker, which has every rule

    def _unchanged(self, r: Node, primary: Node) -> bool:
        raise NotImplementedError  # the Checker

    def _property(self, node: Node, name: str, *, reader: bool) -> list[tuple[Node, str]]:
        raise NotImplementedError  # rules.objects
