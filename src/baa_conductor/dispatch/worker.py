"""``baa worker``: a Celery worker (prefork pool) that runs dispatched steps, keeping their leases."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sys
import tempfile
import warnings
from typing import Any

from .app import make_app
from .config import DEFAULT_QUEUE, LEASE_SEC, broker_url, redacted

#: Celery's notices that say nothing about a baa worker: the privileges warning (it names a
#: ``--uid`` option baa does not have; a step runs as the worker's user either way) and the
#: pending-deprecation notice about cancelling tasks on a connection loss (leases decide that).
_QUIET_WARNINGS = (
    r"(?s).*superuser privileges",
    r"(?s).*worker_cancel_long_running_tasks_on_connection_loss",
)


class _OneLine(logging.Filter):
    """Celery's "Cannot connect" error (three lines, one blank) as one line naming the broker."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("consumer: Cannot connect"):
            args: tuple[object, ...] = record.args if isinstance(record.args, tuple) else ()
            if len(args) == 3:
                url, error, step = args
                record.msg = "cannot reach the broker at %s: %s; %s"
                record.args = (url, str(error).strip().rstrip("."), str(step).strip().lower())
        return True


def node_name() -> str:
    """This worker's Celery node name: what ``baa status`` and a run's ``worker`` say."""
    return f"baa-{os.getpid()}@{socket.gethostname()}"


def _grace_of(request: Any) -> float:
    from ..executors.process import DEFAULT_GRACE_SEC

    try:
        options = request.args[2] or {}
        grace = options.get("graceSec")
    except (AttributeError, IndexError, TypeError):
        grace = None
    return float(DEFAULT_GRACE_SEC if grace is None else grace)


def run_worker(
    broker: str | None = None,
    *,
    concurrency: int = 1,
    runs_dir: str | None = None,
    queue: str = DEFAULT_QUEUE,
    lease: float = LEASE_SEC,
    loglevel: str = "WARNING",
) -> int:
    """Run until stopped (SIGTERM: finish the running steps first; a second SIGTERM: stop them,
    leaving their messages to be delivered again); the exit code of the worker."""
    from celery import signals

    from ..executors import sweep_orphans
    from . import task
    from .lease import LeaseKeeper

    verbose = logging.getLevelName(loglevel.upper()) in (logging.DEBUG, logging.INFO)
    if not verbose:
        for pattern in _QUIET_WARNINGS:
            warnings.filterwarnings("ignore", message=pattern)
    logging.getLogger("celery.worker.consumer.consumer").addFilter(_OneLine())
    sweep_orphans()  # workers of steps whose worker process died before this one started
    url = broker_url(broker)
    app = make_app(
        url, queue=queue, lease=lease, runs_dir=os.path.abspath(runs_dir) if runs_dir else None
    )
    fence_dir = tempfile.mkdtemp(prefix="baa-worker-fences-")
    task._stop.fence_dir = fence_dir  # the pool processes fork from here and inherit it
    hostname = node_name()
    keeper = LeaseKeeper(
        url, lease=lease, fence_dir=fence_dir, grace_of=_grace_of, hostname=hostname
    )

    def ready(**_: Any) -> None:
        keeper.start()
        sys.stderr.write(
            f"baa worker {hostname}: ready, {concurrency} slot{'s' * (concurrency != 1)}, "
            f"queue {queue}, broker {redacted(url)}, lease {lease:g} s\n"
        )
        sys.stderr.flush()

    signals.worker_ready.connect(ready, weak=False)
    worker = app.Worker(
        hostname=hostname,
        concurrency=concurrency,
        queues=[queue],
        pool="prefork",
        optimization="fair",
        loglevel=loglevel.upper(),
        quiet=not verbose,
        without_gossip=True,
        without_mingle=True,
        without_heartbeat=True,
    )
    try:
        worker.start()
    finally:
        keeper.stop()
        shutil.rmtree(fence_dir, ignore_errors=True)
    code: int = worker.exitcode or 0
    return code
