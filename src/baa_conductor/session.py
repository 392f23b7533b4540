"""A run's log session: one global ``seq`` across worker.log, stdout.log and stderr.log.

Lifecycle entries are few and all kept. Stream chunks are written to disk as they come and only a
bounded tail stays in memory for the envelope; the counts are the true totals.
"""

from __future__ import annotations

import base64
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from . import encoding
from ._clock import now
from .store import RunWriter
from .validation import compiled, parsed_check, validate

CHUNK_SCHEMA = "stream-chunk-log-entry"


DEFAULT_TAIL_ENTRIES = 200
DEFAULT_TAIL_BYTES = 1 << 20

#: Called with (channel, bytes) for each chunk of worker output, once it is on disk.
OnOutput = Callable[[str, bytes | memoryview], object]


class Tail:
    """The newest chunks of a stream, at most ``max_entries`` of them and about ``max_bytes`` of text."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.entries: deque[dict[str, Any]] = deque()
        self.size = 0

    @staticmethod
    def _size(entry: dict[str, Any]) -> int:
        return len(entry["text"]) + len(entry.get("bytesB64", ""))

    def append(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)
        self.size += self._size(entry)
        while self.entries and (
            len(self.entries) > self.max_entries
            or (self.size > self.max_bytes and len(self.entries) > 1)
        ):
            self.size -= self._size(self.entries.popleft())


def event_id(run_id: str, seq: int) -> str:
    """``<runId>:event:<seq>``, seq zero-padded to four digits (the seed's eventId)."""
    return f"{run_id}:event:{seq:04d}"


def render_chunk(data: bytes | memoryview) -> dict[str, str]:
    """The text fields of a stream chunk: UTF-8 text, or lossy text plus the exact bytes."""
    try:
        return {"text": str(data, "utf-8")}
    except UnicodeDecodeError:
        return {
            "text": str(data, "utf-8", "replace"),
            "encoding": "base64",
            "bytesB64": base64.b64encode(data).decode("ascii"),
        }


def chunk_bytes(entry: dict[str, Any]) -> bytes:
    """The exact bytes a stream chunk entry holds (inverse of :func:`render_chunk`)."""
    if entry.get("encoding") == "base64":
        return base64.b64decode(entry["bytesB64"])
    text: str = entry["text"]
    return text.encode("utf-8", "surrogatepass")


class LogSession:
    """Allocates seq, renders and persists entries, keeps what the envelope needs."""

    def __init__(
        self,
        context: dict[str, str],
        writer: RunWriter,
        tail_entries: int = DEFAULT_TAIL_ENTRIES,
        tail_bytes: int = DEFAULT_TAIL_BYTES,
        on_output: OnOutput | None = None,
    ):
        self.context = context
        self.on_output = on_output
        self.writer = writer
        self.next_seq = 1
        self.lifecycle: list[dict[str, Any]] = []
        self.tails = {c: Tail(tail_entries, tail_bytes) for c in ("stdout", "stderr")}
        self.counts = {"stdout": 0, "stderr": 0}
        # Interval checkpoints record events from their own thread, between output chunks.
        self._lock = threading.Lock()

    @property
    def last_seq(self) -> int:
        return self.next_seq - 1

    def _allocate(self) -> int:
        seq = self.next_seq
        self.next_seq += 1
        return seq

    def record(
        self,
        type: str,
        level: str,
        message: str,
        data: dict[str, Any] | None = None,
        created_at: str | None = None,
    ) -> dict[str, Any]:
        """Record a lifecycle event: allocate its seq, write its worker.log line, keep the entry."""
        with self._lock:
            return self._record(type, level, message, data, created_at)

    def _record(
        self,
        type: str,
        level: str,
        message: str,
        data: dict[str, Any] | None,
        created_at: str | None,
    ) -> dict[str, Any]:
        seq = self._allocate()
        line = {
            "seq": seq,
            "eventId": event_id(self.context["runId"], seq),
            "taskId": self.context["taskId"],
            "stepId": self.context["stepId"],
            "runId": self.context["runId"],
            "type": type,
            "level": level,
            "createdAt": created_at or now(),
            "message": message,
            "data": data or {},
        }
        validate("worker-log-line", line)
        rendered = encoding.dumps_bytes(line)
        self.writer.append("worker", rendered + b"\n")
        entry = {
            **self.context,
            **line,
            "channel": "worker",
            "renderedLine": rendered.decode("utf-8"),
        }
        self.lifecycle.append(entry)
        return entry

    def append_chunk(
        self, channel: str, data: bytes | memoryview, created_at: str | None = None
    ) -> dict[str, Any]:
        """Append one chunk of worker output to stdout.log or stderr.log as it arrived."""
        with self._lock:
            return self._append_chunk(channel, data, created_at)

    def _append_chunk(
        self, channel: str, data: bytes | memoryview, created_at: str | None
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            **self.context,
            "seq": self._allocate(),
            "channel": channel,
            "createdAt": created_at or now(),
            **render_chunk(data),
        }
        # Built here, a chunk meets the wire rules by construction (text decoded from bytes, a
        # small seq, ids already validated): the schema check alone applies, without the wire
        # probe, which would serialize every chunk once more. validate() names what is wrong.
        check = parsed_check(CHUNK_SCHEMA) or compiled(CHUNK_SCHEMA)
        if not check(entry):
            validate(CHUNK_SCHEMA, entry)
        self.writer.append(channel, encoding.dumps_line(entry))
        self.tails[channel].append(entry)
        self.counts[channel] += 1
        if self.on_output is not None:
            self.on_output(channel, data)
        return entry

    def append_text(self, channel: str, text: str) -> dict[str, Any]:
        """Append a chunk given as text (the seed's executor-returned stdout/stderr lists)."""
        return self.append_chunk(channel, text.encode("utf-8", "surrogatepass"))

    def summary(self) -> dict[str, int]:
        """The seed's LocalRunLogSummary, over everything written (not just the kept tail)."""
        lifecycle = len(self.lifecycle)
        return {
            "totalEntries": lifecycle + self.counts["stdout"] + self.counts["stderr"],
            "lastSeq": self.last_seq,
            "lifecycleEventCount": lifecycle,
            "stdoutChunkCount": self.counts["stdout"],
            "stderrChunkCount": self.counts["stderr"],
        }

    def stream(self, channel: str, file_path: str) -> dict[str, Any]:
        """A stream for the envelope: the kept tail, and how many earlier chunks were left out."""
        entries = list(self.tails[channel].entries)
        stream: dict[str, Any] = {"channel": channel, "filePath": file_path, "entries": entries}
        omitted = self.counts[channel] - len(entries)
        if omitted:
            stream["omittedEntryCount"] = omitted
        return stream
