"""Combinators and references on the reader's side: ``allOf``, ``$ref``, ``anyOf``, ``oneOf``, ``not``,
``if``/``then``/``else``, and the disjointness they need."""

from __future__ import annotations

from typing import Any

from ..findings import BREAKING, COMPATIBLE, UNKNOWN, Finding, ok
from ..schemaset import Node
from ..values import same, same_keyword
from ..walk import Walk, Writer, marks


class CombinatorRules(Walk):
    def _combinator_rule(self, r: Node, alt: Writer, primary: Node | None) -> list[Finding]:
        findings: list[Finding] = []
        for index in range(len(r.get("allOf") or ())):
            findings += [
                f.under(f"/allOf/{index}") for f in self._all_of_member(r, index, alt, primary)
            ]
        if isinstance(r.get("$ref"), str):
            target = r.resolve()
            via = r.sset.name_of(target.doc) if target.doc != r.doc else None
            for f in self.covers(target, alt, aligned=False):
                findings.append(f if via is None else f._replace(via=(via, *f.via)))
        for keyword in ("$dynamicRef", "$recursiveRef"):
            if r.has(keyword):
                # The same reference in another dialect is not the same constraint: a 2019-09
                # schema ignores $dynamicRef, a 2020-12 one $recursiveRef.
                unchanged = (
                    primary is not None
                    and primary.dialect == r.dialect
                    and same(primary.get(keyword), r.get(keyword))
                )
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

    def _all_of_member(
        self, r: Node, index: int, alt: Writer, primary: Node | None
    ) -> list[Finding]:
        """A member of the reader's ``allOf`` against the writer's member at the same place when
        both have as many (every writer value is one of that member's, so it is enough), else
        against the whole writer."""
        mine = r.child("allOf", index)
        theirs = primary.get("allOf") if primary is not None else None
        if primary is None or not isinstance(theirs, list) or len(theirs) != len(r.get("allOf")):
            return self.covers(mine, alt, aligned=False)
        found = self._either(mine, primary.child("allOf", index), primary.hiding("allOf"))
        if ok(found):
            return found
        wider = self.covers(mine, alt, aligned=False)
        return wider if ok(wider) else found

    def _either(self, r: Node, w: Node, body: Node) -> list[Finding]:
        """``r`` against ``w`` at the same place (precise findings), else against ``w`` with the
        rest of the writer's object beside it (``body``), which may be what implies ``r``."""
        found = self.covers(r, (w,))
        if ok(found):
            return found
        wider = self.covers(r, (w, body), aligned=False)
        return wider if ok(wider) else found

    def _disjoint_from(self, a: Node, writer: Writer) -> bool:
        alternatives = self.alternatives(writer)
        return alternatives is not None and all(self.disjoint(a, alt) for alt in alternatives)

    def _aligned_union(self, keyword: str, r: Node, primary: Node) -> list[Finding] | None:
        """Member against member, when the writer has the same union at the same place: each
        reader member must cover its writer member, and for ``oneOf`` a changed member must not
        take in values of the others. None when the members do not line up."""
        members = [r.child(keyword, i) for i in range(len(r.get(keyword)))]
        if not primary.has(keyword) or len(primary.get(keyword)) != len(members):
            return None
        theirs = [primary.child(keyword, i) for i in range(len(members))]
        body = primary.hiding(keyword)
        found: list[Finding] = []
        for i, (mine, their) in enumerate(zip(members, theirs, strict=True)):
            found += [f.under(f"/{keyword}/{i}") for f in self._either(mine, their, body)]
        if not ok(found):
            return found
        if keyword == "oneOf":
            for k, (mine, their) in enumerate(zip(members, theirs, strict=True)):
                if self._unchanged(mine, their):
                    continue  # a value of another writer member is not one of its values
                for i, other in enumerate(theirs):
                    if i != k and not self._disjoint_from(mine, (other, body)):
                        why = f"member {k} may now take values of member {i}"
                        return [Finding(f"/{keyword}", "oneOf member overlaps", BREAKING, "", why)]
        return found

    def _union_rule(
        self, keyword: str, r: Node, alt: Writer, primary: Node | None
    ) -> list[Finding]:
        aligned = self._aligned_union(keyword, r, primary) if primary is not None else None
        if aligned is not None and ok(aligned):
            return aligned
        members = [r.child(keyword, i) for i in range(len(r.get(keyword)))]
        holds = False
        for i, member in enumerate(members):
            found = self.covers(member, alt, aligned=False)
            if not ok(found):
                continue
            if keyword == "anyOf" or all(
                self.disjoint(other, alt) for j, other in enumerate(members) if j != i
            ):
                holds = True
                break
        r_value = r.get(keyword)
        p_value = primary.get(keyword) if primary is not None else None
        if holds:
            kept = marks(found, f"/{keyword}/{i}")
            if primary is not None and not same_keyword(keyword, r_value, p_value):
                return [self._union_finding(keyword, r_value, p_value, COMPATIBLE), *kept]
            return kept
        if aligned:
            return aligned
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
        if (
            primary is not None
            and primary.has("if")
            and self._unchanged(condition, primary.child("if"))
        ):
            # The same condition on both sides: then against then, else against else.
            body = primary.hiding("if", "then", "else")
            found = []
            for keyword, mine in (("then", then), ("else", otherwise)):
                their = primary.child(keyword) if primary.has(keyword) else r.with_schema(True)
                found += [f.under(f"/{keyword}") for f in self._either(mine, their, body)]
            return found
        found = self.covers(condition, alt, aligned=False)
        if ok(found):
            subs = [f.under("/then") for f in self.covers(then, alt, aligned=False)]
            subs += marks(found, "/if")
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
            if self._apart_by_a_property(a_alt, alt):
                continue
            return False
        return True

    def _apart_by_a_property(self, a: Writer, b: Writer) -> bool:
        """Objects one side requires a property of, whose values on the two sides cannot be the
        same (``"using": {"const": "docker"}`` against ``{"enum": ["node16", "node20"]}``;
        OpenAPI 3.0's Reference Object requires a string ``$ref``, a Callback Object's
        ``$ref`` would be a Path Item, a closed Header Object has none): no object is both."""
        if self.atoms(a) & self.atoms(b) - {"object"}:
            return False  # values that are not objects may be on both sides
        needed = {n for x in a for n in x.get("required") or ()}
        needed |= {n for x in b for n in x.get("required") or ()}
        for name in sorted(needed):
            mine = [s for n in a for s, _ in self._property(n, name, reader=False)]
            theirs = tuple(s for n in b for s, _ in self._property(n, name, reader=False))
            if mine and theirs and any(self._disjoint_from(m, theirs) for m in mine):
                return True
        return False
