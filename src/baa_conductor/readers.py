"""Reading run directories back, safely and in bounded memory, whatever is found in them.

Every file is opened without following a final symlink and without blocking (a FIFO planted as
``state.json`` cannot hang a reader), and refused unless it is a regular file. JSON documents are
read up to :data:`MAX_DOCUMENT_BYTES`, log lines up to :data:`MAX_LINE_BYTES`; output tails are read
from the end by seeking, never by reading a whole file. Every problem is a :class:`RunFileError`
(``file:line: reason``) or a :class:`~baa_conductor.exceptions.ContractError`, never a traceback.

A torn last line: a runner killed inside the ``write()`` of a long line can leave its first part
(the kernel may cut a large write short when SIGKILL arrives). The runner writes nothing after it,
so only the last line of a log can be torn. Readers treat an unterminated last line that is not
JSON as never written and say so in a note; an unterminated last line that is whole JSON (a file
written by hand without the final newline) is read as usual.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from collections.abc import Iterator

from .exceptions import ContractError, RunFileError, RunNotFoundError, Violation
from .paths import LOG_OF_CHANNEL, META, SCHEMA_OF_FILE, STATE, STDOUT_LOG, WORKER_LOG

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at run time
if TYPE_CHECKING:
    from typing import IO, Any

    from baa_conductor_contracts.run_metadata_schema import RunMetadata
    from baa_conductor_contracts.run_state_snapshot_schema import RunStateSnapshot
    from baa_conductor_contracts.worker_log_line_schema import WorkerLogLine

#: The largest JSON document read whole (meta.json, state.json, a file given to ``validate``).
MAX_DOCUMENT_BYTES = 64 << 20
#: Lines longer than this are never read into memory (show, tail, validate skip and report them).
#: The runner's own lines stay far below it: a 256 KiB output chunk is at most about 1.6 MiB of
#: JSON (control characters escaped, or text plus base64).
MAX_LINE_BYTES = 8 << 20
#: At most this many lifecycle events of a run are kept in memory (the rest are counted).
MAX_EVENTS = 10_000
_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
BLOCK_BYTES = 1 << 16
CHANNEL_OF_STREAM_LOG = {n: c for c, n in LOG_OF_CHANNEL.items() if c != "worker"}


def _kind(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a directory",
        stat.S_ISFIFO: "a FIFO",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
        stat.S_ISLNK: "a symbolic link",
    }
    return next((name for test, name in kinds.items() if test(mode)), "not a regular file")


def open_regular(path: str, *, follow_symlinks: bool = False) -> IO[bytes]:
    """Open ``path`` for reading if it is a regular file; anything else is a RunFileError.

    The open cannot block (``O_NONBLOCK``: a FIFO opens at once and is then refused) and, unless
    ``follow_symlinks``, a symlink in the last component is refused rather than followed.
    """
    return os.fdopen(_open_regular_fd(path, follow_symlinks), "rb")


def _open_regular_fd(path: str, follow_symlinks: bool) -> int:
    """:func:`open_regular` as a descriptor."""
    flags = _READ_FLAGS | (0 if follow_symlinks else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise RunFileError(path, "missing") from None
    except OSError as error:
        if error.errno == errno.ELOOP and not follow_symlinks:
            raise RunFileError(path, "a symbolic link; refused") from None
        raise RunFileError(path, f"cannot read: {error.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise RunFileError(path, f"{_kind(mode)}, not a regular file; refused")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_error(path: str, error: OSError, line: int | None = None) -> RunFileError:
    return RunFileError(path, f"cannot read: {error.strerror or error}", line)


def parse(raw: bytes, schema: str, where: str) -> Any:
    """One JSON document validated against ``schema``; ``where`` names it in errors."""
    from . import encoding
    from .validation import validate

    try:
        value = encoding.loads(raw)
    except ValueError as error:
        raise ContractError(schema, [Violation("", f"not JSON: {error}")], where) from None
    try:
        validate(schema, value, source=where)
    except RecursionError:
        raise ContractError(schema, [Violation("", "nested too deeply")], where) from None
    return value


def read_bounded(fd: int, max_bytes: int) -> bytes:
    """What ``fd`` holds, but at most ``max_bytes + 1`` bytes (one more says "too large").

    Reads are sized to the file (plus one byte, to see it grew), not to the limit: a buffer of
    ``max_bytes`` for every 300-byte state.json made `baa list` spend most of its time allocating.
    """
    chunks: list[bytes] = []
    want, total = min(os.fstat(fd).st_size, max_bytes) + 1, 0
    while total <= max_bytes:
        chunk = os.read(fd, min(want, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = max(want, BLOCK_BYTES)
    return b"".join(chunks)


def read_document(
    path: str, *, follow_symlinks: bool = False, max_bytes: int = MAX_DOCUMENT_BYTES
) -> bytes:
    """The bytes of a JSON document, refused when larger than ``max_bytes``."""
    fd = _open_regular_fd(path, follow_symlinks)
    try:
        data = read_bounded(fd, max_bytes)
    except OSError as error:
        raise _read_error(path, error) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise RunFileError(path, f"larger than {max_bytes} bytes; not read")
    return data


def load_json(path: str, schema: str) -> Any:
    """A run's JSON file (meta.json, state.json), validated against ``schema``."""
    return parse(read_document(path), schema, path)


class Line:
    """One line of a JSONL file: its bytes (newline removed), or why it was not read."""

    __slots__ = ("data", "number", "problem", "torn")

    def __init__(self, number: int, data: bytes, problem: str | None = None, torn: bool = False):
        self.number = number
        self.data = data
        self.problem = problem  # "line longer than ..."; ``data`` is then empty
        self.torn = torn  # the unterminated last line (kept in ``data``)


def _skip_rest_of_line(handle: IO[bytes]) -> bool:
    """Read past the next newline in bounded blocks; False if the file ended first."""
    while True:
        block = handle.readline(BLOCK_BYTES)
        if not block:
            return False
        if block.endswith(b"\n"):
            return True


def iter_lines(handle: IO[bytes], max_line: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """Each line of ``handle`` in bounded memory; over-long lines are skipped and reported."""
    number = 0
    while True:
        raw = handle.readline(max_line + 1)
        if not raw:
            return
        number += 1
        if raw.endswith(b"\n"):
            yield Line(number, raw[:-1])
        elif len(raw) <= max_line:
            yield Line(number, raw, torn=True)
            return
        else:
            whole = _skip_rest_of_line(handle)
            problem = f"line longer than {max_line >> 20} MiB; not read"
            yield Line(number, b"", problem=problem, torn=not whole)
            if not whole:
                return


def torn_note(path: str, number: int) -> str:
    return (
        f"{path}:{number}: the last line is incomplete (the runner was stopped while writing it); "
        "read as not written"
    )


class JsonlFile:
    """A JSONL file read line by line: values, problems and a torn last line, bounded in memory."""

    def __init__(
        self,
        path: str,
        schema: str,
        follow_symlinks: bool = False,
        channel: str | None = None,  # stdout.log / stderr.log: each entry's channel must match
        notes: list[str] | None = None,
    ):
        self.path = path
        self.schema = schema
        self.follow_symlinks = follow_symlinks
        self.channel = channel
        self.notes: list[str] = [] if notes is None else notes

    def entries(self) -> Iterator[tuple[int, Any]]:
        """``(line number, value)`` of each line; the first bad line raises."""
        for number, value, problem in self._read():
            if problem is not None:
                raise problem
            yield number, value

    def problems(self) -> Iterator[str]:
        """Every problem of the file, one ``file:line: reason`` string each; reads on past them."""
        try:
            for _, _, problem in self._read():
                if isinstance(problem, ContractError):
                    yield from (f"{problem.source}: {v}" for v in problem.violations)
                elif problem is not None:
                    yield str(problem)
        except RunFileError as error:
            yield str(error)

    def _read(self) -> Iterator[tuple[int, Any, BaaReadError | None]]:
        with open_regular(self.path, follow_symlinks=self.follow_symlinks) as handle:
            try:
                for line in iter_lines(handle):
                    read = self._value(line)
                    if read is not None:
                        yield read
            except OSError as error:
                raise _read_error(self.path, error) from None

    def _value(self, line: Line) -> tuple[int, Any, BaaReadError | None] | None:
        """The line's value or problem; None for a torn last line (noted, not written)."""
        where = f"{self.path}:{line.number}"
        if line.problem is not None:
            return line.number, None, RunFileError(self.path, line.problem, line.number)
        try:
            value = parse(line.data, self.schema, where)
        except ContractError as error:
            if line.torn and _not_json(error):
                self.notes.append(torn_note(self.path, line.number))
                return None
            return line.number, None, error
        if self.channel is not None and value.get("channel") != self.channel:
            name = os.path.basename(self.path)
            violation = Violation("/channel", f"{value.get('channel')!r} in {name}")
            return line.number, None, ContractError(self.schema, [violation], where)
        return line.number, value, None


BaaReadError = RunFileError | ContractError


def _not_json(error: ContractError) -> bool:
    return len(error.violations) == 1 and error.violations[0].reason.startswith("not JSON")


def iter_log(path: str, schema: str) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for each line of a JSONL log, each validated against ``schema``."""
    return JsonlFile(path, schema).entries()


def last_lines(path: str, count: int) -> list[bytes]:
    """The last ``count`` non-blank lines of a file, read backwards from its end in bounded memory.

    A line longer than :data:`MAX_LINE_BYTES` ends the search there (it is not returned).
    """
    if count <= 0:
        return []
    blocks: list[bytes] = []
    held = 0
    with open_regular(path) as handle:
        try:
            position = handle.seek(0, os.SEEK_END)
            while position > 0:
                step = min(BLOCK_BYTES, position)
                position -= step
                handle.seek(position)
                blocks.append(handle.read(step))
                held += step
                if position == 0 or (b"\n" not in blocks[-1] and held <= MAX_LINE_BYTES):
                    continue
                data = b"".join(reversed(blocks))
                cut = data.find(b"\n")  # what comes before it may be the end of a longer line
                lines = (
                    [ln for ln in data[cut + 1 :].splitlines() if ln.strip()] if cut >= 0 else []
                )
                if len(lines) >= count or held > MAX_LINE_BYTES:
                    return lines[-count:]
        except OSError as error:
            raise _read_error(path, error) from None
    data = b"".join(reversed(blocks))
    return [line for line in data.splitlines() if line.strip()][-count:]


def output_tail(path: str, lines: int, notes: list[str] | None = None) -> list[str]:
    """The last ``lines`` lines of text a worker wrote to one stream, from its stdout/stderr.log.

    Reads the log's last entries from its end; a torn last entry is skipped (with a note), a bad
    one is a ContractError naming the file (its line number is not known when read from the end).
    """
    from .session import chunk_bytes

    channel = CHANNEL_OF_STREAM_LOG.get(os.path.basename(path))
    raws = last_lines(path, lines)
    texts = []
    for index, raw in enumerate(raws):
        where = f"{path}: line {len(raws) - index} from the end"
        try:
            entry = parse(raw, SCHEMA_OF_FILE[STDOUT_LOG], where)
        except ContractError as error:
            if index == len(raws) - 1 and _not_json(error) and not _ends_with_newline(path):
                if notes is not None:
                    notes.append(f"{path}: the last line is incomplete (the runner was stopped "
                                 "while writing it); read as not written")  # fmt: skip
                continue
            raise
        if channel is not None and entry["channel"] != channel:
            violation = Violation("/channel", f"{entry['channel']!r} in {os.path.basename(path)}")
            raise ContractError(SCHEMA_OF_FILE[STDOUT_LOG], [violation], where)
        texts.append(chunk_bytes(entry).decode("utf-8", "replace"))
    return "".join(texts).splitlines()[-lines:]


def _ends_with_newline(path: str) -> bool:
    with open_regular(path) as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return True
        handle.seek(size - 1)
        return handle.read(1) == b"\n"


class LineReader:
    """The complete lines appended to a file since the last call, at most ``budget`` bytes a call.

    A line longer than :data:`MAX_LINE_BYTES` is never held: it is skipped and counted in
    :attr:`skipped`. A partial last line waits for the writer to finish it; if the writer is gone,
    it is torn (:attr:`partial`): never returned.
    """

    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.carry = bytearray()
        self.discarding = False  # inside an over-long line, until its newline
        self.skipped = 0
        self.exhausted = False  # the last call reached the end of what the file holds

    @property
    def partial(self) -> bool:
        """Whether an unterminated line is held (or being skipped) at the end of what was read."""
        return bool(self.carry) or self.discarding

    def read(self, budget: int = 1 << 20) -> list[bytes]:
        lines: list[bytes] = []
        taken = 0
        self.exhausted = False
        while taken < budget:
            block = self.handle.read(BLOCK_BYTES)
            if not block:
                self.exhausted = True
                break
            taken += len(block)
            start = 0
            while True:
                end = block.find(b"\n", start)
                if end < 0:
                    if not self.discarding:
                        self.carry += block[start:]
                        if len(self.carry) > MAX_LINE_BYTES:
                            self.carry.clear()
                            self.discarding = True
                    break
                if self.discarding:
                    self.discarding = False
                    self.skipped += 1
                else:
                    piece = block[start:end]
                    if self.carry:
                        self.carry += piece
                        piece = bytes(self.carry)
                        self.carry.clear()
                    if len(piece) > MAX_LINE_BYTES:
                        self.skipped += 1
                    elif piece.strip():
                        lines.append(piece)
                start = end + 1
        return lines


def is_locked(run_dir: str) -> bool:
    """Whether a live runner holds the run directory."""
    try:
        fd = os.open(run_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def lock_holder(run_dir: str) -> int | None:
    """The pid of the process holding the run directory's lock (its runner), as /proc/locks
    names it in this PID namespace; None when none does (or the kernel does not say)."""
    try:
        info = os.stat(run_dir)
        with open("/proc/locks", "rb") as handle:
            locks = handle.read().splitlines()
    except OSError:
        return None
    inode = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}".encode()
    for line in locks:
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 12345 fe:00:2343094 0 EOF"; "->" marks a waiter, not a holder
        if len(fields) >= 6 and fields[1] == b"FLOCK" and fields[5] == inode:
            try:
                return int(fields[4])
            except ValueError:
                return None
    return None


#: A run taken by a worker on another machine (``meta.worker`` names another host) whose state
#: has not been refreshed for this many heartbeats is shown as **lost**: its runner's lock cannot
#: be seen from here, so the age of ``updatedAt`` is the only sign of life.
LOST_AFTER_HEARTBEATS = 3


def worker_host(worker: str) -> str:
    """The host in ``meta.worker``: ``celery@host`` (a Celery node) or ``host:pid`` (a local run)."""
    return worker.rpartition("@")[2].partition(":")[0]


def run_status(meta: dict[str, Any], state: dict[str, Any], run_dir: str) -> tuple[str, bool]:
    """A run's status as people see it, and whether a runner is known to be at work on it.

    ``state.status`` once the run finished. An unfinished run is live while its runner holds the
    directory's lock; when no runner here holds it, the run is **interrupted** (its runner died),
    unless ``meta.worker`` names another machine: that runner's lock is invisible from here, so
    the run is live while its heartbeat (``updatedAt``) is fresh and **lost** once it is not.
    """
    status = str(state["status"])
    if "finishedAt" in state:
        return status, False
    if is_locked(run_dir):
        return status, True
    worker = meta.get("worker")
    if isinstance(worker, str) and worker_host(worker) not in ("", _this_host()):
        from datetime import datetime

        from .heartbeat import HEARTBEAT_SEC

        try:
            updated = datetime.fromisoformat(str(state["updatedAt"]).replace("Z", "+00:00"))
        except ValueError:
            return "lost", False
        age = datetime.now(updated.tzinfo).timestamp() - updated.timestamp()
        if age <= LOST_AFTER_HEARTBEATS * HEARTBEAT_SEC:
            return status, True
        return "lost", False
    return "interrupted", False


def _this_host() -> str:
    return os.uname().nodename


class RunRecord:
    """A run read back from its directory: metadata, state and lifecycle events, all validated."""

    def __init__(
        self,
        run_dir: str,
        meta: RunMetadata,
        state: RunStateSnapshot,
        events: list[WorkerLogLine] | None = None,
        live: bool = False,
        more_events: int = 0,
        notes: list[str] | None = None,
    ):
        self.run_dir = run_dir
        self.meta = meta
        self.state = state
        self.events: list[WorkerLogLine] = [] if events is None else events
        self.live = live
        #: Events beyond :data:`MAX_EVENTS` (counted, not kept).
        self.more_events = more_events
        #: What a reader should know but is not an error (a torn last line, read as not written).
        self.notes: list[str] = [] if notes is None else notes

    @property
    def interrupted(self) -> bool:
        """The run never finished (no ``finishedAt``), yet no runner holds it: the runner died.

        Status alone cannot tell: ``prepared`` is also how a placeholder run ends.
        """
        return self.state.finished_at is None and not self.live

    @property
    def status(self) -> str:
        return "interrupted" if self.interrupted else self.state.status.value

    def log_path(self, channel: str) -> str:
        return os.path.join(self.run_dir, LOG_OF_CHANNEL[channel])

    def output_tail(self, channel: str, lines: int) -> list[str]:
        """The last ``lines`` lines the worker wrote to ``channel`` (notes go to :attr:`notes`)."""
        return output_tail(self.log_path(channel), lines, self.notes)


def read_run(run_dir: str) -> RunRecord:
    """Open a run directory into models, validating meta.json, state.json and worker.log."""
    from baa_conductor_contracts.run_metadata_schema import RunMetadata
    from baa_conductor_contracts.run_state_snapshot_schema import RunStateSnapshot
    from baa_conductor_contracts.worker_log_line_schema import WorkerLogLine

    run_dir = os.path.abspath(run_dir)
    if not os.path.isdir(run_dir):
        raise RunNotFoundError(run_dir, "no such directory")
    meta_path = os.path.join(run_dir, META)
    if not os.path.lexists(meta_path):
        raise RunNotFoundError(run_dir, f"{META} is missing")
    meta = load_json(meta_path, SCHEMA_OF_FILE[META])
    state = load_json(os.path.join(run_dir, STATE), SCHEMA_OF_FILE[STATE])
    log = JsonlFile(os.path.join(run_dir, WORKER_LOG), SCHEMA_OF_FILE[WORKER_LOG])
    events: list[WorkerLogLine] = []
    more = 0
    for _, value in log.entries():
        if len(events) < MAX_EVENTS:
            events.append(WorkerLogLine.model_validate(value))
        else:
            more += 1
    return RunRecord(
        run_dir=run_dir,
        meta=RunMetadata.model_validate(meta),
        state=RunStateSnapshot.model_validate(state),
        events=events,
        live=is_locked(run_dir),
        more_events=more,
        notes=log.notes,
    )


def find_runs(runs_root: str, problems: list[str] | None = None) -> Iterator[str]:
    """Every run directory under a runs root (``<root>/<taskId>/<runId>`` holding meta.json).

    Hidden names are skipped (a run directory is built under ``.<runId>.*.new`` and renamed into
    place); a task directory that cannot be read is added to ``problems`` and the others listed.
    """
    for task in _entries(runs_root, problems):
        if task.name.startswith(".") or not task.is_dir(follow_symlinks=False):
            continue
        for run in _entries(task.path, problems):
            if (
                not run.name.startswith(".")
                and run.is_dir(follow_symlinks=False)
                and os.path.lexists(os.path.join(run.path, META))
            ):
                yield run.path


def _entries(directory: str, problems: list[str] | None) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as listing:
            return sorted(listing, key=lambda e: e.name)
    except FileNotFoundError:
        return []
    except OSError as error:
        if problems is None:
            raise RunFileError(directory, f"cannot read: {error.strerror}") from None
        problems.append(str(RunFileError(directory, f"cannot read: {error.strerror}")))
        return []
