"""git: git arguments run in the worktree (``status --porcelain``, ``diff --stat``, ...).

Before running, the worktree must be inside a git work tree; git missing (exit 127) or the
worktree not a repository (exit 128, git's own code for it) fail the step with a summary that
says which.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess

from ..runner import PreparedStepRun
from .base import ProcessExecutor, Refusal
from .process import CANNOT_RUN_EXIT_CODE, NOT_FOUND_EXIT_CODE

NOT_A_REPOSITORY_EXIT_CODE = 128


class GitExecutor(ProcessExecutor):
    label = "git"

    def __init__(self, *, binary: str = "git", **kwargs: float):
        super().__init__(**kwargs)
        self.binary = binary

    def _binary(self, run: PreparedStepRun) -> str:
        path = (run.request.runtime.env or {}).get("PATH", os.environ.get("PATH"))
        found = shutil.which(self.binary, path=path)
        if found is None:
            raise Refusal(
                f"git is not installed: {self.binary!r} was not found on PATH", NOT_FOUND_EXIT_CODE
            )
        return found

    @staticmethod
    def _args(run: PreparedStepRun) -> list[str]:
        req = run.request
        args = list(req.argv) if req.argv else shlex.split(req.command or "")
        return args[1:] if args[:1] == ["git"] else args

    def describe(self, run: PreparedStepRun) -> str:
        return " ".join(["git", *self._args(run)[:1]])

    def argv(self, run: PreparedStepRun) -> list[str]:
        args = self._args(run)
        if not args:
            raise Refusal("git step has no git arguments (argv or command)", CANNOT_RUN_EXIT_CODE)
        return [self._binary(run), *args]

    def check(self, run: PreparedStepRun) -> None:
        worktree = run.request.runtime.worktree_path
        if not os.path.isdir(worktree):
            raise Refusal(f"worktree {worktree} does not exist", CANNOT_RUN_EXIT_CODE)
        probe = subprocess.run(
            [self._binary(run), "-C", worktree, "rev-parse", "--is-inside-work-tree"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if probe.returncode != 0 or probe.stdout.strip() != "true":
            raise Refusal(
                f"worktree {worktree} is not a git repository", NOT_A_REPOSITORY_EXIT_CODE
            )
