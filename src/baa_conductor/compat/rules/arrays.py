"""Arrays: ``prefixItems`` / ``items`` (array-form ``items`` and ``additionalItems`` before
2020-12), ``unevaluatedItems``, counts, ``uniqueItems`` and ``contains``."""

from __future__ import annotations

from ..findings import Finding, ok
from ..keywords import IN_PLACE
from ..schemaset import Node
from ..values import same, same_schema
from ..walk import Walk, Writer


class ArrayRules(Walk):
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
        # The whole schema, not the view a split writer has of it: a union split off into an
        # alternative still evaluates items for the unevaluatedItems beside it.
        whole = set(node.schema) if isinstance(node.schema, dict) else set()
        modelled = reader or not whole & (IN_PLACE | {"contains"})
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
                same_schema(n.get("contains"), r.get("contains"))
                and n.get("maxContains") is not None
                and n.get("maxContains") <= most
                for n in alt
            )
            findings += self._judge("maxContains", r, primary, holds)
        return findings
