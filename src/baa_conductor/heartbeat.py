"""Heartbeats: while a step runs, its state.json ``updatedAt`` is refreshed at a fixed interval.

A reader (a conductor, ``baa list``) tells a live step from a lost one by the age of ``updatedAt``
alone, without asking the runner or the broker: a step whose ``updatedAt`` is older than a few
intervals has no runner any more.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from .exceptions import RunStoreError

#: Seconds between two refreshes of a running step's state.
HEARTBEAT_SEC = 5.0


@contextlib.contextmanager
def beating(refresh: Callable[[], None], interval: float = HEARTBEAT_SEC) -> Iterator[None]:
    """Call ``refresh`` every ``interval`` seconds in a thread until the block ends.

    The thread is joined before the block's exit returns, so no refresh can follow the writes
    that come after it (the terminal state). A refresh the disk refuses ends the heartbeat: the
    step's own writes report the disk's trouble.
    """
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            try:
                refresh()
            except RunStoreError:
                return

    thread = threading.Thread(target=beat, name="baa-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
