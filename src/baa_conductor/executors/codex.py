"""codex: an agent CLI run non-interactively in the worktree with the step's prompt.

Default command: ``codex exec --json <prompt>``; the binary comes from ``binary=`` or the
``BAA_CODEX_BIN`` environment variable, the arguments before the prompt from ``args=``. The
agent's JSONL events land in stdout.log like any output.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence

from ..runner import PreparedStepRun
from .base import ProcessExecutor, Refusal
from .process import CANNOT_RUN_EXIT_CODE, NOT_FOUND_EXIT_CODE

DEFAULT_ARGS = ("exec", "--json")
BINARY_VAR = "BAA_CODEX_BIN"


class CodexExecutor(ProcessExecutor):
    label = "codex"

    def __init__(
        self,
        *,
        binary: str | None = None,
        args: Sequence[str] = DEFAULT_ARGS,
        grace_sec: float | None = None,
    ):
        super().__init__(**({} if grace_sec is None else {"grace_sec": grace_sec}))
        self.binary = binary
        self.args = tuple(args)

    def argv(self, run: PreparedStepRun) -> list[str]:
        req = run.request
        env = {**os.environ, **(req.runtime.env or {})}
        binary = self.binary or env.get(BINARY_VAR) or "codex"
        found = shutil.which(binary, path=env.get("PATH"))
        if found is None:
            raise Refusal(
                f"codex agent not found: {binary!r} is not on PATH (set {BINARY_VAR} to its path)",
                NOT_FOUND_EXIT_CODE,
            )
        prompt = req.prompt or req.prompt_summary
        if not prompt:
            raise Refusal(
                "codex step has no prompt (prompt or promptSummary)", CANNOT_RUN_EXIT_CODE
            )
        return [found, *self.args, prompt]
