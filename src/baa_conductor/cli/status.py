"""``baa status``: where a submitted step is: queued, running on which worker, or done."""

from __future__ import annotations

from ._broker import add_broker_options, load_dispatch
from ._common import EXIT_INVALID, Sink, printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """\
examples:
  baa status 1c5e7a0e-6f1b-4d0e-9a57-2f0c1d1f8e42        # a task id that baa submit printed
  baa status --json "$(baa submit --task T-1 --step s -- make)"
  baa tail "$(baa status --json ID | jq -r .runDir)"      # follow it while it runs

Statuses: queued, running, retrying (an attempt failed, the next is due), finished, cancelled,
rejected (the worker refused the request). Exit code 1 when the broker knows nothing of the id.
"""


def register(sub: Any) -> None:
    from ._help import HelpFormatter

    p = sub.add_parser(
        "status",
        help="where a submitted step is: queued, running (which worker, which run directory), done",
        description="Ask the broker about a step sent with `baa submit`: its status, the worker "
        "that runs or ran it, its run directory, and once it has ended, its outcome and exit code.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    p.add_argument("task_id", metavar="TASK_ID", help="the id `baa submit` printed")
    add_broker_options(p)
    p.add_argument("--json", action="store_true", help="one JSON object for programs")
    p.set_defaults(handler=cmd_status, sweep=False)


def describe(info: Any) -> str:
    """The status in words, one line, then the run directory on a line of its own if known."""
    attempt = f" (attempt {info.attempt})" if info.attempt and info.attempt > 1 else ""
    if not info.known:
        head = f"{info.task_id}: unknown: the broker has no trace of it (never submitted here, or expired)"
    elif info.status == "running":
        head = f"{info.task_id}: running on {info.worker or 'a worker'}{attempt}"
    elif info.status == "finished":
        on = f" on {info.worker}" if info.worker else ""
        head = f"{info.task_id}: finished{on}{attempt}: {info.outcome}, exit {info.exit_code}"
    elif info.status == "rejected":
        head = f"{info.task_id}: rejected by the worker: {info.reason}"
    elif info.status == "cancelled":
        head = f"{info.task_id}: cancelled" + (f": {info.summary}" if info.summary else "")
    else:
        head = f"{info.task_id}: {info.status}{attempt}"
    lines = [printable(head)]
    if info.run_dir:
        lines.append(f"  run directory {printable(info.run_dir)}")
    return "\n".join(lines) + "\n"


def cmd_status(args: argparse.Namespace) -> int:
    dispatch = load_dispatch()
    dispatcher = dispatch.Dispatcher(args.broker, queue=args.queue)
    try:
        info = dispatcher.handle(args.task_id).info()
    finally:
        dispatcher.close()
    if args.json:
        import json

        Sink.stdout().text(json.dumps(info.to_json(), ensure_ascii=False) + "\n")
    else:
        Sink.stdout().text(describe(info))
    return 0 if info.known else EXIT_INVALID
