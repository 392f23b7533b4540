"""``baa status``: where a step is: queued, running on which worker, or done. An id ``baa submit``
printed is asked of the broker; a task id, a run id or a run directory is read from the runs root,
with no broker."""

from __future__ import annotations

from ._broker import add_broker_options, load_dispatch
from ._common import EXIT_INVALID, Sink, add_runs_root_options, looks_dispatched, printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """\
examples:
  baa status 1c5e7a0e-6f1b-4d0e-9a57-2f0c1d1f8e42        # a task id that baa submit printed
  baa status --json "$(baa submit --task T-1 --step s -- make)"
  baa tail "$(baa status --json ID | jq -r .runDir)"      # follow it while it runs
  baa status T-1                                          # the newest run of task T-1, here

Statuses: queued, running, retrying (an attempt failed, the next is due), finished, cancelled,
rejected (the worker refused the request); for a run read from the runs root also interrupted
(its runner died) and lost (its worker on another machine stopped answering). Exit code 1 when
the broker knows nothing of the id; 2 when no run has the name (with $BAA_BROKER_URL set, such a
name is asked of the broker).
"""


def register(sub: Any) -> None:
    from ._help import HelpFormatter

    p = sub.add_parser(
        "status",
        help="where a submitted step is: queued, running (which worker, which run directory), done",
        description="Where a step is: its status, the worker that runs or ran it, its run "
        "directory, and once it has ended, its outcome and exit code. An id `baa submit` printed is "
        "asked of the broker; a task id or a run is read from the runs root (no broker needed).",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    p.add_argument(
        "task_id", metavar="ID",
        help="the id `baa submit` printed; or, read from the runs root with no broker, a task id "
        "(its newest run), TASK/RUN, a run id or a run directory",
    )  # fmt: skip
    add_broker_options(p)
    add_runs_root_options(p)
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
    elif info.status == "interrupted":
        head = f"{info.task_id}: interrupted: its runner died before the run ended"
    elif info.status == "lost":
        head = f"{info.task_id}: lost: {info.worker} stopped updating it (no heartbeat)"
    else:
        head = f"{info.task_id}: {info.status}{attempt}"
    lines = [printable(head)]
    if info.run_dir:
        lines.append(f"  run directory {printable(info.run_dir)}")
    return "\n".join(lines) + "\n"


def cmd_status(args: argparse.Namespace) -> int:
    if args.broker is None and not looks_dispatched(args.task_id):  # --broker: a dispatched step
        local = _status_local(args)
        if local is not None:
            return local
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


class RunInfo:
    """What a run directory says of its step, in the words and JSON of the broker's answer
    (``StepInfo``), without importing the dispatch extra."""

    known = True
    reason = None

    def __init__(self, view: Any):
        meta, state = view.meta, view.state
        self.task_id = f"{meta['taskId']}/{meta['runId']}"  # how the line names it
        self.task = meta["taskId"]
        self.run_dir = view.run_dir
        self.run_id = meta["runId"]
        self.worker = meta.get("worker")
        self.attempt = state.get("attempt") or meta.get("attempt")
        self.exit_code = state.get("exitCode")
        self.summary = state.get("summary")
        status = view.status
        self.outcome = status if "finishedAt" in state else None
        if status in ("completed", "failed", "blocked"):
            self.status = "finished"
        elif status == "prepared":
            self.status = "queued"
        else:
            self.status = status  # running, cancelled, interrupted, lost

    def to_json(self) -> dict[str, Any]:
        fields = {
            "taskId": self.task, "status": self.status, "known": True,
            "worker": self.worker, "runDir": self.run_dir, "runId": self.run_id,
            "attempt": self.attempt, "outcome": self.outcome, "exitCode": self.exit_code,
            "summary": self.summary,
        }  # fmt: skip
        return {k: v for k, v in fields.items() if v is not None}


def _status_local(args: argparse.Namespace) -> int | None:
    """The status of a run under the runs root; None when the name finds none and a broker is
    configured (``$BAA_BROKER_URL``): then the broker is asked."""
    import json
    import os

    from ..lookup import RunLookupError
    from ._common import find_run
    from ._runview import RunView

    try:
        run_dir = find_run(args.task_id, args)
    except RunLookupError as error:
        if error.candidates or not os.environ.get("BAA_BROKER_URL"):
            raise
        return None
    info = RunInfo(RunView(run_dir))
    if args.json:
        Sink.stdout().text(json.dumps(info.to_json(), ensure_ascii=False) + "\n")
    else:
        Sink.stdout().text(describe(info))
    return 0
