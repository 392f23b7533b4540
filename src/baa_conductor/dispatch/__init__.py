"""Steps dispatched to many workers through Celery, with Redis as broker and result backend.

A request (step-execution-request JSON) is the task's argument and the envelope
(step-execution-result JSON) its result; both are validated at every boundary. Importing this
package imports Celery: the rest of baa_conductor never does.
"""

from __future__ import annotations

from .client import Dispatcher, StepHandle, StepStatus, submit
from .config import BROKER_ENV, DEFAULT_QUEUE, TASK_NAME, is_cancelled
from .policy import RetryPolicy, RunOptions

__all__ = [
    "BROKER_ENV",
    "DEFAULT_QUEUE",
    "TASK_NAME",
    "Dispatcher",
    "RetryPolicy",
    "RunOptions",
    "StepHandle",
    "StepStatus",
    "is_cancelled",
    "submit",
]
