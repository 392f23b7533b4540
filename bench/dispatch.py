"""6. Dispatch: per-step overhead of a round trip through Redis and a worker, and throughput.

Overhead: submit -> envelope back for ``true`` on one idle worker (one slot), against a local
``run_step`` of the same step in the same process, the two alternated. Throughput: 200 short
steps submitted at once, run by one worker (two slots) against two workers (two slots each).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from baa_conductor import run_step
from baa_conductor.executors import ShellExecutor

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from brokers import RedisServer, WorkerProcess  # noqa: E402

#: Steps that keep the machine busy (``true``: all process start and disk) and steps that wait.
WORKLOADS = {"true": ("true",), "sleep 0.2": ("sleep", "0.2")}


def _request(
    workdir: Path, run_id: str, runs: Path, argv: tuple[str, ...] = ("true",)
) -> dict[str, Any]:
    return {
        "taskId": "T-bench", "stepId": "s", "runId": run_id, "attempt": 1, "stepName": "s",
        "stepKind": "shell", "workerKind": "shell", "timeoutSec": 60, "argv": list(argv),
        "runtime": {"repoRoot": str(workdir), "worktreePath": str(workdir), "runsRootDir": str(runs)},
    }  # fmt: skip


def _workers(
    redis: RedisServer, scratch: Path, name: str, count: int, slots: int
) -> list[WorkerProcess]:
    workers = [
        WorkerProcess(redis.url, scratch / f"{name}-{n}.log", concurrency=slots, queue=name,
                      lease=600)
        for n in range(count)
    ]  # fmt: skip
    for worker in workers:
        worker.wait_ready()
    return workers


def _overhead(redis: RedisServer, scratch: Path, pairs: int) -> dict[str, Any]:
    from baa_conductor.dispatch import Dispatcher

    workers = _workers(redis, scratch, "overhead", 1, 1)
    dispatcher = Dispatcher(redis.url, queue="overhead")
    local_ms, dispatched_ms = [], []
    try:
        for i in range(pairs + 3):  # the first rounds warm both paths up and are not counted
            start = time.perf_counter()
            run_step(_request(scratch, f"local-{i}", scratch / "local-runs"), ShellExecutor())
            local = (time.perf_counter() - start) * 1e3
            start = time.perf_counter()
            dispatcher.submit(_request(scratch, f"remote-{i}", scratch / "remote-runs")).result(60)
            dispatched = (time.perf_counter() - start) * 1e3
            if i >= 3:
                local_ms.append(local)
                dispatched_ms.append(dispatched)
    finally:
        dispatcher.close()
        for worker in workers:
            worker.stop()
    local_median, dispatched_median = statistics.median(local_ms), statistics.median(dispatched_ms)
    return {
        "pairs": pairs,
        "local_run_step_ms": round(local_median, 2),
        "dispatched_ms": round(dispatched_median, 2),
        "overhead_ms": round(dispatched_median - local_median, 2),
        "ratio": round(dispatched_median / local_median, 2),
    }


def _throughput(
    redis: RedisServer, scratch: Path, workers: int, steps: int, argv: tuple[str, ...]
) -> dict[str, Any]:
    from baa_conductor.dispatch import Dispatcher

    name = f"tp{workers}-{'-'.join(argv).replace('.', '_')}"
    started = _workers(redis, scratch, name, workers, 2)
    dispatcher = Dispatcher(redis.url, queue=name)
    try:
        start = time.perf_counter()
        handles = [
            dispatcher.submit(_request(scratch, f"{name}-{i}", scratch / f"{name}-runs", argv))
            for i in range(steps)
        ]
        ok = sum(handle.result(300).ok for handle in handles)
        seconds = time.perf_counter() - start
    finally:
        dispatcher.close()
        for worker in started:
            worker.stop()
    return {"workers": workers, "slots": 2 * workers, "steps": steps, "ok": ok,
            "seconds": round(seconds, 2), "steps_per_s": round(steps / seconds, 1)}  # fmt: skip


def run(quick: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="baa-bench-dispatch-") as tmp:
        scratch = Path(tmp)
        redis = RedisServer(scratch / "redis")
        redis.start()
        try:
            overhead = _overhead(redis, scratch, 20 if quick else 60)
            steps = 60 if quick else 200
            throughput = {}
            for label, argv in WORKLOADS.items():
                one = _throughput(redis, scratch, 1, steps, argv)
                two = _throughput(redis, scratch, 2, steps, argv)
                speedup = round(two["steps_per_s"] / one["steps_per_s"], 2)
                throughput[label] = {"one_worker": one, "two_workers": two, "speedup": speedup}
        finally:
            redis.stop()
    return {"overhead": overhead, "throughput": throughput}


if __name__ == "__main__":
    import json

    print(json.dumps(run("--quick" in sys.argv), indent=2))
