"""The runs of a runs root, kept fresh by directory mtimes instead of rereading every run.

meta.json is written once and state.json is only ever replaced by a rename, which changes the
run directory's mtime; a new run changes its task directory's mtime and a new task the root's.
A refresh therefore stats the root, each task directory and each run directory, and rereads
meta.json and state.json only where a run directory changed. What no mtime shows, a runner that
died, is checked on every refresh for the unfinished runs only (their lock, or their heartbeat).
"""

from __future__ import annotations

import base64
import os
import threading
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from ..encoding import loads
from ..exceptions import BaaError
from ..paths import META, SCHEMA_OF_FILE, STATE
from ..readers import parse, read_document, run_status

#: A refresh is skipped when the last one is younger than this (seconds): a burst of requests
#: (a page polling, several pages open) costs one sweep of the root.
FRESH_FOR = 0.25


@dataclass
class Run:
    """One run directory as last read: its mtime, its documents (validated) and its status."""

    key: tuple[int, int]  # (st_ino, st_mtime_ns) of the run directory
    task: str
    run: str
    path: str
    meta: dict[str, Any] | None = None
    state: dict[str, Any] | None = None
    problem: str | None = None
    status: str = "unreadable"
    live: bool = False

    def sort_key(self) -> tuple[str, str, str]:
        started = self.state["startedAt"] if self.state else ""
        return (started, self.task, self.run)

    def row(self) -> dict[str, Any]:
        """The run as :func:`RunIndex.page` sends it (meta and state are their schemas' shape)."""
        row: dict[str, Any] = {"taskId": self.task, "runId": self.run, "status": self.status,
                               "live": self.live}  # fmt: skip
        if self.meta is not None and self.state is not None:
            row["meta"], row["state"] = self.meta, self.state
        if self.problem is not None:
            row["problem"] = self.problem
        return row


@dataclass
class _Task:
    key: tuple[int, int] = (0, 0)
    runs: dict[str, Run] = field(default_factory=dict)


def _key(st: os.stat_result) -> tuple[int, int]:
    return (st.st_ino, st.st_mtime_ns)


def _directories(path: str) -> list[str]:
    try:
        with os.scandir(path) as entries:
            return [e.name for e in entries
                    if not e.name.startswith(".") and e.is_dir(follow_symlinks=False)]  # fmt: skip
    except OSError:
        return []


def _read(run: Run, root: str) -> None:
    """Read meta.json and state.json of ``run``, each validated; a problem is kept, not raised
    (naming the file relative to the runs root: the server's paths are not the client's)."""
    try:
        run.meta = parse(read_document(os.path.join(run.path, META)), SCHEMA_OF_FILE[META],
                         os.path.join(run.path, META))  # fmt: skip
        run.state = parse(read_document(os.path.join(run.path, STATE)), SCHEMA_OF_FILE[STATE],
                          os.path.join(run.path, STATE))  # fmt: skip
        run.problem = None
    except BaaError as error:
        run.meta = run.state = None
        run.problem = str(error).replace(root + os.sep, "")


def encode_cursor(key: tuple[str, str, str]) -> str:
    from ..encoding import dumps_bytes

    return base64.urlsafe_b64encode(dumps_bytes(list(key))).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str, str]:
    """The sort key a cursor holds; ValueError when it is not one this index gave out."""
    try:
        value = loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise ValueError("not a cursor this server gave out") from None
    if not (isinstance(value, list) and len(value) == 3 and all(isinstance(v, str) for v in value)):
        raise ValueError("not a cursor this server gave out")
    return (value[0], value[1], value[2])


class RunIndex:
    """Every run under ``root``, newest first (start time, then task and run id, descending)."""

    def __init__(self, root: str):
        self.root = root
        self._root_key: tuple[int, int] | None = None
        self._tasks: dict[str, _Task] = {}
        self._sorted: list[Run] = []
        self._keys: list[tuple[str, str, str]] = []  # ascending, for bisect
        self._lock = threading.Lock()
        self._refreshed = 0.0
        self.generation = 0  # grows whenever a run appears, goes or changes

    def refresh(self, *, force: bool = False) -> None:
        with self._lock:
            if not force and time.monotonic() - self._refreshed < FRESH_FOR:
                return
            self._update()
            self._refreshed = time.monotonic()

    def prime(self) -> None:
        """Read every run once (as the server starts); the next request still sweeps the root."""
        with self._lock:
            self._update()

    def _update(self) -> None:
        if self._sweep():
            runs = [r for t in self._tasks.values() for r in t.runs.values()]
            runs.sort(key=Run.sort_key)
            self._keys = [r.sort_key() for r in runs]
            self._sorted = runs
            self.generation += 1

    def _sweep(self) -> bool:
        changed = False
        try:
            root_key = _key(os.stat(self.root))
        except OSError:
            root_key = (0, 0)
        if root_key != self._root_key:
            names = set(_directories(self.root))
            for gone in self._tasks.keys() - names:
                del self._tasks[gone]
                changed = True
            for name in names - self._tasks.keys():
                self._tasks[name] = _Task()
            self._root_key = root_key
        for name, task in list(self._tasks.items()):
            changed |= self._sweep_task(name, task)
        return changed

    def _sweep_task(self, name: str, task: _Task) -> bool:
        changed = False
        task_dir = os.path.join(self.root, name)
        try:
            key = _key(os.lstat(task_dir))
        except OSError:
            key = (0, 0)
        if key != task.key:
            names = set(_directories(task_dir))
            for gone in task.runs.keys() - names:
                del task.runs[gone]
                changed = True
            for run_name in names - task.runs.keys():
                task.runs[run_name] = Run((0, 0), name, run_name, os.path.join(task_dir, run_name))
            task.key = key
        for run_name, run in list(task.runs.items()):
            try:
                run_key = _key(os.lstat(run.path))
            except OSError:
                del task.runs[run_name]
                changed = True
                continue
            fresh = run_key != run.key
            if fresh:
                if not os.path.lexists(os.path.join(run.path, META)):
                    continue  # not a run directory (yet); looked at again when it changes
                run.key = run_key
                _read(run, self.root)
                changed = True
            if run.state is not None and run.meta is not None:
                if not fresh and "finishedAt" in run.state:
                    continue  # finished and unchanged: nothing can have changed its status
                status = run_status(run.meta, run.state, run.path)
                if status != (run.status, run.live):
                    run.status, run.live = status
                    changed = True
            elif run.status != "unreadable":
                run.status, run.live = "unreadable", False
                changed = True
        return changed

    def runs(self) -> list[Run]:
        """Every run, oldest first (a snapshot: later refreshes do not change it)."""
        self.refresh()
        return list(self._sorted)

    def page(
        self,
        *,
        task: str | None = None,
        status: str | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """Runs newest first, ``limit`` at most, after ``cursor``; with the next page's cursor."""
        self.refresh()
        with self._lock:
            runs, keys = self._sorted, self._keys
        end = len(runs) if cursor is None else bisect_left(keys, decode_cursor(cursor))
        rows: list[dict[str, Any]] = []
        last: Run | None = None
        index = end - 1
        while index >= 0 and len(rows) < limit:
            run = runs[index]
            index -= 1
            if task is not None and run.task != task:
                continue
            if status is not None and run.status != status:
                continue
            rows.append(run.row())
            last = run
        more = last is not None and any(
            (task is None or r.task == task) and (status is None or r.status == status)
            for r in reversed(runs[: index + 1])
        )
        return {
            "runs": rows,
            "nextCursor": encode_cursor(last.sort_key()) if more and last is not None else None,
            "total": len(runs),
            "generation": self.generation,
        }
