"""Strings: lengths, ``pattern``, ``format`` and the ``content*`` keywords."""

from __future__ import annotations

from ..findings import BREAKING, UNKNOWN, Finding, has_ref
from ..keywords import CONTENT
from ..schemaset import Node
from ..values import same, same_schema
from ..walk import Walk, Writer

# Formats whose strings are all strings of wider ones: every URI is a URI reference and an IRI
# (RFC 3986 section 4.1, RFC 3987 section 2.2), every IRI an IRI reference.
WIDER_FORMATS = {
    "uri": frozenset({"uri-reference", "iri", "iri-reference"}),
    "uri-reference": frozenset({"iri-reference"}),
    "iri": frozenset({"iri-reference"}),
}


class StringRules(Walk):
    def _string_rule(self, r: Node, alt: Writer, primary: Node | None) -> list[Finding]:
        findings = self._count_rule("minLength", r, alt, primary)
        findings += self._count_rule("maxLength", r, alt, primary)
        for keyword in ("pattern", "format", *CONTENT):
            value = r.get(keyword)
            if value is None:
                continue
            if keyword == "contentSchema":
                holds = any(same_schema(n.get(keyword), value) for n in alt) and not has_ref(value)
            elif keyword == "format":
                holds = any(
                    same(n.get(keyword), value) or value in WIDER_FORMATS.get(n.get(keyword), ())
                    for n in alt
                )
            else:
                holds = any(same(n.get(keyword), value) for n in alt)
            changed = primary is not None and primary.get(keyword) is not None
            # Two regular expressions are not compared: a changed pattern cannot be told.
            verdict = UNKNOWN if keyword == "pattern" and changed else BREAKING
            findings += self._judge(keyword, r, primary, holds, verdict)
        return findings
