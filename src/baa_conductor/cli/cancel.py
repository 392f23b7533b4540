"""``baa cancel``: stop a submitted step if it runs; if it has not started, it never will."""

from __future__ import annotations

from ._broker import add_broker_options, load_dispatch
from ._common import Sink

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any


EXAMPLES = """\
examples:
  baa cancel 1c5e7a0e-6f1b-4d0e-9a57-2f0c1d1f8e42   # a task id that baa submit printed
  BAA_BROKER_URL=redis://broker:6379/0 baa cancel "$(baa submit --task T-1 --step s -- sleep 60)"
"""


def register(sub: Any) -> None:
    from ._help import HelpFormatter

    p = sub.add_parser(
        "cancel",
        help="cancel a submitted step (a running one is stopped, its envelope says cancelled)",
        description="Cancel a step sent with `baa submit`: if it runs, the runner stops it "
        "(SIGTERM to its process group, SIGKILL after the grace) and its envelope says cancelled; "
        "if it has not started, it never starts.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    p.add_argument("task_id", metavar="TASK_ID", help="the id `baa submit` printed")
    add_broker_options(p)
    p.set_defaults(handler=cmd_cancel, sweep=False)


def cmd_cancel(args: argparse.Namespace) -> int:
    dispatcher = load_dispatch().Dispatcher(args.broker, queue=args.queue)
    try:
        dispatcher.handle(args.task_id).cancel()
    finally:
        dispatcher.close()
    Sink.stderr().text(f"cancel requested for {args.task_id}\n")
    return 0
