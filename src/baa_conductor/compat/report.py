"""What a comparison found, per schema: each change with its BACKWARD and FORWARD verdicts, the
version policy's failures, and the three ways to print it (a table, JSON, GitHub annotations).

Version policy (schemas/README.md): a change that breaks the checked mode needs a new MAJOR
``x-version``; any other change to what validates needs at least a new MINOR.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .check import BREAKING, COMPATIBLE, UNKNOWN, Finding, worst
from .modes import Mode
from .schemaset import SUFFIX


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new schema, judged in both directions."""

    pointer: str
    kind: str
    detail: str
    backward: str  # compatible | breaking | cannot tell: new readers, old data
    forward: str  # the same for old readers, new data
    reasons: tuple[str, str] = ("", "")  # why, per direction
    via: str | None = None  # the referenced schema the change lives in

    @property
    def direction(self) -> str:
        """loosened (accepts more), tightened (accepts less), equivalent, or changed (neither)."""
        back, fwd = self.backward == COMPATIBLE, self.forward == COMPATIBLE
        if back and fwd:
            return "equivalent"
        if back:
            return "loosened"
        if fwd:
            return "tightened"
        return "changed"

    def verdict(self, mode: Mode) -> str:
        pairs = ((self.backward, mode.backward), (self.forward, mode.forward))
        return worst_of(v for v, needed in pairs if needed)

    def to_json(self, mode: Mode) -> dict[str, Any]:
        return {
            "pointer": self.pointer or "/",
            "kind": self.kind,
            "detail": self.detail,
            "direction": self.direction,
            "backward": self.backward,
            "forward": self.forward,
            "verdict": self.verdict(mode),
            "reasons": {"backward": self.reasons[0], "forward": self.reasons[1]},
            "via": self.via,
        }


def merge(backward: Iterable[Finding], forward: Iterable[Finding]) -> list[Change]:
    """Line up the findings of the two directions by (pointer, kind, detail)."""
    table: dict[tuple[str, str, str], dict[str, Finding]] = {}
    for direction, findings in (("backward", backward), ("forward", forward)):
        for f in findings:
            slot = table.setdefault((f.pointer, f.kind, f.detail), {})
            previous = slot.get(direction)
            if previous is None or _rank(f.verdict) > _rank(previous.verdict):
                slot[direction] = f
    changes = []
    for (pointer, kind, detail), slot in table.items():
        back, fwd = slot.get("backward"), slot.get("forward")
        # A change lives in the last referenced file both directions went through to reach it:
        # a $ref on one side swapped for an inline schema on the other is a change of this one.
        shared: list[str] = []
        for names in zip(*(f.via for f in (back, fwd) if f is not None), strict=False):
            if len(set(names)) > 1:
                break
            shared.append(names[0])
        via = shared[-1] if shared else None
        changes.append(
            Change(
                pointer,
                kind,
                detail,
                back.verdict if back else COMPATIBLE,
                fwd.verdict if fwd else COMPATIBLE,
                (back.reason if back else "", fwd.reason if fwd else ""),
                via,
            )
        )
    return sorted(changes, key=lambda c: (c.via or "", c.pointer, c.kind, c.detail))


def worst_of(verdicts: Iterable[str]) -> str:
    return worst(Finding("", "", v) for v in verdicts)


def _rank(verdict: str) -> int:
    return {COMPATIBLE: 0, BREAKING: 1, UNKNOWN: 2}[verdict]


def _major(version: str | None) -> int:
    try:
        return int(str(version or "0").split(".")[0])
    except ValueError:
        return 0


@dataclass(frozen=True)
class SchemaReport:
    """One schema against one baseline version."""

    name: str
    against: str
    old_version: str | None
    new_version: str | None
    status: str  # added | removed | changed | unchanged
    changes: tuple[Change, ...] = ()

    def verdict(self, mode: Mode) -> str:
        if self.status == "removed" and (mode.backward or mode.forward):
            return BREAKING
        return worst_of(c.verdict(mode) for c in self.changes)

    def breaks_itself(self, mode: Mode) -> bool:
        """A change of this schema's own (not reached through a $ref) breaks the mode."""
        return any(c.via is None and c.verdict(mode) != COMPATIBLE for c in self.changes)

    def failures(self, mode: Mode, answered: frozenset[str] = frozenset()) -> list[str]:
        """Why the gate refuses this schema: a change that breaks the mode without a MAJOR bump, a
        change to what validates without any bump, a schema removed.

        A breaking change reached through a $ref breaks this schema's instances as much as its
        own, so it fails here too, unless the referenced schema is checked in the same run and
        shows that change itself (``answered``): then it is reported once, where it lives."""
        if mode.name == "NONE":
            return []
        if self.status == "removed":
            return [f"{self.name}: schema removed (against {self.against})"]
        own = [c for c in self.changes if c.via is None]
        old, new = self.old_version, self.new_version
        breaks = any(
            c.verdict(mode) != COMPATIBLE and (c.via is None or c.via not in answered)
            for c in self.changes
        )
        if breaks and _major(new) <= _major(old):
            return [
                f"{self.name}: breaks {mode} against {self.against} without a MAJOR version bump "
                f"({old} -> {new})"
            ]
        if own and new == old:
            return [f"{self.name}: changed without a version bump (x-version still {old})"]
        return []


@dataclass(frozen=True)
class Report:
    mode: Mode
    against: tuple[str, ...]
    schemas: tuple[SchemaReport, ...] = field(default=())

    def failures(self) -> list[str]:
        found: list[str] = []
        for against in dict.fromkeys(s.against for s in self.schemas):
            schemas = [s for s in self.schemas if s.against == against]
            answered = frozenset(s.name for s in schemas if s.breaks_itself(self.mode))
            for s in schemas:
                found += s.failures(self.mode, answered)
        return list(dict.fromkeys(found))

    def breaking(self) -> list[SchemaReport]:
        return [s for s in self.schemas if s.verdict(self.mode) != COMPATIBLE]

    def to_json(self) -> dict[str, Any]:
        failures = self.failures()
        return {
            "mode": self.mode.name,
            "against": list(self.against),
            "ok": not failures,
            "failures": failures,
            "schemas": [
                {
                    "name": s.name,
                    "against": s.against,
                    "old_version": s.old_version,
                    "new_version": s.new_version,
                    "status": s.status,
                    "verdict": s.verdict(self.mode),
                    "changes": [c.to_json(self.mode) for c in s.changes],
                }
                for s in self.schemas
                if s.status != "unchanged"
            ],
            "changes": [
                {"schema": s.name, "against": s.against, **c.to_json(self.mode)}
                for s in self.schemas
                for c in s.changes
            ],
        }

    def summary(self) -> str:
        count = sum(len(s.changes) for s in self.schemas)
        touched = len({s.name for s in self.schemas if s.status != "unchanged"})
        against = (
            ", ".join(self.against)
            if len(self.against) <= 3
            else (f"{len(self.against)} versions ({self.against[0]} .. {self.against[-1]})")
        )
        state = "FAIL" if self.failures() else "ok"
        return (
            f"{count} change(s) in {touched} schema(s) against {against}, mode {self.mode}: {state}"
        )


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2)


def table_rows(report: Report) -> list[tuple[str, list[list[str]]]]:
    """(title, rows) for each changed schema: its own changes one per row, then one row per
    referenced schema whose changes reach it through a ``$ref``."""
    tables = []
    for s in report.schemas:
        if s.status == "unchanged":
            continue
        title = f"{s.name} {s.old_version or '-'} -> {s.new_version or '-'} ({s.status}, against {s.against})"
        rows = []
        for c in s.changes:
            reasons = [
                f"{d}: {r}" for d, r in zip(("backward", "forward"), c.reasons, strict=True) if r
            ]
            via = [f"(in {c.via}{SUFFIX})"] if c.via else []
            detail = " ".join([c.detail, *via, *(f"({r})" for r in reasons)]).strip()
            rows.append([c.pointer or "/", c.kind, detail, c.backward, c.forward])
        tables.append((title, rows))
    return tables


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render_github(report: Report, files: dict[str, str]) -> str:
    """Workflow commands (``::error file=...::``) for what fails the mode, then the summary."""
    lines: list[str] = []
    for s in report.schemas:
        path = files.get(s.name, s.name)
        for c in s.changes:
            verdict = c.verdict(report.mode)
            if verdict == COMPATIBLE:
                continue
            where = (f"{c.via}: " if c.via else "") + (c.pointer or "/")
            message = f"{s.name} {where}: {c.kind} ({c.detail}) is {verdict} for {report.mode}"
            lines.append(f"::error file={path},title=baa compat {report.mode}::{_escape(message)}")
    for failure in report.failures():
        name = failure.split(":", 1)[0]
        lines.append(f"::error file={files.get(name, name)},title=baa compat::{_escape(failure)}")
    lines.append(report.summary())
    return "\n".join(lines)


def schema_report(
    name: str, against: str, old: Any, new: Any, changes: Sequence[Change]
) -> SchemaReport:
    def version(schema: Any) -> str | None:
        value = schema.get("x-version") if isinstance(schema, dict) else None
        return str(value) if value is not None else None

    status = (
        "added"
        if old is None
        else "removed"
        if new is None
        else "changed"
        if changes
        else "unchanged"
    )
    return SchemaReport(name, against, version(old), version(new), status, tuple(changes))
