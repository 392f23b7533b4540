"""The run directory on disk: created exclusively, written as the run happens, read back.

Durability (docs/faults.md says what each fsync buys): ``meta.json`` and every ``state.json`` are
fsynced (state is replaced atomically: temporary file, fsync, rename, so a reader never sees half
a file); the task directory is fsynced once the run directory has its name, and the run directory
when the run closes. Log lines are written with one ``write()`` each as
they happen; a runner killed inside the write of a long line can leave its first part (the kernel
cuts a large write short when SIGKILL arrives), which every reader treats as not written (see
:mod:`.readers`). They are fsynced when the run closes, and every 8 MiB their writeback is started
early so that final fsync has little left to do.
A failed or short write is rolled back to the last whole line.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
from typing import Any

from . import encoding
from .exceptions import RunExistsError, RunStoreError, UnsafeRunPathError
from .paths import (
    ARTIFACTS,
    CHECKPOINTS,
    LOG_OF_CHANNEL,
    META,
    STATE,
)
from .validation import validate

#: Every file the runner creates is new (O_EXCL) and never opened through a symlink.
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_LOG_FLAGS = _CREATE_FLAGS | os.O_APPEND
_RENAME_NOREPLACE = 1
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


def _rename_no_replace(dir_fd: int, source: str, target: str) -> None:
    """Rename ``source`` to ``target`` in one directory, FileExistsError if ``target`` exists."""
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is not None:
        if (
            renameat2(dir_fd, os.fsencode(source), dir_fd, os.fsencode(target), _RENAME_NOREPLACE)
            == 0
        ):
            return
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL):
            raise OSError(code, os.strerror(code), target)
    # No renameat2 here: claim the name with an exclusive mkdir, then replace that empty directory.
    os.mkdir(target, dir_fd=dir_fd)
    os.rename(source, target, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)


def _open_dir(name: str, dir_fd: int | None = None, *, follow: bool = False) -> int:
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    return os.open(name, flags, dir_fd=dir_fd)


def _open_runs_root(root: str) -> int:
    """The runs root, made if missing (not its parents: a missing repo root is an error)."""
    try:
        os.mkdir(root)
        _ignore_all(root)
    except FileExistsError:
        pass
    except OSError as error:
        raise _fail(root, "create the runs root", error) from None
    try:
        return _open_dir(root, follow=True)  # the runs root itself may be a symlink: it is given
    except OSError as error:
        raise _fail(root, "open the runs root", error) from None


def _open_task_dir(root_fd: int, task_id: str, task_dir: str) -> int:
    """The task directory, opened relative to the runs root and never through a symlink."""
    try:
        os.mkdir(task_id, 0o755, dir_fd=root_fd)
    except FileExistsError:
        pass
    except OSError as error:
        raise _fail(task_dir, "create task directory", error) from None
    try:
        return _open_dir(task_id, root_fd)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            kind = "a symbolic link" if os.path.islink(task_dir) else "not a directory"
            raise UnsafeRunPathError(
                "task directory", task_dir, f"is {kind}; runs are written only inside the runs root"
            ) from None
        raise _fail(task_dir, "create task directory", error) from None


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


def _fail(path: str, action: str, error: OSError) -> RunStoreError:
    return RunStoreError(path, action, error)


def _make_build_dir(task_fd: int, run_id: str) -> tuple[str, int]:
    """A new hidden ``.<runId>.<random>.new`` directory in the task directory, opened and locked."""
    for _ in range(100):
        name = f".{run_id}.{os.urandom(4).hex()}.new"
        try:
            os.mkdir(name, 0o700, dir_fd=task_fd)
        except FileExistsError:
            continue
        fd = _open_dir(name, task_fd)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return name, fd
    raise FileExistsError(errno.EEXIST, "no free name for a new run directory")


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
        run_dir, task_dir = paths["runDir"], paths["taskRunsDir"]
        task_id, run_id = os.path.basename(task_dir), os.path.basename(run_dir)
        root_fd = _open_runs_root(paths["runsRootDir"])
        try:
            task_fd = _open_task_dir(root_fd, task_id, task_dir)
        finally:
            os.close(root_fd)
        try:
            return cls._create_in(task_fd, paths, meta, state, run_id)
        finally:
            os.close(task_fd)

    @classmethod
    def _create_in(
        cls, task_fd: int, paths: dict[str, str], meta: dict[str, Any], state: dict[str, Any],
        run_id: str,
    ) -> RunWriter:  # fmt: skip
        run_dir = paths["runDir"]
        with contextlib.suppress(FileNotFoundError):
            os.stat(run_id, dir_fd=task_fd, follow_symlinks=False)
            raise RunExistsError(run_dir)
        try:
            building, dir_fd = _make_build_dir(task_fd, run_id)
        except OSError as error:
            raise _fail(run_dir, "create run directory", error) from None
        writer = cls(paths, dir_fd, {})
        try:
            os.chmod(dir_fd, 0o755)
            for sub in (CHECKPOINTS, ARTIFACTS):
                os.mkdir(sub, dir_fd=dir_fd)
            for channel, name in LOG_OF_CHANNEL.items():
                writer._log_fds[channel] = os.open(name, _LOG_FLAGS, 0o644, dir_fd=dir_fd)
            writer._write_files(
                [(META, encoding.dumps_line(meta)), (STATE, encoding.dumps_line(state))]
            )
            # No fsync of the build directory itself: those two fsyncs have already made its
            # entries durable (docs/faults.md, "What each fsync buys").
            _rename_no_replace(task_fd, building, run_id)
            os.fsync(task_fd)
        except BaseException as error:
            writer._abandon(task_fd, building)
            if isinstance(error, FileExistsError):
                raise RunExistsError(run_dir) from None
            if isinstance(error, OSError):
                raise _fail(run_dir, "create run directory", error) from None
            raise
        return writer

    def _abandon(self, task_fd: int, building: str) -> None:
        self._closed = True
        for fd in (*self._log_fds.values(), self._dir_fd):
            os.close(fd)
        shutil.rmtree(building, ignore_errors=True, dir_fd=task_fd)

    def _write_file(self, name: str, data: bytes) -> None:
        self._write_files([(name, data)])

    def _write_files(self, files: list[tuple[str, bytes]]) -> None:
        """Create each file with its data, then fsync them all.

        The writeback of every file is started before the first fsync: on a journaling
        filesystem that one commit then carries them all, and the other fsyncs find little left.
        """
        fds: list[int] = []
        try:
            for name, data in files:
                fds.append(os.open(name, _CREATE_FLAGS, 0o644, dir_fd=self._dir_fd))
                view = memoryview(data)
                while view:
                    view = view[os.write(fds[-1], view) :]
                if len(files) > 1:
                    _start_writeback(fds[-1], 0, 0)
            for fd in fds:
                os.fsync(fd)
        finally:
            for fd in fds:
                os.close(fd)

    def write_state(self, state: dict[str, Any]) -> None:
        """Replace state.json atomically with ``state`` (validated first).

        The temporary file has a fresh random name and is created exclusively, never through a
        symlink: whatever a worker planted in the run directory (a symlink to a file outside, a
        FIFO) is neither written through nor waited on.
        """
        validate("run-state-snapshot", state, source=self.paths["statePath"])
        data = encoding.dumps_line(state)
        temporary = f".{STATE}.{os.urandom(6).hex()}.tmp"
        try:
            self._write_file(temporary, data)
            os.replace(temporary, STATE, src_dir_fd=self._dir_fd, dst_dir_fd=self._dir_fd)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=self._dir_fd)
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

    def start_flush(self) -> None:
        """Start the writeback of every log written to (without waiting): before the last state
        write, so that its fsync carries the logs too and :meth:`close` finds little left."""
        for channel, fd in self._log_fds.items():
            if channel in self._written:
                _start_writeback(fd, self._kicked[channel], 0)

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


def remove_abandoned(runs_root: str) -> list[str]:
    """Remove the hidden ``.<runId>.*.new`` directories of runners that died while building a
    run directory (a live builder holds its lock); the paths removed."""
    removed: list[str] = []
    try:
        tasks = sorted(os.scandir(runs_root), key=lambda e: e.name)
    except OSError:
        return removed
    for task in tasks:
        if task.name.startswith(".") or not task.is_dir(follow_symlinks=False):
            continue
        try:
            builds = [e for e in os.scandir(task.path) if _is_build_name(e.name)]
        except OSError:
            continue
        for build in builds:
            if build.is_dir(follow_symlinks=False) and _remove_unlocked(build.path):
                removed.append(build.path)
    return removed


def _is_build_name(name: str) -> bool:
    return name.startswith(".") and name.endswith(".new")


def _remove_unlocked(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        shutil.rmtree(path)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True
