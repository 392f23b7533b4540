"""``baa show``: one run, readable at 80 columns (or as JSON)."""

from __future__ import annotations

import os

from ._common import (
    EXIT_OK,
    RUN_SPEC_HELP,
    Sink,
    add_runs_root_options,
    find_run,
    printable,
    terminal_columns,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """\
examples:
  baa show latest                        # the run created last under ./runs
  baa show run-20260101T000000-abc123 -n 50
  baa show --json T-1/r1 | jq .state.exitCode
"""

#: Lifecycle events kept for the view; a run has about seven, a hostile worker.log any number.
MAX_EVENTS = 1000


def register(sub: Any) -> None:
    from ._help import HelpFormatter

    p = sub.add_parser(
        "show",
        help="one run: status, times, exit code, events and the last lines of output",
        description="A readable view of one run. Text from the worker and the files is shown as "
        "text: control characters and escape sequences are made visible (^[) unless --raw.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    p.add_argument("run", metavar="RUN", help=RUN_SPEC_HELP)
    add_runs_root_options(p)
    p.add_argument("--json", action="store_true", help="the same view as one JSON document")
    p.add_argument(
        "-n",
        "--lines",
        type=int,
        default=10,
        help="last lines of stdout and stderr to show (default 10)",
    )
    p.add_argument(
        "--raw",
        action="store_true",
        help="print the worker's output as written, escape sequences included",
    )
    p.set_defaults(handler=cmd_show)


class RunView:
    """meta.json, state.json and worker.log of a run directory, each validated; output tails.

    Files are read with :mod:`baa_conductor.readers`: never blocking, regular files only, in
    bounded memory; what a reader should know (a torn last line) is kept in :attr:`notes`.
    """

    def __init__(self, run_dir: str):
        from ..exceptions import RunNotFoundError
        from ..paths import META, SCHEMA_OF_FILE, STATE, WORKER_LOG
        from ..readers import is_locked

        self.run_dir = os.path.abspath(run_dir)
        self.notes: list[str] = []
        if not os.path.isdir(self.run_dir):
            raise RunNotFoundError(self.run_dir, "no such directory")
        if not os.path.lexists(os.path.join(self.run_dir, META)):
            raise RunNotFoundError(self.run_dir, f"{META} is missing")
        self.meta = self._document(META, SCHEMA_OF_FILE[META])
        self.state = self._document(STATE, SCHEMA_OF_FILE[STATE])
        self.events, self.event_count = self._events(WORKER_LOG, SCHEMA_OF_FILE[WORKER_LOG])
        self.live = is_locked(self.run_dir)
        self.agent = self._agent()

    def _agent(self) -> dict[str, Any] | None:
        """What the agent of a codex step did (``artifacts/agent-activity.json``), if it says."""
        from ..paths import AGENT_ACTIVITY, ARTIFACTS

        if not os.path.isfile(os.path.join(self.run_dir, ARTIFACTS, AGENT_ACTIVITY)):
            return None
        return self._document(os.path.join(ARTIFACTS, AGENT_ACTIVITY), "agent-activity")

    def _document(self, name: str, schema: str) -> dict[str, Any]:
        from ..readers import load_json

        document: dict[str, Any] = load_json(os.path.join(self.run_dir, name), schema)
        return document

    def _events(self, name: str, schema: str) -> tuple[list[dict[str, Any]], int]:
        from collections import deque

        from ..readers import JsonlFile

        log = JsonlFile(os.path.join(self.run_dir, name), schema, notes=self.notes)
        kept: deque[dict[str, Any]] = deque(maxlen=MAX_EVENTS)
        count = 0
        for _, value in log.entries():
            count += 1
            kept.append(value)
        return list(kept), count

    @property
    def interrupted(self) -> bool:
        """No ``finishedAt``, yet no runner holds the directory: the runner died."""
        return "finishedAt" not in self.state and not self.live

    @property
    def status(self) -> str:
        return "interrupted" if self.interrupted else str(self.state["status"])

    def output_tail(self, channel: str, count: int) -> list[str]:
        """The last ``count`` lines a stream wrote (decoded as UTF-8, bad bytes replaced)."""
        from ..readers import output_tail

        return output_tail(self.log(channel), count, self.notes) if count > 0 else []

    def log(self, channel: str) -> str:
        return os.path.join(self.run_dir, f"{channel}.log")

    def checkpoints(self) -> list[dict[str, Any]]:
        """The records of the run's git_diff checkpoints, by seq (none in other modes)."""
        from ..checkpoints import iter_records
        from ..paths import CHECKPOINTS

        return list(iter_records(os.path.join(self.run_dir, CHECKPOINTS)))


def _time_of_day(timestamp: str) -> str:
    return timestamp.partition("T")[2].rstrip("Z") or timestamp


def _wrap(text: str, width: int | None, indent: int) -> list[str]:
    if width is None or indent + len(text) <= width:
        return [text]
    import textwrap

    return textwrap.wrap(text, max(20, width - indent), break_on_hyphens=False) or [""]


def render(view: RunView, lines: int, raw: bool, width: int | None) -> str:
    """The text view; ``width`` wraps long messages (None: never, as when piped)."""
    meta, state = view.meta, view.state
    clean = (lambda text: text) if raw else printable
    out = [f"{meta['taskId']} / {meta['stepId']} / {meta['runId']}  {view.status}"]
    facts = [f"worker: {meta['workerKind']}", f"attempt: {meta['attempt']}",
             f"exit code: {state.get('exitCode', '-')}"]  # fmt: skip
    out.append("  ".join(facts))
    out.append(f"started:  {state['startedAt']}")
    out.append(f"finished: {state.get('finishedAt', '-')}")
    for label, key, source in (("command", "command", meta), ("prompt", "promptSummary", meta),
                               ("summary", "summary", state)):  # fmt: skip
        if key in source:
            for i, part in enumerate(_wrap(clean(source[key]), width, 9)):
                out.append(f"{label + ':' if i == 0 else '':<9}{part}")
    out.append(f"run directory: {view.run_dir}")
    if view.interrupted:
        out.append("interrupted: the runner is gone but state.json says the run is under way")
    shown = len(view.events)
    heading = (
        "events:" if shown == view.event_count else f"events (last {shown} of {view.event_count}):"
    )
    out += ["", heading]
    seq_width = max((len(str(e["seq"])) for e in view.events), default=1)
    for event in view.events:
        level = "" if event["level"] == "info" else f" ({event['level']})"
        head = f"  {event['seq']:>{seq_width}}  {_time_of_day(event['createdAt'])}  {event['type']}{level}"
        indent = 4 + seq_width + 14
        message = clean(event["message"])
        if width is None or len(head) + 2 + len(message) <= width:
            out.append(f"{head}  {message}")
        else:
            out.append(head)
            out += [" " * indent + part for part in _wrap(message, width, indent)]
    if view.agent is not None:
        out += ["", *_agent_lines(view.agent, clean)]
    records = view.checkpoints()
    if records:
        from .checkpoint import summary

        out += ["", "checkpoints (baa checkpoint show RUN N [--stat]):"]
        out += [f"  {clean(summary(record))}" for record in records]
    for channel in ("stdout", "stderr"):
        tail = view.output_tail(channel, lines)
        if tail:
            out += ["", f"last lines of {channel}:"]
            out += [clean(line) for line in tail]
    return "\n".join(out) + "\n"


def _agent_lines(agent: dict[str, Any], clean: Any) -> list[str]:
    """What the agent did: its thread, tokens, every command with its exit code, files changed."""
    out = ["agent:"]
    if "threadId" in agent:
        out.append(f"  thread: {clean(agent['threadId'])}  (codex exec resume <thread>)")
    if "usage" in agent:
        usage = agent["usage"]
        out.append(f"  tokens: {usage['inputTokens']} in ({usage['cachedInputTokens']} cached), "
                   f"{usage['outputTokens']} out")  # fmt: skip
    if "finalMessagePath" in agent:
        out.append(f"  final message: {clean(agent['finalMessagePath'])}")
    out.append(f"  commands ({len(agent['commands'])}):")
    for command in agent["commands"]:
        ended = f"exit {command['exitCode']}" if "exitCode" in command else command["status"]
        out.append(f"    {clean(ended):<11} {clean(command['command'])}")
    out.append(f"  file changes ({len(agent['fileChanges'])}):")
    for change in agent["fileChanges"]:
        failed = "" if change["status"] == "completed" else f"  ({clean(change['status'])})"
        out.append(f"    {clean(change['kind']):<11} {clean(change['path'])}{failed}")
    for warning in agent["warnings"]:
        out.append(f"  warning: {clean(warning)}")
    return out


def cmd_show(args: argparse.Namespace) -> int:
    import sys

    view = RunView(find_run(args.run, args))
    out = Sink.stdout()
    if args.json:
        import json

        document = {
            "runDir": view.run_dir, "status": view.status, "interrupted": view.interrupted,
            "meta": view.meta, "state": view.state, "events": view.events,
            "eventCount": view.event_count, **({"agent": view.agent} if view.agent else {}),
            "checkpoints": view.checkpoints(),
            "stdoutTail": view.output_tail("stdout", args.lines),
            "stderrTail": view.output_tail("stderr", args.lines),
        }  # fmt: skip
        out.text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        width = None
        if sys.stdout.isatty():
            width = terminal_columns()
        out.text(render(view, args.lines, args.raw, width))
    err = Sink.stderr()
    for note in view.notes:
        err.text(f"baa: note: {note}\n")
    return EXIT_OK
