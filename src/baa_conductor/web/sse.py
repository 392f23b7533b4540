"""``GET /api/runs/{task}/{run}/events``: a run's new log entries as server-sent events.

Each entry is an ``entry`` event whose ``id`` is its ``seq``, so a client that reconnects (the
browser's EventSource sends ``Last-Event-ID``) resumes after the last entry it had, without loss
or repeat. A change of state.json is a ``state`` event; when the run has ended (``finishedAt``,
or its runner is gone) the rest of the logs is sent, then one ``end`` event with the final state,
and the stream closes.

The logs are polled every :data:`POLL_SEC` (a stat and a read of what was appended): a line a
worker writes reaches the page well within a quarter of a second. Entries are sent in seq order:
one seen in a file before a smaller seq appears in another (the three files are read one after
the other) waits for it, at most :data:`GAP_WAIT_SEC` (a seq may be missing for good: a torn or
invalid line).
"""

from __future__ import annotations

import asyncio
import heapq
import os
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ..encoding import dumps_bytes, loads
from ..exceptions import BaaError
from ..paths import LOG_OF_CHANNEL, META, SCHEMA_OF_FILE, STATE
from ..readers import LineReader, load_json, run_status
from .logs import LogFile

POLL_SEC = 0.05
GAP_WAIT_SEC = 0.1
#: How often an unfinished run's runner is looked for (its lock, or its heartbeat).
LIVENESS_SEC = 1.0
KEEPALIVE_SEC = 15.0
#: Most bytes read from one log per poll (a client far behind catches up in steps).
POLL_BUDGET = 1 << 20


class Follower:
    """The logs of one run read forward from after a seq, and its state watched."""

    def __init__(self, run_dir: str, after_seq: int):
        self.run_dir = run_dir
        self.next_seq = after_seq + 1
        self.logs: list[tuple[LogFile, LineReader]] = []
        self.pending: list[tuple[int, int, dict[str, Any]]] = []  # (seq, order, entry)
        self.order = 0
        self.gap_since: float | None = None
        self.meta = load_json(os.path.join(run_dir, META), SCHEMA_OF_FILE[META])
        self.state_key: tuple[int, int] | None = None
        self.state: dict[str, Any] | None = None
        self.status: tuple[str, bool] = ("", False)
        self.seen: tuple[tuple[int, int], tuple[str, bool]] | None = None
        self.checked = 0.0
        self.problems: list[str] = []
        for channel in LOG_OF_CHANNEL:
            try:
                log = LogFile(run_dir, channel)
            except BaaError:
                continue
            log.handle.seek(log.offset_after(after_seq))
            self.logs.append((log, LineReader(log.handle)))

    def close(self) -> None:
        for log, _ in self.logs:
            log.close()

    def read_logs(self) -> None:
        for log, reader in self.logs:
            lines = reader.read(POLL_BUDGET)
            for data in lines:
                try:
                    value = loads(data)
                except ValueError:
                    continue
                if log.check(value) and value["seq"] >= self.next_seq:
                    self.order += 1
                    heapq.heappush(self.pending, (value["seq"], self.order, value))

    def ready(self, drain: bool) -> list[dict[str, Any]]:
        """The pending entries that can go now, in seq order (all of them when ``drain``)."""
        out = []
        now = time.monotonic()
        while self.pending:
            seq = self.pending[0][0]
            if seq > self.next_seq and not drain:
                if self.gap_since is None:
                    self.gap_since = now
                if now - self.gap_since < GAP_WAIT_SEC:
                    break
            self.gap_since = None
            entry = heapq.heappop(self.pending)[2]
            self.next_seq = seq + 1
            out.append(entry)
        return out

    def look(self) -> bool:
        """Reread state.json when it was replaced, and look for the runner at most every
        :data:`LIVENESS_SEC`; whether what a client sees (state, status, live) changed."""
        try:
            st = os.lstat(os.path.join(self.run_dir, STATE))
        except OSError:
            return False
        key = (st.st_ino, st.st_mtime_ns)
        now = time.monotonic()
        if key != self.state_key:
            try:
                self.state = load_json(os.path.join(self.run_dir, STATE), SCHEMA_OF_FILE[STATE])
            except BaaError:
                return False  # being replaced: looked at again at the next poll
            self.state_key = key
        elif now - self.checked < LIVENESS_SEC:
            return False
        self.checked = now
        assert self.state is not None
        self.status = run_status(self.meta, self.state, self.run_dir)
        seen = (key, self.status)
        if seen == self.seen:
            return False
        self.seen = seen
        return True

    @property
    def ended(self) -> bool:
        """The run is over: finished, or no runner is at work on it any more."""
        return self.state is not None and not self.status[1]

    def state_body(self) -> dict[str, Any]:
        return {"status": self.status[0], "live": self.status[1], "state": self.state}


def _event(kind: str, data: Any, event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: ".encode() + dumps_bytes(data) + b"\n\n"


async def _stream(follower: Follower, stopping: Callable[[], bool]) -> AsyncIterator[bytes]:
    try:
        yield b"retry: 1000\n\n"
        beat = time.monotonic()
        while not stopping():  # a server shutting down closes the stream (the client resumes)
            changed = follower.look()
            follower.read_logs()
            out = [_event("entry", e, e["seq"]) for e in follower.ready(drain=follower.ended)]
            if follower.ended:
                follower.read_logs()  # whatever was written before the final state
                out += [_event("entry", e, e["seq"]) for e in follower.ready(drain=True)]
                out.append(_event("end", follower.state_body()))
                yield b"".join(out)
                return
            if changed:
                out.append(_event("state", follower.state_body()))
            if out:
                yield b"".join(out)
                beat = time.monotonic()
            elif time.monotonic() - beat > KEEPALIVE_SEC:
                yield b": keep-alive\n\n"
                beat = time.monotonic()
            await asyncio.sleep(POLL_SEC)
    finally:
        follower.close()


def run_events(request: Request) -> Response:
    from .api import BadRequest, _int, _run_dir

    path = _run_dir(request)
    last_id = request.headers.get("last-event-id")
    after = _int(request, "after_seq", 0, 2**53 - 1, 0)
    if last_id:
        try:
            after = max(0, min(int(last_id), 2**53 - 1))
        except ValueError:
            raise BadRequest(f"Last-Event-ID: {last_id[:40]!r} is not a seq") from None
    assert after is not None
    follower = Follower(path, after)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    stream = _stream(follower, request.app.state.stopping)
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
