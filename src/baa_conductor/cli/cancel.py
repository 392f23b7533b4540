"""``baa cancel``: stop a submitted step if it runs; if it has not started, it never will."""

from __future__ import annotations

from ._broker import add_broker_options
from ._common import Sink

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser(
        "cancel",
        help="cancel a submitted step (a running one is stopped, its envelope says cancelled)",
        description="Cancel a step sent with `baa submit`: if it runs, the runner stops it "
        "(SIGTERM to its process group, SIGKILL after the grace) and its envelope says cancelled; "
        "if it has not started, it never starts.",
    )
    p.add_argument("task_id", metavar="TASK_ID", help="the id `baa submit` printed")
    add_broker_options(p)
    p.set_defaults(handler=cmd_cancel, sweep=False)


def cmd_cancel(args: argparse.Namespace) -> int:
    from ..dispatch import Dispatcher

    dispatcher = Dispatcher(args.broker, queue=args.queue)
    try:
        dispatcher.handle(args.task_id).cancel()
    finally:
        dispatcher.close()
    Sink.stderr().text(f"cancel requested for {args.task_id}\n")
    return 0
