"""The step request the run-describing options make (``baa run``, ``baa submit``), and the
request of a step resumed from an earlier run (``--resume-from``)."""

from __future__ import annotations

import os

from ._common import UsageError, find_run

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any


def _new_run_id() -> str:
    from datetime import UTC, datetime

    return f"run-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{os.urandom(3).hex()}"


def _env(pairs: Sequence[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--env {pair!r}: expected NAME=VALUE")
        env[key] = value
    return env


def _checkpoint_config(args: argparse.Namespace) -> dict[str, Any] | None:
    config: dict[str, Any] = {}
    if args.checkpoint is not None:
        config["mode"] = args.checkpoint
    if args.checkpoint_every is not None:
        config["everySec"] = (
            int(args.checkpoint_every)
            if args.checkpoint_every.is_integer()
            else args.checkpoint_every
        )
    if args.checkpoint_max_bytes is not None:
        config["maxPatchBytes"] = args.checkpoint_max_bytes
    tuning = "everySec" in config or "maxPatchBytes" in config
    if tuning and config.get("mode") != "git_diff":
        raise UsageError("--checkpoint-every and --checkpoint-max-bytes need --checkpoint git_diff")
    return config or None


def default_checkpoint_mode(worktree: str) -> str:
    """The checkpoint mode of a step that names none: ``git_diff`` in a git work tree (a ``.git``
    in the worktree or above it, and git on PATH), ``disabled`` elsewhere. The seed's
    ``reserved_for_t006``, which writes nothing, only when a request names it."""
    import shutil

    path = os.path.abspath(worktree)
    while True:
        if os.path.lexists(os.path.join(path, ".git")):
            return "git_diff" if shutil.which("git") else "disabled"
        parent = os.path.dirname(path)
        if parent == path:
            return "disabled"
        path = parent


def build_request(args: argparse.Namespace) -> dict[str, Any]:
    """The step request the ``run`` arguments describe."""
    if getattr(args, "resume_from", None):
        return resumed_request(args)
    for option in ("task", "step"):
        if getattr(args, option) is None:
            raise UsageError(f"--{option} is required (or --resume-from RUN)")
    command = list(args.cmd)
    if command and command[0] == "--":
        command = command[1:]
    repo_root = os.path.abspath(args.repo_root)
    runtime: dict[str, Any] = {
        "repoRoot": repo_root,
        "worktreePath": os.path.abspath(args.worktree or repo_root),
    }
    if args.runs_dir:
        runtime["runsRootDir"] = os.path.abspath(args.runs_dir)
    if args.env:
        runtime["env"] = _env(args.env)
    request: dict[str, Any] = {
        "taskId": args.task, "stepId": args.step, "runId": _new_run_id() if args.run is None else args.run,
        "attempt": args.attempt, "stepName": args.name or args.step, "stepKind": args.kind,
        "workerKind": args.kind, "timeoutSec": 3600 if args.timeout is None else args.timeout,
        "runtime": runtime,
    }  # fmt: skip
    request["checkpoint"] = _checkpoint_config(args) or {
        "mode": default_checkpoint_mode(runtime["worktreePath"])
    }
    codex = _codex_options(args)
    if args.kind == "codex":
        prompt = args.command or " ".join(command)
        if not prompt:
            raise UsageError("a codex step needs a prompt: baa run --kind codex ... -- PROMPT")
        request["prompt"] = prompt
        request["promptSummary"] = prompt[:200]
        if codex:
            request["codex"] = codex
    elif codex or getattr(args, "skip_git_repo_check", None) is not None:
        given = [
            flag for name, flag in CODEX_FLAGS.items() if getattr(args, name, None) is not None
        ]
        raise UsageError(f"{given[0]} is an option of codex steps (--kind codex)")
    elif args.command:
        request["command"] = args.command
    elif command:
        import shlex

        request["argv"] = command
        request["command"] = shlex.join(command)
    else:
        raise UsageError("nothing to run: give a command after -- (or --command STRING)")
    return request


#: baa run's codex flags: argparse destination -> (flag, key of the request's ``codex`` options).
CODEX_FLAGS = {"sandbox": "--sandbox", "model": "--model", "profile": "--profile",
               "codex_config": "--codex-config", "codex_arg": "--codex-arg",
               "skip_git_repo_check": "--skip-git-repo-check"}  # fmt: skip
CODEX_REQUEST_KEYS = {"sandbox": "sandbox", "model": "model", "profile": "profile",
                      "codex_config": "config", "codex_arg": "extraArgs"}  # fmt: skip


def _codex_options(args: argparse.Namespace) -> dict[str, Any] | None:
    """The request's ``codex`` options (schema codex-options) the flags give; None if none."""
    options: dict[str, Any] = {}
    for name, key in CODEX_REQUEST_KEYS.items():
        value = getattr(args, name, None)
        if value not in (None, []):
            options[key] = list(value) if isinstance(value, list) else value
    if not options:
        return None
    from ..executors.codex import check_options

    try:
        check_options(options)
    except ValueError as error:
        raise UsageError(f"codex options: {error}") from None
    return options


def resumed_request(args: argparse.Namespace) -> dict[str, Any]:
    """``baa run --resume-from RUN[@N]``: RUN's step again, attempt + 1, from its checkpoint N.

    What the run recorded (task, step, worker kind, command or prompt, worktree, timeout) is
    reused; options given on the command line (a new command, --timeout, --worktree, --env, the
    checkpoint options) take precedence.
    """
    import argparse

    from ..checkpoints import MODE, last_written
    from ..paths import CHECKPOINTS
    from ._runview import RunView

    spec, at, seq_text = args.resume_from.rpartition("@")
    if not at:
        spec, seq_text = args.resume_from, ""
    elif not seq_text.isdigit() or int(seq_text) < 1:
        raise UsageError(f"--resume-from {args.resume_from}: N after @ is a checkpoint seq")
    view = RunView(find_run(spec, args))
    meta = view.meta
    seq = int(seq_text) if seq_text else last_written(os.path.join(view.run_dir, CHECKPOINTS))
    prepared: dict[str, Any] = next(
        (e["data"] for e in view.events if e["type"] == "run_prepared"), {}
    )
    step = argparse.Namespace(**vars(args))
    step.resume_from = None
    step.task, step.step = meta["taskId"], meta["stepId"]
    step.name = args.name or meta["stepName"]
    step.kind = meta["workerKind"]
    step.attempt = meta["attempt"] + 1
    step.repo_root = meta["repoRoot"]
    step.worktree = args.worktree or meta["worktreePath"]
    step.runs_dir = os.path.dirname(os.path.dirname(view.run_dir))
    step.timeout = args.timeout if args.timeout is not None else prepared.get("timeoutSec", 3600)
    if not args.command and not [a for a in args.cmd if a != "--"]:
        prompt = _kept_prompt(view.run_dir) if meta["workerKind"] == "codex" else None
        step.command = prompt or meta.get("command") or meta.get("promptSummary")
    step.checkpoint = MODE
    request = build_request(step)
    request["checkpoint"].update(resumeFromSeq=seq, resumeFromRunId=meta["runId"])
    codex = prepared.get("codex")  # the codex options the run was given; flags given now win
    if request["workerKind"] == "codex" and isinstance(codex, dict):
        request["codex"] = {**codex, **request.get("codex", {})}
    return request


def _kept_prompt(run_dir: str) -> str | None:
    """A codex run's whole prompt (``artifacts/prompt.md``; meta.json keeps 200 characters)."""
    from ..exceptions import BaaError
    from ..executors.codex import PROMPT_FILE
    from ..paths import ARTIFACTS
    from ..readers import read_document

    try:
        data = read_document(os.path.join(run_dir, ARTIFACTS, PROMPT_FILE))
    except (BaaError, OSError):
        return None
    return data.decode("utf-8", "replace") or None
