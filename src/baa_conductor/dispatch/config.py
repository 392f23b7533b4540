"""The facts every side of dispatch agrees on: names, queue, timeouts, where the broker is."""

from __future__ import annotations

import os

from ..exceptions import NoBrokerError

BROKER_ENV = "BAA_BROKER_URL"
#: The Celery task a conductor in any language names in its message.
TASK_NAME = "baa_conductor.run_step"
DEFAULT_QUEUE = "baa"
#: The worker remote-control command that cancels a step (see task.py).
CANCEL_COMMAND = "baa_cancel"
#: Redis key prefix of durable cancel marks, kept as long as results.
CANCEL_KEY_PREFIX = "baa:cancelled:"
#: How long envelopes stay in the result backend; the run directory is the durable record.
RESULT_EXPIRES_SEC = 7 * 24 * 3600
#: A delivered but unacknowledged message goes back to the queue after this long: it must exceed
#: the longest step (its timeout plus the stop grace), or a running step is delivered twice.
VISIBILITY_TIMEOUT_SEC = 6 * 3600
#: Exit code and summary prefix of a step stopped by a cancel request (130, as for Ctrl-C).
CANCELLED_EXIT_CODE = 130
CANCELLED_PREFIX = "Cancelled"


def broker_url(explicit: str | None = None) -> str:
    """``explicit`` if given, else ``$BAA_BROKER_URL``; the broker doubles as result backend."""
    url = explicit or os.environ.get(BROKER_ENV)
    if not url:
        raise NoBrokerError()
    return url


def redacted(url: str) -> str:
    """The URL with any password replaced, for messages and logs."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def is_cancelled(envelope: dict[str, object]) -> bool:
    """Whether an envelope is that of a step stopped by a cancel request."""
    summary = envelope.get("summary")
    return (
        envelope.get("outcome") == "failed"
        and isinstance(summary, str)
        and summary.startswith(CANCELLED_PREFIX)
    )
