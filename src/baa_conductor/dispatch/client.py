"""The submitting side: ``submit(request) -> StepHandle`` and the handle's result, status, cancel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from baa_conductor_contracts.step_execution_request_schema import StepExecutionRequest
from baa_conductor_contracts.step_execution_result_schema import StepExecutionResult

from ..exceptions import BrokerUnavailableError, RejectedStepError, StepCancelledError
from ..validation import validate
from .app import make_app
from .config import (
    CANCEL_COMMAND,
    CANCEL_KEY_PREFIX,
    DEFAULT_QUEUE,
    RESULT_EXPIRES_SEC,
    TASK_NAME,
    broker_url,
    is_cancelled,
    redacted,
)
from .policy import RetryPolicy, RunOptions

#: ``queued``: not started (or unknown to the backend); ``running``: a worker runs it;
#: ``retrying``: an attempt failed and the next one is due; ``finished``: the envelope is there;
#: ``cancelled``: stopped by a cancel request (an envelope if it had started, none if not);
#: ``rejected``: the worker refused the request (no envelope: the step never ran).
StepStatus = Literal["queued", "running", "retrying", "finished", "cancelled", "rejected"]

_STATUS_OF_STATE: dict[str, StepStatus] = {
    "PENDING": "queued",
    "RECEIVED": "queued",
    "STARTED": "running",
    "RETRY": "retrying",
    "SUCCESS": "finished",
    "REVOKED": "cancelled",
    "FAILURE": "rejected",
}


def _connection_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError

    return (OperationalError, RedisConnectionError, ConnectionRefusedError)


class Dispatcher:
    """A connection to one broker (which is also the result backend)."""

    def __init__(self, broker: str | None = None, *, queue: str = DEFAULT_QUEUE):
        self.url = broker_url(broker)
        self.queue = queue
        self.app = make_app(self.url, queue=queue)

    def submit(
        self,
        request: StepExecutionRequest | dict[str, Any],
        *,
        policy: RetryPolicy | None = None,
        options: RunOptions | None = None,
    ) -> StepHandle:
        """Validate the request and enqueue it; the handle knows its task id."""
        if isinstance(request, StepExecutionRequest):
            wire = request.model_dump(mode="json", by_alias=True, exclude_unset=True)
        else:
            wire = request
        validate("step-execution-request", wire)
        args = [wire, (policy or RetryPolicy()).to_wire(), (options or RunOptions()).to_wire()]
        try:
            sent = self.app.send_task(
                TASK_NAME, args=args, queue=self.queue, retry=True,
                retry_policy={"max_retries": 10, "interval_start": 0.2, "interval_step": 0.5,
                              "interval_max": 2.0},
            )  # fmt: skip
        except _connection_errors() as error:
            raise BrokerUnavailableError(redacted(self.url), str(error)) from None
        return StepHandle(self, sent.id)

    def handle(self, task_id: str) -> StepHandle:
        """The handle of a step submitted before (by this process or another)."""
        return StepHandle(self, task_id)

    def close(self) -> None:
        self.app.close()


@dataclass(frozen=True)
class StepHandle:
    """One submitted step, known by its Celery task id."""

    dispatcher: Dispatcher
    task_id: str

    def _async(self) -> Any:
        return self.dispatcher.app.AsyncResult(self.task_id)

    def status(self) -> StepStatus:
        try:
            outcome = self._async()
            state = outcome.state
            if state == "SUCCESS" and is_cancelled(outcome.result):
                return "cancelled"
        except _connection_errors() as error:
            raise BrokerUnavailableError(redacted(self.dispatcher.url), str(error)) from None
        return _STATUS_OF_STATE.get(state, "queued")

    def result(self, timeout: float | None = None) -> StepExecutionResult:
        """Wait for the envelope (validated on receipt).

        Raises TimeoutError after ``timeout`` seconds, :class:`StepCancelledError` if the step
        was cancelled before it started, :class:`RejectedStepError` if the worker refused it.
        """
        from celery.exceptions import TimeoutError as CeleryTimeout

        outcome = self._async()
        try:
            value = outcome.get(timeout=timeout, propagate=False, interval=0.2)
        except CeleryTimeout:
            raise TimeoutError(f"step {self.task_id}: no result after {timeout}s") from None
        except _connection_errors() as error:
            raise BrokerUnavailableError(redacted(self.dispatcher.url), str(error)) from None
        state = outcome.state
        if state == "REVOKED":
            raise StepCancelledError(self.task_id)
        if state == "FAILURE":
            if isinstance(value, RejectedStepError):
                raise value
            raise RejectedStepError(f"{type(value).__name__}: {value}")
        validate("step-execution-result", value, source=f"the result of step {self.task_id}")
        return StepExecutionResult.model_validate(value)

    def cancel(self) -> None:
        """Stop the step if it runs (its envelope then says cancelled); if not, it never starts."""
        app = self.dispatcher.app
        try:
            app.backend.client.set(CANCEL_KEY_PREFIX + self.task_id, "1", ex=RESULT_EXPIRES_SEC)
            app.control.broadcast(CANCEL_COMMAND, arguments={"task_id": self.task_id})
        except _connection_errors() as error:
            raise BrokerUnavailableError(redacted(self.dispatcher.url), str(error)) from None


def submit(
    request: StepExecutionRequest | dict[str, Any],
    *,
    broker: str | None = None,
    queue: str = DEFAULT_QUEUE,
    policy: RetryPolicy | None = None,
    options: RunOptions | None = None,
) -> StepHandle:
    """Submit one step to the workers of ``broker`` (default ``$BAA_BROKER_URL``)."""
    return Dispatcher(broker, queue=queue).submit(request, policy=policy, options=options)
