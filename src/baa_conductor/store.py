"""The run directory on disk: created exclusively, written as the run happens, read back.

Durability: ``meta.json`` and every ``state.json`` are fsynced (state is replaced atomically:
temporary file, fsync, rename, so a reader never sees half a file); the directory is fsynced when
it is created and when the run closes. Log lines are written with one ``write()`` each as
they happen, so a killed runner leaves only whole lines; they are fsynced when the run closes, and
every 8 MiB their writeback is started early so that final fsync has little left to do.
A failed or short write is rolled back to the last whole line.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import encoding
from .exceptions import ContractError, RunExistsError, RunNotFoundError, RunStoreError, Violation
from .paths import (
    ARTIFACTS,
    CHECKPOINTS,
    META,
    SCHEMA_OF_FILE,
    STATE,
    STDERR_LOG,
    STDOUT_LOG,
    WORKER_LOG,
    ensure_inside,
)
from .validation import validate

TYPE_CHECKING = False
if TYPE_CHECKING:
    from baa_conductor_contracts.run_metadata_schema import RunMetadata
    from baa_conductor_contracts.run_state_snapshot_schema import RunStateSnapshot
    from baa_conductor_contracts.worker_log_line_schema import WorkerLogLine

_LOG_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC
_STATE_TMP = ".state.json.tmp"
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
_RENAME_NOREPLACE = 1
_AT_FDCWD = -100
_libc = ctypes.CDLL(None, use_errno=True)
#: The one call that appends log lines (a seam where tests inject ENOSPC and short writes).
_write = os.write
#: Every this many bytes of a log, its writeback to disk is started (without waiting), so the
#: fsync when the run ends has little left to do.
WRITEBACK_BYTES = 8 << 20
_SYNC_FILE_RANGE_WRITE = 2
_sync_file_range = getattr(_libc, "sync_file_range", None)
if _sync_file_range is not None:
    _sync_file_range.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]


def _start_writeback(fd: int, offset: int, length: int) -> None:
    if _sync_file_range is not None:
        _sync_file_range(fd, offset, length, _SYNC_FILE_RANGE_WRITE)


def _rename_no_replace(source: str, target: str) -> None:
    """Rename ``source`` to ``target``, failing with FileExistsError if ``target`` exists."""
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is not None:
        if (
            renameat2(
                _AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), _RENAME_NOREPLACE
            )
            == 0
        ):
            return
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL):
            raise OSError(code, os.strerror(code), target)
    # No renameat2 here: claim the name with an exclusive mkdir, then replace that empty directory.
    os.mkdir(target)
    os.rename(source, target)


#: Written into a runs root when it is created, so that git (and a git step) ignores the runs
#: inside a work tree, as pytest and ruff do for their caches.
RUNS_ROOT_GITIGNORE = (
    b"# Created by baa-conductor: run directories are not part of the repository.\n*\n"
)


def _ignore_all(root: str) -> None:
    fd = os.open(os.path.join(root, ".gitignore"), _CREATE_FLAGS | os.O_NOFOLLOW, 0o644)
    try:
        os.write(fd, RUNS_ROOT_GITIGNORE)
    finally:
        os.close(fd)


LOG_OF_CHANNEL = {"worker": WORKER_LOG, "stdout": STDOUT_LOG, "stderr": STDERR_LOG}


def _fail(path: str, action: str, error: OSError) -> RunStoreError:
    return RunStoreError(path, action, error)


class RunWriter:
    """Writes one run's files. Holds an exclusive lock on the run directory while open."""

    def __init__(self, paths: dict[str, str], dir_fd: int, log_fds: dict[str, int]):
        self.paths = paths
        self._dir_fd = dir_fd
        self._log_fds = log_fds
        self._written: set[str] = set()
        self._sizes = dict.fromkeys(LOG_OF_CHANNEL, 0)
        self._kicked = dict.fromkeys(LOG_OF_CHANNEL, 0)
        self._closed = False

    @classmethod
    def create(
        cls, paths: dict[str, str], meta: dict[str, Any], state: dict[str, Any]
    ) -> RunWriter:
        """Create the run directory with meta.json and a first state.json, all at once.

        The directory is built under a hidden temporary name beside it and renamed into place
        without replacing anything (``renameat2(RENAME_NOREPLACE)``): a run directory either does
        not exist or holds valid meta.json and state.json, whenever the runner is killed, and of
        two runners starting the same run id exactly one wins. An existing run directory raises
        :class:`RunExistsError`; nothing is written outside the runs root.
        """
        validate("run-metadata", meta, source=paths["metaPath"])
        validate("run-state-snapshot", state, source=paths["statePath"])
        root, run_dir, task_dir = paths["runsRootDir"], paths["runDir"], paths["taskRunsDir"]
        if not os.path.isdir(root):
            try:
                os.mkdir(root)  # the runs root, not its parents: a missing repo root is an error
                _ignore_all(root)
            except FileExistsError:
                pass
            except OSError as error:
                raise _fail(root, "create the runs root", error) from None
        ensure_inside(root, task_dir)
        try:
            os.makedirs(task_dir, exist_ok=True)
        except OSError as error:
            raise _fail(task_dir, "create task directory", error) from None
        ensure_inside(root, task_dir)
        if os.path.lexists(run_dir):
            raise RunExistsError(run_dir)
        try:
            building = tempfile.mkdtemp(
                prefix=f".{os.path.basename(run_dir)}.", suffix=".new", dir=task_dir
            )
        except OSError as error:
            raise _fail(run_dir, "create run directory", error) from None
        dir_fd = os.open(building, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        fcntl.flock(dir_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        writer = cls(paths, dir_fd, {})
        try:
            os.chmod(dir_fd, 0o755)
            for sub in (CHECKPOINTS, ARTIFACTS):
                os.mkdir(sub, dir_fd=dir_fd)
            for channel, name in LOG_OF_CHANNEL.items():
                writer._log_fds[channel] = os.open(name, _LOG_FLAGS, 0o644, dir_fd=dir_fd)
            writer._write_file(META, encoding.dumps_line(meta), _CREATE_FLAGS)
            writer._write_file(STATE, encoding.dumps_line(state), _CREATE_FLAGS)
            os.fsync(dir_fd)
            _rename_no_replace(building, run_dir)
            writer._sync_task_dir(task_dir)
        except BaseException as error:
            writer._abandon(building)
            if isinstance(error, FileExistsError):
                raise RunExistsError(run_dir) from None
            if isinstance(error, OSError):
                raise _fail(run_dir, "create run directory", error) from None
            raise
        return writer

    @staticmethod
    def _sync_task_dir(task_dir: str) -> None:
        fd = os.open(task_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _abandon(self, building: str) -> None:
        self._closed = True
        for fd in (*self._log_fds.values(), self._dir_fd):
            os.close(fd)
        shutil.rmtree(building, ignore_errors=True)

    def _write_file(self, name: str, data: bytes, flags: int) -> None:
        fd = os.open(name, flags, 0o644, dir_fd=self._dir_fd)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)

    def write_state(self, state: dict[str, Any]) -> None:
        """Replace state.json atomically with ``state`` (validated first)."""
        validate("run-state-snapshot", state, source=self.paths["statePath"])
        data = encoding.dumps_line(state)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
        try:
            self._write_file(_STATE_TMP, data, flags)
            os.replace(_STATE_TMP, STATE, src_dir_fd=self._dir_fd, dst_dir_fd=self._dir_fd)
        except OSError as error:
            raise _fail(self.paths["statePath"], "write", error) from None

    def append(self, channel: str, line: bytes) -> None:
        """Append one whole JSONL line to the channel's log, or nothing at all."""
        fd = self._log_fds[channel]
        self._written.add(channel)
        try:
            written = _write(fd, line)
            if written != len(line):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        except OSError as error:
            # A short write leaves part of a line: cut the file back to where this line began.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, self._sizes[channel])
            path = os.path.join(self.paths["runDir"], LOG_OF_CHANNEL[channel])
            raise _fail(path, "append to", error) from None
        self._sizes[channel] += written
        if self._sizes[channel] - self._kicked[channel] >= WRITEBACK_BYTES:
            _start_writeback(
                fd, self._kicked[channel], self._sizes[channel] - self._kicked[channel]
            )
            self._kicked[channel] = self._sizes[channel]

    def close(self) -> None:
        """Flush the logs to disk and release the run directory."""
        if self._closed:
            return
        self._closed = True
        first_error: OSError | None = None
        for channel, fd in self._log_fds.items():
            try:
                if channel in self._written:
                    os.fsync(fd)
            except OSError as error:
                first_error = first_error or error
            os.close(fd)
        try:
            os.fsync(self._dir_fd)
        except OSError as error:
            first_error = first_error or error
        fcntl.flock(self._dir_fd, fcntl.LOCK_UN)
        os.close(self._dir_fd)
        if first_error is not None:
            raise _fail(self.paths["runDir"], "flush logs in", first_error)


def is_locked(run_dir: str) -> bool:
    """Whether a live runner holds the run directory."""
    fd = os.open(run_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _load_json(path: str, schema: str) -> Any:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise RunNotFoundError(
            os.path.dirname(path), f"{os.path.basename(path)} is missing"
        ) from None
    return _parse(data, schema, path)


def _parse(raw: bytes, schema: str, where: str) -> Any:
    try:
        value = encoding.loads(raw)
    except ValueError as error:
        raise ContractError(schema, [Violation("", f"not JSON: {error}")], where) from None
    validate(schema, value, source=where)
    return value


def iter_log(path: str, schema: str) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for each line of a JSONL log, each validated against ``schema``."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            yield number, _parse(raw, schema, f"{path}:{number}")


def tail_lines(path: str, count: int, block: int = 1 << 16) -> list[bytes]:
    """The last ``count`` lines of a file, read from its end (a 1 GB log costs a few blocks)."""
    if count <= 0:
        return []
    blocks: list[bytes] = []
    newlines = 0
    with open(path, "rb") as handle:
        position = handle.seek(0, os.SEEK_END)
        while position > 0 and newlines <= count:
            step = min(block, position)
            position -= step
            handle.seek(position)
            blocks.append(handle.read(step))
            newlines += blocks[-1].count(b"\n")
    data = b"".join(reversed(blocks))
    return [line for line in data.splitlines() if line][-count:]


@dataclass
class RunRecord:
    """A run read back from its directory: metadata, state and lifecycle events, all validated."""

    run_dir: str
    meta: RunMetadata
    state: RunStateSnapshot
    events: list[WorkerLogLine] = field(default_factory=list)
    live: bool = False

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


def read_run(run_dir: str) -> RunRecord:
    """Open a run directory into models, validating meta.json, state.json and worker.log."""
    from baa_conductor_contracts.run_metadata_schema import RunMetadata
    from baa_conductor_contracts.run_state_snapshot_schema import RunStateSnapshot
    from baa_conductor_contracts.worker_log_line_schema import WorkerLogLine

    run_dir = os.path.abspath(run_dir)
    if not os.path.isdir(run_dir):
        raise RunNotFoundError(run_dir, "no such directory")
    meta = _load_json(os.path.join(run_dir, META), SCHEMA_OF_FILE[META])
    state = _load_json(os.path.join(run_dir, STATE), SCHEMA_OF_FILE[STATE])
    worker_log = os.path.join(run_dir, WORKER_LOG)
    events = [
        WorkerLogLine.model_validate(v) for _, v in iter_log(worker_log, SCHEMA_OF_FILE[WORKER_LOG])
    ]
    return RunRecord(
        run_dir=run_dir,
        meta=RunMetadata.model_validate(meta),
        state=RunStateSnapshot.model_validate(state),
        events=events,
        live=is_locked(run_dir),
    )


def find_runs(runs_root: str) -> Iterator[str]:
    """Every run directory under a runs root (``<root>/<taskId>/<runId>`` holding meta.json)."""
    if not os.path.isdir(runs_root):
        return
    for task in sorted(os.scandir(runs_root), key=lambda e: e.name):
        if task.is_dir(follow_symlinks=False):
            for run in sorted(os.scandir(task.path), key=lambda e: e.name):
                if run.is_dir(follow_symlinks=False) and os.path.exists(
                    os.path.join(run.path, META)
                ):
                    yield run.path
