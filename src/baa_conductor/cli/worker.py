"""``baa worker``: a Celery worker that runs dispatched steps (docs/distributed.md)."""

from __future__ import annotations

from ._broker import add_broker_options
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
delivered again elsewhere as their next attempt.
"""

#: The same as ``dispatch.config.VISIBILITY_TIMEOUT_SEC`` (not imported: that loads Celery).
DEFAULT_VISIBILITY_SEC = 6 * 3600


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
        "--visibility-timeout", type=float, default=DEFAULT_VISIBILITY_SEC, metavar="SEC",
        help="seconds before an unacknowledged step is delivered again; above the longest step "
        f"(default {DEFAULT_VISIBILITY_SEC})",
    )  # fmt: skip
    p.add_argument("--loglevel", default="INFO", help="Celery's log level (default INFO)")
    p.set_defaults(handler=cmd_worker, sweep=False)


def cmd_worker(args: argparse.Namespace) -> int:
    if args.concurrency < 1:
        raise UsageError(f"--concurrency {args.concurrency}: must be at least 1")
    if args.visibility_timeout <= 0:
        raise UsageError(f"--visibility-timeout {args.visibility_timeout}: must be above 0")
    from ..dispatch.config import broker_url
    from ..dispatch.worker import run_worker

    return run_worker(
        broker_url(args.broker), concurrency=args.concurrency, runs_dir=args.runs_dir,
        queue=args.queue, visibility_timeout=args.visibility_timeout, loglevel=args.loglevel,
    )  # fmt: skip
