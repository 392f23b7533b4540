"""``baa submit``: send one step to the workers; print its task id, or wait like ``baa run``."""

from __future__ import annotations

from ._broker import add_broker_options
from ._common import EXIT_INVALID, Sink, UsageError, error_line
from .run import add_output_options, add_step_options

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """\
examples:
  baa submit --task T-1 --step build --repo-root /shared/repo -- make -j4   # prints the task id
  baa submit --wait --task T-1 --step test --repo-root /shared/repo -- make test
  baa submit --wait --json --retry-exit-code 75 --max-attempts 3 --task T-1 --step fetch -- ./fetch

With --wait: the step's output (from the envelope's tail), a summary line and the step's exit
code, as `baa run`; --json prints only the envelope. The task id then goes to stderr.
"""


def register(sub: Any) -> None:
    import argparse

    from ._help import HelpFormatter

    p = sub.add_parser(
        "submit",
        help="send one step to the workers (baa worker); print its task id",
        description="Validate the step request `baa run` would run and enqueue it on the broker.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    add_step_options(p)
    add_broker_options(p)
    p.add_argument("--wait", action="store_true", help="wait for the envelope, then as `baa run`")
    p.add_argument(
        "--wait-timeout", type=float, default=None, metavar="SEC", help="give up waiting after SEC"
    )
    add_output_options(p)
    p.add_argument(
        "--max-attempts", type=int, default=3, metavar="N",
        help="attempts at most, the first one included (default 3)",
    )  # fmt: skip
    p.add_argument(
        "--retry-exit-code", type=int, action="append", default=[], metavar="CODE",
        help="run again after an attempt that exits with CODE (repeatable)",
    )  # fmt: skip
    p.add_argument("--retry-on-timeout", action="store_true", help="run again after a timeout")
    p.add_argument(
        "--backoff", type=float, default=1.0, metavar="SEC",
        help="seconds before the first retry, doubling after (default 1)",
    )  # fmt: skip
    p.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD...", help="what to run")
    p.set_defaults(handler=cmd_submit, sweep=False)


def cmd_submit(args: argparse.Namespace) -> int:
    from .run import build_request

    request = build_request(args)
    from ..dispatch import Dispatcher, RetryPolicy, RunOptions

    try:
        policy = RetryPolicy(
            args.max_attempts, frozenset(args.retry_exit_code), args.retry_on_timeout, args.backoff
        )
    except ValueError as error:
        raise UsageError(f"retry policy: {error}") from None
    options = RunOptions(args.grace, args.tail_entries, args.tail_bytes)
    dispatcher = Dispatcher(args.broker, queue=args.queue)
    try:
        handle = dispatcher.submit(request, policy=policy, options=options)
        if not args.wait:
            Sink.stdout().text(handle.task_id + "\n")
            return 0
        Sink.stderr().text(f"baa: submitted {handle.task_id}\n")
        try:
            result = handle.result(timeout=args.wait_timeout)
        except TimeoutError as error:
            error_line(f"{error}; it goes on: baa cancel {handle.task_id} stops it")
            return EXIT_INVALID
    finally:
        dispatcher.close()
    return _finish(result, args)


def _finish(result: Any, args: argparse.Namespace) -> int:
    from ..runner import envelope_dict
    from ..session import chunk_bytes
    from .run import report

    envelope = envelope_dict(result)
    if not (args.json or args.quiet):
        for channel, sink in (("stdout", Sink.stdout()), ("stderr", Sink.stderr())):
            for chunk in envelope["logSession"][channel]["entries"]:
                sink.write(chunk_bytes(chunk))
    return report(envelope, args, None)
