"""Shared helpers for tests that start real processes and read real run directories."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from baa_conductor.session import chunk_bytes


def make_request(tmp_path: Path, run_id: str = "run-1", **overrides: Any) -> dict[str, Any]:
    runtime = {
        "repoRoot": str(tmp_path),
        "worktreePath": str(tmp_path),
        "runsRootDir": str(tmp_path / "runs"),
    }
    runtime.update(overrides.pop("runtime", {}))
    base: dict[str, Any] = {
        "taskId": "T-005", "stepId": "step-1", "runId": run_id, "attempt": 1,
        "stepName": "hello", "stepKind": "shell", "workerKind": "shell", "timeoutSec": 30,
        "runtime": runtime,
    }  # fmt: skip
    base.update(overrides)
    return base


def entries(run_dir: str | Path, name: str) -> list[dict[str, Any]]:
    # JSONL lines end at "\n" only: str.splitlines() would also cut at U+2028 inside a string.
    lines = Path(run_dir, name).read_text("utf-8").split("\n")
    return [json.loads(line) for line in lines if line]


def output(run_dir: str | Path, channel: str) -> bytes:
    """The exact bytes the worker wrote to a stream, rebuilt from its log."""
    return b"".join(chunk_bytes(e) for e in entries(run_dir, f"{channel}.log"))


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting to be reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat.rsplit(b")", 1)[1].split()[0] != b"Z"


def wait_gone(pid: int, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not alive(pid):
            return True
        time.sleep(0.02)
    return False


def wait_for_pid(pid_file: Path, seconds: float = 10.0) -> int:
    """The pid a worker writes to ``pid_file`` once it has started."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pid_file.exists() and pid_file.read_text().strip():
            return int(pid_file.read_text())
        time.sleep(0.05)
    raise AssertionError(f"no pid in {pid_file} after {seconds}s")
