"""``baa show``: one run, readable at 80 columns (or as JSON)."""

from __future__ import annotations

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

    from ._runview import RunView

EXAMPLES = """\
examples:
  baa show latest                        # the run created last under ./runs
  baa show run-20260101T000000-abc123 -n 50
  baa show --json T-1/r1 | jq .state.exitCode
"""


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
    following = view.next_attempt
    if following is not None:
        name = following[0].rstrip("/").rpartition("/")[2]
        out.append(f"next attempt: {clean(name)}  {following[1]}")
    elif view.status in ("interrupted", "lost"):
        out.append("next attempt: none yet")
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
    if "resumedFrom" in agent:
        since = agent["resumedFrom"]
        out.append(
            f"  resumed from: run {clean(since['runId'])}, thread {clean(since['threadId'])}"
        )
    if "usage" in agent:
        usage = agent["usage"]
        cached = f"{usage['cachedInputTokens']} cached"
        if "cacheWriteInputTokens" in usage:
            cached += f", {usage['cacheWriteInputTokens']} written to the cache"
        reasoning = usage.get("reasoningOutputTokens")
        out.append(f"  tokens: {usage['inputTokens']} in ({cached}), {usage['outputTokens']} out"
                   + ("" if reasoning is None else f" ({reasoning} reasoning)"))  # fmt: skip
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

    from ._runview import RunView

    view = RunView(find_run(args.run, args))
    out = Sink.stdout()
    if args.json:
        import json

        document = {
            "runDir": view.run_dir, "status": view.status, "interrupted": view.interrupted,
            "nextAttempt": view.next_attempt[0] if view.next_attempt else None,
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
