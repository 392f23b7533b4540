"""What every command shares: exit codes, errors, safe output, tables, and finding runs."""

from __future__ import annotations

import errno
import os
import re
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable, Sequence
    from typing import Any, BinaryIO

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or unreadable input: exit 2."""


def error_line(message: str) -> None:
    """``baa: error: MESSAGE`` on stderr (never raises: stderr may be closed too)."""
    Sink.stderr().text(f"baa: error: {message}\n")


def terminal_columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` measures it (``$COLUMNS``, else the
    terminal on stdout, else 80), without importing shutil (and with it bz2, lzma and zlib)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


# output -----------------------------------------------------------------------------------------


def _closed_or_full(error: OSError) -> bool:
    return isinstance(error, BrokenPipeError) or error.errno in (
        errno.EPIPE,
        errno.ENOSPC,
        errno.EIO,
    )


class Sink:
    """One output stream of the terminal or a pipe, written as bytes, flushed at each write.

    A reader that went away (EPIPE: ``baa … | head``) or a full device (ENOSPC: ``> /dev/full``)
    does not stop the command: the sink goes quiet and :attr:`failure` keeps the first reason.
    """

    def __init__(self, stream: BinaryIO, name: str):
        self.stream = stream
        self.name = name
        self.failure: str | None = None

    @classmethod
    def stdout(cls) -> Sink:
        return cls(sys.stdout.buffer, "stdout")

    @classmethod
    def stderr(cls) -> Sink:
        return cls(sys.stderr.buffer, "stderr")

    def write(self, data: bytes | bytearray | memoryview) -> bool:
        """Write and flush; False (and nothing more is written) once the stream failed."""
        if self.failure is not None:
            return False
        try:
            self.stream.write(data)
            self.stream.flush()
        except OSError as error:
            if not _closed_or_full(error):
                raise
            self.failure = os.strerror(error.errno or errno.EPIPE)
            _silence(self.stream)
            return False
        return True

    def text(self, text: str) -> bool:
        return self.write(text.encode("utf-8", "backslashreplace"))


def _silence(stream: BinaryIO) -> None:
    # Point the descriptor at /dev/null, so the interpreter's own flush at exit cannot fail again.
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


# text from workers and files ----------------------------------------------------------------------

# Every C0 control but tab and newline, DEL, and the C1 controls (U+0080-U+009F): what a terminal
# could take as the start of an escape sequence (colours, cursor moves, title changes, OSC 52).
# A carriage return before a newline is a Windows line end and harmless.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return "^" + chr(code + 0x40)  # ESC -> ^[ , as cat -v shows it
    if code == 0x7F:
        return "^?"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control characters made visible, so none reaches a terminal as a command."""
    return _CONTROL.sub(_visible, text.replace("\r\n", "\n"))


# tables -----------------------------------------------------------------------------------------


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Left-aligned columns two spaces apart, every cell whole (nothing is cut, piped or not)."""
    rows = [list(map(printable, row)) for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = []
    for row in (list(header), *rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


# finding runs -----------------------------------------------------------------------------------


def add_runs_root_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runs-dir", default=None, metavar="DIR", help="runs root (default: <repo root>/runs)"
    )
    parser.add_argument(
        "--repo-root", default=".", metavar="DIR", help="repository root (default: .)"
    )


def runs_root_of(args: argparse.Namespace) -> str:
    from ..paths import runs_root

    return runs_root(args.repo_root, args.runs_dir)


def find_run(spec: str, args: argparse.Namespace) -> str:
    """The run directory ``spec`` names (:func:`baa_conductor.lookup.find`: a path, ``latest``,
    ``TASK/RUN``, a run id, a task id for its newest run); else, for an id ``baa submit``
    printed, the run directory the broker of ``$BAA_BROKER_URL`` knows for it."""
    from ..lookup import RunLookupError
    from ..lookup import find_run as lookup

    root = runs_root_of(args)
    try:
        return lookup(spec, root)
    except RunLookupError as error:
        if error.candidates or not looks_dispatched(spec):
            raise
        info = dispatched(spec)
        if info is None or not info.run_dir:
            raise
        if not os.path.isdir(info.run_dir):
            raise UsageError(
                f"{spec}: {info.status} on {info.worker or 'a worker'} in {info.run_dir}, "
                "which this machine does not see"
            ) from None
        return str(info.run_dir)


_DISPATCH_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def looks_dispatched(spec: str) -> bool:
    """Whether ``spec`` has the shape of an id ``baa submit`` prints (a Celery task id)."""
    return bool(_DISPATCH_ID.match(spec))


def dispatched(task_id: str) -> Any:
    """What the broker of ``$BAA_BROKER_URL`` knows of a submitted step (``StepInfo``), or None
    when no broker is configured or the dispatch extra is not installed."""
    if not os.environ.get("BAA_BROKER_URL"):
        return None
    try:
        from ..dispatch import Dispatcher
    except ModuleNotFoundError:
        return None
    dispatcher = Dispatcher()
    try:
        info = dispatcher.handle(task_id).info()
    finally:
        dispatcher.close()
    return info if info.known else None


RUN_SPEC_HELP = (
    "a run directory, TASK/RUN, a run id, a task id (its newest run; TASK/ when a run has the "
    "same name), 'latest' (the run created last), or an id `baa submit` printed (asked of "
    "$BAA_BROKER_URL)"
)
