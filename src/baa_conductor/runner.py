"""The seed's orchestration, made durable: prepare a run, record its lifecycle, execute, envelope.

Lifecycle order (one global seq with the output chunks): run_prepared, checkpoint_slot_reserved
(reserved_for_t006 only), checkpoint_restored or checkpoint_skipped (git_diff only), worker_started,
output chunks (with git_diff checkpoint_written / checkpoint_failed among them: on the interval and
before a timed-out or stopped worker is signalled), worker_execution_deferred (outcome ``prepared``
only), the git_diff checkpoint of the exited worker, worker_exited, then step_prepared /
step_completed / step_failed / step_blocked / step_cancelled.

``cancelled``: the step was stopped from outside before it ended on its own: a stop signal to its
runner (SIGINT, SIGTERM, SIGHUP: exit code 128+N) or a cancel request (``baa cancel``). A run
whose runner died without recording an end has no terminal state at all; readers call it
``interrupted``.
"""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass
from dataclasses import field as _field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from . import _clock, stops
from .encoding import js_number
from .exceptions import ContractError, Interrupted, RunStoreError
from .heartbeat import HEARTBEAT_SEC, beating
from .paths import run_layout
from .session import DEFAULT_TAIL_BYTES, DEFAULT_TAIL_ENTRIES, LogSession, OnOutput
from .store import RunWriter
from .validation import validate

if TYPE_CHECKING:
    # The models are imported where a caller asks for one, never on the way of a step: Pydantic
    # and the generated package would multiply the start-up time of `baa run`.
    from pydantic import BaseModel

    from baa_conductor_contracts.local_run_paths_schema import LocalRunPaths
    from baa_conductor_contracts.step_execution_request_schema import StepExecutionRequest
    from baa_conductor_contracts.step_execution_result_schema import StepExecutionResult
    from baa_conductor_contracts.worker_execution_outcome_schema import WorkerExecutionOutcome

    from .checkpoints import RunCheckpoints

DEFERRED_CHECKPOINT_FEATURES = ["git_diff"]
RESERVED = "reserved_for_t006"
GIT_DIFF = "git_diff"

#: outcome -> (run status, terminal lifecycle event, its log level)
OUTCOMES: dict[str, tuple[str, str, str]] = {
    "prepared": ("prepared", "step_prepared", "info"),
    "completed": ("completed", "step_completed", "info"),
    "failed": ("failed", "step_failed", "error"),
    "blocked": ("blocked", "step_blocked", "warn"),
    "cancelled": ("cancelled", "step_cancelled", "warn"),
}

#: name, kind, path key of LocalRunPaths, description: the artifacts every run has.
DEFAULT_ARTIFACTS = [
    ("meta.json", "metadata", "metaPath", "Immutable run metadata for this step attempt."),
    ("state.json", "state", "statePath", "Mutable run state snapshot for progress tracking and recovery."),
    ("worker.log", "log", "workerLogPath", "Lifecycle events rendered into the worker log stream."),
    ("stdout.log", "log", "stdoutLogPath", "Raw stdout stream produced by the worker process."),
    ("stderr.log", "log", "stderrLogPath", "Raw stderr stream produced by the worker process."),
    ("checkpoints", "directory", "checkpointsDir", "Reserved checkpoint directory for future T-006 persistence."),
    ("artifacts", "directory", "artifactsDir", "Reserved artifact directory for worker outputs."),
]  # fmt: skip


@dataclass
class PreparedStepRun:
    """A run whose directory, meta.json, first state and first events are on disk.

    ``wire_request`` and ``wire_paths`` are the validated wire JSON; ``request`` and ``paths`` the
    same as generated models, built on first use.
    """

    wire_request: dict[str, Any]
    wire_paths: dict[str, str]
    session: LogSession
    metadata: dict[str, Any]
    state: dict[str, Any]
    checkpoint: dict[str, Any]
    writer: RunWriter
    #: git_diff mode: the run's checkpoints (see checkpoints.RunCheckpoints).
    checkpoints: RunCheckpoints | None = None
    _state_lock: threading.Lock = _field(default_factory=threading.Lock, repr=False)

    def update_state(self, **patch: Any) -> None:
        """Apply a patch the way the seed's updateRunState does, keep seqs in step, persist."""
        with self._state_lock:  # interval checkpoints update it from their own thread
            state = dict(self.state)
            state.update({k: v for k, v in patch.items() if v is not None})
            state["lastEventSeq"] = self.session.last_seq
            state["checkpointSeq"] = self.checkpoint["lastCheckpointSeq"]
            self.writer.write_state(state)
            self.state = state

    def take_checkpoint(self, reason: str) -> None:
        """The executors' hook before they stop a worker (``timeout``, ``stopped``)."""
        if self.checkpoints is not None:
            self.checkpoints.take(reason)

    def checkpoint_taken(self, seq: int) -> None:
        self.checkpoint["lastCheckpointSeq"] = seq
        self.checkpoint["nextCheckpointSeq"] = seq + 1
        self.update_state(updatedAt=_clock.now())

    def close(self) -> None:
        self.writer.close()

    @cached_property
    def request(self) -> StepExecutionRequest:
        from baa_conductor_contracts.step_execution_request_schema import StepExecutionRequest

        return StepExecutionRequest.model_validate(self.wire_request)

    @cached_property
    def paths(self) -> LocalRunPaths:
        from baa_conductor_contracts.local_run_paths_schema import LocalRunPaths

        return LocalRunPaths.model_validate(self.wire_paths)


class Executor(Protocol):
    """Runs the worker of a prepared run; may stream output through ``run.session``."""

    def execute(self, run: PreparedStepRun) -> WorkerExecutionOutcome | dict[str, Any]: ...


def _wire(
    schema: str, value: BaseModel | dict[str, Any], source: str | None = None
) -> dict[str, Any]:
    """A model or a wire dict as a validated wire dict (camelCase)."""
    if isinstance(value, dict):
        wire = value
    else:  # a generated model (checked by duck type: importing pydantic here costs start-up)
        wire = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    validate(schema, wire, source=source)
    return wire


def _checkpoint_state(config: dict[str, Any] | None) -> dict[str, Any]:
    config = config or {"mode": RESERVED}
    last = config.get("resumeFromSeq", 0)
    state: dict[str, Any] = {
        "mode": config["mode"],
        "lastCheckpointSeq": last,
        "nextCheckpointSeq": last + 1,
    }
    if "resumeFromSeq" in config:
        state["resumeFromSeq"] = config["resumeFromSeq"]
    if "resumeFromRunId" in config:
        state["resumeFromRunId"] = config["resumeFromRunId"]
    if config["mode"] == GIT_DIFF:
        from .checkpoints import NOTE

        state["deferredFeatures"] = []
        state["note"] = NOTE
        return state
    state["deferredFeatures"] = list(DEFERRED_CHECKPOINT_FEATURES)
    state["note"] = (
        "Checkpoint paths and sequence numbers are reserved for T-006. "
        "T-005 does not emit checkpoint content."
        if config["mode"] == RESERVED
        else "Checkpointing is disabled for this step request."
    )
    return state


def _optional(source: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: source[k] for k in keys if k in source}


def prepare_step_run(
    request: StepExecutionRequest | dict[str, Any],
    *,
    tail_entries: int = DEFAULT_TAIL_ENTRIES,
    tail_bytes: int = DEFAULT_TAIL_BYTES,
) -> PreparedStepRun:
    """Validate the request, create the run directory, write meta.json, state.json, first events.

    An invalid request raises ContractError naming each bad field and creates nothing; a run
    directory that already exists raises RunExistsError.
    """
    return _prepare(request, tail_entries, tail_bytes, status="prepared")


def _prepare(
    request: StepExecutionRequest | dict[str, Any],
    tail_entries: int,
    tail_bytes: int,
    *,
    status: str,
    on_output: OnOutput | None = None,
    worker: str | None = None,
) -> PreparedStepRun:
    # status="running": run_step starts the worker right after, so the run directory is created
    # with the `running` state; no further state write (and fsync) before the worker starts.
    req = _wire("step-execution-request", request)
    runtime = req["runtime"]
    started_at = req.get("createdAt") or _clock.now()
    checkpoint = _checkpoint_state(req.get("checkpoint"))
    paths = run_layout(runtime["repoRoot"], req["taskId"], req["runId"], runtime.get("runsRootDir"))
    resume = None
    if checkpoint["mode"] == GIT_DIFF:
        from .checkpoints import resume_source

        resume = resume_source(
            req, paths["runsRootDir"]
        )  # refused here, before anything is written
    metadata = {
        "layoutVersion": paths["layoutVersion"],
        "taskId": req["taskId"], "stepId": req["stepId"], "stepName": req["stepName"],
        "runId": req["runId"], "workerKind": req["workerKind"], "attempt": req["attempt"],
        "repoRoot": runtime["repoRoot"], "worktreePath": runtime["worktreePath"],
        "createdAt": started_at, "checkpointMode": checkpoint["mode"],
        **_optional(req, "promptSummary", "command"),
    }  # fmt: skip
    if worker is not None:
        metadata["worker"] = worker
    prepared = f"Prepared local run layout for {req['stepId']}."
    state = {
        "status": status, "attempt": req["attempt"], "startedAt": started_at,
        "updatedAt": started_at, "lastEventSeq": 0,
        "checkpointSeq": checkpoint["lastCheckpointSeq"], "summary": prepared,
    }  # fmt: skip
    writer = RunWriter.create(paths, metadata, state)
    context = {"taskId": req["taskId"], "stepId": req["stepId"], "runId": req["runId"]}
    session = LogSession(context, writer, tail_entries, tail_bytes, on_output)
    run = PreparedStepRun(
        wire_request=req,
        wire_paths=paths,
        session=session,
        metadata=metadata,
        state=state,
        checkpoint=checkpoint,
        writer=writer,
    )
    try:
        session.record("run_prepared", "info", prepared, created_at=started_at, data={
            "stepName": req["stepName"], "stepKind": req["stepKind"],
            "workerKind": req["workerKind"], "attempt": req["attempt"],
            "timeoutSec": js_number(req["timeoutSec"]), "runDir": paths["runDir"],
            "worktreePath": runtime["worktreePath"], **({"codex": req["codex"]} if "codex" in req else {}),
        })  # fmt: skip
        if checkpoint["mode"] == RESERVED:
            session.record(
                "checkpoint_slot_reserved", "info",
                f"Reserved checkpoint sequence {checkpoint['nextCheckpointSeq']} "
                "for future T-006 integration.",
                data={
                    "checkpointsDir": paths["checkpointsDir"],
                    "nextCheckpointSeq": checkpoint["nextCheckpointSeq"],
                    "deferredFeatures": checkpoint["deferredFeatures"],
                },
            )  # fmt: skip
        if checkpoint["mode"] == GIT_DIFF:
            from .checkpoints import RunCheckpoints

            run.checkpoints = RunCheckpoints(run, resume, runs_root=paths["runsRootDir"])
            run.checkpoints.begin()
        if status == "prepared":
            run.update_state(updatedAt=started_at)
        else:
            run.state.update(updatedAt=started_at, lastEventSeq=session.last_seq)
    except BaseException:
        writer.close()
        raise
    return run


class PlaceholderExecutor:
    """The seed's default: executes nothing and reports the run as prepared."""

    def execute(self, run: PreparedStepRun) -> dict[str, Any]:
        req = run.wire_request
        return {
            "ok": True,
            "outcome": "prepared",
            "summary": f"Prepared local log streams and result envelope for {req['stepId']}; "
            f"real {req['workerKind']} execution remains deferred.",
            "needsHuman": False,
            "blocked": False,
            "exitCode": 0,
        }


def stopped_summary(what: str, signum: int) -> str:
    """The summary of a step whose runner was told to stop: the same on every path."""
    return f"{what} was stopped because the runner received {signal.Signals(signum).name}"


def _failure(summary: str, exit_code: int) -> dict[str, Any]:
    return {"ok": False, "outcome": "failed", "summary": summary, "exitCode": exit_code}


def _execute(run: PreparedStepRun, executor: Executor) -> dict[str, Any]:
    try:
        return _wire("worker-execution-outcome", executor.execute(run), "executor outcome")
    except RunStoreError:
        raise
    except ContractError as error:
        return _failure(f"Executor returned an invalid outcome: {error}", 1)
    except (Interrupted, KeyboardInterrupt) as stop:
        # An executor that does not stop its worker itself: the same words as one that does.
        signum = stop.signum if isinstance(stop, Interrupted) else signal.SIGINT
        return {"ok": False, "outcome": "cancelled", "summary": stopped_summary("worker", signum),
                "exitCode": 128 + signum}  # fmt: skip
    except Exception as error:
        import traceback  # only here: importing it costs every run about 2 ms of start-up

        run.session.append_text("stderr", traceback.format_exc())
        return _failure(f"Executor raised {type(error).__name__}: {error}", 1)


def _artifacts(paths: dict[str, str], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged = {}
    for name, kind, field, description in DEFAULT_ARTIFACTS:
        path = paths[field]
        merged[path] = {"name": name, "kind": kind, "path": path, "description": description}
    for artifact in extra:
        merged[artifact["path"]] = artifact
    return list(merged.values())


def _checkpoint_artifacts(run: PreparedStepRun) -> list[dict[str, Any]]:
    if run.checkpoints is None:
        return []
    return [{"name": "checkpoints", "kind": "directory", "path": run.wire_paths["checkpointsDir"],
             "description": "git_diff checkpoints: <seq>.patch and its record <seq>.json."}]  # fmt: skip


def run_step(
    request: StepExecutionRequest | dict[str, Any],
    executor: Executor | None = None,
    *,
    tail_entries: int = DEFAULT_TAIL_ENTRIES,
    tail_bytes: int = DEFAULT_TAIL_BYTES,
    on_output: OnOutput | None = None,
    heartbeat_sec: float = HEARTBEAT_SEC,
    worker: str | None = None,
) -> StepExecutionResult:
    """Run one step end to end and return its validated result envelope.

    Everything is on disk as it happens; ``tail_entries`` and ``tail_bytes`` bound the
    stdout/stderr chunks the envelope carries (the files keep all of them). ``on_output``, if
    given, is called with ``(channel, bytes)`` for each chunk of output as soon as it is written
    to its log (``baa run`` passes it on to the terminal). While the worker runs, state.json's
    ``updatedAt`` is refreshed every ``heartbeat_sec``. ``worker`` names who runs it in
    meta.json (a ``baa worker``'s node name).
    """
    from baa_conductor_contracts.step_execution_result_schema import StepExecutionResult

    envelope = run_step_dict(request, executor, tail_entries=tail_entries, tail_bytes=tail_bytes,
                             on_output=on_output, heartbeat_sec=heartbeat_sec,
                             worker=worker)  # fmt: skip
    return StepExecutionResult.model_validate(envelope)


def run_step_dict(
    request: StepExecutionRequest | dict[str, Any],
    executor: Executor | None = None,
    *,
    tail_entries: int = DEFAULT_TAIL_ENTRIES,
    tail_bytes: int = DEFAULT_TAIL_BYTES,
    on_output: OnOutput | None = None,
    heartbeat_sec: float = HEARTBEAT_SEC,
    worker: str | None = None,
) -> dict[str, Any]:
    """:func:`run_step`, returning the envelope as validated wire JSON (camelCase) instead of a model.

    It loads no Pydantic model on the way (``baa run`` starts faster for it).
    """
    run = _prepare(
        request, tail_entries, tail_bytes, status="running", on_output=on_output, worker=worker
    )
    try:
        return _finish(run, executor or PlaceholderExecutor(), heartbeat_sec)
    except RunStoreError as error:
        _persist_failure(run, f"Run files could not be written: {error}")
        raise
    finally:
        if run.checkpoints is not None:
            run.checkpoints.stop()
        run.close()


def _persist_failure(run: PreparedStepRun, summary: str) -> None:
    # Best effort after a store error: a terminal state if the disk takes one more small file.
    try:
        finished = _clock.now()
        run.update_state(status="failed", updatedAt=finished, finishedAt=finished,
                         summary=summary, exitCode=1)  # fmt: skip
    except RunStoreError:
        pass


def _finish(run: PreparedStepRun, executor: Executor, heartbeat_sec: float) -> dict[str, Any]:
    req, session = run.wire_request, run.session
    started_at = run.metadata["createdAt"]
    execution_started = _clock.now()
    session.record(
        "worker_started", "info",
        f"Worker runner opened execution scope for {req['workerKind']} step {req['stepId']}.",
        created_at=execution_started,
        data={"stepKind": req["stepKind"], "timeoutSec": js_number(req["timeoutSec"]),
              "worktreePath": req["runtime"]["worktreePath"]},
    )  # fmt: skip
    # state.json already says running (written with the run directory); the next write (a
    # heartbeat, a checkpoint, the terminal state) brings updatedAt and lastEventSeq up to date.
    run.state.update(updatedAt=execution_started, lastEventSeq=session.last_seq)
    if run.checkpoints is not None:
        run.checkpoints.start()

    with beating(lambda: run.update_state(updatedAt=_clock.now()), heartbeat_sec), stops.armed():
        outcome = _execute(run, executor)
    if run.checkpoints is not None:
        run.checkpoints.finish()
    kind = outcome["outcome"]
    blocked = outcome.get("blocked", kind == "blocked")
    needs_human = outcome.get("needsHuman", False)
    exit_code = outcome.get("exitCode", 0 if outcome["ok"] else 1)
    for channel in ("stdout", "stderr"):
        for text in outcome.get(channel, []):
            session.append_text(channel, text)
    if kind == "prepared":
        session.record(
            "worker_execution_deferred", "info",
            f"Real {req['workerKind']} execution is intentionally deferred in T-005.",
            data={"deferredFeatures": run.checkpoint["deferredFeatures"],
                  "nextCheckpointSeq": run.checkpoint["nextCheckpointSeq"]},
        )  # fmt: skip
    session.record(
        "worker_exited", "info" if exit_code == 0 else "error",
        f"Worker runner closed execution scope with outcome {kind}.",
        data={"exitCode": exit_code, "outcome": kind},
    )  # fmt: skip
    status, terminal_event, level = OUTCOMES[kind]
    finished_at = _clock.now()
    session.record(terminal_event, level, outcome["summary"], created_at=finished_at,
                   data={"ok": outcome["ok"], "blocked": blocked, "needsHuman": needs_human,
                         "exitCode": exit_code})  # fmt: skip
    run.writer.start_flush()
    run.update_state(status=status, updatedAt=finished_at, finishedAt=finished_at,
                     summary=outcome["summary"], exitCode=exit_code)  # fmt: skip
    run.writer.close()

    summary = session.summary()
    duration = _clock.elapsed_ms(started_at, finished_at)
    paths = dict(run.wire_paths)
    envelope = {
        "ok": outcome["ok"], "outcome": kind, "summary": outcome["summary"],
        "needsHuman": needs_human, "blocked": blocked,
        "taskId": req["taskId"], "stepId": req["stepId"], "runId": req["runId"],
        "attempt": req["attempt"], "workerKind": req["workerKind"],
        "startedAt": started_at, "finishedAt": finished_at, "durationMs": duration,
        "metadata": run.metadata, "state": run.state, "logPaths": paths,
        "logSession": {
            "context": session.context, "paths": paths, "nextSeq": session.next_seq,
            "worker": {"channel": "worker", "filePath": paths["workerLogPath"],
                       "entries": session.lifecycle},
            "stdout": session.stream("stdout", paths["stdoutLogPath"]),
            "stderr": session.stream("stderr", paths["stderrLogPath"]),
        },
        "logSummary": summary,
        "lifecycleEvents": list(session.lifecycle),
        "checkpoint": run.checkpoint,
        "artifacts": _artifacts(run.wire_paths, [*_checkpoint_artifacts(run),
                                            *outcome.get("artifacts", [])]),
        "suggestedFollowup": outcome.get("suggestedFollowup", []),
        "metrics": {
            "durationMs": duration,
            "lifecycleEventCount": summary["lifecycleEventCount"],
            "stdoutChunkCount": summary["stdoutChunkCount"],
            "stderrChunkCount": summary["stderrChunkCount"],
            "checkpointCount": run.checkpoints.count if run.checkpoints is not None else 0,
        },
    }  # fmt: skip
    if "agent" in outcome:
        envelope["agent"] = outcome["agent"]
    validate("step-execution-result", envelope)
    return envelope


def envelope_dict(result: StepExecutionResult) -> dict[str, Any]:
    """The envelope as wire JSON (camelCase), as validated."""
    return _wire("step-execution-result", result)
