"""Schema compatibility: classify each change between two schema sets, as buf breaking and the
Confluent Schema Registry do for BACKWARD / FORWARD / FULL.

BACKWARD: readers on the new schemas accept everything written with the old ones (new ⊇ old).
FORWARD: readers on the old schemas accept everything written with the new ones (new ⊆ old).
FULL: both. A change that loosens is backward-safe only; one that tightens is forward-safe only;
one whose effect cannot be ordered (a pattern or ``$ref`` replaced) breaks both.

Version policy (schemas/README.md): a change that breaks BACKWARD needs a new MAJOR ``x-version``,
any other change to what validates needs at least a new MINOR; annotations need nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ._schemas import SUFFIX, load_schema, schema_names

SCHEMAS_IN_REPO = "schemas"
ANNOTATIONS = frozenset(
    {"title", "description", "$comment", "examples", "x-version", "default", "deprecated"}
)
LOWER_BOUNDS = frozenset({"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"})
UPPER_BOUNDS = frozenset({"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"})
SUBSCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs"})
SUBSCHEMAS = frozenset({"items", "additionalProperties", "not", "contains", "propertyNames"})
TYPE_ORDER = {"integer": {"number"}}  # an integer is a number: number ⊇ integer

LOOSENED, TIGHTENED, REPLACED, EQUIVALENT = "loosened", "tightened", "replaced", "equivalent"
MODES = ("BACKWARD", "FORWARD", "FULL")


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new schema, and what it breaks."""

    schema: str
    pointer: str
    kind: str
    effect: str  # loosened | tightened | replaced | equivalent
    detail: str

    @property
    def backward(self) -> bool:
        """New readers still accept old data."""
        return self.effect in (LOOSENED, EQUIVALENT)

    @property
    def forward(self) -> bool:
        """Old readers still accept new data."""
        return self.effect in (TIGHTENED, EQUIVALENT)

    def breaks(self, mode: str) -> bool:
        return {"BACKWARD": not self.backward, "FORWARD": not self.forward,
                "FULL": not (self.backward and self.forward)}[mode]  # fmt: skip


def _closed(schema: dict[str, Any]) -> bool:
    return schema.get("additionalProperties", True) is False


def _types(schema: dict[str, Any]) -> set[str] | None:
    value = schema.get("type")
    if value is None:
        return None
    return {value} if isinstance(value, str) else set(value)


def _covers(types: set[str], other: set[str]) -> bool:
    return all(t in types or TYPE_ORDER.get(t, set()) & types for t in other)


def _compare_sets(old: set[Any], new: set[Any]) -> str | None:
    if old == new:
        return None
    if new > old:
        return LOOSENED
    if new < old:
        return TIGHTENED
    return REPLACED


def diff_schema(name: str, old: Any, new: Any, pointer: str = "") -> Iterator[Change]:
    """Every change from ``old`` to ``new`` (one schema, compared keyword by keyword)."""

    def change(kind: str, effect: str, detail: str, at: str = pointer) -> Change:
        return Change(name, at or "/", kind, effect, detail)

    if old == new:
        return
    if not isinstance(old, dict) or not isinstance(new, dict):
        if old is True or new is False:
            yield change("schema", TIGHTENED if new is False else REPLACED, f"{old!r} -> {new!r}")
        elif new is True:
            yield change("schema", LOOSENED, "now accepts anything")
        else:
            yield change("schema", REPLACED, f"{old!r} -> {new!r}")
        return
    keys = (old.keys() | new.keys()) - ANNOTATIONS - {"$schema", "$id"}
    for key in sorted(keys):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        at = f"{pointer}/{key}"
        if key == "type":
            ta, tb = _types(old), _types(new)
            wider = tb is None or (ta is not None and _covers(tb, ta))
            narrower = ta is None or (tb is not None and _covers(ta, tb))
            effect = (
                EQUIVALENT
                if wider and narrower
                else LOOSENED
                if wider
                else TIGHTENED
                if narrower
                else REPLACED
            )
            shown = [sorted(t) if t else "any" for t in (ta, tb)]
            yield change(
                "type " + {LOOSENED: "widened", TIGHTENED: "narrowed"}.get(effect, "changed"),
                effect,
                f"{shown[0]} -> {shown[1]}",
                at,
            )
        elif key == "enum":
            if a is None or b is None:
                yield change(
                    "enum " + ("removed" if b is None else "added"),
                    LOOSENED if b is None else TIGHTENED,
                    f"{a} -> {b}",
                    at,
                )
            else:
                effect = _compare_sets(set(map(json.dumps, a)), set(map(json.dumps, b))) or LOOSENED
                added, removed = [v for v in b if v not in a], [v for v in a if v not in b]
                kind = {
                    LOOSENED: "enum value added",
                    TIGHTENED: "enum value removed",
                    REPLACED: "enum changed",
                }[effect]
                yield change(kind, effect, f"added {added}, removed {removed}", at)
        elif key == "const":
            effect = LOOSENED if b is None else TIGHTENED if a is None else REPLACED
            yield change("const changed", effect, f"{a!r} -> {b!r}", at)
        elif key == "required":
            # Arguments swapped: fewer required properties is the looser schema.
            effect = _compare_sets(set(b or []), set(a or [])) or EQUIVALENT
            newly = sorted(set(b or []) - set(a or []))
            dropped = sorted(set(a or []) - set(b or []))
            kind = (
                "property newly required"
                if newly and not dropped
                else "property no longer required"
                if dropped and not newly
                else "required changed"
            )
            yield change(
                kind,
                effect,
                f"newly required {newly}, no longer required {dropped}",
                at,
            )
        elif key in LOWER_BOUNDS or key in UPPER_BOUNDS:
            lower = key in LOWER_BOUNDS
            if a is None or b is None:
                effect = TIGHTENED if a is None else LOOSENED
                yield change(
                    f"{key} {'added' if a is None else 'removed'}", effect, f"{a} -> {b}", at
                )
            else:
                tighter = b > a if lower else b < a
                yield change(
                    f"{key} {'raised' if b > a else 'lowered'}",
                    TIGHTENED if tighter else LOOSENED,
                    f"{a} -> {b}",
                    at,
                )
        elif key in ("pattern", "format"):
            effect = TIGHTENED if a is None else LOOSENED if b is None else REPLACED
            yield change(
                f"{key} {'added' if a is None else 'removed' if b is None else 'changed'}",
                effect,
                f"{a!r} -> {b!r}",
                at,
            )
        elif key == "$ref":
            yield change("$ref target changed", REPLACED, f"{a} -> {b}", at)
        elif key == "additionalProperties" and not isinstance(a, dict) and not isinstance(b, dict):
            opened = b is None or b is True
            yield change(
                "unknown properties " + ("opened" if opened else "closed"),
                LOOSENED if opened else TIGHTENED,
                f"{a} -> {b}",
                at,
            )
        elif key in SUBSCHEMA_MAPS:
            yield from _diff_properties(name, old, new, key, at, change)
        elif key in SUBSCHEMAS:
            yield from diff_schema(name, True if a is None else a, True if b is None else b, at)
        else:
            yield change(f"{key} changed", REPLACED, f"{a!r} -> {b!r}", at)


def _diff_properties(
    name: str, old: dict[str, Any], new: dict[str, Any], key: str, at: str, change: Any
) -> Iterator[Change]:
    a, b = old.get(key) or {}, new.get(key) or {}
    for prop in sorted(a.keys() | b.keys()):
        where = f"{at}/{prop}"
        if prop not in a or prop not in b:
            added = prop not in a
            closed = _closed(old if added else new)
            # A closed model rejects unknown properties, an open one lets them be anything: adding
            # to a closed model or removing from an open one loosens; the other two tighten.
            effect = LOOSENED if added == closed else TIGHTENED
            kind = "property added" if added else "property removed"
            yield change(kind, effect, f"{prop!r} ({'closed' if closed else 'open'} model)", where)
        else:
            yield from diff_schema(name, a[prop], b[prop], where)


def _major(version: str | None) -> int:
    return int(str(version or "0").split(".")[0])


@dataclass(frozen=True)
class Report:
    mode: str
    changes: tuple[Change, ...]
    versions: dict[str, tuple[str | None, str | None]]

    def failures(self) -> list[str]:
        """Why the check fails: breaking changes without a MAJOR bump, changes without any bump."""
        problems = []
        for schema in sorted({c.schema for c in self.changes}):
            old, new = self.versions[schema]
            mine = [c for c in self.changes if c.schema == schema]
            if old is None or new is None:
                if new is None:
                    problems.append(f"{schema}: schema removed")
                continue
            if any(c.breaks(self.mode) for c in mine) and _major(new) <= _major(old):
                problems.append(
                    f"{schema}: breaks {self.mode} without a MAJOR version bump ({old} -> {new})"
                )
            elif new == old:
                problems.append(f"{schema}: changed without a version bump (x-version still {old})")
        return problems

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "ok": not self.failures(),
            "failures": self.failures(),
            "changes": [
                {
                    **asdict(c),
                    "backward": c.backward,
                    "forward": c.forward,
                    "breaks": c.breaks(self.mode),
                }
                for c in self.changes
            ],
        }


def compare(old: dict[str, Any], new: dict[str, Any], mode: str = "BACKWARD") -> Report:
    """Compare two schema sets (name -> schema)."""
    changes: list[Change] = []
    versions: dict[str, tuple[str | None, str | None]] = {}
    for name in sorted(old.keys() | new.keys()):
        a, b = old.get(name), new.get(name)
        versions[name] = (a and a.get("x-version"), b and b.get("x-version"))
        if a is None:
            changes.append(Change(name, "/", "schema added", LOOSENED, "new schema"))
        elif b is None:
            changes.append(Change(name, "/", "schema removed", REPLACED, "schema file removed"))
        else:
            changes.extend(diff_schema(name, a, b))
    return Report(mode, tuple(changes), versions)


def load_directory(path: Path) -> dict[str, Any]:
    return {
        p.name[: -len(SUFFIX)]: json.loads(p.read_text("utf-8"))
        for p in sorted(path.glob(f"*{SUFFIX}"))
    }


def load_git_ref(ref: str, cwd: Path | None = None) -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=cwd, check=False)
        if done.returncode != 0:
            raise ValueError(
                f"--against {ref!r}: neither a directory nor a git ref ({done.stderr.strip()})"
            )
        return done.stdout

    top = git("rev-parse", "--show-toplevel").strip()
    names = git("-C", top, "ls-tree", "--name-only", f"{ref}:{SCHEMAS_IN_REPO}").split()
    return {n[: -len(SUFFIX)]: json.loads(git("-C", top, "show", f"{ref}:{SCHEMAS_IN_REPO}/{n}"))
            for n in names if n.endswith(SUFFIX)}  # fmt: skip


def current() -> dict[str, Any]:
    return {name: load_schema(name) for name in schema_names()}


def main(args: argparse.Namespace) -> int:
    against = Path(args.against)
    old = load_directory(against) if against.is_dir() else load_git_ref(args.against)
    new = load_directory(Path(args.schemas)) if args.schemas else current()
    report = compare(old, new, args.mode)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        for c in report.changes:
            verdict = "BREAKING" if c.breaks(report.mode) else "safe"
            print(f"{verdict:8} {c.schema}{c.pointer}: {c.kind} ({c.detail}); "
                  f"backward {'safe' if c.backward else 'breaking'}, forward {'safe' if c.forward else 'breaking'}")  # fmt: skip
        failures = report.failures()
        for failure in failures:
            print(f"error: {failure}")
        print(f"{len(report.changes)} change(s) against {args.against}, mode {report.mode}: "
              f"{'FAIL' if failures else 'ok'}")  # fmt: skip
    return 1 if report.failures() else 0
