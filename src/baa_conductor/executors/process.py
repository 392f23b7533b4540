"""Process machinery shared by every real executor.

- The worker runs in its own session and process group, with the runner's environment, the
  request's ``runtime.env`` over it, and two marker variables: ``BAA_RUN_TOKEN`` (unique per run)
  and ``BAA_RUNNER_LOCK`` (the run directory its runner holds locked; see :mod:`.containment`).
- stdout and stderr are read concurrently in one thread; each read becomes one chunk of complete
  lines (a partial line is held until its newline, ``PARTIAL_FLUSH_SEC`` of quiet, or
  ``MAX_CHUNK_BYTES``; an over-long line is split, never mid-character).
- Stopping (timeout, the runner interrupted, or leftovers once the worker has exited) sends
  SIGTERM to the group, SIGKILL after ``grace_sec`` (the runner interrupted: as soon as no process
  of the group runs, its output still streamed meanwhile; at once on a second stop signal), then
  kills everything else of the run: its
  cgroup (``cgroup.kill``) where there is one, the processes the runner adopted as child
  subreaper, and any process still carrying the run's ``BAA_RUN_TOKEN`` (:mod:`.containment`).
- The worker gets SIGKILL if the runner dies (Linux parent-death signal); what else a killed
  runner leaves is swept by :func:`sweep_orphans` (``baa run`` on start, ``baa sweep``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import selectors
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .. import heartbeat, stops
from ..exceptions import Interrupted
from . import containment
from .containment import (
    RUNNER_VAR,
    RunCgroup,
    environ_of,
    pids,
    set_parent_death_signal,
    start_time,
)

MAX_CHUNK_BYTES = 1 << 18
READ_BYTES = 1 << 20
#: Pipe capacity asked for (Linux F_SETPIPE_SZ; 1 MiB is the unprivileged maximum by default): a
#: fast writer blocks less often, and each read takes more at once.
PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = 1031
#: How often the worker's exit is checked while output keeps flowing.
EXIT_POLL_SEC = 0.05
PARTIAL_FLUSH_SEC = 0.2
DEFAULT_GRACE_SEC = 10.0
#: After the worker exits, how long output from its leftovers is still read before they are stopped.
LINGER_SEC = 0.5
#: Runs shorter than this sweep only pids newer than the worker's (see containment.pids).
NARROW_SWEEP_SEC = 10.0
TIMEOUT_EXIT_CODE = 124
NOT_FOUND_EXIT_CODE = 127
CANNOT_RUN_EXIT_CODE = 126

TOKEN_VAR = "BAA_RUN_TOKEN"
#: The marker older versions set (and still sweep by): never passed on to a worker.
_OLD_RUNNER_VAR = "BAA_RUNNER"

OnChunk = Callable[[str, bytes | memoryview], object]
#: Called with ``"timeout"`` or ``"stopped"`` just before a live worker is signalled.
BeforeStop = Callable[[str], object]


@dataclass(frozen=True)
class ProcessResult:
    """How a worker process ended."""

    exit_code: int
    timed_out: bool = False
    interrupted: int | None = None  # the signal the runner received
    signal: int | None = None  # the signal that ended the worker
    spawn_error: str | None = None
    swept: int = 0  # processes stopped after the worker itself was gone

    @property
    def stopped(self) -> bool:
        return self.timed_out or self.interrupted is not None

    @property
    def cancelled(self) -> bool:
        """Stopped because its runner was told to stop (not by its own timeout)."""
        return self.interrupted is not None and not self.timed_out


_SETPRIV = shutil.which("setpriv")


def _spawn_options(argv: Sequence[str]) -> tuple[list[str], Callable[[], None] | None]:
    """argv and preexec hook that give the worker SIGKILL when the runner dies.

    util-linux's ``setpriv --pdeathsig KILL`` does it while keeping subprocess's fast vfork
    path (a Python preexec hook forces a full fork, about 1 ms more per step).
    """
    if _SETPRIV:
        return [_SETPRIV, "--pdeathsig", "KILL", "--", *argv], None
    return list(argv), set_parent_death_signal


def _kill(pid: int, sig: int) -> bool:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def sweep(token: str, since: int | None = None) -> int:
    """SIGKILL every process whose environment carries this run's token; how many were found.

    ``since`` is the worker's pid: its descendants were all started after it.
    """
    key, value = TOKEN_VAR.encode(), token.encode()
    found = 0
    for _ in range(5):  # a dying parent can fork once more: repeat until none is left
        victims = [pid for pid in pids(since) if environ_of(pid).get(key) == value]
        if not victims:
            break
        found += sum(_kill(pid, signal.SIGKILL) for pid in victims)
        time.sleep(0.01)
    return found


class _Framer:
    """Cuts a byte stream into chunks of whole lines, at most ``max_bytes`` each.

    Chunks are handed on as views of the bytes read, not copies: at 1 GB of output every copy
    counts. Only a partial line is kept, until its newline arrives or it outgrows the bound.
    """

    def __init__(self, channel: str, on_chunk: OnChunk, max_bytes: int):
        self.channel = channel
        self.on_chunk = on_chunk
        self.max_bytes = max_bytes
        self.pending = bytearray()

    def feed(self, data: bytes) -> None:
        if self.pending:
            if len(self.pending) + len(data) <= self.max_bytes and b"\n" not in data:
                self.pending += data  # still one partial line within the bound
                return
            data = bytes(self.pending) + data
            self.pending.clear()
        self._cut(data)

    def _cut(self, data: bytes) -> None:
        view = memoryview(data)
        start, end, limit = 0, len(data), self.max_bytes
        while end - start > limit:
            cut = data.rfind(b"\n", start, start + limit) + 1
            if cut == 0:
                cut = _char_boundary(data, start + limit)
            self.on_chunk(self.channel, view[start:cut])
            start = cut
        cut = data.rfind(b"\n", start) + 1
        if cut > start:
            self.on_chunk(self.channel, view[start:cut])
            start = cut
        if start < end:
            self.pending += view[start:]

    def flush(self) -> None:
        if self.pending:
            chunk = bytes(self.pending)
            self.pending.clear()
            self.on_chunk(self.channel, chunk)


def _char_boundary(data: bytes, cut: int) -> int:
    """Where to cut so the next piece starts on a character: back over UTF-8 continuation bytes."""
    for back in range(4):
        if data[cut - back] & 0xC0 != 0x80:
            return cut - back
    return cut


def _exit_code(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


#: The pids of every live worker of this process (a runner may run several steps at once).
_LIVE_WORKERS: set[int] = set()


class _Worker:
    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        token: str,
        grace_sec: float,
        cgroup: RunCgroup | None,
        started_ticks: int,
    ):
        self.proc = proc
        self.token = token
        self.grace_sec = grace_sec
        self.cgroup = cgroup
        self.started_ticks = started_ticks
        self.started = time.monotonic()

    def sweep(self) -> int:
        """Kill everything of the run but the worker itself: its cgroup, the adopted, the marked.

        In a cgroup every descendant of the worker is killed with it, and all that can be left is
        the zombies of those the runner adopted, which are reaped. Without one, the runner's
        adopted children and their descendants are killed, and any process carrying the run's
        token. Either way only pids newer than the worker's are looked at over a short run (pids
        cannot have gone all the way round), and none at all in a cgroup with no zombie child.
        """
        recent = time.monotonic() - self.started < NARROW_SWEEP_SEC
        since = self.proc.pid if recent else None
        cgroup = self.cgroup
        if cgroup is not None:
            found = len(cgroup.members())
            if found:
                cgroup.kill()
            if containment.zombie_children():
                containment.reap_adopted(self.started_ticks, self._not_in_cgroup, since)
            return found
        found = containment.kill_adopted(self.started_ticks, self._not_ours, since)
        return found + sweep(self.token, since=since)

    def _not_in_cgroup(self, pid: int) -> bool:
        return pid in _LIVE_WORKERS or self.cgroup is None or not self.cgroup.holds(pid)

    def _not_ours(self, pid: int) -> bool:
        """A child of the runner that belongs to another run (or is another run's worker)."""
        if pid in _LIVE_WORKERS:
            return True
        token = environ_of(pid).get(TOKEN_VAR.encode())
        return token is not None and token != self.token.encode()

    def signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    def group_running(self) -> bool:
        """Whether a process of the worker's group still runs; its zombies do not count.

        Those the runner adopted (as child subreaper) are reaped here: a dead process that stays
        in the group as an unreaped zombie would otherwise keep the group "alive" for the whole
        grace. Any other zombie is told apart by its state in /proc.
        """
        pgid = self.proc.pid
        if self.proc.poll() is None:
            return True
        with contextlib.suppress(ChildProcessError):  # none of the group is our child any more
            while os.waitpid(-pgid, os.WNOHANG)[0]:
                pass
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        since = pgid if time.monotonic() - self.started < NARROW_SWEEP_SEC else None
        return containment.group_running(pgid, since)


def run_process(
    argv: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str] | None = None,
    timeout_sec: float,
    on_chunk: OnChunk,
    grace_sec: float = DEFAULT_GRACE_SEC,
    linger_sec: float = LINGER_SEC,
    max_chunk_bytes: int = MAX_CHUNK_BYTES,
    before_stop: BeforeStop | None = None,
    stdin_path: str | None = None,
    lock_dir: str | None = None,
) -> ProcessResult:
    """Run ``argv``, streaming its output to ``on_chunk(channel, bytes)`` as it arrives.

    The worker reads ``stdin_path`` on its standard input (``/dev/null`` without one).
    ``lock_dir`` is the directory the runner holds locked while the run lives (the run directory):
    it goes into the worker's ``BAA_RUNNER_LOCK`` marker, by which :func:`sweep_orphans` knows the
    worker's leftovers if the runner is killed.
    """
    token = uuid.uuid4().hex
    full_env = {**os.environ, **(env or {}), TOKEN_VAR: token}
    for inherited in (RUNNER_VAR, _OLD_RUNNER_VAR):
        full_env.pop(inherited, None)
    marker = containment.runner_marker(lock_dir) if lock_dir is not None else None
    if marker is not None:
        full_env[RUNNER_VAR] = marker
    if not os.path.isdir(cwd):
        return ProcessResult(
            CANNOT_RUN_EXIT_CODE, spawn_error=f"working directory {cwd} does not exist"
        )
    program = shutil.which(argv[0], path=full_env.get("PATH", os.defpath))
    if program is None:
        exists = "/" in argv[0] and os.path.exists(argv[0])
        if exists:
            return ProcessResult(
                CANNOT_RUN_EXIT_CODE, spawn_error=f"cannot run {argv[0]}: not executable"
            )
        return ProcessResult(NOT_FOUND_EXIT_CODE, spawn_error=f"command not found: {argv[0]}")
    stopped = stops.requested()
    if stopped is not None:  # a stop signal came before the worker could start: it never does
        return ProcessResult(128 + stopped, interrupted=stopped)
    containment.become_subreaper()
    cgroup = RunCgroup.create(token)
    command = [program, *argv[1:]]
    started: list[subprocess.Popen[bytes]] = []
    pending: int | None = None  # a stop signal that came while the worker was being started
    try:
        try:
            _spawn(command, cwd, full_env, cgroup, stdin_path, started)
        except subprocess.SubprocessError:  # the worker could not enter its cgroup: go without
            assert cgroup is not None
            cgroup.close()
            cgroup = None
            _spawn(command, cwd, full_env, None, stdin_path, started)
    except OSError as error:
        if cgroup is not None:
            cgroup.close()
        reason = error.strerror or str(error)
        return ProcessResult(CANNOT_RUN_EXIT_CODE, spawn_error=f"cannot run {argv[0]}: {reason}")
    except (KeyboardInterrupt, Interrupted) as stop:
        if not started:  # the worker may exist, its Popen lost: its cgroup or its token ends it
            if cgroup is not None:
                cgroup.close()
            sweep(token)
            raise
        # Started, but not yet supervised (the signal came as the runner left the cgroup, say):
        # it is stopped as a signal a moment later would have stopped it.
        pending = stop.signum if isinstance(stop, Interrupted) else signal.SIGINT
    proc = started[0]
    _LIVE_WORKERS.add(proc.pid)
    worker = _Worker(proc, token, grace_sec, cgroup, start_time(proc.pid) or 0)
    try:
        return _supervise(
            worker, timeout_sec, on_chunk, linger_sec, max_chunk_bytes, before_stop, pending
        )
    except (
        BaseException
    ):  # e.g. the run store failed: the worker must not outlive the runner's step
        _stop(worker)
        raise
    finally:
        _LIVE_WORKERS.discard(proc.pid)
        if cgroup is not None:
            cgroup.close()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


#: Reset to their default in the worker by subprocess itself (``restore_signals``).
_RESTORED = frozenset({signal.SIGPIPE, signal.SIGXFSZ})


def _ignored_signals() -> list[int]:
    """The signals this process ignores (``SIG_IGN``, which ``exec`` passes on), as the kernel says."""
    try:
        with open("/proc/self/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"SigIgn:"):
                    mask = int(line.split()[1], 16)
                    return [n for n in range(1, 65) if mask >> (n - 1) & 1 and n not in _RESTORED]
    except (OSError, ValueError, IndexError):
        pass
    return [s for s in signal.valid_signals()
            if s not in _RESTORED and signal.getsignal(s) is signal.SIG_IGN]  # fmt: skip


def _ignore(_signum: int, _frame: object) -> None:
    """Stands for SIG_IGN while a worker starts: a caught signal is reset to default by exec."""


def _inherit_no_ignored_signal(
    stack: contextlib.ExitStack, preexec: Callable[[], None] | None
) -> Callable[[], None] | None:
    """Have the worker start with every signal at its default, as from a shell.

    A signal the runner ignores would stay ignored in the worker across ``exec`` (a Celery pool
    process ignores SIGINT, so its steps would ignore Ctrl-C). The runner's main thread swaps
    each for a handler that does nothing, for the instant the worker starts, which ``exec``
    resets to the default (keeping the fast ``vfork`` start); from another thread, where handlers
    cannot be set, the worker resets them itself before ``exec`` (a full ``fork``).
    """
    ignored = _ignored_signals()
    if not ignored:
        return preexec
    import threading

    if threading.current_thread() is threading.main_thread():
        for signum in ignored:
            with contextlib.suppress(OSError, ValueError):
                signal.signal(signum, _ignore)
                stack.callback(signal.signal, signum, signal.SIG_IGN)
        return preexec

    def reset() -> None:
        for signum in ignored:
            with contextlib.suppress(OSError, ValueError):
                signal.signal(signum, signal.SIG_DFL)
        if preexec is not None:
            preexec()

    return reset


def _spawn(
    argv: list[str],
    cwd: str,
    env: dict[str, str],
    cgroup: RunCgroup | None,
    stdin_path: str | None,
    started: list[subprocess.Popen[bytes]],
) -> None:
    """Start the worker, in its cgroup if there is one (SubprocessError: it cannot be entered),
    and append it to ``started`` at once: a signal may still interrupt what follows."""
    preexec: Callable[[], None] | None
    with contextlib.ExitStack() as stack:
        stdin = (
            stack.enter_context(open(stdin_path, "rb"))
            if stdin_path is not None
            else subprocess.DEVNULL
        )
        if cgroup is None:
            spawn_argv, preexec = _spawn_options(argv)
        elif _SETPRIV and containment.alone(others=heartbeat.threads()):
            try:
                stack.enter_context(cgroup.spawning())
            except OSError as error:
                raise subprocess.SubprocessError(error) from None
            spawn_argv, preexec = _spawn_options(argv)
        else:  # another thread could start a process while the runner is in the cgroup
            spawn_argv, preexec = argv, cgroup.enter
        preexec = _inherit_no_ignored_signal(stack, preexec)
        started.append(subprocess.Popen(
            spawn_argv, cwd=cwd, env=env, stdin=stdin,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
            preexec_fn=preexec, close_fds=True,
        ))  # fmt: skip


def _supervise(
    worker: _Worker,
    timeout_sec: float,
    on_chunk: OnChunk,
    linger_sec: float,
    max_bytes: int,
    before_stop: BeforeStop | None = None,
    pending: int | None = None,
) -> ProcessResult:
    """Stream the worker's output until it ends, times out or a stop signal comes (``pending``:
    one came before supervision began)."""
    proc = worker.proc
    assert proc.stdout is not None
    assert proc.stderr is not None
    framers = {
        proc.stdout.fileno(): _Framer("stdout", on_chunk, max_bytes),
        proc.stderr.fileno(): _Framer("stderr", on_chunk, max_bytes),
    }
    selector = selectors.DefaultSelector()
    for fd in framers:
        os.set_blocking(fd, False)
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, _F_SETPIPE_SZ, PIPE_BYTES)
        selector.register(fd, selectors.EVENT_READ)
    pipes = set(framers)
    # The worker's exit wakes the selector through a pidfd (Linux 5.3+); elsewhere it is polled.
    pidfd: int | None = None
    with contextlib.suppress(OSError, AttributeError):
        pidfd = os.pidfd_open(proc.pid)
        selector.register(pidfd, selectors.EVENT_READ)
    next_poll = 0.0
    deadline = time.monotonic() + timeout_sec
    timed_out = False
    interrupted: int | None = pending
    exited_at: float | None = None
    kill_at: float | None = None
    try:
        while interrupted is None:
            now = time.monotonic()
            if exited_at is None and pidfd is None and now >= next_poll:
                next_poll = now + EXIT_POLL_SEC
                if proc.poll() is not None:
                    exited_at = now
            if exited_at is not None and (not pipes or now - exited_at >= linger_sec):
                break  # leftovers still holding the pipes are stopped below
            if kill_at is None and exited_at is None and now >= deadline:
                # The timeout is judged by when the worker ended: one that is already gone when
                # the runner looks (the runner was stopped, or slow to wake) ended in time.
                if proc.poll() is not None:
                    exited_at = now
                else:
                    timed_out = True
                    if before_stop is not None:
                        before_stop("timeout")
                    worker.signal_group(signal.SIGTERM)
                    kill_at = now + worker.grace_sec
            if kill_at is not None and now >= kill_at:
                worker.signal_group(signal.SIGKILL)
                worker.sweep()
                kill_at = float("inf")
            waits = [PARTIAL_FLUSH_SEC, deadline - now]
            if exited_at is not None:
                waits.append(exited_at + linger_sec - now)
            if kill_at is not None and kill_at != float("inf"):
                waits.append(kill_at - now)
            wait = max(0.0, min(waits))
            if not selector.get_map():  # output closed early: wait for the exit itself
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=wait)
                next_poll = 0.0
                continue
            events = selector.select(timeout=wait)
            if not events:
                next_poll = 0.0
                for framer in framers.values():
                    framer.flush()
            for key, _ in events:
                if key.fd == pidfd:
                    selector.unregister(pidfd)
                    proc.poll()
                    exited_at = now
                elif not _read(key.fd, framers[key.fd]):
                    selector.unregister(key.fd)
                    pipes.discard(key.fd)
    except (KeyboardInterrupt, Interrupted) as stop:
        interrupted = stop.signum if isinstance(stop, Interrupted) else signal.SIGINT
    try:
        if interrupted is not None and not timed_out:
            _stop_gracefully(worker, before_stop, selector, framers, pidfd)
    finally:
        selector.close()
        if pidfd is not None:
            os.close(pidfd)
    swept = _stop(worker)
    for fd in framers:
        _drain(fd, framers)
    for framer in framers.values():
        framer.flush()
    returncode = proc.wait()
    if timed_out:
        code = TIMEOUT_EXIT_CODE
    elif interrupted is not None:
        code = 128 + interrupted
    else:
        code = _exit_code(returncode)
    return ProcessResult(
        exit_code=code,
        timed_out=timed_out,
        interrupted=interrupted,
        signal=-returncode if returncode < 0 else None,
        swept=swept,
    )


def _read(fd: int, framer: _Framer) -> bool:
    """Read what the pipe holds into its framer; False at end of file."""
    try:
        data = os.read(fd, READ_BYTES)
    except BlockingIOError:
        return True
    except OSError as error:
        if error.errno != errno.EIO:
            raise
        data = b""
    if data:
        framer.feed(data)
        return True
    framer.flush()
    return False


def _drain(fd: int, framers: dict[int, _Framer]) -> None:
    # What is already in the pipe after the group is stopped: read without waiting, bounded.
    for _ in range(64):
        try:
            data = os.read(fd, READ_BYTES)
        except OSError:
            return
        if not data:
            return
        framers[fd].feed(data)


def _stop(worker: _Worker) -> int:
    """Kill whatever of the run still lives: SIGKILL to the group, then the sweep."""
    worker.signal_group(signal.SIGKILL)
    if worker.proc.poll() is None:
        worker.proc.kill()
    worker.proc.wait()
    return worker.sweep()


#: The longest pause between two looks at a stopping group: how late its end can be noticed.
STOP_POLL_SEC = 0.02


def _stop_gracefully(
    worker: _Worker,
    before_stop: BeforeStop | None,
    selector: selectors.BaseSelector,
    framers: dict[int, _Framer],
    pidfd: int | None,
) -> None:
    """The runner was told to stop: checkpoint, SIGTERM to the group, and its output still read
    as it comes, until no process of the group runs, the grace is over, or another stop comes
    (then SIGKILL follows at once, in :func:`_stop`)."""
    try:
        if before_stop is not None and worker.proc.poll() is None:
            before_stop("stopped")
        if not worker.group_running():
            return
        worker.signal_group(signal.SIGTERM)
        end = time.monotonic() + worker.grace_sec
        pause = 0.001
        while not stops.forced() and worker.group_running():
            left = end - time.monotonic()
            if left <= 0:
                return
            events = selector.select(timeout=min(pause, left))
            pause = min(pause * 2, STOP_POLL_SEC)
            for key, _ in events:
                if key.fd == pidfd or not _read(key.fd, framers[key.fd]):
                    selector.unregister(key.fd)
    except (KeyboardInterrupt, Interrupted):
        return  # a second stop (Ctrl-C again, a cancel signal again): SIGKILL now
