"""Objects: each property between the schemas that apply to it on each side, names neither
lists, ``required``, dependencies and ``propertyNames``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..findings import BREAKING, COMPATIBLE, Finding, matches, ok, worst
from ..keywords import IN_PLACE
from ..schemaset import Node, escape
from ..values import same_schema
from ..walk import Walk, Writer


class ObjectRules(Walk):
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
            if matches(pattern, name):
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
                if primary is not None and not same_schema(r_value, p_value):
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
                extra, _ = self._additional(n, reader=False)
                if extra is not None and extra.schema is False and not n.get("patternProperties"):
                    props = n.get("properties") or {}
                    if all(
                        names.is_valid(k, formats=True) for k, v in props.items() if v is not False
                    ):
                        holds = True
                        break
        return self._judge("propertyNames", r, primary, holds)
