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
    SUBMITTED_KEY_PREFIX,
    TAKEN_KEY_PREFIX,
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
    from redis.exceptions import RedisError

    # RedisError: also a server that answers, but not as Redis (a proxy, another service).
    return (OperationalError, RedisError, OSError)


def _reason(error: BaseException) -> str:
    """The cause of a connection error in one line (Celery wraps redis-py's, which wraps OSError)."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


@dataclass(frozen=True)
class StepInfo:
    """What the broker knows of one submitted step (``baa status``).

    ``worker``, ``run_dir``, ``run_id`` and ``attempt`` are those of the attempt that runs or ran
    last, once a worker has taken the step; ``outcome``, ``exit_code`` and ``summary`` come from
    its envelope once it has one; ``reason`` says why a rejected step was refused.
    """

    task_id: str
    status: StepStatus
    known: bool = True  # False: no trace of this id (never submitted here, or long expired)
    worker: str | None = None
    run_dir: str | None = None
    run_id: str | None = None
    attempt: int | None = None
    outcome: str | None = None
    exit_code: int | None = None
    summary: str | None = None
    reason: str | None = None
    submitted: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        fields = {
            "taskId": self.task_id, "status": self.status, "known": self.known,
            "worker": self.worker, "runDir": self.run_dir, "runId": self.run_id,
            "attempt": self.attempt, "outcome": self.outcome, "exitCode": self.exit_code,
            "summary": self.summary, "reason": self.reason, "submitted": self.submitted,
        }  # fmt: skip
        return {k: v for k, v in fields.items() if v is not None}


#: How long a waiting client keeps trying a broker that went away during the wait.
RECONNECT_WAIT_SEC = 60.0
#: A waiting client reads the stored state again this often, besides listening for its
#: publication: a publication sent while its subscription was being renewed (Celery reads the
#: stored states, then subscribes again, after a lost connection) is never delivered.
RECHECK_SEC = 5.0


class Dispatcher:
    """A connection to one broker (which is also the result backend)."""

    def __init__(self, broker: str | None = None, *, queue: str = DEFAULT_QUEUE):
        self.url = broker_url(broker)
        self.queue = queue
        self.app = make_app(self.url, queue=queue, client=True)

    def unavailable(self, error: BaseException) -> BrokerUnavailableError:
        return BrokerUnavailableError(redacted(self.url), _reason(error))

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
        import json
        import uuid

        task_id = str(uuid.uuid4())
        submitted = {key: wire[key] for key in ("taskId", "stepId", "runId", "attempt")}
        try:
            # First, so that `baa status` knows the id as soon as any worker may take the step.
            self.app.backend.client.set(
                SUBMITTED_KEY_PREFIX + task_id,
                json.dumps({**submitted, "queue": self.queue}),
                ex=RESULT_EXPIRES_SEC,
            )
            self.app.send_task(
                TASK_NAME, args=args, queue=self.queue, task_id=task_id, retry=True,
                retry_policy={"max_retries": 1, "interval_start": 0.2, "interval_step": 0.5,
                              "interval_max": 1.0},
            )  # fmt: skip
        except _connection_errors() as error:
            raise self.unavailable(error) from None
        return StepHandle(self, task_id)

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
        return self.info().status

    def info(self) -> StepInfo:
        """Where the step is: queued, running (on which worker, in which run directory), done."""
        import json

        try:
            meta = self.dispatcher.app.backend.get_task_meta(self.task_id)
            raw, taken_raw = self.dispatcher.app.backend.client.mget(
                SUBMITTED_KEY_PREFIX + self.task_id, TAKEN_KEY_PREFIX + self.task_id
            )
        except _connection_errors() as error:
            raise self.dispatcher.unavailable(error) from None
        submitted = json.loads(raw) if raw else None
        taken = json.loads(taken_raw) if taken_raw else {}
        state, value = meta.get("status", "PENDING"), meta.get("result")
        status = _STATUS_OF_STATE.get(state, "queued")
        info: dict[str, Any] = {"submitted": submitted}
        if submitted is not None:
            info.update(run_id=submitted["runId"], attempt=submitted["attempt"])
        if state == "STARTED" and isinstance(value, dict):
            info.update(worker=value.get("worker") or value.get("hostname"),
                        run_dir=value.get("runDir"), run_id=value.get("runId"),
                        attempt=value.get("attempt"))  # fmt: skip
        elif state == "SUCCESS" and isinstance(value, dict):
            if is_cancelled(value):
                status = "cancelled"
            paths = value.get("logPaths") or {}
            if taken.get("runDir") == paths.get("runDir"):  # the attempt the envelope is of
                info["worker"] = taken.get("worker")
            info.update(run_dir=paths.get("runDir"), run_id=value.get("runId"),
                        attempt=value.get("attempt"), outcome=value.get("outcome"),
                        exit_code=(value.get("state") or {}).get("exitCode"),
                        summary=value.get("summary"))  # fmt: skip
        elif state == "FAILURE" and isinstance(value, dict):
            message = value.get("exc_message")
            info["reason"] = message[0] if isinstance(message, list) and message else str(message)
        elif state == "REVOKED":
            info["summary"] = "cancelled before it started; it never ran"
        known = state != "PENDING" or submitted is not None
        return StepInfo(self.task_id, status, known, **info)

    def result(self, timeout: float | None = None) -> StepExecutionResult:
        """Wait for the envelope (validated on receipt).

        Raises TimeoutError after ``timeout`` seconds, :class:`StepCancelledError` if the step
        was cancelled before it started, :class:`RejectedStepError` if the worker refused it.
        """
        import time

        from celery.exceptions import TimeoutError as CeleryTimeout

        outcome = self._async()
        end = None if timeout is None else time.monotonic() + timeout
        lost: float | None = None  # when the broker went away during the wait
        while True:
            # Never 0, which Celery takes for no timeout at all.
            left = (
                RECHECK_SEC if end is None else max(0.001, min(RECHECK_SEC, end - time.monotonic()))
            )
            try:
                # Each get() reads the stored state before it listens.
                value = outcome.get(timeout=left, propagate=False, interval=0.2)
                break
            except CeleryTimeout:
                if end is not None and time.monotonic() >= end:
                    raise TimeoutError(f"step {self.task_id}: no result after {timeout}s") from None
            except _connection_errors() as error:
                # A broker restart is no reason to stop waiting; a broker gone for good is.
                lost = lost or time.monotonic()
                if time.monotonic() - lost > RECONNECT_WAIT_SEC:
                    raise self.dispatcher.unavailable(error) from None
                time.sleep(1.0)
                outcome = self._async()
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
            raise self.dispatcher.unavailable(error) from None


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
