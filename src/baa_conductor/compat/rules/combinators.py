"""Combinators and references on the reader's side: ``allOf``, ``$ref``, ``anyOf``, ``oneOf``, ``not``,
``if``/``then``/``else``, and the disjointness they need."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..findings import BREAKING, COMPATIBLE, UNKNOWN, Finding, ok
from ..schemaset import Node
from ..values import same, same_keyword
from ..walk import Walk, Writer


class CombinatorRules(Walk):
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
            if primary is not None and not same_keyword(keyword, r_value, p_value):
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
