"""Leases and fencing: a step stays with its worker only while the worker keeps saying so.

Redis (kombu) keeps every delivered, unacknowledged message in a sorted set, ``unacked_index``,
scored with the time it was delivered; every worker periodically gives back to the queue those
older than the visibility timeout. The worker's :class:`LeaseKeeper` thread moves the score of
each message it holds to *now*, every ninth of that timeout: the timeout becomes a lease that a
live worker renews for as long as its step runs (hours if need be), and that a dead worker (kill
-9, machine gone, link cut) stops renewing, so its step runs elsewhere one lease later.

Fencing: a worker that has not renewed for :func:`~.config.fence_after` seconds (the lease less
the step's stop grace less two renewal intervals) stops the step itself, through the runner's stop
path, before the broker can give it away: at most one execution of a step is live at any moment,
even when the network splits the worker from the broker. Such a step is not acknowledged and
stores no result: its next delivery, elsewhere, runs it as the next attempt.

The thread runs in the worker's main process with a connection of its own (with a socket timeout),
so a broken broker connection of the consumer, or its event loop waiting on one, never delays it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from typing import Any

from .config import FENCED_PREFIX, fence_after, redacted, renew_every

logger = logging.getLogger("baa_conductor.lease")

#: Sent by the lease keeper to the pool process running a step it fences (see task.py).
FENCE_SIGNAL_OFFSET = 2


def fence_signal() -> int:
    import signal

    return int(signal.SIGRTMIN) + FENCE_SIGNAL_OFFSET


def fence_marker(fence_dir: str, task_id: str) -> str:
    return os.path.join(fence_dir, task_id)


class LeaseKeeper(threading.Thread):
    """Renews the lease of every message this worker holds; fences steps whose lease runs out."""

    def __init__(
        self, url: str, *, lease: float, fence_dir: str, grace_of: Any, hostname: str,
        index_key: str = "unacked_index",
    ):  # fmt: skip
        super().__init__(name="baa-lease-keeper", daemon=True)
        self.url = url
        self.lease = lease
        self.every = renew_every(lease)
        self.fence_dir = fence_dir
        self.grace_of = grace_of
        self.hostname = hostname
        self.index_key = index_key
        self.stopping = threading.Event()
        self.last_ok = time.monotonic()
        self.fenced: set[int] = set()  # id() of the requests fenced (a request is fenced once)
        self.missing: dict[int, int] = {}  # id() of a request -> renewals that found it gone

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        import redis

        client = redis.Redis.from_url(
            self.url, socket_timeout=max(0.5, self.every), socket_connect_timeout=self.every
        )
        was_cut = False
        while not self.stopping.wait(self.every):
            held = self._held()
            began = time.monotonic()
            try:
                replies = self._renew(client, held)
            except (redis.RedisError, OSError) as error:
                if not was_cut:
                    logger.warning(
                        "cannot renew leases at %s: %s", redacted(self.url), error
                    )  # fmt: skip
                was_cut = True
            else:
                if was_cut:
                    silent = began - self.last_ok
                    logger.warning("leases renewed again after %.1f s without", silent)
                was_cut = False
                self.last_ok = began
                self._gone(held, replies)
            self._fence_overdue(held)

    def _held(self) -> list[Any]:
        from celery.worker import state

        for _ in range(10):
            try:
                requests = list(state.requests.values())
                break
            except RuntimeError:  # changed size during the copy: the event loop added one
                continue
        else:
            return []
        return [r for r in requests if not r.acknowledged and id(r) not in self.fenced]

    def _renew(self, client: Any, held: list[Any]) -> list[Any]:
        now = time.time()
        pipe = client.pipeline(transaction=False)
        for request in held:
            pipe.zadd(self.index_key, {request.message.delivery_tag: now}, xx=True, ch=True)
        pipe.ping()
        replies: list[Any] = pipe.execute()
        return replies[:-1]

    def _gone(self, held: list[Any], replies: list[Any]) -> None:
        """Fence a running step whose message the broker no longer counts as this worker's."""
        for request, changed in zip(held, replies, strict=True):
            key = id(request)
            if changed or request.acknowledged or not request.worker_pid:
                self.missing.pop(key, None)
                continue
            self.missing[key] = self.missing.get(key, 0) + 1
            if self.missing[key] >= 2:  # twice: not an acknowledgement racing the renewal
                self._fence(request, "the broker took its lease back (not renewed in time)")

    def _fence_overdue(self, held: list[Any]) -> None:
        silent = time.monotonic() - self.last_ok
        for request in held:
            if request.acknowledged or id(request) in self.fenced:
                continue
            if silent >= fence_after(self.lease, self.grace_of(request)):
                self._fence(
                    request,
                    f"it could not reach the broker for {silent:.0f} s and its lease of "
                    f"{self.lease:g} s would have run out",
                )

    def _fence(self, request: Any, why: str) -> None:
        """Stop the step now; never acknowledge its message (the broker gives it to another)."""
        self.fenced.add(id(request))
        request.acknowledged = True  # Celery acknowledges nothing for it any more
        with contextlib.suppress(AttributeError):  # nor kombu (at a reconnection or a shutdown)
            request.message.channel.qos._delivered.pop(request.message.delivery_tag, None)
        summary = (
            f"{FENCED_PREFIX} {self.hostname}: {why}; the step was stopped (SIGTERM to its "
            "process group) and runs again elsewhere as its next attempt."
        )
        pid = request.worker_pid
        logger.warning("fencing step %s (pool process %s): %s", request.id, pid, why)
        if not pid:  # not started here (waiting for a slot or a retry's backoff): it never will
            request._already_revoked = True
            return
        with open(fence_marker(self.fence_dir, request.id), "w", encoding="utf-8") as marker:
            marker.write(summary)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, fence_signal())
