"""Numbers: ``minimum``, ``maximum`` (exclusive or not) and ``multipleOf``."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..findings import Finding
from ..keywords import NUMBERS
from ..schemaset import Node
from ..walk import Walk, Writer


def bounds(node: Node, lower: bool) -> list[tuple[Any, bool, str]]:
    """A node's lower (or upper) bounds as (value, strict, keyword). Draft-04 spells a strict
    bound as ``minimum`` with ``exclusiveMinimum: true``; later drafts as a number."""
    plain, exclusive = ("minimum", "exclusiveMinimum") if lower else ("maximum", "exclusiveMaximum")
    found = []
    value, flag = node.get(plain), node.get(exclusive)
    if _number(value):
        found.append((value, flag is True, plain))
    if _number(flag):
        found.append((flag, True, exclusive))
    return found


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class NumberRules(Walk):
    def _numeric_rule(
        self, r: Node, alt: Writer, atoms: frozenset[str], primary: Node | None
    ) -> list[Finding]:
        findings = []
        for lower in (True, False):
            for bound, strict, keyword in bounds(r, lower):
                theirs = [(value, tight) for n in alt for value, tight, _ in bounds(n, lower)]
                reached = any(self._beats(v, bound, strict=False, up=lower) for v, _ in theirs)
                holds = reached and any(
                    self._beats(v, bound, strict=strict and not tight, up=lower)
                    for v, tight in theirs
                )
                if reached and not holds and not keyword.startswith("exclusive"):
                    keyword = "exclusiveMinimum" if lower else "exclusiveMaximum"  # draft-04 flag
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
