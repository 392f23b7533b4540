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
from .schemaset import file_of
from .values import same_document


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
    # Per direction, an instance that shows the break (the writer accepts it, the reader does
    # not), as a one-element tuple; () when none was found (or none was looked for).
    witnesses: tuple[tuple[Any, ...], tuple[Any, ...]] = ((), ())

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
            "witness": {
                direction: found[0]
                for direction, found in zip(("backward", "forward"), self.witnesses, strict=True)
                if found
            },
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
    edited: bool = False  # the file differs (annotations alone when unchanged)

    def verdict(self, mode: Mode) -> str:
        if self.status == "removed" and (mode.backward or mode.forward):
            return BREAKING
        return worst_of(c.verdict(mode) for c in self.changes)

    def breaks_itself(self, mode: Mode) -> bool:
        """A change of this schema's own (not reached through a $ref) breaks the mode."""
        return any(c.via is None and c.verdict(mode) != COMPATIBLE for c in self.changes)

    def failures(self, mode: Mode, answered: frozenset[str] = frozenset()) -> list[str]:
        """Why the gate refuses this schema, each naming the bump it needs: a change that breaks
        the mode without a MAJOR bump, a change to what validates without any bump, a schema
        removed.

        A breaking change reached through a $ref breaks this schema's instances as much as its
        own, so it fails here too, unless the referenced schema is checked in the same run and
        shows that change itself (``answered``): then it is reported once, where it lives."""
        if mode.name == "NONE":
            return []
        if self.status == "removed":
            return [
                f"{self.name}: schema removed (against {self.against}): needs a MAJOR bump of "
                "the contract version"
            ]
        old, new = self.old_version, self.new_version
        breaking = [
            c
            for c in self.changes
            if c.verdict(mode) != COMPATIBLE and (c.via is None or c.via not in answered)
        ]
        if breaking and _major(new) <= _major(old):
            return [
                f"{self.name}: {_first(breaking)} breaks {mode} against {self.against}: needs a "
                f"MAJOR version bump ({_versions(old, new)})"
            ]
        own = [c for c in self.changes if c.via is None]
        if own and new == old:
            return [
                f"{self.name}: {_first(own)} changes what validates: needs a MINOR version bump "
                f"({_versions(old, new)})"
            ]
        return []

    def bump(self) -> str | None:
        """The contract bump this schema's change asks for (schemas/README.md): MAJOR for a new
        MAJOR x-version or a schema removed, MINOR for a new MINOR or a schema added, PATCH for
        an edit that changes nothing that validates."""
        if self.status == "removed":
            return "MAJOR"
        if self.status == "added":
            return "MINOR"
        if self.old_version != self.new_version:
            return "MAJOR" if _major(self.new_version) > _major(self.old_version) else "MINOR"
        own = [c for c in self.changes if c.via is None]
        if any(c.backward != COMPATIBLE for c in own):
            return "MAJOR"
        if own:
            return "MINOR"
        return "PATCH" if self.edited else None


def _versions(old: str | None, new: str | None) -> str:
    if old is None and new is None:
        return "no x-version"
    return f"x-version still {old}" if old == new else f"x-version {old} -> {new}"


def _first(changes: Sequence[Change]) -> str:
    first = changes[0]
    where = first.pointer or "/"
    more = f" (and {len(changes) - 1} more)" if len(changes) > 1 else ""
    return f"{first.kind} at {where}{more}"


BUMPS = ("PATCH", "MINOR", "MAJOR")


def _semver(version: str | None) -> tuple[int, int, int] | None:
    parts = str(version or "").strip().split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1]), int(parts[2])


def contract_failure(
    old: str | None, new: str | None, schemas: Sequence[SchemaReport]
) -> str | None:
    """Whether the contract version (schemas/VERSION) moved as far as its schemas ask."""
    needs = [(b, s) for s in schemas if (b := s.bump()) is not None]
    if old is None or new is None or not needs:
        return None
    level, why = max(needs, key=lambda pair: BUMPS.index(pair[0]))
    before, after = _semver(old), _semver(new)
    if before is None or after is None:
        return f"VERSION: {old} -> {new} is not MAJOR.MINOR.PATCH"
    index = ("MAJOR", "MINOR", "PATCH").index(level)
    wanted = (*before[:index], before[index] + 1, *(0 for _ in before[index + 1 :]))
    if after >= wanted:
        return None
    what = {"removed": "was removed", "added": "was added"}.get(why.status, "changed")
    return (
        f"VERSION: {old} -> {new}, but {why.name} {what}: needs a {level} bump "
        f"(to {'.'.join(map(str, wanted))})"
    )


@dataclass(frozen=True)
class Report:
    mode: Mode
    against: tuple[str, ...]
    schemas: tuple[SchemaReport, ...] = field(default=())
    # The contract version (schemas/VERSION) per baseline: (then, now), None where absent.
    contract: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    def answered(self, against: str) -> frozenset[str]:
        """The schemas that show a breaking change of their own against ``against``."""
        return frozenset(
            s.name for s in self.schemas if s.against == against and s.breaks_itself(self.mode)
        )

    def failures(self) -> list[str]:
        found: list[str] = []
        for against in dict.fromkeys(s.against for s in self.schemas):
            schemas = [s for s in self.schemas if s.against == against]
            answered = self.answered(against)
            for s in schemas:
                found += s.failures(self.mode, answered)
            if self.mode.name != "NONE":
                contract = contract_failure(*self.contract.get(against, (None, None)), schemas)
                found += [contract] if contract else []
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


def table_rows(report: Report, width: int = 100) -> list[tuple[str, list[list[str]], list[str]]]:
    """(title, rows, examples) for each changed schema, one row per change, cut to fit ``width``
    columns (the JSON output has every detail whole). ``examples``: for each change that fails
    the mode, its witness on a line of its own (up to four times ``width``), which a row cut
    short would hide."""
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
            via = [f"(in {file_of(c.via)})"] if c.via else []
            detail = " ".join([c.detail, *via, *(f"({r})" for r in reasons), *_witness(c)])
            rows.append([c.pointer or "/", c.kind, detail.strip(), c.backward, c.forward])
        tables.append((_cut(title, width), _fit(rows, width), _examples(s, report.mode, width)))
    return tables


def _examples(schema: SchemaReport, mode: Mode, width: int) -> list[str]:
    """``e.g. forward, …/enum: {...}``: the data that fails, for each change failing ``mode``."""
    lines = []
    for c in schema.changes:
        if c.verdict(mode) == COMPATIBLE:
            continue
        for direction, found in zip(("backward", "forward"), c.witnesses, strict=True):
            if found and getattr(mode, direction):
                head = f"e.g. {direction}, {_cut(c.pointer or '/', 30, keep_end=True)}: "
                text = json.dumps(found[0], sort_keys=True, ensure_ascii=False)
                lines.append(_cut(head + text, 4 * width))  # data: wrapped rather than hidden
    return lines


def _witness(change: Change) -> list[str]:
    """The witnesses of a change as the text shows them: ``(e.g. {...} breaks backward)``."""
    shown = []
    for direction, found in zip(("backward", "forward"), change.witnesses, strict=True):
        if found:
            text = json.dumps(found[0], sort_keys=True)
            text = text if len(text) <= 80 else text[:79] + "…"
            shown.append(f"(e.g. {text} breaks {direction})")
    return shown


def _cut(text: str, width: int, *, keep_end: bool = False) -> str:
    if len(text) <= width:
        return text
    return "…" + text[-(width - 1) :] if keep_end else text[: width - 1] + "…"


def _fit(rows: list[list[str]], width: int) -> list[list[str]]:
    """Cells cut so that a row (five columns two spaces apart) fits ``width``: the verdicts
    whole, the pointer kept by its end (where the change is), the detail taking what is left."""
    header = ("where", "change", "detail", "backward", "forward")
    verdicts = max((len(c) for r in rows for c in r[3:]), default=0)
    verdicts = max(verdicts, len("backward"))
    room = width - 2 * 4 - 2 * verdicts
    where = min(max((len(r[0]) for r in rows), default=0), max(len(header[0]), room * 3 // 8))
    kind = min(max((len(r[1]) for r in rows), default=0), max(len(header[1]), room * 3 // 10))
    detail = max(len(header[2]), room - where - kind)
    return [
        [
            _cut(r[0], where, keep_end=True),
            _cut(r[1], kind),
            _cut(r[2], detail),
            r[3],
            r[4],
        ]
        for r in rows
    ]


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str, title: str, message: str, file: str | None = None, line: int | None = None
) -> str:
    """One GitHub Actions workflow command (``::error file=F,line=N,title=T::message``)."""
    props = [f"file={_escape_property(file)}"] if file else []
    props += [f"line={line}"] if line else []
    props.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(props)}::{_escape(message)}"


def render_github(report: Report, files: dict[str, str]) -> str:
    """One annotation per change that breaks the mode, at its file and line (an error when the
    gate fails for it, a warning when its version bump is there), one per other failure, then
    the summary. A change reached through a $ref is annotated where it lives when that file is
    checked too, else at the reference."""
    from pathlib import Path

    from .lines import line_of, pointer_lines

    lines: list[str] = []
    failing = set(report.failures())
    covered: set[str] = set()
    texts: dict[str, dict[str, int]] = {}

    def line(name: str, pointer: str) -> int | None:
        path = files.get(name)
        if path is None:
            return None
        if path not in texts:
            try:
                texts[path] = pointer_lines(Path(path).read_text("utf-8"))
            except (OSError, UnicodeDecodeError):
                texts[path] = {}
        return line_of(texts[path], pointer)

    for s in report.schemas:
        answered = report.answered(s.against)
        fails = [f for f in s.failures(report.mode, answered) if f in failing]
        for c in s.changes:
            verdict = c.verdict(report.mode)
            if verdict == COMPATIBLE or (c.via is not None and c.via in answered):
                continue
            via = f" (in {file_of(c.via)}, through a $ref)" if c.via else ""
            bump = f"; {fails[0].split(': ', 2)[-1]}" if fails else ""
            example = "".join(f" {w}" for w in _witness(c))
            message = (
                f"{s.name} {c.pointer or '/'}: {c.kind} ({c.detail or 'no detail'}){via} is "
                f"{verdict} for {report.mode} against {s.against}{bump}{example}"
            )
            level = "error" if fails else "warning"
            title = f"baa compat {report.mode}: {c.kind}"
            lines.append(
                annotation(level, title, message, files.get(s.name), line(s.name, c.pointer))
            )
            covered.update(fails)
    for failure in report.failures():
        if failure in covered:
            continue
        name = failure.split(":", 1)[0]
        at = line(name, "/x-version") if name in files else None
        lines.append(annotation("error", "baa compat", failure, files.get(name), at))
    lines.append(report.summary())
    return "\n".join(lines)


def render_markdown(report: Report) -> str:
    """A contract changelog for consumers: each changed schema with its changes and their
    BACKWARD and FORWARD verdicts."""
    out = [f"# Contract changes against {', '.join(report.against)}", ""]
    for against, (then, now) in report.contract.items():
        if then or now:
            out += [f"Contract version {then or '-'} -> {now or '-'} (against {against}).", ""]
    changed = [s for s in report.schemas if s.status != "unchanged" or s.edited]
    if not changed:
        out += ["No schema changed.", ""]
    for s in changed:
        status = s.status if s.status != "unchanged" else "annotations only"
        versions = f"{s.old_version or '-'} -> {s.new_version or '-'}"
        out += [f"## `{s.name}` {versions} ({status})", ""]
        if s.status == "removed":
            out += ["Removed: breaks BACKWARD and FORWARD.", ""]
            continue
        if s.status == "added":
            out += ["New schema.", ""]
            continue
        if not s.changes:
            out += ["Descriptions and other annotations only: nothing that validates changed.", ""]
            continue
        out += [
            "| where | change | detail | BACKWARD | FORWARD |",
            "| --- | --- | --- | --- | --- |",
        ]
        for c in s.changes:
            via = f" (in `{file_of(c.via)}`)" if c.via else ""
            example = "".join(f" {w}" for w in _witness(c))
            cells = [
                f"`{c.pointer or '/'}`", c.kind, f"{c.detail}{via}{example}", c.backward, c.forward
            ]  # fmt: skip
            out.append("| " + " | ".join(_md(cell) for cell in cells) + " |")
        out.append("")
    failures = report.failures()
    if failures:
        out += ["## Version policy", "", *(f"- {_md(f)}" for f in failures), ""]
    out.append(report.summary())
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


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
    edited = old is not None and new is not None and not same_document(old, new)
    return SchemaReport(name, against, version(old), version(new), status, tuple(changes), edited)
