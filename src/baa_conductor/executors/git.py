"""git: git arguments run in the worktree (``status --porcelain``, ``diff --stat``, ...).

git runs as it would for a script, never waiting for a person: no terminal prompt
(``GIT_TERMINAL_PROMPT=0``, ssh in batch mode), an editor that fails at once (``git commit``
without ``-m`` fails and says so instead of opening vim until the timeout), no pager, and no colour
codes whatever the user's configuration says. The request's ``runtime.env`` still has the last
word. A non-zero exit's summary carries git's own reason from its stderr ("fatal: not a git
repository", "detected dubious ownership", "this operation must be run in a work tree", ...);
128 is git's code for any fatal error.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from typing import Any

from ..runner import PreparedStepRun
from .base import OutputWatch, ProcessExecutor, Refusal, clip
from .process import CANNOT_RUN_EXIT_CODE, NOT_FOUND_EXIT_CODE, ProcessResult

#: Every colour switch git has, off (``color.ui`` alone loses to ``color.status=always``).
COLOR_KEYS = ("ui", "branch", "diff", "grep", "interactive", "push", "remote",
              "showBranch", "status", "transport", "advice")  # fmt: skip
#: Set over the runner's environment so that git never waits for a person.
NON_INTERACTIVE = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",  # empty: no askpass program at all (not even core.askPass)
    "SSH_ASKPASS": "",
    "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
    "GIT_EDITOR": "false",
    "GIT_SEQUENCE_EDITOR": "false",
    "EDITOR": "false",
    "VISUAL": "false",
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_MERGE_AUTOEDIT": "no",
}
#: git's own prefixes for the line that says why it stopped.
REASON_PREFIXES = ("fatal:", "error:")
SHORT_STDERR_LINES = 3


def _config_env(base: Mapping[str, str]) -> dict[str, str]:
    """``color.*=never`` as ``GIT_CONFIG_*`` variables, after any the environment already has."""
    try:
        start = int(base.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        start = 0
    env = {}
    for offset, key in enumerate(COLOR_KEYS):
        env[f"GIT_CONFIG_KEY_{start + offset}"] = f"color.{key}"
        env[f"GIT_CONFIG_VALUE_{start + offset}"] = "never"
    env["GIT_CONFIG_COUNT"] = str(start + len(COLOR_KEYS))
    return env


def git_reason(watch: OutputWatch) -> str | None:
    """What git said went wrong, in its words: all of a short stderr; of a longer one, its first
    line and its last ``fatal:``/``error:`` lines (or its last lines when it has none)."""
    first, last = watch.stderr_lines()
    if not last:
        return None
    if watch.stderr_bytes <= len(watch.stderr_tail) and len(last) <= SHORT_STDERR_LINES:
        return clip(" ".join(last))
    said = [line for line in last if line.startswith(REASON_PREFIXES)][-2:] or last[-2:]
    picked = first[:1] + [line for line in said if line not in first[:1]]
    return clip(" … ".join(picked))


class GitExecutor(ProcessExecutor):
    label = "git"

    def __init__(self, *, binary: str = "git", **kwargs: float):
        super().__init__(**kwargs)
        self.binary = binary

    def _binary(self, run: PreparedStepRun) -> str:
        path = (run.wire_request["runtime"].get("env") or {}).get("PATH", os.environ.get("PATH"))
        found = shutil.which(self.binary, path=path)
        if found is None:
            raise Refusal(
                f"git is not installed: {self.binary!r} was not found on PATH", NOT_FOUND_EXIT_CODE
            )
        return found

    @staticmethod
    def _args(run: PreparedStepRun) -> list[str]:
        req = run.wire_request
        args = list(req["argv"]) if req.get("argv") else shlex.split(req.get("command") or "")
        return args[1:] if args[:1] == ["git"] else args

    def describe(self, run: PreparedStepRun) -> str:
        return " ".join(["git", *self._args(run)[:1]])

    def argv(self, run: PreparedStepRun) -> list[str]:
        args = self._args(run)
        if not args:
            raise Refusal("git step has no git arguments (argv or command)", CANNOT_RUN_EXIT_CODE)
        return [self._binary(run), "--no-pager", *args]

    def check(self, run: PreparedStepRun) -> None:
        worktree: str = run.wire_request["runtime"]["worktreePath"]
        if not os.path.isdir(worktree):
            raise Refusal(f"worktree {worktree} does not exist", CANNOT_RUN_EXIT_CODE)

    def environment(self, run: PreparedStepRun) -> Mapping[str, str]:
        requested: dict[str, str] = run.wire_request["runtime"].get("env") or {}
        base = {**os.environ, **requested}
        return {**NON_INTERACTIVE, **_config_env(base), **requested}

    def outcome(
        self, run: PreparedStepRun, result: ProcessResult, watch: OutputWatch
    ) -> dict[str, Any]:
        outcome = super().outcome(run, result, watch)
        reason = git_reason(watch)
        if not outcome["ok"] and reason and result.spawn_error is None:
            outcome["summary"] += f": {reason}"
        return outcome
