"""6. Dispatch: per-step overhead of a round trip through Redis and a worker, throughput, and
what a lost worker and a cancel cost.

Overhead: submit -> envelope back for ``true`` on one idle worker (one slot), against a local
``run_step`` of the same step in the same process, the two alternated. Throughput: 200 short
steps submitted at once, run by one worker (two slots) against two workers (two slots each).
Faults, at default settings (45 s lease): a worker killed mid-step, to its step running again on
another worker; a worker's machine cut off (network namespaces, as root), to the worker stopping
its step and the step running again elsewhere; a cancel, to the run's terminal state on disk and
to the envelope back.
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
from netns import Network, unavailable  # noqa: E402

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


def _state(run_dir: Path) -> dict[str, Any]:
    import json

    try:
        state: dict[str, Any] = json.loads((run_dir / "state.json").read_bytes())
        return state
    except (OSError, ValueError):
        return {}


def _until(check: Any, seconds: float = 300.0) -> float:
    """The monotonic time at which ``check()`` first holds (polled every 10 ms)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return time.monotonic()
        time.sleep(0.01)
    raise TimeoutError(f"not reached in {seconds}s")


def _once_request(scratch: Path, name: str, runs: Path) -> dict[str, Any]:
    marker = scratch / f"{name}-started"
    command = f"if [ -e {marker} ]; then echo second; else touch {marker}; exec sleep 600; fi"
    request = _request(scratch, name, runs)
    del request["argv"]
    return {**request, "command": command, "timeoutSec": 3600}


def _death_to_rerun(redis: RedisServer, scratch: Path) -> dict[str, Any]:
    """SIGKILL of a worker mid-step, default lease: seconds until the step runs again elsewhere."""
    from baa_conductor.dispatch import Dispatcher
    from baa_conductor.dispatch.config import LEASE_SEC

    runs = scratch / "death-runs"
    victim = WorkerProcess(redis.url, scratch / "death-victim.log", concurrency=1,
                           queue="death", runs_dir=runs).wait_ready()  # fmt: skip
    dispatcher = Dispatcher(redis.url, queue="death")
    rescuer = None
    try:
        handle = dispatcher.submit(_once_request(scratch, "death", runs))
        first = runs / "T-bench" / "death"
        _until(lambda: _state(first).get("status") == "running")
        rescuer = WorkerProcess(redis.url, scratch / "death-rescuer.log", concurrency=1,
                                queue="death", runs_dir=runs).wait_ready()  # fmt: skip
        victim.kill()
        killed = time.monotonic()
        rerun = _until(lambda: bool(_state(runs / "T-bench" / "death.attempt-2")))
        result = handle.result(300)
        done = time.monotonic()
    finally:
        dispatcher.close()
        for worker in (victim, rescuer):
            if worker is not None and worker.proc.poll() is None:
                worker.stop()
    assert (result.ok, result.attempt) == (True, 2)
    return {"lease_s": LEASE_SEC, "rerun_after_s": round(rerun - killed, 1),
            "envelope_after_s": round(done - killed, 1), "bound_s": 60}  # fmt: skip


def _cut_to_rerun(scratch: Path) -> dict[str, Any] | None:
    """A worker's machine cut off mid-step, default lease: when it stops the step, when the step
    runs again on another machine. None where network namespaces cannot be made (not root)."""
    from baa_conductor.dispatch import Dispatcher
    from baa_conductor.dispatch.config import LEASE_SEC

    if unavailable() is not None:
        return None
    net = Network()
    workers: list[WorkerProcess] = []
    redis = None
    try:
        broker = net.add("broker")
        for name in ("m1", "m2"):
            net.add(name)
        redis = RedisServer(scratch / "cut-redis", host=broker.address, netns=broker.netns)
        redis.start()
        runs = scratch / "cut-runs"
        workers.append(WorkerProcess(redis.url, scratch / "cut-m1.log", concurrency=1,
                                     queue="cut", runs_dir=runs, loglevel="WARNING",
                                     netns=net.machines["m1"].netns).wait_ready())  # fmt: skip
        dispatcher = Dispatcher(redis.url, queue="cut")
        try:
            handle = dispatcher.submit(_once_request(scratch, "cut", runs))
            first = runs / "T-bench" / "cut"
            _until(lambda: _state(first).get("status") == "running")
            workers.append(WorkerProcess(redis.url, scratch / "cut-m2.log", concurrency=1,
                                         queue="cut", runs_dir=runs,
                                         netns=net.machines["m2"].netns).wait_ready())  # fmt: skip
            net.cut("m1")
            cut = time.monotonic()
            fenced = _until(lambda: "finishedAt" in _state(first))
            rerun = _until(lambda: bool(_state(runs / "T-bench" / "cut.attempt-2")))
            result = handle.result(300)
            done = time.monotonic()
        finally:
            dispatcher.close()
        assert (result.ok, result.attempt) == (True, 2)
        net.restore("m1")
    finally:
        for name in net.machines:
            net.restore(name)
        for worker in workers:
            if worker.proc.poll() is None:
                worker.stop()
        if redis is not None:
            redis.stop()
        net.close()
    return {"lease_s": LEASE_SEC, "stopped_after_s": round(fenced - cut, 1),
            "rerun_after_s": round(rerun - cut, 1), "envelope_after_s": round(done - cut, 1),
            "bound_s": 60}  # fmt: skip


def _cancel_to_terminal(redis: RedisServer, scratch: Path, trials: int) -> dict[str, Any]:
    """``cancel()`` of a running ``sleep``: to the run's terminal state on disk, to the envelope."""
    from baa_conductor.dispatch import Dispatcher

    runs = scratch / "cancel-runs"
    workers = _workers(redis, scratch, "cancel", 1, 1)
    dispatcher = Dispatcher(redis.url, queue="cancel")
    terminal_ms, envelope_ms = [], []
    try:
        for i in range(trials):
            pid_file = scratch / f"cancel-{i}.pid"
            request = {
                **_request(scratch, f"cancel-{i}", runs),
                "command": (
                    f"echo $$ > {pid_file}.tmp; mv {pid_file}.tmp {pid_file}; exec sleep 600"
                ),
            }
            del request["argv"]
            handle = dispatcher.submit(request)
            run_dir = runs / "T-bench" / f"cancel-{i}"
            _until(pid_file.exists)  # the step's process runs (not only its run directory)
            start = time.monotonic()
            handle.cancel()
            finished = _until(lambda run_dir=run_dir: "finishedAt" in _state(run_dir))
            handle.result(120)
            back = time.monotonic()
            terminal_ms.append((finished - start) * 1e3)
            envelope_ms.append((back - start) * 1e3)
    finally:
        dispatcher.close()
        for worker in workers:
            worker.stop()
    return {"trials": trials, "terminal_ms": round(statistics.median(terminal_ms), 1),
            "envelope_ms": round(statistics.median(envelope_ms), 1),
            "worst_terminal_ms": round(max(terminal_ms), 1)}  # fmt: skip


def faults_section(d: dict[str, Any]) -> list[str]:
    """The report's lines on lost workers and cancels (bench/report.py)."""
    if "death" not in d:
        return []
    death, cut, cancel = d["death"], d.get("cut"), d["cancel"]
    lines = [
        f"Faults at default settings (lease {death['lease_s']:g} s, renewed every "
        f"{death['lease_s'] / 9:g} s; the bound is {death['bound_s']} s):",
        "",
        "| | seconds |",
        "| --- | ---: |",
        f"| worker killed (SIGKILL) → its step runs again on another worker | {death['rerun_after_s']} |",
        f"| worker killed → envelope back (attempt 2) | {death['envelope_after_s']} |",
    ]
    if cut is not None:
        lines += [
            f"| machine cut off → its worker has stopped the step (fencing) | {cut['stopped_after_s']} |",
            f"| machine cut off → the step runs again on another machine | {cut['rerun_after_s']} |",
        ]
    lines += [
        "",
        f"Cancel of a running `sleep 600` (median of {cancel['trials']}): "
        f"{cancel['terminal_ms']} ms to the run's terminal state on disk (worst "
        f"{cancel['worst_terminal_ms']} ms), {cancel['envelope_ms']} ms to the envelope back.",
        "",
    ]
    return lines


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
            cancel = _cancel_to_terminal(redis, scratch, 5 if quick else 10)
            death = _death_to_rerun(redis, scratch)
        finally:
            redis.stop()
        cut = _cut_to_rerun(scratch)
    return {"overhead": overhead, "throughput": throughput, "cancel": cancel, "death": death,
            "cut": cut}  # fmt: skip


if __name__ == "__main__":
    import json

    print(json.dumps(run("--quick" in sys.argv), indent=2))
