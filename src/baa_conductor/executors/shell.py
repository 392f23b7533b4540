"""shell: a command string run by ``/bin/sh -c``, or an argv list run directly."""

from __future__ import annotations

import shlex

from ..runner import PreparedStepRun
from .base import ProcessExecutor, Refusal
from .process import CANNOT_RUN_EXIT_CODE


class ShellExecutor(ProcessExecutor):
    """Exit code 0 is ``completed``; a stop of its runner ``cancelled``; anything else ``failed``."""

    label = "shell command"

    def argv(self, run: PreparedStepRun) -> list[str]:
        req = run.wire_request
        if req.get("argv"):
            return list(req["argv"])
        if req.get("command"):
            return ["/bin/sh", "-c", req["command"]]
        raise Refusal("shell step has neither argv nor command", CANNOT_RUN_EXIT_CODE)


def command_text(argv: list[str]) -> str:
    """The ``command`` recorded for an argv (shell-quoted, so it can be pasted into a shell)."""
    return shlex.join(argv)
