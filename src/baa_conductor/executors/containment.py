"""Containment: no process a worker starts outlives its run.

Two mechanisms, the first where the machine allows it:

- **cgroup v2.** Each run gets its own cgroup, ``baa-run-<token>`` under the runner's cgroup, and
  the worker starts inside it, so every descendant is in it too: double-forked, ``setsid``,
  ``env -i``, whatever. A runner with no other thread steps into the cgroup itself for the instant
  it starts the worker (:meth:`RunCgroup.spawning`: the worker is born there, and the fast
  ``vfork`` start is kept); otherwise the worker moves itself there before ``exec``
  (:meth:`RunCgroup.enter`, which needs a full ``fork``). Stopping the run writes ``1`` to
  ``cgroup.kill``, which kills them all at once. While the run lives the runner holds an
  exclusive ``flock`` on the cgroup directory; :func:`sweep_orphans` kills and removes every
  ``baa-run-*`` cgroup whose lock is free (its runner died), a test no PID namespace can fool.
- **child subreaper.** The runner calls ``prctl(PR_SET_CHILD_SUBREAPER)``: a descendant whose
  parent exits is re-parented to the runner instead of to init, so once the worker has exited the
  runner still finds (and SIGKILLs and reaps) whatever it left behind. This is all there is where
  no cgroup can be created; it cannot help once the runner itself is SIGKILLed (the leftovers go
  to init), where the sweep finds them only by their ``BAA_RUNNER_LOCK`` marker.

:func:`containment` says which one this machine uses (``baa sweep`` prints it too).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cache

CGROUP_PREFIX = "baa-run-"
#: Not ``BAA_RUNNER``: older versions read that one as ``<pid>:<start time>`` and would take this
#: marker for a dead runner.
RUNNER_VAR = "BAA_RUNNER_LOCK"
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
#: Set to "0" to never use cgroups (the subreaper alone then contains runs).
CGROUP_ENV = "BAA_CGROUP"
_libc = ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, value: int) -> bool:
    try:
        return bool(_libc.prctl(option, value, 0, 0, 0) == 0)
    except AttributeError:  # not Linux
        return False


def set_parent_death_signal() -> None:
    """In a child before ``exec``: SIGKILL when the runner dies."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


@cache
def become_subreaper() -> bool:
    """Make this process the child subreaper of everything it starts (once; Linux 3.4+)."""
    return _prctl(_PR_SET_CHILD_SUBREAPER, 1)


# cgroup v2 ----------------------------------------------------------------------------------


@cache
def _cgroup2_mount() -> str | None:
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                fields = line.split(" - ", 1)
                if len(fields) == 2 and fields[1].split(" ", 1)[0] == "cgroup2":
                    return fields[0].split()[4].replace("\\040", " ")
    except OSError:
        pass
    return None


def _own_cgroup() -> str | None:
    try:
        with open("/proc/self/cgroup", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("0::"):
                    return line[3:].strip()
    except OSError:
        pass
    return None


def cgroup_parent() -> str | None:
    """Where run cgroups are created (the runner's own cgroup v2), or None where they cannot be."""
    if os.environ.get(CGROUP_ENV) == "0":
        return None
    mount, own = _cgroup2_mount(), _own_cgroup()
    if mount is None or own is None:
        return None
    parent = os.path.normpath(os.path.join(mount, own.lstrip("/")))
    writable = os.access(parent, os.W_OK) and os.access(
        os.path.join(parent, "cgroup.procs"), os.W_OK
    )
    return parent if writable else None


def containment() -> str:
    """``"cgroup"`` where each run gets its own cgroup v2, else ``"subreaper"``."""
    return "cgroup" if cgroup_parent() is not None and become_subreaper() else "subreaper"


class RunCgroup:
    """One run's cgroup: created and locked by the runner, killed and removed when the run ends."""

    def __init__(self, path: str, dir_fd: int, procs_fd: int, parent: str | None = None):
        self.path = path
        self._dir_fd = dir_fd
        self._procs_fd = procs_fd
        self._parent = parent if parent is not None else os.path.dirname(path)
        #: As /proc/<pid>/cgroup names it (relative to the cgroup v2 mount).
        self.name = "/" + os.path.relpath(path, _cgroup2_mount() or "/").lstrip("/")
        self._holds_runner = False

    @classmethod
    def create(cls, token: str) -> RunCgroup | None:
        """A new locked cgroup for a run, or None where none can be made."""
        parent = cgroup_parent()
        if parent is None:
            return None
        path = os.path.join(parent, CGROUP_PREFIX + token)
        try:
            os.mkdir(path)
        except OSError:
            return None
        try:
            dir_fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            _rmdir(path)
            return None
        try:
            fcntl.flock(dir_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            procs_fd = os.open("cgroup.procs", os.O_WRONLY | os.O_CLOEXEC, dir_fd=dir_fd)
        except OSError:
            os.close(dir_fd)
            _rmdir(path)
            return None
        return cls(path, dir_fd, procs_fd, parent)

    def enter(self) -> None:
        """In the worker before ``exec``: move into the cgroup (and die with the runner)."""
        os.write(self._procs_fd, b"0")
        set_parent_death_signal()

    @contextlib.contextmanager
    def spawning(self) -> Iterator[None]:
        """The runner itself inside the cgroup for the block, back in its own cgroup after it.

        A process started in the block is born in the cgroup, before it runs any code of its
        own. Only for a runner that is its only thread (:func:`alone`): a process another thread
        started meanwhile would be born in this run's cgroup too. OSError: it cannot be entered.
        """
        home = os.open(os.path.join(self._parent, "cgroup.procs"), os.O_WRONLY | os.O_CLOEXEC)
        try:
            try:
                _move_self(self._procs_fd)
                yield
            finally:
                # A stop signal's handler may raise at any moment here (a cgroup move takes
                # milliseconds): the runner goes home all the same, and the stop follows.
                stop: BaseException | None = None
                while True:
                    try:
                        _move_self(home)
                        break
                    except OSError:
                        # Stuck inside: this cgroup must never be killed, or the runner dies with it.
                        self._holds_runner = True
                        raise
                    except BaseException as error:
                        stop = error
                if stop is not None:
                    raise stop
        finally:
            os.close(home)

    def members(self) -> list[int]:
        """The processes in the cgroup now."""
        return _cgroup_pids(self.path)

    def holds(self, pid: int) -> bool:
        """Whether a process (a zombie too) is, or was when it died, in this cgroup."""
        try:
            with open(f"/proc/{pid}/cgroup", "rb") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return False
        name = os.fsencode(self.name)
        return any(line in (b"0::" + name, b"0::" + name + b" (deleted)") for line in lines)

    def kill(self) -> None:
        """SIGKILL every process in the cgroup at once, and wait until it is empty."""
        if not self._holds_runner:
            _kill_cgroup(self.path)

    def close(self) -> None:
        """Kill what is left, remove the cgroup and release it."""
        if self._dir_fd < 0:
            return
        self.kill()
        os.close(self._procs_fd)
        if not self._holds_runner:
            _rmdir(self.path)
        os.close(self._dir_fd)
        self._dir_fd = -1


def _rmdir(path: str) -> None:
    with contextlib.suppress(OSError):
        os.rmdir(path)


def _populated(path: str) -> bool:
    try:
        with open(os.path.join(path, "cgroup.events"), "rb") as handle:
            return b"populated 1" in handle.read()
    except OSError:
        return False


def _kill_cgroup(path: str, wait_sec: float = 10.0) -> None:
    try:  # no member left (and none can come but from a member): nothing to kill
        with open(os.path.join(path, "cgroup.events"), "rb") as handle:
            if b"populated 0" in handle.read():
                return
    except OSError:
        pass
    try:
        with open(os.path.join(path, "cgroup.kill"), "wb") as handle:
            handle.write(b"1")
    except OSError as error:  # before Linux 5.14: kill the members one by one
        if error.errno != errno.ENOENT:
            for _ in range(20):
                pids = _cgroup_pids(path)
                if not pids:
                    break
                for pid in pids:
                    _kill(pid, signal.SIGKILL)
    end = time.monotonic() + wait_sec
    while _populated(path) and time.monotonic() < end:
        time.sleep(0.005)


def _cgroup_pids(path: str) -> list[int]:
    try:
        with open(os.path.join(path, "cgroup.procs"), "rb") as handle:
            return [int(p) for p in handle.read().split()]
    except (OSError, ValueError):
        return []


def _sweep_cgroups() -> int:
    """Kill and remove every ``baa-run-*`` cgroup (anywhere in the cgroup v2 tree) whose runner no
    longer holds it; how many processes were in them. Each is locked while it is removed."""
    mount = _cgroup2_mount()
    if mount is None:
        return 0
    found = 0
    for top, dirs, _ in os.walk(mount):
        for name in [d for d in dirs if d.startswith(CGROUP_PREFIX)]:
            dirs.remove(name)
            path = os.path.join(top, name)
            try:
                fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                found += len(_cgroup_pids(path))
                _kill_cgroup(path)
                _rmdir(path)
            except OSError:
                pass  # a live runner holds it
            finally:
                os.close(fd)
    return found


def _is_locked(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return True  # cannot tell: leave it alone
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


# processes ----------------------------------------------------------------------------------


def _kill(pid: int, sig: int) -> bool:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time in clock ticks since boot) of a process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    try:
        return int(fields[1]), fields[0].decode(), int(fields[19])
    except (IndexError, ValueError):
        return None


def start_time(pid: int) -> int | None:
    """When a process started, in clock ticks since boot (with its pid, names it uniquely)."""
    found = _stat(pid)
    return None if found is None else found[2]


def _last_pid() -> int | None:
    try:
        with open("/proc/loadavg", "rb") as handle:
            return int(handle.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def pids(since: int | None = None) -> list[int]:
    """Live pids but this process's; with ``since``, only those allocated from that pid on.

    Linux hands out pids in increasing order until they wrap around: while the last pid handed
    out (``/proc/loadavg``) is still >= ``since``, every process started after ``since`` has a pid
    >= ``since``. After a wrap, every pid is a candidate. (Callers pass ``since`` only over a
    short span, too short for pids to go all the way round.)
    """
    last = _last_pid() if since is not None else None
    low = since if since is not None and last is not None and last >= since else 0
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    own = os.getpid()
    return [pid for pid in (int(n) for n in names if n.isdigit()) if pid >= low and pid != own]


def _processes(since: int | None = None) -> dict[int, tuple[int, str, int]]:
    table = {}
    for pid in pids(since):
        found = _stat(pid)
        if found is not None:
            table[pid] = found
    return table


def _subtree(table: dict[int, tuple[int, str, int]], roots: Iterable[int]) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found: list[int] = []
    stack = list(roots)
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def kill_adopted(started: int, keep: Callable[[int], bool], since: int | None = None) -> int:
    """SIGKILL and reap what the runner adopted as subreaper: its children started at or after
    ``started`` (clock ticks) that ``keep`` does not claim, with all their descendants.

    ``since``: a pid allocated no later than the first of them (the worker's), so that only newer
    pids are looked at (see :func:`pids`). Repeats until none is left (a dying process can fork
    once more); returns how many were killed.
    """
    me = os.getpid()
    killed = 0
    for _ in range(50):
        table = _processes(since)
        adopted = [
            pid
            for pid, (ppid, _, began) in table.items()
            if ppid == me and began >= started and not keep(pid)
        ]
        if not adopted:
            break
        tree = _subtree(table, adopted)
        for pid in tree:  # stop first, so none forks again while the others are killed
            _kill(pid, signal.SIGSTOP)
        for pid in tree:
            killed += _kill(pid, signal.SIGKILL)
        for pid in adopted:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    return killed


def group_running(pgid: int, since: int | None = None) -> bool:
    """Whether a process of group ``pgid`` runs (zombies aside); ``since`` as in :func:`pids`."""
    for pid in pids(since):
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[2] == b"%d" % pgid and fields[0] not in (b"Z", b"X"):
            return True
    return False


def zombie_children() -> bool:
    """Whether any child of this process has died and waits to be reaped (nothing is reaped)."""
    try:
        return os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return False


def reap_adopted(started: int, keep: Callable[[int], bool], since: int | None = None) -> None:
    """Reap adopted children that have already died (zombies), so none is left behind."""
    me = os.getpid()
    for pid, (ppid, state, began) in _processes(since).items():
        if ppid == me and state == "Z" and began >= started and not keep(pid):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)


def alone(others: int = 0) -> bool:
    """Whether this process has no thread but the calling one and ``others`` known never to start
    a process (counted by the kernel, so threads started outside Python count too)."""
    try:
        with open("/proc/self/stat", "rb") as handle:
            return int(handle.read().rsplit(b")", 1)[1].split()[17]) == 1 + others
    except (OSError, IndexError, ValueError):
        return False


# markers and the sweep ----------------------------------------------------------------------


def runner_marker(lock_dir: str) -> str | None:
    """``BAA_RUNNER_LOCK`` for a worker: the device, inode and path of the directory its runner holds
    locked while it lives. A process whose marker names an unlocked directory lost its runner."""
    try:
        info = os.stat(lock_dir)
    except OSError:
        return None
    return f"{info.st_dev}:{info.st_ino}:{lock_dir}"


def _runner_gone(marker: bytes) -> bool:
    """Whether a marker names a directory that no runner holds; False when it cannot be told
    (another mount namespace, the directory gone or replaced, an older marker format)."""
    parts = marker.decode(errors="replace").split(":", 2)
    if len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit()):
        return False
    dev, ino, path = parts
    try:
        info = os.stat(path)
    except OSError:
        return False
    if (info.st_dev, info.st_ino) != (int(dev), int(ino)):
        return False
    return not _is_locked(path)


def environ_of(pid: int) -> dict[bytes, bytes]:
    """A process's environment as bytes (empty when it is gone or not ours to read)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            raw = handle.read()
    except OSError:
        return {}
    pairs = (item.partition(b"=") for item in raw.split(b"\0") if item)
    return {key: value for key, _, value in pairs}


def sweep_orphans() -> int:
    """Kill what runners that died left behind; how many processes were found.

    Every ``baa-run-*`` cgroup no runner holds is killed and removed; every process whose
    ``BAA_RUNNER_LOCK`` marker names a directory no runner holds gets SIGKILL.
    """
    found = _sweep_cgroups()
    key = RUNNER_VAR.encode()
    judged: dict[bytes, bool] = {}
    own = os.getpid()
    for pid in _processes():
        if pid == own:
            continue
        marker = environ_of(pid).get(key)
        if marker is None:
            continue
        if marker not in judged:
            judged[marker] = _runner_gone(marker)
        if judged[marker]:
            found += _kill(pid, signal.SIGKILL)
    return found


def _move_self(procs_fd: int) -> None:
    """Move this process into the cgroup of ``procs_fd``, with every signal held back until the
    move is done (a handler that raises runs after it, never between the write and its caller)."""
    import signal

    held = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    try:
        os.write(procs_fd, b"0")
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
