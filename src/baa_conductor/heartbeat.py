"""Heartbeats: while a step runs, its state.json ``updatedAt`` is refreshed at a fixed interval.

A reader (a conductor, ``baa list``) tells a live step from a lost one by the age of ``updatedAt``
alone, without asking the runner or the broker: a step whose ``updatedAt`` is older than a few
intervals has no runner any more.

One thread of the process (started on first use, then kept) beats for every step that runs, so a
step pays no thread start and join. It never starts a process: the runner may count on that when
it steps into a run's cgroup to start a worker (see ``executors.containment.alone``).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator

from .exceptions import RunStoreError

#: Seconds between two refreshes of a running step's state.
HEARTBEAT_SEC = 5.0


class _Beat:
    def __init__(self, refresh: Callable[[], None], interval: float):
        self.refresh = refresh
        self.interval = interval
        self.due = time.monotonic() + interval
        self.ended = False
        self.running = False


class _Heart:
    """The thread that calls every live beat's refresh when it is due."""

    def __init__(self) -> None:
        self.cond = threading.Condition(threading.Lock())
        self.queue: list[tuple[float, int, _Beat]] = []
        self.order = itertools.count()
        self.thread: threading.Thread | None = None

    def add(self, beat: _Beat) -> None:
        with self.cond:
            heapq.heappush(self.queue, (beat.due, next(self.order), beat))
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="baa-heartbeat", daemon=True)
                self.thread.start()
            self.cond.notify()

    def remove(self, beat: _Beat) -> None:
        """End a beat; once this returns, its refresh is not running and never runs again."""
        with self.cond:
            beat.ended = True
            while beat.running:
                self.cond.wait()

    def _run(self) -> None:
        with self.cond:
            while True:
                while self.queue and self.queue[0][2].ended:
                    heapq.heappop(self.queue)
                if not self.queue:
                    self.cond.wait()
                    continue
                due, _, beat = self.queue[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self.cond.wait(wait)
                    continue
                heapq.heappop(self.queue)
                beat.running = True
                self.cond.release()
                try:
                    _call(beat)
                finally:
                    self.cond.acquire()
                    beat.running = False
                    self.cond.notify_all()
                if not beat.ended:
                    beat.due = max(due + beat.interval, time.monotonic())
                    heapq.heappush(self.queue, (beat.due, next(self.order), beat))


def _call(beat: _Beat) -> None:
    try:
        beat.refresh()
    except RunStoreError:  # the step's own writes report the disk's trouble
        beat.ended = True
    except Exception:
        beat.ended = True
        exc_type, exc_value, exc_tb = sys.exc_info()
        threading.excepthook(
            threading.ExceptHookArgs((exc_type, exc_value, exc_tb, threading.current_thread()))
        )


_heart = _Heart()


def _after_fork() -> None:  # the heart thread does not exist in a forked child
    global _heart
    _heart = _Heart()


os.register_at_fork(after_in_child=_after_fork)


def threads() -> int:
    """How many heartbeat threads this process has (0 or 1)."""
    thread = _heart.thread
    return 1 if thread is not None and thread.is_alive() else 0


@contextlib.contextmanager
def beating(refresh: Callable[[], None], interval: float = HEARTBEAT_SEC) -> Iterator[None]:
    """Call ``refresh`` every ``interval`` seconds until the block ends.

    No refresh runs after the block's exit has returned, so none can follow the writes that come
    after it (the terminal state). A refresh the disk refuses ends the heartbeat: the step's own
    writes report the disk's trouble. ``refresh`` must not start a process.
    """
    beat = _Beat(refresh, interval)
    heart = _heart
    heart.add(beat)
    try:
        yield
    finally:
        heart.remove(beat)
