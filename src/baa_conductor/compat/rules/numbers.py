"""Numbers: ``minimum``, ``maximum`` (exclusive or not) and ``multipleOf``."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..findings import Finding
from ..keywords import NUMBERS
from ..schemaset import Node
from ..walk import Walk, Writer

LOWER = {"minimum": False, "exclusiveMinimum": True}
UPPER = {"maximum": False, "exclusiveMaximum": True}


class NumberRules(Walk):
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
