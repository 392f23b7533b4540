"""codex: an agent CLI run non-interactively in the worktree with the step's prompt.

Default command: ``codex exec --json <prompt>``; the binary comes from ``binary=`` or the
``BAA_CODEX_BIN`` environment variable, the arguments before the prompt from ``args=``. The
agent's JSONL events land in stdout.log like any output; the summary quotes the agent's last
message, and a ``turn.failed`` or ``error`` event fails the step even if the agent exits 0.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from typing import Any

from .. import encoding
from ..runner import PreparedStepRun
from .base import ProcessExecutor, Refusal
from .process import CANNOT_RUN_EXIT_CODE, NOT_FOUND_EXIT_CODE, ProcessResult

DEFAULT_ARGS = ("exec", "--json")
BINARY_VAR = "BAA_CODEX_BIN"
#: Item types of the agent's own messages (older codex releases say assistant_message).
MESSAGE_ITEMS = frozenset({"agent_message", "assistant_message"})
QUOTE_CHARS = 300


def _events(chunks: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for chunk in chunks:
        for line in chunk["text"].splitlines():
            try:
                event = encoding.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                yield event


def read_events(chunks: Iterable[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The agent's last message and the last failure it reported, from its JSONL events."""
    message: str | None = None
    failure: str | None = None
    for event in _events(chunks):
        kind = event.get("type")
        item = _object(event.get("item"))
        if (
            kind == "item.completed"
            and (item.get("type") or item.get("item_type")) in MESSAGE_ITEMS
        ):
            message = str(item.get("text", ""))
        elif kind in ("turn.failed", "error"):
            error = _object(event.get("error")) or event
            failure = str(error.get("message", "unknown error"))
    return message, failure


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


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

    def outcome(self, run: PreparedStepRun, result: ProcessResult) -> dict[str, Any]:
        outcome = super().outcome(run, result)
        # Only the envelope's tail of stdout is looked at: the end of the run is what matters.
        message, failure = read_events(run.session.tails["stdout"].entries)
        if failure is not None:
            outcome.update(
                ok=False,
                outcome="failed",
                summary=f"{outcome['summary']}; the agent reported: {_quote(failure)}",
            )
            if outcome["exitCode"] == 0:
                outcome["exitCode"] = 1
        elif message:
            outcome["summary"] = f"{outcome['summary']}: {_quote(message)}"
        return outcome
