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
    from typing import BinaryIO

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


def _run_dirs(root: str) -> Iterable[os.DirEntry[str]]:
    try:
        tasks = list(os.scandir(root))
    except FileNotFoundError:
        return
    for task in tasks:
        if task.is_dir(follow_symlinks=False) and not task.name.startswith("."):
            try:
                runs = list(os.scandir(task.path))
            except OSError:
                continue
            for run in runs:
                if run.is_dir(follow_symlinks=False) and not run.name.startswith("."):
                    yield run


def find_run(spec: str, args: argparse.Namespace) -> str:
    """The run directory ``spec`` names: a path to it, ``latest``, ``TASK/RUN`` or a run id."""
    root = runs_root_of(args)
    if spec == "latest":
        newest: tuple[float, str] | None = None
        for run in _run_dirs(root):
            try:
                created = os.stat(os.path.join(run.path, "meta.json")).st_mtime
            except OSError:
                continue
            if newest is None or (created, run.path) > newest:
                newest = (created, run.path)
        if newest is None:
            raise UsageError(f"latest: no runs under {root}")
        return newest[1]
    if os.path.isdir(spec) and os.path.exists(os.path.join(spec, "meta.json")):
        return os.path.abspath(spec)
    if spec.count("/") == 1 and os.path.isdir(os.path.join(root, spec)):
        return os.path.join(root, spec)
    if "/" not in spec:
        found = sorted(run.path for run in _run_dirs(root) if run.name == spec)
        if len(found) == 1:
            return found[0]
        if found:
            raise UsageError(
                f"run id {spec!r} is in more than one task under {root}: "
                + ", ".join(os.path.relpath(path, root) for path in found)
                + " (name it as TASK/RUN)"
            )
    if os.path.isdir(spec):
        return os.path.abspath(spec)  # read_run says what is missing
    raise UsageError(f"{spec}: no such run directory, and no run with that id under {root}")


RUN_SPEC_HELP = (
    "a run directory, a run id (looked up under the runs root), TASK/RUN, or 'latest' "
    "(the run created last)"
)
