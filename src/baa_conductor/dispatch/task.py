"""The worker side: the task that runs one step, and the cancel command that stops one.

A message carries ``[request, policy, options]``: the step request (step-execution-request JSON),
an optional retry policy and optional run options (see policy.py). The task validates both on receipt and answers a bad one with a
:class:`RejectedStepError` result (acknowledged, never delivered again), runs the step with the
runner into its own run directory, validates the envelope and returns it as the result.

Cancelling: the client marks the task cancelled in Redis (read by the task before it starts a
step, so a step not yet started never starts) and broadcasts :data:`CANCEL_COMMAND`; the worker
running the step sends :data:`CANCEL_SIGNAL` to its pool process, whose handler raises
:class:`Interrupted` inside the runner's supervision loop: the runner's own stop path (SIGTERM
to the group, the grace, SIGKILL, the sweep) ends the step and the envelope says cancelled.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
from types import FrameType
from typing import Any

from celery import signals
from celery.exceptions import Ignore
from celery.worker import state as worker_state
from celery.worker.control import control_command

from ..exceptions import ContractError, Interrupted, RejectedStepError, RunExistsError
from ..executors.process import DEFAULT_GRACE_SEC
from ..runner import Executor, PreparedStepRun, envelope_dict, run_step
from ..session import DEFAULT_TAIL_BYTES, DEFAULT_TAIL_ENTRIES
from ..validation import validate
from .attempts import ended_by_itself, free_attempt, next_attempt, run_dir, wait_unlocked
from .config import (
    CANCEL_COMMAND,
    CANCEL_KEY_PREFIX,
    CANCELLED_EXIT_CODE,
    FENCED_EXIT_CODE,
    RESULT_EXPIRES_SEC,
    TAKEN_KEY_PREFIX,
    is_cancelled,
    max_grace,
)
from .lease import fence_marker
from .policy import RetryPolicy, RunOptions

logger = logging.getLogger(__name__)

#: Sent by the worker to the pool process running a step to cancel it. Not SIGTERM: that is how
#: the pool itself stops its processes at shutdown, which must leave the step to be delivered
#: again, not end it as cancelled.
CANCEL_SIGNAL = signal.SIGUSR2


class _Stop:
    """Per pool process: the step executing, and whether a cancel or a fence has come for it."""

    executing = False
    requested = False  # a cancel request
    fenced: str | None = None  # the summary of a fence: the worker could not renew its lease
    task_id: str | None = None
    fence_dir: str | None = None


_stop = _Stop()


def _on_cancel_signal(signum: int, _frame: FrameType | None) -> None:
    _stop.requested = True
    if _stop.executing:
        raise Interrupted(signum)


def _on_fence_signal(_signum: int, _frame: FrameType | None) -> None:
    if _stop.fence_dir is None or _stop.task_id is None:
        return
    marker = fence_marker(_stop.fence_dir, _stop.task_id)
    try:
        with open(marker, encoding="utf-8") as handle:
            _stop.fenced = handle.read()
        os.unlink(marker)
    except OSError:
        return  # a fence for a step that has already ended here
    if _stop.executing:
        raise Interrupted(signal.SIGTERM)


def _not_interrupted(_signum: int, _frame: FrameType | None) -> None:
    """Ctrl-C in the worker's terminal is for the worker's main process, not for a step."""


def install_cancel_handler(**_: Any) -> None:
    from .lease import fence_signal

    signal.signal(CANCEL_SIGNAL, _on_cancel_signal)
    signal.signal(fence_signal(), _on_fence_signal)


def _unignore_sigint() -> None:
    """billiard's pool processes ignore SIGINT (set after every initializer), and an ignored
    signal stays ignored across exec: a handler instead (reset to the default in the step's
    processes) lets a step start as `baa run` starts it."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, _not_interrupted)


def _cancelled_outcome(what: str | None) -> dict[str, Any]:
    """``what`` the worker was (``shell command``), or None if it never started."""
    if what is not None:
        summary = f"{what} was stopped because the step was cancelled on request"
    else:
        summary = "the step was cancelled on request before its worker started; nothing ran"
    return {"ok": False, "outcome": "cancelled", "summary": summary,
            "exitCode": CANCELLED_EXIT_CODE}  # fmt: skip


def _fenced_outcome(summary: str) -> dict[str, Any]:
    return {"ok": False, "outcome": "failed", "summary": summary, "exitCode": FENCED_EXIT_CODE}


class CancellableExecutor:
    """Runs ``inner`` so that a cancel request or a fence stops it through the runner's stop path."""

    def __init__(self, inner: Executor):
        self.inner = inner

    def execute(self, run: PreparedStepRun) -> Any:
        if _stop.fenced is not None:
            return _fenced_outcome(_stop.fenced)
        if _stop.requested:
            return _cancelled_outcome(None)
        _stop.executing = True
        try:
            if _stop.fenced is not None:  # arrived between the check and the flag
                return _fenced_outcome(_stop.fenced)
            if _stop.requested:
                return _cancelled_outcome(None)
            outcome = self.inner.execute(run)
        except Interrupted:
            if _stop.fenced is not None:
                return _fenced_outcome(_stop.fenced)
            return _cancelled_outcome(None)
        finally:
            _stop.executing = False
        if _stop.fenced is not None:
            return _fenced_outcome(_stop.fenced)
        wire = outcome if isinstance(outcome, dict) else outcome.model_dump(by_alias=True)
        if wire.get("exitCode") == 128 + CANCEL_SIGNAL:
            return _cancelled_outcome(getattr(self.inner, "describe", lambda _: "worker")(run))
        return outcome


class _GiveUp:
    """The attempt past the policy's bound: ends failed without running anything."""

    def __init__(self, summary: str):
        self.summary = summary

    def execute(self, run: PreparedStepRun) -> dict[str, Any]:
        return {"ok": False, "outcome": "failed", "summary": self.summary, "exitCode": 1}


@control_command(args=[("task_id", str)], signature="<task_id>")  # type: ignore[untyped-decorator]
def baa_cancel(state: Any, task_id: str, **_: Any) -> dict[str, str]:
    """Cancel a step: never start it here, and stop it if it runs here now."""
    worker_state.revoked.add(task_id)
    for request in list(worker_state.active_requests):
        if request.id == task_id and request.worker_pid:
            logger.info("cancelling step %s in pool process %s", task_id, request.worker_pid)
            try:
                os.kill(request.worker_pid, CANCEL_SIGNAL)
            except ProcessLookupError:
                return {"ok": "already ended"}
            return {"ok": "stopping"}
    return {"ok": "will not start here"}


def _checked(request: Any, conf: Any, options: RunOptions) -> dict[str, Any]:
    try:
        validate("step-execution-request", request, source="the step request")
    except ContractError as error:
        raise RejectedStepError(str(error)) from None
    lease = conf.baa_lease
    grace = DEFAULT_GRACE_SEC if options.grace_sec is None else options.grace_sec
    if grace > max_grace(lease):
        raise RejectedStepError(
            f"run options: /graceSec: {grace:g} s is too long for this worker's lease of "
            f"{lease:g} s (at most {max_grace(lease):.3g} s): a step cut off from the broker must "
            "be stopped before the broker gives it to another worker"
        )
    runtime = request["runtime"]
    if conf.baa_runs_dir and "runsRootDir" not in runtime:
        request = {**request, "runtime": {**runtime, "runsRootDir": conf.baa_runs_dir}}
    return dict(request)


def _policy(policy: Any) -> RetryPolicy:
    try:
        return RetryPolicy.from_wire(policy)
    except ValueError as error:
        raise RejectedStepError(f"retry policy: {error}") from None


def _options(options: Any) -> RunOptions:
    try:
        return RunOptions.from_wire(options)
    except ValueError as error:
        raise RejectedStepError(f"run options: {error}") from None


def _executor(request: dict[str, Any], options: RunOptions) -> Executor:
    """The step kind's executor. A codex step's takes the options its request carries (the
    request's ``codex`` makes the codex command line); options codex would not take are refused."""
    from ..executors import executor_for

    codex = request.get("codex")
    if request["workerKind"] == "codex" and codex:
        from ..executors.codex import check_options

        try:
            check_options(codex)
        except ValueError as error:
            raise RejectedStepError(f"/codex: {error}") from None
    return executor_for(request["workerKind"], grace_sec=options.grace_sec)


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


Ran = tuple[dict[str, Any], dict[str, Any] | None]


def _run(
    request: dict[str, Any], policy: RetryPolicy, options: RunOptions, task: Any
) -> Ran | None:
    """The envelope of the next free attempt and the request of a retry, if the policy wants one.

    ``None`` if another delivery of the same message ran the step to its end (a message that came
    back while its step still ran: the other delivery answers).
    """
    for _ in range(5):  # another worker may claim the same attempt between look and create
        claimed, held = free_attempt(request)
        if held:
            directory = run_dir(claimed)
            logger.warning("attempt %s still runs elsewhere; waiting for it", directory)
            wait_unlocked(directory)
            if ended_by_itself(directory):
                return None
            request = claimed
            continue
        attempt = claimed["attempt"]
        executor: Executor
        if attempt > policy.max_attempts:
            executor = _GiveUp(
                f"Not run: attempt {attempt} is past the retry policy's {policy.max_attempts}; "
                "the workers of the earlier attempts were lost or they failed."
            )
        else:
            executor = CancellableExecutor(_executor(claimed, options))
        worker = task.request.hostname
        _announce(task, claimed, worker)
        try:
            result = run_step(
                claimed, executor,
                tail_entries=_or(options.tail_entries, DEFAULT_TAIL_ENTRIES),
                tail_bytes=_or(options.tail_bytes, DEFAULT_TAIL_BYTES), worker=worker,
            )  # fmt: skip
        except RunExistsError:
            request = claimed
            continue
        envelope = envelope_dict(result)
        if policy.retries(envelope) and not is_cancelled(envelope):
            return envelope, next_attempt(claimed)
        return envelope, None
    return None


def _announce(task: Any, request: dict[str, Any], worker: str) -> None:
    """Tell the result backend who runs which attempt where (``baa status``, ``submit --wait``)."""
    meta = {
        "worker": worker, "runDir": run_dir(request), "runId": request["runId"],
        "attempt": request["attempt"], "taskId": request["taskId"], "pid": os.getpid(),
    }  # fmt: skip
    # Kept past the envelope, which replaces the STARTED meta and names no worker.
    task.backend.set(TAKEN_KEY_PREFIX + task.request.id, json.dumps(meta), RESULT_EXPIRES_SEC)
    task.update_state(state="STARTED", meta=meta)


def run_step_task(
    task: Any, request: Any = None, policy: Any = None, options: Any = None
) -> dict[str, Any]:
    task_id = task.request.id
    _stop.requested = False  # from here on, a cancel or a fence signal is for this task
    _stop.fenced = None
    _stop.task_id = task_id
    _unignore_sigint()
    if _stop.fence_dir is not None:  # one left by an earlier delivery that ended here
        with contextlib.suppress(OSError):
            os.unlink(fence_marker(_stop.fence_dir, task_id))
    backend = task.backend
    done = backend.get_task_meta(task_id)
    if done["status"] == "SUCCESS":  # delivered again after its result was stored
        result: dict[str, Any] = done["result"]
        return result
    if backend.client.exists(CANCEL_KEY_PREFIX + task_id):
        backend.mark_as_revoked(task_id, reason="cancelled before it started")
        raise Ignore()
    retry_policy = _policy(policy)
    run_options = _options(options)
    checked = _checked(request, task.app.conf, run_options)
    ran = _run(checked, retry_policy, run_options, task)
    if ran is None:
        logger.warning(
            "step %s was run to its end by another delivery; this one is dropped", task_id
        )
        raise Ignore()
    if _stop.fenced is not None:  # cut off from the broker: no result, no acknowledgement
        logger.warning("step %s stopped: %s", task_id, _stop.fenced)
        raise Ignore()
    envelope, following = ran
    if following is not None:
        raise task.retry(
            args=[following, retry_policy.to_wire(), run_options.to_wire()],
            kwargs={},
            countdown=retry_policy.delay(envelope["attempt"]),
            max_retries=None,
        )
    return envelope


def register(app: Any, name: str) -> None:
    app.task(bind=True, name=name, throws=(RejectedStepError,), max_retries=None)(run_step_task)
    signals.worker_process_init.connect(install_cancel_handler, weak=False)


__all__ = ["CANCEL_COMMAND", "CANCEL_SIGNAL", "CancellableExecutor", "register", "run_step_task"]
