"""3. Runner overhead against a bare subprocess; 5. the seed's TypeScript runner as a reference."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from baa_conductor import run_step
from baa_conductor.executors import ShellExecutor

from ._timing import interleaved, median_wall

ROOT = Path(__file__).parent.parent
SEED = ROOT.parent / "shared" / "seed"
TS_TOOLS = ROOT / "tools" / "typescript"
TSX = TS_TOOLS / "node_modules" / ".bin" / "tsx"


def _request(workdir: Path, run_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "taskId": "T-bench", "stepId": "s", "runId": run_id, "attempt": 1, "stepName": "s",
        "stepKind": "shell", "workerKind": "shell", "timeoutSec": 60,
        "runtime": {"repoRoot": str(workdir), "worktreePath": str(workdir), "runsRootDir": str(workdir / "runs")},
        **extra,
    }  # fmt: skip


def _fsync_share(workdir: Path, runs: int) -> tuple[float, float]:
    """fsync calls per step and milliseconds spent in them (a separate, instrumented pass)."""
    real = os.fsync
    calls: list[float] = []

    def timed(fd: Any) -> None:
        start = time.perf_counter()
        real(fd)
        calls.append(time.perf_counter() - start)

    os.fsync = timed
    try:
        for i in range(runs):
            run_step(_request(workdir, f"f{i}", argv=["true"]), ShellExecutor())
    finally:
        os.fsync = real
    return len(calls) / runs, sum(calls) / runs * 1e3


def _file_floor(task_dir: Path, name: str) -> None:
    """The file operations a persisted step needs, done directly: the floor under our overhead.

    Nine new files and directories, six fsyncs (docs/faults.md, "What each fsync buys"), two
    renames, seven worker.log lines.
    """

    def write(dir_fd: int, file: str, data: bytes) -> None:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644, dir_fd=dir_fd)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)

    building = task_dir / f".{name}.new"
    building.mkdir(parents=True)
    dir_fd = os.open(building, os.O_RDONLY | os.O_DIRECTORY)
    for sub in ("checkpoints", "artifacts"):
        os.mkdir(sub, dir_fd=dir_fd)
    logs = [os.open(f, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644, dir_fd=dir_fd)
            for f in ("worker.log", "stdout.log", "stderr.log")]  # fmt: skip
    write(dir_fd, "meta.json", b"{}\n")
    write(dir_fd, "state.json", b"{}\n")
    os.rename(building, task_dir / name)
    task_fd = os.open(task_dir, os.O_RDONLY | os.O_DIRECTORY)
    os.fsync(task_fd)
    os.close(task_fd)
    for _ in range(7):
        os.write(logs[0], b"{}\n" * 50)
    write(dir_fd, ".state.json.tmp", b"{}\n")
    os.replace(".state.json.tmp", "state.json", src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    os.fsync(logs[0])
    os.fsync(dir_fd)
    for fd in (*logs, dir_fd):
        os.close(fd)


def bench_overhead(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        counter = iter(range(10**9))
        # Interleaved, one of each per round, so a slow spell of the shared disk hits all alike.
        bare, ours, placeholder, floor = interleaved(
            [
                lambda: subprocess.run(["true"], check=True),
                lambda: run_step(
                    _request(workdir, f"r{next(counter)}", argv=["true"]), ShellExecutor()
                ),
                lambda: run_step(_request(workdir, f"p{next(counter)}")),
                lambda: _file_floor(workdir / "floor", f"x{next(counter)}"),
            ],
            runs,
        )
        fsyncs, fsync_ms = _fsync_share(workdir, min(runs, 50))
    return {
        "file_floor_ms": round(floor * 1e3, 2),
        "overhead_above_file_floor_ms": round((ours - bare - floor) * 1e3, 2),
        "fsyncs_per_step": round(fsyncs, 1),
        "fsync_ms_per_step": round(fsync_ms, 2),
        "runs": runs,
        "bare_subprocess_ms": round(bare * 1e3, 2),
        "run_step_shell_true_ms": round(ours * 1e3, 2),
        "overhead_ms": round((ours - bare) * 1e3, 2),
        "target_overhead_ms": 2.5,
        "run_step_placeholder_ms": round(placeholder * 1e3, 2),
    }


SEED_LOOP = """
import { runStep } from "../../../shared/seed/apps/worker-runner/src/runner.ts";
const n = Number(process.argv[2]);
const request = JSON.parse(process.argv[3]);
for (let i = 0; i < 20; i++) await runStep({ ...request, runId: `w${i}` });
const start = process.hrtime.bigint();
for (let i = 0; i < n; i++) await runStep({ ...request, runId: `r${i}` });
process.stdout.write(JSON.stringify({ perRunMs: Number(process.hrtime.bigint() - start) / 1e6 / n }));
"""


def bench_seed(runs: int) -> dict[str, Any]:
    if not (SEED.is_dir() and TSX.exists() and shutil.which("node")):
        return {"skipped": "needs ../shared/seed and `npm ci --prefix tools/typescript`"}
    script = TS_TOOLS / ".bench-seed.ts"
    script.write_text(SEED_LOOP)
    try:
        request = _request(Path("/tmp/seed-bench"), "x")
        done = subprocess.run([str(TSX), "--tsconfig", str(SEED / "tsconfig.json"), str(script), str(runs),
                               json.dumps(request)], capture_output=True, text=True, check=True, cwd=TS_TOOLS)  # fmt: skip
    finally:
        script.unlink()
    seed_ms = json.loads(done.stdout)["perRunMs"]
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**9))
        ours = median_wall(lambda: run_step(_request(Path(tmp), f"r{next(counter)}")), runs)
    return {
        "workload": "placeholder executor (the seed's default); the seed keeps the run in memory, ours writes and fsyncs it",
        "seed_in_memory_ms": round(seed_ms, 3),
        "ours_persisted_ms": round(ours * 1e3, 3),
    }


def run(quick: bool) -> dict[str, Any]:
    runs = 30 if quick else 200
    return {"overhead": bench_overhead(runs), "seed": bench_seed(runs)}
