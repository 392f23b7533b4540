"""A real ``redis-server`` on a free loopback port and real ``baa worker`` processes.

Shared by the dispatch tests and the dispatch benchmark. Everything waits on events (a line in a
log, a port that answers) with generous safety timeouts only.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

BAA = str(Path(sys.executable).with_name("baa"))


@contextlib.contextmanager
def refusing_port() -> Iterator[int]:
    """A loopback port that refuses connections for as long as the block runs: bound here, never
    listened on, so no other process can take it and start answering there."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        port: int = held.getsockname()[1]
        yield port


def _ephemeral_ports() -> range:
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    return range(low, high + 1)


def server_port() -> int:
    """A port below the kernel's ephemeral range that nothing listens on now.

    Not one the kernel hands out (``bind`` to port 0): every outgoing connection takes its local
    port from that range, so such a port can be taken again between the probe and the server's
    bind, or between a Redis stop and its restart on the same port, by any client on this
    machine. Another fixture can still pick the same port; :meth:`RedisServer.start` then tries
    another.
    """
    ephemeral = _ephemeral_ports()
    while True:
        port = random.randrange(10000, ephemeral.start)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def wait_for_line(path: Path, text: str, seconds: float = 60.0, start: int = 0) -> None:
    """Return once ``text`` is in the file past byte ``start``; fail after ``seconds``."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if path.exists() and text.encode() in path.read_bytes()[start:]:
            return
        time.sleep(0.05)
    tail = path.read_text(errors="replace")[-2000:] if path.exists() else "(no file)"
    raise AssertionError(f"{text!r} not in {path} after {seconds}s; it ends with:\n{tail}")


class RedisServer:
    """``redis-server`` on 127.0.0.1, with an append-only file so a restart keeps its data."""

    def __init__(self, directory: Path, *, host: str = "127.0.0.1", netns: str | None = None):
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                "redis-server is not installed (Debian: apt-get install redis-server)"
            )
        self.binary = binary
        self.directory = directory
        self.host = host
        self.netns = netns
        self.port = server_port() if netns is None else 6379
        self.log = directory / "redis.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = False  # once started, clients know the port: a restart must keep it

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def start(self) -> None:
        """Start Redis; on its first start, on another port if another process took this one."""
        for _ in range(20):
            if self._start():
                self.started = True
                return
            if self.started or self.netns is not None:
                break
            self.port = server_port()
        raise AssertionError(
            f"redis-server could not listen on {self.host}:{self.port}; see {self.log}"
        )

    def _start(self) -> bool:
        """True once Redis accepts connections; False if it exited first (its port was taken)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        offset = self.log.stat().st_size if self.log.exists() else 0
        inside = [] if self.netns is None else ["ip", "netns", "exec", self.netns]
        self.proc = subprocess.Popen(
            [*inside, self.binary, "--port", str(self.port), "--bind", self.host, "--dir", str(self.directory),
             "--save", "", "--appendonly", "yes", "--appendfsync", "always",
             "--logfile", str(self.log), "--daemonize", "no", "--protected-mode", "no"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        end = time.monotonic() + 30
        while time.monotonic() < end:
            if (
                self.log.exists()
                and b"Ready to accept connections" in self.log.read_bytes()[offset:]
            ):
                return True
            if self.proc.poll() is not None:
                self.proc = None
                return False
            time.sleep(0.05)
        wait_for_line(
            self.log, "Ready to accept connections", 0, start=offset
        )  # fails, with the log
        return False

    def stop(self) -> None:
        """SIGTERM: Redis flushes its append-only file and exits."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.proc = None


class WorkerProcess:
    """One ``baa worker`` (a Celery worker with its prefork pool) writing its log to a file."""

    def __init__(
        self, broker: str, log: Path, *, concurrency: int = 2, queue: str = "baa",
        runs_dir: Path | None = None, lease: float | None = None, loglevel: str = "INFO",
        netns: str | None = None, prefix: tuple[str, ...] = (),
    ):  # fmt: skip
        self.log = log
        argv = [
            BAA,
            "worker",
            "--broker",
            broker,
            "--concurrency",
            str(concurrency),
            "--queue",
            queue,
        ]
        if runs_dir is not None:
            argv += ["--runs-dir", str(runs_dir)]
        if lease is not None:
            argv += ["--lease", str(lease)]
        argv += ["--loglevel", loglevel]
        argv = [*prefix, *argv]
        if netns is not None:
            argv = ["ip", "netns", "exec", netns, *argv]
        self.handle = log.open("ab")
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=self.handle, stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, seconds: float = 60.0) -> WorkerProcess:
        wait_for_line(self.log, ": ready, ", seconds)
        return self

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), then cold (SIGQUIT), then SIGKILL as a last resort."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGQUIT)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        self.handle.close()

    def kill(self) -> None:
        """kill -9 of the worker process itself (its pool processes die with it)."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.handle.close()
