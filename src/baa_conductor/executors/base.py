"""An executor that runs a worker process: the shape shared by shell, git and codex."""

from __future__ import annotations

import signal
from typing import Any

from ..runner import PreparedStepRun
from .process import DEFAULT_GRACE_SEC, ProcessResult, run_process


class Refusal(Exception):
    """A step that cannot start: the reason becomes the failed outcome's summary."""

    def __init__(self, summary: str, exit_code: int):
        self.summary = summary
        self.exit_code = exit_code
        super().__init__(summary)


class ProcessExecutor:
    """Runs ``argv(run)`` in the worktree with live output; subclasses say what to run."""

    label = "process"

    def __init__(self, *, grace_sec: float = DEFAULT_GRACE_SEC):
        self.grace_sec = grace_sec

    def argv(self, run: PreparedStepRun) -> list[str]:
        raise NotImplementedError

    def describe(self, run: PreparedStepRun) -> str:
        """What the summary calls the worker ("shell command", "git status", ...)."""
        return self.label

    def check(self, run: PreparedStepRun) -> None:
        """Raise :class:`Refusal` when the step cannot start (missing binary, not a repo)."""

    def execute(self, run: PreparedStepRun) -> dict[str, Any]:
        try:
            argv = self.argv(run)
            self.check(run)
        except Refusal as refusal:
            return {"ok": False, "outcome": "failed", "summary": refusal.summary,
                    "exitCode": refusal.exit_code}  # fmt: skip
        req = run.wire_request  # wire JSON, not the model: no Pydantic on the way of a step
        result = run_process(
            argv,
            cwd=req["runtime"]["worktreePath"],
            env=req["runtime"].get("env"),
            timeout_sec=float(req["timeoutSec"]),
            on_chunk=run.session.append_chunk,
            grace_sec=self.grace_sec,
            before_stop=run.take_checkpoint,
        )
        return self.outcome(run, result)

    def outcome(self, run: PreparedStepRun, result: ProcessResult) -> dict[str, Any]:
        ok = result.exit_code == 0 and not result.stopped and result.spawn_error is None
        return {
            "ok": ok,
            "outcome": "completed" if ok else "failed",
            "summary": self.summary(run, result),
            "exitCode": result.exit_code,
        }

    def summary(self, run: PreparedStepRun, result: ProcessResult) -> str:
        what = self.describe(run)
        if result.spawn_error:
            return f"{what} could not start: {result.spawn_error}"
        if result.timed_out:
            return (f"{what} timed out after {run.wire_request['timeoutSec']}s and was stopped "
                    f"(SIGTERM to its process group, SIGKILL {self.grace_sec}s later if still running)")  # fmt: skip
        if result.interrupted is not None:
            name = signal.Signals(result.interrupted).name
            return f"{what} was stopped because the runner received {name}"
        if result.signal is not None:
            return f"{what} was killed by {signal.Signals(result.signal).name}"
        return f"{what} exited with code {result.exit_code}"
