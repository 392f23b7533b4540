"""The event stream of ``codex exec --json``, read as it arrives.

One JSON object per line (openai/codex ``codex-rs/exec/src/exec_events.rs``): ``thread.started
{thread_id}``, ``turn.started``, ``turn.completed {usage}``, ``turn.failed {error: {message}}``, a
top-level ``error {message}`` (fatal, or a reconnect notice when a completed turn follows), and
``item.started`` / ``item.updated`` / ``item.completed`` with ``item: {id, type, ...}``.

Lines are cut only at ``\\n``: a message may hold U+2028, U+0085 or ``\\r`` (serde_json writes
them as they are) and may be longer than any chunk of output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import encoding


@dataclass
class Command:
    command: str
    status: str
    exit_code: int | None = None


@dataclass
class FileChange:
    path: str
    kind: str
    status: str


@dataclass
class CodexEvents:
    """What the agent reported, folded from its events as they come."""

    thread_id: str | None = None
    usage: dict[str, int] | None = None
    final_message: str | None = None
    #: "completed" or "failed" for the last turn that ended; None while none has.
    turn: str | None = None
    turn_error: str | None = None
    #: Top-level errors since the last turn ended (a completed turn clears them: they were transient).
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    commands: dict[str, Command] = field(default_factory=dict)
    file_changes: list[FileChange] = field(default_factory=list)
    events: int = 0
    not_json: int = 0
    _pending: bytearray = field(default_factory=bytearray)

    def feed(self, data: bytes) -> None:
        """Take a chunk of stdout; every complete line in it is read."""
        self._pending += data
        end = self._pending.rfind(b"\n")
        if end < 0:
            return
        lines = bytes(self._pending[:end])
        del self._pending[: end + 1]
        for line in lines.split(b"\n"):
            self._line(line)

    def close(self) -> None:
        """The output has ended: a last line without its newline is read too."""
        if self._pending:
            line = bytes(self._pending)
            self._pending.clear()
            self._line(line)

    def _line(self, line: bytes) -> None:
        if not line.strip():
            return
        try:
            event = encoding.loads(line)
        except ValueError:
            self.not_json += 1
            return
        if not isinstance(event, dict):
            self.not_json += 1
            return
        self.events += 1
        self._event(event)

    def _event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "thread.started":
            self.thread_id = _text(event.get("thread_id"))
        elif kind == "turn.started":
            self.turn, self.turn_error, self.errors = None, None, []
        elif kind == "turn.completed":
            self.turn, self.errors = "completed", []
            self.usage = _usage(event.get("usage"))
        elif kind == "turn.failed":
            self.turn = "failed"
            self.turn_error = _text(_object(event.get("error")).get("message")) or "turn failed"
        elif kind == "error":
            self.errors.append(_text(event.get("message")) or "unknown error")
        elif kind in ("item.started", "item.updated", "item.completed"):
            self._item(_object(event.get("item")), completed=kind == "item.completed")

    def _item(self, item: dict[str, Any], completed: bool) -> None:
        kind = item.get("type")
        item_id = _text(item.get("id")) or f"#{len(self.commands)}"
        if kind == "command_execution":
            exit_code = item.get("exit_code")
            self.commands[item_id] = Command(
                command=_text(item.get("command")) or "",
                status=_text(item.get("status")) or ("completed" if completed else "in_progress"),
                exit_code=exit_code if _count(exit_code, signed=True) else None,
            )
        elif not completed:
            return
        elif kind == "agent_message":
            self.final_message = _text(item.get("text")) or ""
        elif kind == "file_change":
            status = _text(item.get("status")) or "completed"
            for change in item.get("changes") or []:
                change = _object(change)
                path = _text(change.get("path"))
                if path:
                    self.file_changes.append(
                        FileChange(path, _text(change.get("kind")) or "update", status)
                    )
        elif kind == "error":
            self.warnings.append(_text(item.get("message")) or "")

    @property
    def failure(self) -> str | None:
        """Why the agent's run failed, by its own events; None if they show no failure."""
        if self.turn == "failed":
            return self.turn_error
        if self.turn != "completed" and self.errors:
            return self.errors[-1]
        return None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


USAGE_KEYS = ("input_tokens", "cached_input_tokens", "output_tokens")
#: Reported by newer codex versions (0.169.0 has both); kept when present.
OPTIONAL_USAGE_KEYS = ("cache_write_input_tokens", "reasoning_output_tokens")


def _usage(value: Any) -> dict[str, int] | None:
    usage = _object(value)
    if not all(_count(usage.get(k)) for k in USAGE_KEYS):
        return None
    return {k: int(usage[k]) for k in (*USAGE_KEYS, *OPTIONAL_USAGE_KEYS) if _count(usage.get(k))}


def _count(value: Any, signed: bool = False) -> bool:
    """An integer as JSON has them (not a bool), not negative unless ``signed``."""
    return type(value) is int and (signed or value >= 0)
