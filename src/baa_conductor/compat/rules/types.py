"""``type``, ``const``, ``enum``: the kinds of value, and a writer with few values checked one
by one."""

from __future__ import annotations

from typing import Any

from ..findings import BREAKING, COMPATIBLE, Finding, atom_of, short, type_atoms
from ..schemaset import Node
from ..values import same
from ..walk import Walk


class TypeRules(Walk):
    def _finite_rule(self, r: Node, values: list[Any], primary: Node | None) -> list[Finding]:
        rejected = [v for v in values if not r.is_valid(v, formats=True)]
        verdict = BREAKING if rejected else COMPATIBLE
        why = f"rejects {', '.join(short(v, 30) for v in rejected)}" if rejected else ""
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
        elif r.has("type") and any(atom_of(v) not in type_atoms(r.get("type")) for v in rejected):
            findings.append(self._type_finding(r.get("type"), self._get(primary, "type"), BREAKING))
        elif rejected:
            findings.append(Finding("", "values no longer accepted", BREAKING, "", why))
        elif r.has("type") and type_atoms(r.get("type")) != type_atoms(self._get(primary, "type")):
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
        if atoms <= type_atoms(r_type):
            if primary is not None and type_atoms(r_type) != type_atoms(p_type):
                return [self._type_finding(r_type, p_type, COMPATIBLE)]
            return []
        return [self._type_finding(r_type, p_type, BREAKING)]
