"""The Celery application: JSON only, late acknowledgement, one message per free slot."""

from __future__ import annotations

from typing import Any

from celery import Celery

from .config import (
    DEFAULT_QUEUE,
    RESULT_EXPIRES_SEC,
    TASK_NAME,
    VISIBILITY_TIMEOUT_SEC,
    broker_url,
)


def make_app(
    broker: str | None = None,
    *,
    queue: str = DEFAULT_QUEUE,
    visibility_timeout: float = VISIBILITY_TIMEOUT_SEC,
    runs_dir: str | None = None,
) -> Any:
    """A Celery app on ``broker`` (or ``$BAA_BROKER_URL``), which is also the result backend.

    - JSON is the only serializer accepted: a message is the request as the schema describes it,
      and nothing in a message can make a worker unpickle code.
    - ``task_acks_late`` + ``task_reject_on_worker_lost``: a message is acknowledged only once its
      step has ended; if the worker process dies mid-step, the message goes back to the queue.
    - ``worker_prefetch_multiplier=1``: a worker holds no more messages than it has free slots,
      so a long step never keeps another waiting behind it on a busy worker.
    - ``visibility_timeout``: how long Redis keeps a delivered message from other workers before
      it counts as lost and is delivered again; it must exceed the longest step.
    - Storing a result retries while the backend is away (a Redis restart loses no envelope).
    """
    url = broker_url(broker)
    app = Celery("baa_conductor", broker=url, backend=url, set_as_current=False)
    restore_every = max(1.0, min(60.0, visibility_timeout / 10))
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
        result_expires=RESULT_EXPIRES_SEC,
        result_backend_always_retry=True,
        result_backend_max_sleep_between_retries_ms=2000,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_transport_options={
            "visibility_timeout": visibility_timeout,
            # Look for lost messages every tenth of the timeout (kombu's default is 100 s).
            "unacked_restore_interval": restore_every,
            "unacked_restore_throttle": 1,
        },
        # The worker's defaults for requests that name no runs root.
        baa_runs_dir=runs_dir,
        baa_visibility_timeout=visibility_timeout,
    )
    from .task import register

    register(app, TASK_NAME)
    return app
