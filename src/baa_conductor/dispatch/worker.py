"""``baa worker``: a Celery worker (prefork pool) that runs dispatched steps."""

from __future__ import annotations

import os
import socket

from .app import make_app
from .config import DEFAULT_QUEUE, VISIBILITY_TIMEOUT_SEC


def run_worker(
    broker: str | None = None,
    *,
    concurrency: int = 1,
    runs_dir: str | None = None,
    queue: str = DEFAULT_QUEUE,
    visibility_timeout: float = VISIBILITY_TIMEOUT_SEC,
    loglevel: str = "INFO",
) -> int:
    """Run until stopped (SIGTERM: finish the running steps first; a second SIGTERM: stop them,
    leaving their messages to be delivered again); the exit code of the worker."""
    from ..executors import sweep_orphans

    sweep_orphans()  # workers of steps whose worker process died before this one started
    app = make_app(
        broker, queue=queue, visibility_timeout=visibility_timeout,
        runs_dir=os.path.abspath(runs_dir) if runs_dir else None,
    )  # fmt: skip
    worker = app.Worker(
        hostname=f"baa-{os.getpid()}@{socket.gethostname()}",
        concurrency=concurrency,
        queues=[queue],
        pool="prefork",
        optimization="fair",
        loglevel=loglevel,
        without_gossip=True,
        without_mingle=True,
        without_heartbeat=True,
    )
    worker.start()
    code: int = worker.exitcode or 0
    return code
