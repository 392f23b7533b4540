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
#: Redis key prefix of what a submitter sent (task, step, run), for `baa status` while queued.
SUBMITTED_KEY_PREFIX = "baa:submitted:"
#: Redis key prefix of who took a step and where it runs (worker, run directory), written when a
#: worker starts an attempt and kept as long as results: the envelope does not name the worker.
TAKEN_KEY_PREFIX = "baa:taken:"
#: How long envelopes stay in the result backend; the run directory is the durable record.
RESULT_EXPIRES_SEC = 7 * 24 * 3600
#: A delivered step stays with its worker while the worker renews its lease; this long after the
#: last renewal the broker gives it to another worker (Redis: kombu's visibility timeout, renewed
#: by the worker; see lease.py). A dead worker's step runs again within about this plus a sweep.
LEASE_SEC = 45.0
#: Exit code and summary prefix of a step its worker stopped because it could not renew the lease
#: (SIGTERM went to the step's process group: 128 + 15).
FENCED_EXIT_CODE = 143
FENCED_PREFIX = "Stopped by its worker"
#: Exit code and summary prefix of a step stopped by a cancel request (130, as for Ctrl-C).
CANCELLED_EXIT_CODE = 130
CANCELLED_PREFIX = "Cancelled"


def broker_url(explicit: str | None = None) -> str:
    """``explicit`` if given, else ``$BAA_BROKER_URL``; the broker doubles as result backend."""
    url = explicit or os.environ.get(BROKER_ENV)
    if not url:
        raise NoBrokerError()
    return url


def renew_every(lease: float) -> float:
    """Seconds between two renewals of every lease a worker holds (and between restore sweeps)."""
    return lease / 9


def fence_after(lease: float, grace: float) -> float:
    """Seconds without a renewal after which a worker stops a step whose stop grace is ``grace``.

    The step's processes are gone (SIGTERM, ``grace``, SIGKILL) two renewal intervals before the
    broker can give the step away, whatever the moment of the last renewal.
    """
    return lease - grace - 2 * renew_every(lease)


def max_grace(lease: float) -> float:
    """The longest stop grace a worker with this lease accepts: its fence comes after two missed
    renewals at least, so a short broker hiccup never stops a step."""
    return lease - 4 * renew_every(lease)


def redacted(url: str) -> str:
    """The URL with any password replaced, for messages and logs."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def is_cancelled(envelope: dict[str, object]) -> bool:
    """Whether an envelope is that of a step stopped by a cancel request (outcome ``cancelled``,
    or, from a worker older than contract 3.0.0, ``failed`` with the summary it gave then)."""
    if envelope.get("outcome") == "cancelled":
        return True
    summary = envelope.get("summary")
    return (
        envelope.get("outcome") == "failed"
        and isinstance(summary, str)
        and summary.startswith(CANCELLED_PREFIX)
    )
