"""``baa cancel``: stop a submitted step if it runs (if it has not started, it never will), or a
``baa run`` under way on this machine."""

from __future__ import annotations

from ._broker import add_broker_options, load_dispatch
from ._common import (
    RUN_SPEC_HELP,
    Sink,
    UsageError,
    add_runs_root_options,
    looks_dispatched,
    printable,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any


EXAMPLES = """\
examples:
  baa cancel 1c5e7a0e-6f1b-4d0e-9a57-2f0c1d1f8e42   # a task id that baa submit printed
  BAA_BROKER_URL=redis://broker:6379/0 baa cancel "$(baa submit --task T-1 --step s -- sleep 60)"
  baa cancel T-1                                     # the run of task T-1 that baa run runs here
"""


def register(sub: Any) -> None:
    from ._help import HelpFormatter

    p = sub.add_parser(
        "cancel",
        help="cancel a submitted step or a local run (a running one is stopped and ends cancelled)",
        description="Cancel a step sent with `baa submit` (by the id it printed): if it runs, the "
        "runner stops it (SIGTERM to its process group, SIGKILL after the grace) and its envelope "
        "says cancelled; if it has not started, it never starts. Given a run or a task instead, "
        "cancel the `baa run` under way on this machine: its runner gets SIGTERM, as from "
        "`kill`, and baa cancel waits until the run has ended cancelled.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    p.add_argument(
        "task_id", metavar="TASK_ID|RUN",
        help=f"the id `baa submit` printed; or a local run: {RUN_SPEC_HELP}",
    )  # fmt: skip
    add_broker_options(p)
    add_runs_root_options(p)
    p.set_defaults(handler=cmd_cancel, sweep=False)


def cmd_cancel(args: argparse.Namespace) -> int:
    if args.broker is None and not looks_dispatched(args.task_id):  # --broker: a dispatched step
        return _cancel_local(args)
    dispatcher = load_dispatch().Dispatcher(args.broker, queue=args.queue)
    try:
        dispatcher.handle(args.task_id).cancel()
    finally:
        dispatcher.close()
    Sink.stderr().text(f"cancel requested for {args.task_id}\n")
    return 0


def _cancel_local(args: argparse.Namespace) -> int:
    """SIGTERM to the runner of a local run under way; wait until the run has ended."""
    import os
    import signal
    import time

    from ..readers import is_locked, lock_holder
    from ._common import find_run
    from ._runview import RunView

    view = RunView(find_run(args.task_id, args))
    name = f"{view.meta['taskId']}/{view.meta['runId']}"
    worker = view.meta.get("worker")
    if isinstance(worker, str) and "@" in worker:
        raise UsageError(f"{name} runs on the dispatch worker {worker}: cancel it by the id "
                         "`baa submit` printed (baa status shows it)")  # fmt: skip
    pid = lock_holder(view.run_dir) if view.live else None
    if pid is None:
        raise UsageError(f"{name} is not under way here ({view.status}): nothing to cancel")
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass  # it has just ended
    except PermissionError:
        raise UsageError(f"{name}: its runner (pid {pid}) is not ours to stop") from None
    err = Sink.stderr()
    err.text(f"baa: cancelling {name} (SIGTERM to its runner, pid {pid})\n")
    while is_locked(view.run_dir):
        time.sleep(0.02)
    ended = RunView(view.run_dir)
    err.text(printable(f"baa: {name}: {ended.status}, exit {ended.state.get('exitCode', '-')}: "
             f"{ended.state.get('summary', '')}") + "\n")  # fmt: skip
    return 0 if ended.status == "cancelled" else 1
