"""A Markdown page per schema, made from schemas/ (and an example from tests/fixtures/).

Each page: the title, description and version; a table of properties (type, required,
constraints, description); an example taken from the schema's valid fixtures; and the run files
and envelopes that carry it. `tools/codegen.py` writes the pages into docs/schemas/ (for people
browsing the repository) and into the Python binding (package data); the npm package copies them.
The pages link to each other by file name, so they read the same in all three places.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
FIXTURES = ROOT / "tests" / "fixtures"
SUFFIX = ".schema.json"
HEADER = "<!-- Generated from schemas/ by `nox -s codegen` (tools/schema_docs.py). Do not edit. -->"
INDEX = "README.md"
SAFE = 2**53 - 1

# Where each top-level document lives (src/baa_conductor/paths.py names the run files).
CARRIERS = {
    "run-metadata": "`meta.json` of a run directory",
    "run-state-snapshot": "`state.json` of a run directory",
    "worker-log-line": "each line of `worker.log`",
    "stream-chunk-log-entry": "each line of `stdout.log` and `stderr.log`",
    "checkpoint-record": "`checkpoints/<seq>.json` (mode `git_diff`)",
    "agent-activity": "`artifacts/agent-activity.json` of a codex step",
    "step-execution-request": "the request to run a step (`run_step`, `baa submit`)",
    "step-execution-result": "the result envelope (`run_step`, `baa run --json`)",
}
_WORDS = json.loads((ROOT / "src" / "baa_conductor" / "pattern-words.json").read_text("utf-8"))


def _load() -> dict[str, dict[str, Any]]:
    return {p.name.removesuffix(SUFFIX): json.loads(p.read_text("utf-8"))
            for p in sorted(SCHEMAS.glob(f"*{SUFFIX}"))}  # fmt: skip


def _ref_name(ref: str) -> str:
    return ref.split("#", 1)[0].rsplit("/", 1)[-1].removesuffix(SUFFIX)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and not value.startswith("#"):
                yield _ref_name(value)
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _number(value: Any) -> str:
    if value == SAFE:
        return "2^53 − 1"
    if value == -SAFE:
        return "−(2^53 − 1)"
    return json.dumps(value)


class Pages:
    def __init__(self) -> None:
        self.schemas = _load()
        self.version = (SCHEMAS / "VERSION").read_text("utf-8").strip()
        self.used_by: dict[str, set[str]] = {name: set() for name in self.schemas}
        for name, schema in self.schemas.items():
            for target in _refs(schema):
                if target != name:
                    self.used_by[target].add(name)

    def link(self, name: str) -> str:
        return f"[{self.schemas[name]['title']}]({name}.md)"

    def type_of(self, node: dict[str, Any]) -> str:
        if "$ref" in node:
            ref = node["$ref"]
            return "the same" if ref.startswith("#") else self.link(_ref_name(ref))
        types = node.get("type", "any")
        names = [types] if isinstance(types, str) else list(types)
        words = []
        for t in names:
            if t == "array" and isinstance(node.get("items"), dict):
                words.append(f"array of {self.type_of(node['items'])}")
            elif (
                t == "object"
                and isinstance(node.get("additionalProperties"), dict)
                and "properties" not in node
            ):
                words.append(f"object of {self.type_of(node['additionalProperties'])}")
            else:
                words.append(t)
        return " or ".join(words)

    def constraints(self, node: dict[str, Any]) -> str:
        said = []
        if "const" in node:
            said.append(f"always `{json.dumps(node['const'])}`")
        if "enum" in node and len(node["enum"]) == 1:
            said.append(f"always `{json.dumps(node['enum'][0])}`")
        elif "enum" in node:
            said.append("one of " + ", ".join(f"`{json.dumps(v)}`" for v in node["enum"]))
        for key, words in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"),
                           ("exclusiveMaximum", "<")):  # fmt: skip
            if key in node:
                said.append(f"{words} {_number(node[key])}")
        if node.get("minLength") == 1:
            said.append("not empty")
        elif "minLength" in node:
            said.append(f"at least {node['minLength']} characters")
        if "maxLength" in node:
            said.append(f"at most {node['maxLength']} characters")
        if "minItems" in node:
            said.append(f"at least {node['minItems']} items")
        if node.get("title") == "Timestamp":
            said.append("an RFC 3339 date-time, as the description says")
        elif "pattern" in node:
            words = _WORDS.get(node["pattern"])
            rule = f"`{node['pattern']}`" if len(node["pattern"]) <= 60 else "a pattern"
            said.append(f"{words.removeprefix('not ')}: {rule}" if words else f"matches {rule}")
        if "format" in node:
            said.append(f"format `{node['format']}` (an annotation: the pattern decides)")
        if node.get("additionalProperties") is False:
            said.append("no other properties")
        return "; ".join(said)

    def rows(self, node: dict[str, Any], prefix: str = "") -> Iterator[list[str]]:
        required = set(node.get("required", ()))
        for prop, sub in node.get("properties", {}).items():
            name = f"{prefix}{prop}"
            yield [f"`{name}`", self.type_of(sub), "yes" if prop in required else "",
                   self.constraints(sub), sub.get("description", "")]  # fmt: skip
            if "properties" in sub:
                yield from self.rows(sub, f"{name}.")
            items = sub.get("items")
            if isinstance(items, dict) and "properties" in items:
                yield from self.rows(items, f"{name}[].")

    def example(self, name: str) -> Any | None:
        files = sorted((FIXTURES / name / "valid").glob("*.json"))
        if not files:
            return None
        examples = [json.loads(f.read_text("utf-8")) for f in files]
        # The fullest example shows the most.
        return max(examples, key=lambda e: len(json.dumps(e)) if len(json.dumps(e)) < 4000 else 0)

    def carriers(self, name: str) -> list[str]:
        """The run files and envelopes that hold this schema, directly or inside another."""
        seen, pending, roots = {name}, [name], []
        while pending:
            current = pending.pop()
            if current in CARRIERS:
                roots.append(current)
            for user in sorted(self.used_by[current] - seen):
                seen.add(user)
                pending.append(user)
        return sorted(roots, key=list(CARRIERS).index)

    def page(self, name: str) -> str:
        schema = self.schemas[name]
        lines = [HEADER, f"# {schema['title']}", "",
                 f"`schemas/{name}{SUFFIX}`, version {schema['x-version']} "
                 f"(contracts {self.version}). `$id`: `{schema['$id']}`", "",
                 schema.get("description", ""), ""]  # fmt: skip
        rows = list(self.rows(schema))
        if rows:
            lines += ["## Properties", "",
                      "| property | type | required | constraints | description |",
                      "| --- | --- | --- | --- | --- |"]  # fmt: skip
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
            closed = schema.get("additionalProperties") is False
            lines += ["", "No other properties are allowed." if closed else
                      "Other properties are allowed (an open object).", ""]  # fmt: skip
        else:
            lines += ["## Value", "", f"Type: {self.type_of(schema)}."]
            constraints = self.constraints(schema)
            lines += [f"Constraints: {constraints}." if constraints else "", ""]
        example = self.example(name)
        if example is not None:
            lines += ["## Example", "", f"From `tests/fixtures/{name}/valid/`:", "", "```json",
                      json.dumps(example, indent=2, ensure_ascii=False), "```", ""]  # fmt: skip
        lines += ["## Where it is carried", ""]
        carriers = self.carriers(name)
        lines += [f"- {CARRIERS[c]}" + ("" if c == name else f", inside {self.link(c)}")
                  for c in carriers] or ["- no run file or envelope: used on its own"]  # fmt: skip
        users = sorted(self.used_by[name])
        if users:
            lines += ["", "Used by: " + ", ".join(self.link(u) for u in users) + "."]
        return "\n".join(lines).rstrip("\n") + "\n"

    def index(self) -> str:
        lines = [HEADER, f"# The schemas, contracts {self.version}", "",
                 "One page per JSON Schema of `schemas/`; schemas/README.md says how they are "
                 "versioned and what no schema can state.", "",
                 "| schema | version | description |", "| --- | --- | --- |"]  # fmt: skip
        for name, schema in self.schemas.items():
            first = schema.get("description", "").split(". ")[0].rstrip(".")
            lines.append(f"| {self.link(name)} | {schema['x-version']} | {_cell(first)} |")
        return "\n".join(lines) + "\n"


def write(out: Path) -> None:
    """Write every page, and the index, into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    pages = Pages()
    for name in pages.schemas:
        (out / f"{name}.md").write_text(pages.page(name), "utf-8")
    (out / INDEX).write_text(pages.index(), "utf-8")
