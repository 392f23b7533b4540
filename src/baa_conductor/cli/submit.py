"""``baa submit``: send one step to the workers; print its task id, or wait like ``baa run``."""

from __future__ import annotations

from ._broker import add_broker_options, load_dispatch
from ._common import EXIT_INVALID, Sink, UsageError, error_line
from .run import add_codex_options, add_output_options, add_step_options

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """\
examples:
  baa submit --task T-1 --step build --repo-root /shared/repo -- make -j4   # prints the task id
  baa submit --wait --task T-1 --step test --repo-root /shared/repo -- make test
  baa submit --wait --json --retry-exit-code 75 --max-attempts 3 --task T-1 --step fetch -- ./fetch
  baa submit --resume-from T-1/run-20260101T000000-abc123@3 --wait   # attempt + 1, checkpoint 3

With --wait: the step's output as it is written (when its run directory is on shared storage this
machine sees; otherwise the envelope's tail once it ends, and a line says so), a summary line and
the step's exit code, as `baa run`; --json prints only the envelope. The task id then goes to
stderr. Ctrl-C stops the waiting, not the step: `baa cancel TASK_ID` stops the step.
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
    add_step_options(p, resumable=True)
    add_codex_options(p)
    p.add_argument(
        "--resume-from", default=None, metavar="RUN[@N]",
        help="submit the step of RUN again (attempt + 1) from its checkpoint N (default: its "
        "last); the run is looked up here, the worker needs the same paths",
    )  # fmt: skip
    add_broker_options(p)
    p.add_argument(
        "--wait", action="store_true", help="wait for the step, showing its output as `baa run`"
    )
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


def _codex_options(args: argparse.Namespace, request: dict[str, Any]) -> None:
    """The codex options are in the request already (build_request); one is the worker's."""
    if args.skip_git_repo_check is not None:
        raise UsageError(
            "--skip-git-repo-check is decided by the worker (where the worktree is); "
            "pass it as --codex-arg=--skip-git-repo-check if you must"
        )


def cmd_submit(args: argparse.Namespace) -> int:
    from ._request import build_request

    dispatch = load_dispatch()
    request = build_request(args)
    _codex_options(args, request)
    try:
        policy = dispatch.RetryPolicy(
            args.max_attempts, frozenset(args.retry_exit_code), args.retry_on_timeout, args.backoff
        )
    except ValueError as error:
        raise UsageError(f"retry policy: {error}") from None
    options = dispatch.RunOptions(args.grace, args.tail_entries, args.tail_bytes)
    dispatcher = dispatch.Dispatcher(args.broker, queue=args.queue)
    try:
        handle = dispatcher.submit(request, policy=policy, options=options)
        if not args.wait:
            Sink.stdout().text(handle.task_id + "\n")
            return 0
        Sink.stderr().text(f"baa: submitted {handle.task_id}\n")
        follower = None if (args.json or args.quiet) else Follower(handle)
        try:
            result = handle.result(timeout=args.wait_timeout) if follower is None else (
                follower.wait(args.wait_timeout))  # fmt: skip
        except TimeoutError as error:
            error_line(f"{error}; it goes on: baa cancel {handle.task_id} stops it")
            return EXIT_INVALID
        except KeyboardInterrupt:
            error_line(
                f"stopped waiting; step {handle.task_id} goes on "
                f"(baa status {handle.task_id}; baa cancel {handle.task_id} stops it)"
            )
            return 130
    finally:
        dispatcher.close()
    return _finish(result, args, follower)


class Follower:
    """Shows a dispatched step's output as it is written, from its run directory's logs.

    The worker announces the run directory when it takes the step (``baa status``); if this
    machine sees it (shared storage), its stdout.log and stderr.log are read as they grow, as
    ``baa tail`` does. If not, a line says so and the envelope's tail is shown at the end.
    """

    def __init__(self, handle: Any):
        self.handle = handle
        self.run_dir: str | None = None
        self.readers: dict[str, Any] = {}
        self.shown = False  # some output was shown live: the envelope's tail is not repeated
        self.blind = False  # the run directory is not visible here

    def wait(self, timeout: float | None) -> Any:
        import queue
        import threading

        answers: queue.Queue[tuple[bool, Any]] = queue.Queue()

        def waiting() -> None:
            try:
                answers.put((True, self.handle.result(timeout)))
            except BaseException as error:
                answers.put((False, error))

        # A daemon thread: Ctrl-C in the main thread ends the command without waiting for it.
        threading.Thread(target=waiting, name="baa-submit-wait", daemon=True).start()
        while True:
            try:
                ok, value = answers.get(timeout=0.1)
                break
            except queue.Empty:
                self._poll()
        if not ok:
            raise value
        self._drain(value)
        return value

    def _poll(self) -> None:
        import os

        if self.blind:
            return
        if self.run_dir is None:
            from ..exceptions import BrokerUnavailableError

            try:
                info = self.handle.info()
            except BrokerUnavailableError:  # the waiting thread decides when that is fatal
                return
            if info.run_dir is None or info.status != "running":
                return  # not taken yet, or ended already: the envelope is on its way
            if not os.path.isdir(info.run_dir):
                if os.path.isdir(os.path.dirname(os.path.dirname(info.run_dir))):
                    return  # the runs root is here: the worker is creating the directory
                self.blind = True
                Sink.stderr().text(
                    f"baa: running on {info.worker}; its run directory {info.run_dir} is not "
                    "visible here: the output is shown when the step ends\n"
                )
                return
            self.run_dir = info.run_dir
        self._read()

    def _read(self) -> None:
        import json
        import os

        from ..readers import LineReader
        from ..session import chunk_bytes

        assert self.run_dir is not None
        for channel, sink in (("stdout", Sink.stdout()), ("stderr", Sink.stderr())):
            reader = self.readers.get(channel)
            if reader is None:
                try:
                    handle = open(os.path.join(self.run_dir, f"{channel}.log"), "rb")  # noqa: SIM115
                except OSError:
                    continue
                reader = self.readers[channel] = LineReader(handle)
            for line in reader.read():
                try:
                    chunk = json.loads(line)
                except ValueError:
                    continue
                sink.write(chunk_bytes(chunk))
                self.shown = True

    def _drain(self, result: Any) -> None:
        """What the logs hold past the last read: the run's directory is complete by now."""
        run_dir = result.log_paths.run_dir
        if self.run_dir is not None and self.run_dir != run_dir:  # a later attempt ran
            self._close()
            self.run_dir = None
        if self.run_dir is None and not self.blind and _visible(run_dir):
            self.run_dir = run_dir
        if self.run_dir is not None:
            self._read()
        self._close()

    def _close(self) -> None:
        for reader in self.readers.values():
            reader.handle.close()
        self.readers = {}


def _visible(path: str) -> bool:
    import os

    return os.path.isdir(path)


def _finish(result: Any, args: argparse.Namespace, follower: Follower | None) -> int:
    from ..runner import envelope_dict
    from ..session import chunk_bytes
    from .run import report

    envelope = envelope_dict(result)
    if not (args.json or args.quiet) and (follower is None or follower.run_dir is None):
        for channel, sink in (("stdout", Sink.stdout()), ("stderr", Sink.stderr())):
            for chunk in envelope["logSession"][channel]["entries"]:
                sink.write(chunk_bytes(chunk))
    return report(envelope, args, None)
