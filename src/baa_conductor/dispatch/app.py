"""The Celery application: JSON only, late acknowledgement, one message per free slot, leases."""

from __future__ import annotations

from typing import Any

from celery import Celery

from .config import (
    DEFAULT_QUEUE,
    LEASE_SEC,
    RESULT_EXPIRES_SEC,
    TASK_NAME,
    broker_url,
    renew_every,
)

#: Seconds a command to Redis may take before its connection counts as broken: a cut link is
#: noticed, never waited on forever (the worker's consumer, the result backend, the client).
SOCKET_TIMEOUT_SEC = 10.0
CONNECT_TIMEOUT_SEC = 3.0


def make_app(
    broker: str | None = None,
    *,
    queue: str = DEFAULT_QUEUE,
    lease: float = LEASE_SEC,
    runs_dir: str | None = None,
    client: bool = False,
) -> Any:
    """A Celery app on ``broker`` (or ``$BAA_BROKER_URL``), which is also the result backend.

    - JSON is the only serializer accepted: a message is the request as the schema describes it,
      and nothing in a message can make a worker unpickle code.
    - ``task_acks_late`` + ``task_reject_on_worker_lost``: a message is acknowledged only once its
      step has ended; if the worker process dies mid-step, the message goes back to the queue.
    - ``worker_prefetch_multiplier=1``: a worker holds no more messages than it has free slots,
      so a long step never keeps another waiting behind it on a busy worker.
    - ``visibility_timeout`` is the lease: Redis gives a delivered message to another worker once
      it has gone that long without its worker renewing it (lease.py renews every ninth of it),
      and every worker looks for such messages as often.
    - Storing a result retries while the backend is away (a Redis restart loses no envelope);
      a ``client`` (a submitter) is told at once instead.
    """
    url = broker_url(broker)
    app = Celery("baa_conductor", broker=url, backend=url, set_as_current=False)
    every = max(0.5, min(60.0, renew_every(lease)))
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        task_track_started=True,
        task_default_queue=queue,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        result_expires=RESULT_EXPIRES_SEC,
        result_backend_always_retry=not client,
        result_backend_max_sleep_between_retries_ms=2000,
        redis_socket_timeout=SOCKET_TIMEOUT_SEC,
        redis_socket_connect_timeout=CONNECT_TIMEOUT_SEC,
        redis_socket_keepalive=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_connection_timeout=CONNECT_TIMEOUT_SEC,
        broker_transport_options={
            "visibility_timeout": lease,
            "unacked_restore_interval": every,
            "unacked_restore_throttle": 1,
            # The sweep's lock: a worker that dies holding it keeps the others from sweeping
            # for this long (kombu's 5 minutes would outlast the lease).
            "unacked_mutex_expire": every,
            "socket_timeout": SOCKET_TIMEOUT_SEC,
            "socket_connect_timeout": CONNECT_TIMEOUT_SEC,
            "socket_keepalive": True,
        },
        # The worker's defaults for requests that name no runs root, and its lease.
        baa_runs_dir=runs_dir,
        baa_lease=lease,
        baa_fence_dir=None,
    )
    from .task import register

    register(app, TASK_NAME)
    return app
