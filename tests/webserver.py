"""A real `baa serve` process for the tests that need one (raw HTTP, the browser)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def served(root: Path, *args: str) -> Iterator[tuple[str, int]]:
    """`baa serve --port 0` over ``root``: its host and port, until the block ends."""
    argv = [sys.executable, "-m", "baa_conductor", "serve", "--runs-dir", str(root), "--port", "0"]
    process = subprocess.Popen([*argv, *args], stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # "baa: serving ROOT at http://HOST:PORT/ (Ctrl-C stops)"
        assert "http://" in line, line
        host, port = line.split("http://", 1)[1].split("/", 1)[0].rsplit(":", 1)
        yield host, int(port)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def server_pid(port: int) -> int:
    """The pid of the process listening on ``port`` (from /proc/net/tcp and the fds)."""
    import os

    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            for row in handle.read().splitlines()[1:]:
                fields = row.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                    inode = fields[9]
    assert inode is not None
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return int(pid)
    raise AssertionError(f"no process listens on {port}")
