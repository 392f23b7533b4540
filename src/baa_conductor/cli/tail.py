"""``baa tail``: a run's output and events as they are written, until the run ends."""

from __future__ import annotations

from ._common import RUN_SPEC_HELP, Sink, add_runs_root_options, printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from ..readers import LineReader

EXAMPLES = """\
examples:
  baa tail latest                     # follow the newest run; exit with its exit code
  baa tail --wait T-1                 # the task's run under way, or the next one to start
  baa tail --timestamps run-20260101T000000-abc123
  baa tail --no-follow T-1/r1 2>/dev/null > stdout.txt   # the step's stdout alone
"""

CHANNELS = ("worker", "stdout", "stderr")
STDERR_LABEL = "stderr| "


def register(sub: Any) -> None:
    import argparse

    from ._help import HelpFormatter

    p = sub.add_parser(
        "tail",
        help="print a run's output and events, following it until it ends (exit: the run's code)",
        description="The run's stdout on stdout; its stderr on stderr, each line labelled "
        f"'{STDERR_LABEL.strip()}'; lifecycle events on stderr as '[seq] type: message'. While "
        "the run is live, new output is printed as it is written; when it ends, baa tail exits "
        "with the run's exit code (1 if its runner died). Given a task id, it follows the task's "
        "newest run, then each run of the task that started meanwhile. Control characters and escape "
        "sequences are made visible (^[) unless --raw.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    p.add_argument("run", metavar="RUN", help=RUN_SPEC_HELP)
    add_runs_root_options(p)
    p.add_argument(
        "--no-follow", dest="follow", action="store_false",
        help="print what the logs hold now and stop",
    )  # fmt: skip
    p.add_argument(
        "-t", "--timestamps", action="store_true",
        help="start each line with the time its chunk was written",
    )  # fmt: skip
    p.add_argument(
        "--raw", action="store_true",
        help="output bytes exactly as the worker wrote them (escape sequences included, no labels)",
    )  # fmt: skip
    p.add_argument(
        "--wait", action="store_true",
        help="for a task: wait for a run of it that is under way or starts after this command "
        "(a step submitted but not yet taken by a worker), then follow it",
    )  # fmt: skip
    p.add_argument("--interval", type=float, default=0.2, help=argparse.SUPPRESS)
    p.set_defaults(handler=cmd_tail)


class Printer:
    """Writes entries in seq order: output to stdout / stderr, events to stderr."""

    def __init__(self, timestamps: bool, raw: bool):
        self.sinks = {"stdout": Sink.stdout(), "stderr": Sink.stderr()}
        self.timestamps = timestamps
        self.raw = raw
        self.line_start = {"stdout": True, "stderr": True}

    def entry(self, channel: str, entry: dict[str, Any]) -> None:
        if channel == "worker":
            self._finish_lines()
            text = f"[{entry['seq']}] {entry['type']}: {entry['message']}"
            stamp = f"{entry['createdAt']} " if self.timestamps else ""
            self.sinks["stderr"].text(stamp + printable(text).replace("\n", "\n  ") + "\n")
            return
        from ..session import chunk_bytes

        data = chunk_bytes(entry)
        if self.raw and not self.timestamps:
            self.sinks[channel].write(data)
            return
        text = data.decode("utf-8", "replace")
        if not self.raw:
            text = printable(text)
        prefix = (f"{entry['createdAt']} " if self.timestamps else "") + (
            STDERR_LABEL if channel == "stderr" and not self.raw else ""
        )
        self.sinks[channel].text(self._prefixed(channel, text, prefix))

    def _prefixed(self, channel: str, text: str, prefix: str) -> str:
        if not prefix:
            return text
        pieces = []
        for line in text.splitlines(keepends=True):
            pieces.append(prefix + line if self.line_start[channel] else line)
            self.line_start[channel] = line.endswith("\n")
        return "".join(pieces)

    def _finish_lines(self) -> None:
        # An event between two halves of an output line starts on a line of its own.
        if not self.line_start["stderr"]:
            self.sinks["stderr"].text("\n")
            self.line_start["stderr"] = True

    def note(self, text: str) -> None:
        self._finish_lines()
        self.sinks["stderr"].text(f"baa: {text}\n")


class Merger:
    """Entries of the three logs in global seq order, read a bounded amount at a time.

    Each log is in seq order, and a seq is written to its log before the next one is allocated.
    So once every log has been read to its end, no entry still to come can have a smaller seq
    than one already read; an entry is held back only while a log read up to its budget may
    still hold smaller ones.
    """

    def __init__(self, readers: dict[str, LineReader]):
        from collections import deque

        self.readers = readers
        self.pending: dict[str, deque[tuple[int, dict[str, Any]]]] = {c: deque() for c in readers}

    def _fill(self, channel: str) -> int:
        from ..encoding import loads

        got = 0
        for raw in self.readers[channel].read():
            try:
                entry = loads(raw)
                seq = int(entry["seq"])
            except (ValueError, KeyError, TypeError):
                continue  # not an entry: `baa validate` is the place to report it
            self.pending[channel].append((seq, entry))
            got += 1
        return got

    def ready(self) -> list[tuple[str, dict[str, Any]]]:
        got = 0
        for channel in self.readers:
            if len(self.pending[channel]) < 4096:
                got += self._fill(channel)
        if got:  # a log found empty above may have been written to since: look once more
            for channel, reader in self.readers.items():
                if reader.exhausted:
                    self._fill(channel)
        limits = [q[-1][0] for c, q in self.pending.items() if q and not self.readers[c].exhausted]
        limit = min(limits) if limits else None
        merged = []
        import heapq

        queues = [[(seq, c, e) for seq, e in q] for c, q in self.pending.items()]
        for seq, channel, entry in heapq.merge(*queues, key=lambda item: item[0]):
            if limit is not None and seq > limit:
                break
            merged.append((channel, entry))
            self.pending[channel].popleft()
        return merged

    def skipped(self) -> int:
        return sum(r.skipped for r in self.readers.values())


def _exit_status(run_dir: str) -> tuple[int, str | None]:
    """The run's exit code once it has ended, and a note when its runner died."""
    from ..encoding import loads
    from ..paths import STATE
    from ..readers import read_document

    try:
        state = loads(read_document(f"{run_dir}/{STATE}"))
    except ValueError:  # RunFileError too
        return 1, "state.json cannot be read"
    if "finishedAt" not in state:
        return 1, "the run's runner is gone and the run never finished: interrupted"
    code = state.get("exitCode", 0)
    return (code if isinstance(code, int) and 0 <= code <= 255 else 1), None


def cmd_tail(args: argparse.Namespace) -> int:
    from ..lookup import newest_run
    from ._runview import RunView

    printer = Printer(args.timestamps, args.raw)
    run_dir, task_dir = _resolve(args, printer)
    while True:
        code = _follow(RunView(run_dir).run_dir, args, printer)  # validated meta and state
        if task_dir is None or not args.follow:
            return code
        newer = newest_run(task_dir)  # a run of the task that began while this one was followed
        if newer is None or newer == run_dir:
            return code
        printer.note(f"the next run of task {_name(task_dir)}: {_name(newer)}")
        run_dir = newer


def _name(path: str) -> str:
    import os

    return os.path.basename(path.rstrip("/"))


def _resolve(args: argparse.Namespace, printer: Printer) -> tuple[str, str | None]:
    """The run to follow first, and the task directory when a task was named (its later runs
    are followed too); waits for the run to appear when asked to (``--wait``, or an id of a
    submitted step that no worker has taken yet)."""
    import os
    import time

    from ..lookup import RunLookupError, find, newest_run
    from ._common import looks_dispatched, runs_root_of

    root = runs_root_of(args)
    begun = time.time()
    try:
        found = find(args.run, root, wait_for_task=args.wait)
    except RunLookupError as error:
        if error.candidates or not looks_dispatched(args.run):
            raise
        return _wait_dispatched(args.run, args, printer, error), None
    if not found.is_task:
        assert found.run_dir is not None
        return found.run_dir, None
    assert found.task_dir is not None
    task_dir, run_dir = found.task_dir, found.run_dir
    if run_dir is not None and not (args.wait and _ended_before(run_dir, begun)):
        return run_dir, task_dir
    if run_dir is None and not args.wait:
        raise RunLookupError(
            args.run, root, [f"task {_name(task_dir)}/ (no run yet; --wait waits)"]
        )
    printer.note(f"waiting for a run of task {_name(task_dir)} to start under {root} "
                 "(Ctrl-C to stop)")  # fmt: skip
    while True:
        time.sleep(args.interval)
        newest = newest_run(task_dir) if os.path.isdir(task_dir) else None
        if newest is not None and newest != run_dir:
            return newest, task_dir


def _ended_before(run_dir: str, moment: float) -> bool:
    """Whether the run had ended before ``moment`` (a run still under way has not)."""
    import os

    from ..encoding import loads
    from ..paths import STATE
    from ..readers import read_document

    try:
        ended = "finishedAt" in loads(read_document(os.path.join(run_dir, STATE)))
        return ended and os.stat(os.path.join(run_dir, STATE)).st_mtime < moment
    except (OSError, ValueError):
        return False


def _wait_dispatched(
    task_id: str, args: argparse.Namespace, printer: Printer, unknown: Exception
) -> str:
    """The run directory of a submitted step, once a worker has taken it (the broker of
    ``$BAA_BROKER_URL`` says which); ``unknown`` is raised when the broker has no such step."""
    import os
    import time

    from ._common import UsageError, dispatched

    said = None
    while True:
        info = dispatched(task_id)
        if info is None:
            raise unknown
        if info.run_dir:
            if os.path.isdir(info.run_dir):
                return str(info.run_dir)
            raise UsageError(f"{task_id}: {info.status} on {info.worker or 'a worker'} in "
                             f"{info.run_dir}, which this machine does not see")  # fmt: skip
        if info.status in ("finished", "cancelled", "rejected"):
            raise UsageError(f"{task_id}: {info.status}, and no run directory: it never ran")
        if not args.follow:
            raise UsageError(f"{task_id}: {info.status}: no worker has taken it yet")
        if said != info.status:
            printer.note(f"step {task_id} is {info.status}: waiting for a worker to take it "
                         "(Ctrl-C to stop waiting; the step goes on)")  # fmt: skip
            said = info.status
        time.sleep(max(args.interval, 0.5))


def _live(run_dir: str) -> bool:
    """Whether a runner is at work on the run: its lock here, or the heartbeat of a worker on
    another machine (see readers.run_status)."""
    from ..readers import is_locked

    if is_locked(run_dir):
        return True
    from ..encoding import loads
    from ..readers import read_document, run_status

    try:
        meta = loads(read_document(f"{run_dir}/meta.json"))
        if "worker" not in meta:
            return False
        return run_status(meta, loads(read_document(f"{run_dir}/state.json")), run_dir)[1]
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _follow(run_dir: str, args: argparse.Namespace, printer: Printer) -> int:
    """Print the run's entries until it ends (or, with --no-follow, what it holds now)."""
    import os
    import time
    from contextlib import ExitStack

    from ..readers import LineReader, open_regular

    with ExitStack() as stack:
        readers = {c: LineReader(stack.enter_context(open_regular(os.path.join(run_dir, f"{c}.log"))))
                   for c in CHANNELS}  # fmt: skip
        merger = Merger(readers)
        skipped = 0
        while True:
            live = _live(run_dir)  # before reading: whatever it wrote by now is read below
            batch = merger.ready()
            for channel, entry in batch:
                printer.entry(channel, entry)
            if merger.skipped() > skipped:
                printer.note(f"{merger.skipped() - skipped} line(s) longer than 8 MiB skipped")
                skipped = merger.skipped()
            if batch or not all(r.exhausted for r in readers.values()):
                continue
            if not args.follow and live:
                return 0
            if not live:
                for channel, reader in readers.items():
                    if reader.partial:
                        printer.note(f"note: {run_dir}/{channel}.log: the last line is incomplete "
                                     "(the runner was stopped while writing it); read as not written")  # fmt: skip
                code, note = _exit_status(run_dir)
                if note:
                    printer.note(note)
                return code
            time.sleep(args.interval)
