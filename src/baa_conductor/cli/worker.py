"""``baa worker``: a Celery worker that runs dispatched steps (docs/distributed.md)."""

from __future__ import annotations

from ._broker import add_broker_options, load_dispatch
from ._common import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """\
examples:
  baa worker --broker redis://:secret@broker:6379/0 --concurrency 4 --runs-dir /shared/runs
  BAA_BROKER_URL=redis://localhost:6379/0 baa worker --queue gpu

SIGTERM: no new steps, the running ones finish (warm shutdown); SIGQUIT: they are stopped and
delivered again elsewhere as their next attempt. A worker renews the lease of each step it holds;
one that cannot reach the broker stops its steps before their leases run out, and a dead
worker's steps run elsewhere about one lease later (docs/distributed.md).
"""

#: The same as ``dispatch.config.LEASE_SEC`` (not imported: that loads Celery).
DEFAULT_LEASE_SEC = 45.0


def register(sub: Any) -> None:
    from ._help import HelpFormatter

    p = sub.add_parser(
        "worker",
        help="run dispatched steps: a Celery worker on a Redis broker",
        description="Take step requests from the broker's queue and run each with the runner into "
        "its run directory; the envelope goes back through the result backend.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    add_broker_options(p)
    p.add_argument(
        "--concurrency", type=int, default=1, metavar="N", help="steps run at once (default 1)"
    )
    p.add_argument(
        "--runs-dir", default=None, metavar="DIR",
        help="runs root for requests that name none (default: <their repo root>/runs)",
    )  # fmt: skip
    p.add_argument(
        "--lease", "--visibility-timeout", dest="lease", type=float, default=DEFAULT_LEASE_SEC,
        metavar="SEC", help="seconds after its last renewal that a step of a lost worker is "
        f"given to another; renewed while the step runs, however long (default {DEFAULT_LEASE_SEC:g})",
    )  # fmt: skip
    p.add_argument(
        "--loglevel", default="WARNING", metavar="LEVEL",
        help="Celery's log level (default WARNING; INFO or DEBUG also show its banner and notices)",
    )  # fmt: skip
    p.set_defaults(handler=cmd_worker, sweep=False)


def cmd_worker(args: argparse.Namespace) -> int:
    if args.concurrency < 1:
        raise UsageError(f"--concurrency {args.concurrency}: must be at least 1")
    if not 1 <= args.lease <= 24 * 3600:
        raise UsageError(f"--lease {args.lease:g}: must be between 1 and 86400 seconds")
    import logging

    if not isinstance(logging.getLevelName(args.loglevel.upper()), int):
        raise UsageError(f"--loglevel {args.loglevel}: not one of DEBUG, INFO, WARNING, ERROR")
    load_dispatch()
    from ..dispatch.config import broker_url
    from ..dispatch.worker import run_worker

    return run_worker(
        broker_url(args.broker), concurrency=args.concurrency, runs_dir=args.runs_dir,
        queue=args.queue, lease=args.lease, loglevel=args.loglevel,
    )  # fmt: skip
