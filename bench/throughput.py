"""4. Output throughput and the runner's peak memory against the shell redirecting to a file."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Runs in a fresh interpreter; VmHWM is the peak RSS of this process since its exec (ru_maxrss
# would also count the memory of the parent it was forked from).
CHILD = """
import json, sys, time
from baa_conductor import run_step
from baa_conductor.executors import ShellExecutor
request = json.loads(sys.argv[1])
start = time.perf_counter()
result = run_step(request, ShellExecutor())
print(json.dumps({"seconds": time.perf_counter() - start, "chunks": result.metrics.stdout_chunk_count,
                  "exit": result.state.exit_code,
                  "max_rss_mb": int(next(line.split()[1] for line in open("/proc/self/status")
                                         if line.startswith("VmHWM:"))) / 1024}))
"""

WORKLOADS = {
    "1 GB of 56-byte lines": "yes 'the quick brown fox jumps over the lazy dog 0123456789' | head -c {size}",
    "10M short lines (seq)": "seq 1 {lines}",
    "one 1 GB line, no newline": "head -c {size} /dev/zero | tr '\\0' x",
}


def _ours(command: str, workdir: Path, run_id: str) -> dict[str, Any]:
    request = {
        "taskId": "T-bench", "stepId": "out", "runId": run_id, "attempt": 1, "stepName": "out",
        "stepKind": "shell", "workerKind": "shell", "timeoutSec": 3600, "command": command,
        "runtime": {"repoRoot": str(workdir), "worktreePath": str(workdir), "runsRootDir": str(workdir / "runs")},
    }  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(request)],
        capture_output=True,
        text=True,
        check=True,
    )
    ours: dict[str, Any] = json.loads(done.stdout)
    log = workdir / "runs" / "T-bench" / run_id / "stdout.log"
    ours["log_bytes"] = log.stat().st_size
    log.unlink()
    return ours


def _redirect(command: str, workdir: Path) -> tuple[float, int, float]:
    """Seconds for ``command > file``, its size, and seconds including an fsync of the file."""
    target = workdir / "redirect.out"
    start = time.perf_counter()
    subprocess.run(["sh", "-c", f"{command} > {target}"], check=True)
    seconds = time.perf_counter() - start
    fd = os.open(target, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    synced = time.perf_counter() - start
    size = target.stat().st_size
    target.unlink()
    return seconds, size, synced


def _one(command: str, workdir: Path, run_id: str, repeats: int) -> dict[str, Any]:
    """Medians of ``repeats`` alternating runs of ours and the redirect."""
    ours, redirects = [], []
    for attempt in range(repeats):
        redirects.append(_redirect(command, workdir))
        ours.append(_ours(command, workdir, f"{run_id}-{attempt}"))
    redirect = statistics.median(r[0] for r in redirects)
    redirect_synced = statistics.median(r[2] for r in redirects)
    produced = redirects[0][1]
    seconds = statistics.median(o["seconds"] for o in ours)
    return {
        "repeats": repeats,
        "output_bytes": produced,
        "redirect_seconds": round(redirect, 3),
        "ours_seconds": round(seconds, 3),
        "ours_MB_per_s": round(produced / seconds / 1e6),
        "redirect_MB_per_s": round(produced / redirect / 1e6),
        "throughput_ratio": round(redirect / seconds, 2),
        "ratio_vs_redirect_and_fsync": round(redirect_synced / seconds, 2),
        "chunks": ours[0]["chunks"],
        "log_bytes": ours[0]["log_bytes"],
        "runner_peak_rss_mb": round(max(o["max_rss_mb"] for o in ours), 1),
    }


def run(quick: bool) -> dict[str, Any]:
    size = 100_000_000 if quick else 1_000_000_000
    lines = 1_000_000 if quick else 10_000_000
    results = {}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        for index, (label, template) in enumerate(WORKLOADS.items()):
            command = template.format(size=size, lines=lines)
            results[label] = {
                "command": command,
                **_one(command, Path(tmp), f"r{index}", 3 if quick else 5),
            }
    return {"workloads": results, "targets": {"throughput_ratio": 0.8, "runner_peak_rss_mb": 50}}
