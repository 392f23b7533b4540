"""An executor that runs a worker process: the shape shared by shell, git and codex."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable, Mapping
from typing import Any

from ..runner import PreparedStepRun, stopped_summary
from ..session import LogSession
from .process import DEFAULT_GRACE_SEC, ProcessResult, run_process

#: How much of the start and of the end of stderr is kept for the summary.
STDERR_HEAD_BYTES = 1 << 10
STDERR_TAIL_BYTES = 1 << 13
REASON_CHARS = 500
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")


class Refusal(Exception):
    """A step that cannot start: the reason becomes the failed outcome's summary."""

    def __init__(self, summary: str, exit_code: int):
        self.summary = summary
        self.exit_code = exit_code
        super().__init__(summary)


class OutputWatch:
    """Hands each chunk of output to the run's logs and keeps what a summary needs.

    That is the start and the end of stderr (whatever the envelope's tail keeps) and, for an
    executor that reads its worker's stdout, a callback with every stdout chunk.
    """

    def __init__(self, session: LogSession, on_stdout: Callable[[bytes], None] | None = None):
        self.session = session
        self.on_stdout = on_stdout
        self.stderr_head = bytearray()
        self.stderr_tail = bytearray()
        self.stderr_bytes = 0

    def __call__(self, channel: str, data: bytes | memoryview) -> None:
        self.session.append_chunk(channel, data)
        if channel == "stdout":
            if self.on_stdout is not None:
                self.on_stdout(bytes(data))
            return
        if len(self.stderr_head) < STDERR_HEAD_BYTES:
            self.stderr_head += data[: STDERR_HEAD_BYTES - len(self.stderr_head)]
        self.stderr_tail += data
        del self.stderr_tail[:-STDERR_TAIL_BYTES]
        self.stderr_bytes += len(data)

    def stderr_lines(self) -> tuple[list[str], list[str]]:
        """The first and the last non-blank lines of stderr (colour codes removed)."""
        return _lines(self.stderr_head), _lines(self.stderr_tail)


def _lines(data: bytes | bytearray) -> list[str]:
    text = _ESCAPES.sub("", bytes(data).decode("utf-8", "replace"))
    return [" ".join(line.split()) for line in re.split(r"\r\n|\r|\n", text) if line.strip()]


def clip(text: str, limit: int = REASON_CHARS) -> str:
    """``text`` on one line, at most ``limit`` characters (an ellipsis marks a cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def stderr_tail(watch: OutputWatch, lines: int = 5) -> str | None:
    """The last few lines the worker wrote to stderr, on one line; None if it wrote none."""
    _, last = watch.stderr_lines()
    return clip(" ".join(last[-lines:])) if last else None


class ProcessExecutor:
    """Runs ``argv(run)`` in the worktree with live output; subclasses say what to run."""

    label = "process"

    def __init__(self, *, grace_sec: float = DEFAULT_GRACE_SEC):
        if not 0 <= grace_sec < float("inf"):  # NaN too: SIGKILL would never come
            raise ValueError(f"grace_sec must be a finite number >= 0, not {grace_sec!r}")
        self.grace_sec = grace_sec

    def argv(self, run: PreparedStepRun) -> list[str]:
        raise NotImplementedError

    def describe(self, run: PreparedStepRun) -> str:
        """What the summary calls the worker ("shell command", "git status", ...)."""
        return self.label

    def check(self, run: PreparedStepRun) -> None:
        """Raise :class:`Refusal` when the step cannot start (missing binary, not a repo)."""

    def environment(self, run: PreparedStepRun) -> Mapping[str, str] | None:
        """Variables set over the runner's environment (the request's ``runtime.env``)."""
        env: dict[str, str] | None = run.wire_request["runtime"].get("env")
        return env

    def execute(self, run: PreparedStepRun) -> dict[str, Any]:
        try:
            argv = self.argv(run)
            self.check(run)
        except Refusal as refusal:
            return refused(refusal)
        watch = OutputWatch(run.session)
        return self.outcome(run, self.spawn(run, argv, watch), watch)

    def spawn(
        self,
        run: PreparedStepRun,
        argv: list[str],
        watch: OutputWatch,
        stdin_path: str | None = None,
    ) -> ProcessResult:
        req = run.wire_request  # wire JSON, not the model: no Pydantic on the way of a step
        return run_process(
            argv,
            cwd=req["runtime"]["worktreePath"],
            env=self.environment(run),
            timeout_sec=float(req["timeoutSec"]),
            on_chunk=watch,
            grace_sec=self.grace_sec,
            before_stop=run.take_checkpoint,
            stdin_path=stdin_path,
            lock_dir=run.wire_paths["runDir"],
        )

    def outcome(
        self, run: PreparedStepRun, result: ProcessResult, watch: OutputWatch
    ) -> dict[str, Any]:
        ok = result.exit_code == 0 and not result.stopped and result.spawn_error is None
        return {
            "ok": ok,
            "outcome": "completed" if ok else "cancelled" if result.cancelled else "failed",
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
            return stopped_summary(what, result.interrupted)
        if result.signal is not None:
            return f"{what} was killed by {signal.Signals(result.signal).name}"
        return f"{what} exited with code {result.exit_code}"


def refused(refusal: Refusal) -> dict[str, Any]:
    """The failed outcome of a step that could not start."""
    return {"ok": False, "outcome": "failed", "summary": refusal.summary,
            "exitCode": refusal.exit_code}  # fmt: skip
