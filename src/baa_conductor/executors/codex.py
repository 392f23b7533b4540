"""codex: the Codex CLI run non-interactively (``codex exec --json``) in the worktree.

The command is ``codex exec --json --sandbox <mode> --cd <worktree> [--model M] [--profile P]
[--config K=V ...] [--skip-git-repo-check] --output-last-message <run>/artifacts/last-message.md
[extra args] -`` with the prompt on stdin (``-``): no prompt can be taken for an option, and a prompt
of any size runs (one argument is limited to 128 KiB on Linux). The binary comes from ``binary=``,
else ``BAA_CODEX_BIN``, else ``codex`` on PATH.

Defaults are what a runner needs: the ``workspace-write`` sandbox (codex's own default,
``read-only``, would let a "fix the test" step change nothing); ``--skip-git-repo-check`` only
when the worktree is not inside a git repository (codex refuses to run there otherwise; pass
``skip_git_repo_check=False`` to keep its refusal, ``True`` to always skip).

What ended the run decides the outcome: a ``turn.failed``, a top-level ``error`` that no completed
turn follows (a reconnect notice followed by ``turn.completed`` is not a failure), a non-zero exit,
or an exit 0 without any completed turn. Without events, the summary quotes the end of stderr.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Sequence
from typing import Any

from .. import encoding
from ..paths import AGENT_ACTIVITY, AGENT_ACTIVITY_SCHEMA
from ..runner import PreparedStepRun
from ..validation import validate
from .base import OutputWatch, ProcessExecutor, Refusal, clip, refused
from .codex_events import CodexEvents, FileChange
from .codex_session import (
    ResumePoint,
    ResumeRefused,
    codex_home,
    keep,
    place,
    refused_patches,
    resume_point,
    turn_error_info,
    valid_thread_id,
)
from .process import CANNOT_RUN_EXIT_CODE, NOT_FOUND_EXIT_CODE, ProcessResult

BINARY_VAR = "BAA_CODEX_BIN"
SANDBOX_MODES = ("read-only", "workspace-write", "danger-full-access")
DEFAULT_SANDBOX = "workspace-write"
PROMPT_FILE = "prompt.md"
LAST_MESSAGE_FILE = "last-message.md"
QUOTE_CHARS = 300


def check_config_override(value: str) -> str:
    """A ``-c key=value`` override as codex accepts it, else ValueError saying why."""
    key, sep, _ = value.partition("=")
    if not sep:
        raise ValueError(f"config override {value!r}: expected KEY=VALUE (missing '=')")
    if not key.strip():
        raise ValueError(f"config override {value!r}: the key is empty")
    return value


def inside_git_repository(path: str) -> bool:
    """Whether codex (0.169.0) takes ``path`` for a place inside a git repository.

    Walking up from ``path`` as given (a symlinked worktree is not resolved), a ``.git`` that
    exists and is not a directory (a worktree's ``gitdir:`` file, whatever it holds) counts, and
    so does a ``.git`` directory holding ``HEAD``; an empty ``.git`` directory or a dangling
    ``.git`` symlink does not, and the walk goes on above it. Found by running the pinned binary
    (tests/test_codex_real.py); the check is codex's own, so the step passes
    ``--skip-git-repo-check`` exactly when codex would refuse.
    """
    path = os.path.abspath(path)
    while True:
        dot_git = os.path.join(path, ".git")
        if os.path.exists(dot_git) and (
            not os.path.isdir(dot_git) or os.path.exists(os.path.join(dot_git, "HEAD"))
        ):
            return True
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent


def check_options(options: dict[str, Any]) -> dict[str, Any]:
    """A request's ``codex`` options (schema codex-options) as codex takes them, else ValueError
    naming the option and why (the schema admits a blank model, codex does not)."""
    sandbox = options.get("sandbox", DEFAULT_SANDBOX)
    if sandbox not in SANDBOX_MODES:
        raise ValueError(f"sandbox {sandbox!r}: expected one of {', '.join(SANDBOX_MODES)}")
    for name in ("model", "profile"):
        value = options.get(name)
        if value is not None and not value.strip():
            raise ValueError(f"{name}: must not be empty")
    for override in options.get("config", ()):
        check_config_override(override)
    return options


class CodexExecutor(ProcessExecutor):
    label = "codex"

    def __init__(
        self,
        *,
        binary: str | None = None,
        sandbox: str = DEFAULT_SANDBOX,
        model: str | None = None,
        profile: str | None = None,
        config: Sequence[str] = (),
        extra_args: Sequence[str] = (),
        skip_git_repo_check: bool | None = None,
        grace_sec: float | None = None,
    ):
        super().__init__(**({} if grace_sec is None else {"grace_sec": grace_sec}))
        check_options({"sandbox": sandbox, "model": model, "profile": profile, "config": config})
        self.binary = binary
        self.sandbox = sandbox
        self.model = model
        self.profile = profile
        self.config = tuple(check_config_override(c) for c in config)
        self.extra_args = tuple(extra_args)
        self.skip_git_repo_check = skip_git_repo_check

    def _binary(self, run: PreparedStepRun) -> str:
        env = {**os.environ, **(run.wire_request["runtime"].get("env") or {})}
        binary = self.binary or env.get(BINARY_VAR) or "codex"
        found = shutil.which(binary, path=env.get("PATH"))
        if found is None:
            raise Refusal(
                f"codex agent not found: {binary!r} is not on PATH (set {BINARY_VAR} to its path)",
                NOT_FOUND_EXIT_CODE,
            )
        return found

    def options(self, run: PreparedStepRun) -> dict[str, Any]:
        """The codex options of this step: the request's ``codex`` over the executor's own
        (a dispatched step runs as its request asks); ``config`` and ``extraArgs`` add to them."""
        asked: dict[str, Any] = run.wire_request.get("codex") or {}
        try:
            check_options(asked)
        except ValueError as error:
            raise Refusal(f"codex.{error}", CANNOT_RUN_EXIT_CODE) from None
        return {
            "sandbox": asked.get("sandbox", self.sandbox),
            "model": asked.get("model", self.model),
            "profile": asked.get("profile", self.profile),
            "config": [*self.config, *asked.get("config", ())],
            "extraArgs": [*self.extra_args, *asked.get("extraArgs", ())],
        }

    def argv(self, run: PreparedStepRun, resume: ResumePoint | None = None) -> list[str]:
        worktree: str = run.wire_request["runtime"]["worktreePath"]
        options = self.options(run)
        argv = [self._binary(run), "exec", "--json", "--sandbox", options["sandbox"], "--cd",
                worktree]  # fmt: skip
        if options["model"] is not None:
            argv += ["--model", options["model"]]
        if options["profile"] is not None:
            argv += ["--profile", options["profile"]]
        for override in options["config"]:
            argv += ["--config", override]
        skip = self.skip_git_repo_check
        if skip or (skip is None and not inside_git_repository(worktree)):
            argv.append("--skip-git-repo-check")
        last_message = os.path.join(run.wire_paths["artifactsDir"], LAST_MESSAGE_FILE)
        argv += ["--output-last-message", last_message, *options["extraArgs"]]
        if resume is not None:
            argv += ["resume", resume.thread_id]
        return [*argv, "-"]

    def check(self, run: PreparedStepRun) -> None:
        worktree: str = run.wire_request["runtime"]["worktreePath"]
        if not os.path.isdir(worktree):
            raise Refusal(f"worktree {worktree} does not exist", CANNOT_RUN_EXIT_CODE)

    def _write_prompt(self, run: PreparedStepRun) -> str:
        req = run.wire_request
        prompt: str | None = req.get("prompt") or req.get("promptSummary")
        if not prompt or not prompt.strip():
            raise Refusal(
                "codex step has no prompt (prompt or promptSummary)", CANNOT_RUN_EXIT_CODE
            )
        return _create(run, PROMPT_FILE, prompt.encode("utf-8", "surrogatepass"))

    def _resume(self, run: PreparedStepRun, home: str) -> ResumePoint | None:
        """The codex thread this step continues (a step resumed from a run that started one)."""
        try:
            return resume_point(run.wire_request, run.wire_paths["runsRootDir"], home)
        except (ResumeRefused, ValueError) as error:
            raise Refusal(str(error), CANNOT_RUN_EXIT_CODE) from None

    def execute(self, run: PreparedStepRun) -> dict[str, Any]:
        home = codex_home({**os.environ, **(run.wire_request["runtime"].get("env") or {})})
        try:
            resume = self._resume(run, home)
            argv = self.argv(run, resume)
            self.check(run)
            prompt_path = self._write_prompt(run)
            if resume is not None:
                _place(resume, home)
        except Refusal as refusal:
            return refused(refusal)
        events = CodexEvents()
        watch = OutputWatch(run.session, on_stdout=events.feed)
        result = self.spawn(run, argv, watch, stdin_path=prompt_path)
        events.close()
        session = _keep(home, events.thread_id, run.wire_paths["artifactsDir"])
        if session is not None:
            _add_refused_patches(events, session, run.wire_request["runtime"]["worktreePath"])
        outcome = self.judge(run, result, watch, events, session)
        activity = _activity(run, events, completed=outcome["ok"])
        if resume is not None:
            activity["resumedFrom"] = {"runId": resume.run_id, "threadId": resume.thread_id}
        validate(AGENT_ACTIVITY_SCHEMA, activity, source=AGENT_ACTIVITY)
        artifacts = [_artifact(prompt_path, "The prompt given to codex on its standard input.")]
        if "finalMessagePath" in activity:
            artifacts.append(_artifact(activity["finalMessagePath"],
                                       "The agent's final message in full (codex -o)."))  # fmt: skip
        if session is not None:
            artifacts.append(_artifact(session, "The codex thread as codex keeps it (its session "
                                       "file): a later attempt continues it, on any worker."))  # fmt: skip
        path = _create(run, AGENT_ACTIVITY, encoding.dumps_line(activity))
        artifacts.append(_artifact(path, "What the agent did: thread id, token usage, "
                                   "commands with exit codes, file changes (AgentActivity)."))  # fmt: skip
        return {**outcome, "artifacts": artifacts, "agent": activity}

    def judge(
        self,
        run: PreparedStepRun,
        result: ProcessResult,
        watch: OutputWatch,
        events: CodexEvents,
        session: str | None = None,
    ) -> dict[str, Any]:
        """The outcome, from what ended the run."""
        code = result.exit_code
        failure = events.failure
        if result.spawn_error or result.stopped or result.signal is not None:
            summary = self.summary(run, result)
            if failure:
                summary += f"; the agent last reported: {clip(failure)}"
            if result.cancelled:
                return {"ok": False, "outcome": "cancelled", "summary": summary, "exitCode": code}
            return _failed(summary, code)
        if events.turn == "failed":
            said = model_server_error(failure or "turn failed", session)
            return _failed(f"codex turn failed: {clip(said)}", code or 1)
        if code != 0:
            reason = model_server_error(failure, session) if failure else codex_error(watch)
            return _failed(
                f"codex exited with code {code}" + (f": {reason}" if reason else ""), code
            )
        if failure:
            return _failed(f"codex reported an error and no turn completed: {clip(failure)}", 1)
        if events.turn != "completed":
            reason = codex_error(watch)
            return _failed(
                "codex exited with code 0 without completing a turn (no turn.completed event)"
                + (f": {reason}" if reason else ""),
                1,
            )
        return {"ok": True, "outcome": "completed", "summary": _done(events), "exitCode": 0}


def _place(resume: ResumePoint, home: str) -> None:
    try:
        place(resume, home)
    except OSError as error:
        raise Refusal(
            f"cannot put codex thread {resume.thread_id} of run {resume.run_id} into {home}: "
            f"{error}", CANNOT_RUN_EXIT_CODE,
        ) from None  # fmt: skip


def _keep(home: str, thread_id: str | None, artifacts_dir: str) -> str | None:
    """The thread's session file copied into the run; None when there is none to copy (a copy
    that fails leaves the run without it: the thread is still in the codex home)."""
    thread = valid_thread_id(thread_id)
    if thread is None:
        return None
    try:
        return keep(home, thread, artifacts_dir)
    except OSError:
        return None


def _add_refused_patches(events: CodexEvents, session: str, worktree: str) -> None:
    """A patch codex refused (read-only sandbox) prints no ``file_change`` event: its files are
    added as failed changes and codex's refusal as a warning, from the session file."""
    try:
        refused = refused_patches(session, worktree)
    except OSError:
        return
    for files, reason in refused:
        events.file_changes += [FileChange(path, kind, "failed") for path, kind in files]
        events.warnings.append(f"patch not applied: {reason}")


#: codex's names for an HTTP status it reports without the number (``codex_error_info``).
STATUS_OF_ERROR = {"internal_server_error": 500, "unauthorized": 401, "bad_request": 400}


def model_server_error(message: str, session: str | None) -> str:
    """codex's message for a failed turn, with what the model server said where codex hides it:
    the HTTP status (from the session file's ``codex_error_info``) when the message lacks it, and
    an error body (``{"error": {"message", "type"}}``) that codex passes on as raw JSON."""
    body = _error_body(message)
    if body is not None:
        message = body
    info = None
    if session is not None:
        with contextlib.suppress(OSError):
            info = turn_error_info(session)
    status = STATUS_OF_ERROR.get(info) if isinstance(info, str) else None
    if isinstance(info, dict):
        details = next(iter(info.values()), None)
        if isinstance(details, dict) and isinstance(details.get("http_status_code"), int):
            status = details["http_status_code"]
    if status is not None and str(status) not in message:
        return f"the model server answered HTTP {status}: {message}"
    if body is not None:
        return f"the model server answered: {message}"
    return message


def _error_body(message: str) -> str | None:
    """``type: message`` of an OpenAI-style error body; None if ``message`` is not one."""
    if not message.startswith("{"):
        return None
    try:
        error = json.loads(message).get("error")
    except (ValueError, AttributeError):
        return None
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return None
    kind = error.get("type") or error.get("code")
    return f"{kind}: {error['message']}" if isinstance(kind, str) else error["message"]


def codex_error(watch: OutputWatch) -> str | None:
    """codex's own error from its stderr: from its last ``Error...`` line on, without the stack
    trace ``RUST_BACKTRACE`` adds; else its last lines but its ``WARNING:`` lines (such as "could
    not create PATH aliases" under /tmp), which say nothing of why it stopped."""
    _, lines = watch.stderr_lines()
    if "Stack backtrace:" in lines:
        lines = lines[: lines.index("Stack backtrace:")]
    errors = [i for i, line in enumerate(lines) if line.startswith("Error")]
    if errors:
        return clip(" ".join(lines[errors[-1] :]))
    said = [line for line in lines if not line.startswith("WARNING:")]
    return clip(" ".join(said[-5:])) if said else None


def _failed(summary: str, exit_code: int) -> dict[str, Any]:
    return {"ok": False, "outcome": "failed", "summary": summary, "exitCode": exit_code}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _done(events: CodexEvents) -> str:
    commands = list(events.commands.values())
    failed = sum(1 for c in commands if c.exit_code not in (0, None) or c.status == "failed")
    did = [_plural(len(commands), "command") + (f" ({failed} failed)" if failed else "")]
    changed = {c.path for c in events.file_changes if c.status == "completed"}
    unapplied = {c.path for c in events.file_changes if c.status != "completed"} - changed
    did.append(_plural(len(changed), "file") + " changed")
    if unapplied:
        did.append(f"{len(unapplied)} not applied")
    message = events.final_message
    said = (
        f": {clip(message, QUOTE_CHARS)}" if message and message.strip() else ", no final message"
    )
    return f"codex completed its turn ({', '.join(did)}){said}"


def _create(run: PreparedStepRun, name: str, data: bytes) -> str:
    """Write a new file into the run's artifacts directory (never through a symlink)."""
    path = os.path.join(run.wire_paths["artifactsDir"], name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    return path


def _artifact(path: str, description: str) -> dict[str, str]:
    return {"name": os.path.basename(path), "kind": "artifact", "path": path,
            "description": description}  # fmt: skip


#: codex's usage keys -> the agent-token-usage fields.
USAGE_FIELDS = {
    "input_tokens": "inputTokens", "cached_input_tokens": "cachedInputTokens",
    "cache_write_input_tokens": "cacheWriteInputTokens", "output_tokens": "outputTokens",
    "reasoning_output_tokens": "reasoningOutputTokens",
}  # fmt: skip


def _activity(run: PreparedStepRun, events: CodexEvents, *, completed: bool) -> dict[str, Any]:
    activity: dict[str, Any] = {}
    if events.thread_id:
        activity["threadId"] = events.thread_id
    if events.usage:
        activity["usage"] = {USAGE_FIELDS[k]: v for k, v in events.usage.items()}
    last_message = os.path.join(run.wire_paths["artifactsDir"], LAST_MESSAGE_FILE)
    # codex -o writes the file even when the turn failed: empty then, and no final message.
    if (
        os.path.isfile(last_message)
        and not os.path.islink(last_message)
        and (completed or os.path.getsize(last_message) > 0)
    ):
        activity["finalMessagePath"] = last_message
    commands = []
    for command in events.commands.values():
        entry: dict[str, Any] = {"command": command.command, "status": command.status}
        if command.exit_code is not None:
            entry["exitCode"] = command.exit_code
        commands.append(entry)
    activity["commands"] = commands
    activity["fileChanges"] = [{"path": c.path, "kind": c.kind, "status": c.status}
                               for c in events.file_changes]  # fmt: skip
    activity["warnings"] = list(events.warnings)
    activity["eventCount"] = events.events
    return activity
