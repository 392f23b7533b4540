"""Dispatch across several machines simulated on this one (tests/netns.py): Redis on a machine of
its own, each ``baa worker`` on another, the conductor (this process) on the bridge between them.

Faults are real: a worker killed with SIGKILL, a machine's link cut (its packets dropped without a
word) and restored, Redis stopped and started again. Every wait is tied to an event (a line in a
worker's log, a run directory's state) with generous safety timeouts only; leases are short here
(settings, not code: tests/test_dispatch_policy.py checks what the defaults promise).
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from brokers import RedisServer, WorkerProcess, wait_for_line
from helpers import output, wait_for_pid, wait_gone
from netns import Network, unavailable

from baa_conductor.readers import read_run

#: A short lease (renewed every 0.67 s) and a short stop grace: a cut-off worker fences its step
#: 4.2 s after its last renewal, 1.3 s before the broker may give the step away.
LEASE = 6.0
GRACE = 0.5
SAFETY_SEC = 120


class Fleet:
    def __init__(self, root: Path):
        from baa_conductor.dispatch import Dispatcher

        self.root = root
        self.work = root / "work"
        self.work.mkdir()
        self.runs = root / "runs"
        self.net = Network()
        broker = self.net.add("broker")
        for name in ("m1", "m2", "m3"):
            self.net.add(name)
        self.redis = RedisServer(root / "redis", host=broker.address, netns=broker.netns)
        self.redis.start()
        self.dispatcher = Dispatcher(self.redis.url)
        self.workers: list[WorkerProcess] = []

    def worker(
        self, machine: str, queue: str, *, lease: float = LEASE, slots: int = 1, name: str = ""
    ) -> WorkerProcess:
        log = self.root / f"{name or machine}-{queue}.log"
        worker = WorkerProcess(
            self.redis.url, log, concurrency=slots, queue=queue, runs_dir=self.runs,
            lease=lease, netns=self.net.machines[machine].netns,
        )  # fmt: skip
        self.workers.append(worker)
        return worker.wait_ready()

    def request(self, task: str, run: str, **fields: Any) -> dict[str, Any]:
        request: dict[str, Any] = {
            "taskId": task, "stepId": "step", "runId": run, "attempt": 1, "stepName": "step",
            "stepKind": "shell", "workerKind": "shell", "timeoutSec": 600,
            "runtime": {"repoRoot": str(self.work), "worktreePath": str(self.work)},
        }  # fmt: skip
        request.update(fields)
        return request

    def submit(self, queue: str, request: dict[str, Any]) -> Any:
        from baa_conductor.dispatch import Dispatcher, RunOptions

        dispatcher = Dispatcher(self.redis.url, queue=queue)
        return dispatcher.submit(request, options=RunOptions(grace_sec=GRACE))

    def close(self) -> None:
        for name in self.net.machines:
            self.net.restore(name)
        for worker in self.workers:
            if worker.proc.poll() is None:
                worker.stop()
        self.dispatcher.close()
        self.redis.stop()
        self.net.close()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    why = unavailable()
    if why is not None:
        pytest.skip(why)
    running = Fleet(tmp_path_factory.mktemp("machines"))
    try:
        yield running
    finally:
        running.close()


def _state(run_dir: Path) -> dict[str, Any]:
    try:
        state: dict[str, Any] = json.loads((run_dir / "state.json").read_bytes())
        return state
    except (OSError, ValueError):
        return {}


def _wait_state(run_dir: Path, done: Any) -> dict[str, Any]:
    end = time.monotonic() + SAFETY_SEC
    while time.monotonic() < end:
        state = _state(run_dir)
        if state and done(state):
            return state
        time.sleep(0.02)
    raise AssertionError(f"{run_dir}: not reached; state {_state(run_dir)}")


def _node(worker: WorkerProcess) -> str:
    return f"baa-{worker.pid}@{socket.gethostname()}"


def _worker_of(run_dir: Path) -> str:
    """The worker that ran a run, as its meta.json says."""
    worker: str = json.loads((run_dir / "meta.json").read_bytes())["worker"]
    return worker


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _once_then_second(fleet: Fleet, name: str) -> tuple[str, Path]:
    """A step that sleeps the first time it runs and says ``second`` after, and its pid file."""
    marker, pid_file = fleet.root / f"{name}-started", fleet.root / f"{name}.pid"
    command = (f"if [ -e {marker} ]; then echo second; "
               f"else touch {marker}; echo $$ > {pid_file}; exec sleep 600; fi")  # fmt: skip
    return command, pid_file


def test_a_killed_workers_step_runs_again_on_another_machine(fleet: Fleet) -> None:
    """SIGKILL of the worker mid-step: its lease runs out and another machine runs the step as
    attempt 2 (well within 60 s); attempt 1's directory stays, interrupted."""
    victim = fleet.worker("m1", "kill")
    command, pid_file = _once_then_second(fleet, "kill")
    handle = fleet.submit("kill", fleet.request("T-kill", "k", command=command))
    _wait_state(fleet.runs / "T-kill" / "k", lambda s: s["status"] == "running")
    pid = wait_for_pid(pid_file, SAFETY_SEC)
    fleet.worker("m2", "kill")
    victim.kill()
    killed = time.monotonic()
    assert wait_gone(pid, SAFETY_SEC), "the step dies with its worker"
    second = _wait_state(fleet.runs / "T-kill" / "k.attempt-2", lambda s: True)
    rerun_after = time.monotonic() - killed
    result = handle.result(timeout=SAFETY_SEC)
    assert (result.ok, result.attempt, result.run_id.root) == (True, 2, "k.attempt-2")
    assert output(result.log_paths.run_dir, "stdout") == b"second\n"
    assert second["attempt"] == 2
    first = read_run(str(fleet.runs / "T-kill" / "k"))
    assert (first.status, first.interrupted) == ("interrupted", True)
    assert rerun_after < 60, f"re-run {rerun_after:.1f} s after the kill"


def test_a_cut_off_worker_stops_its_step_before_another_machine_runs_it(fleet: Fleet) -> None:
    """The link of the worker's machine is cut mid-step: the worker stops the step itself (its
    run says why) before its lease runs out; the step runs once more on another machine, never
    while the first still lives; the link comes back and nothing is overwritten or run again."""
    cut_off = fleet.worker("m1", "cut")
    command, pid_file = _once_then_second(fleet, "cut")
    handle = fleet.submit("cut", fleet.request("T-cut", "c", command=command))
    first_dir = fleet.runs / "T-cut" / "c"
    _wait_state(first_dir, lambda s: s["status"] == "running")
    pid = wait_for_pid(pid_file, SAFETY_SEC)
    rescuer = fleet.worker("m2", "cut")
    offset = cut_off.log.stat().st_size
    fleet.net.cut("m1")
    wait_for_line(cut_off.log, "fencing step", SAFETY_SEC, start=offset)
    first = _wait_state(first_dir, lambda s: "finishedAt" in s)
    assert first["summary"].startswith("Stopped by its worker baa-")
    assert "could not reach the broker" in first["summary"]
    assert first["exitCode"] == 143
    assert wait_gone(pid, SAFETY_SEC)
    result = handle.result(timeout=SAFETY_SEC)
    assert (result.ok, result.attempt, result.run_id.root) == (True, 2, "c.attempt-2")
    assert output(result.log_paths.run_dir, "stdout") == b"second\n"
    second = _state(Path(result.log_paths.run_dir))
    assert _when(second["startedAt"]) >= _when(first["finishedAt"]), "two live executions"

    fleet.net.restore("m1")
    wait_for_line(cut_off.log, "leases renewed again", SAFETY_SEC, start=offset)
    # Back on the broker, the cut-off worker answers nothing for the step it stopped...
    client = fleet.dispatcher.app.backend.client
    end = time.monotonic() + SAFETY_SEC
    while (client.hlen("unacked") or client.llen("cut")) and time.monotonic() < end:
        time.sleep(0.05)
    assert (client.hlen("unacked"), client.llen("cut")) == (0, 0)
    assert handle.result(timeout=SAFETY_SEC).run_id.root == "c.attempt-2"
    assert sorted(p.name for p in (fleet.runs / "T-cut").iterdir()) == ["c", "c.attempt-2"]
    assert read_run(str(first_dir)).status == "failed"
    # ... and takes steps again: with one slot on each machine, two blocked steps run one each.
    gate = fleet.root / "cut-gate"
    both = [
        fleet.submit("cut", fleet.request(
            "T-cut", f"after-{n}", command=f"while [ ! -e {gate} ]; do sleep 0.05; done"))
        for n in range(2)
    ]  # fmt: skip
    for n in range(2):
        _wait_state(fleet.runs / "T-cut" / f"after-{n}", lambda s: s["status"] == "running")
    gate.touch()
    assert all(h.result(timeout=SAFETY_SEC).ok for h in both)
    ran_on = {_worker_of(fleet.runs / "T-cut" / f"after-{n}") for n in range(2)}
    assert ran_on == {_node(cut_off), _node(rescuer)}


def test_the_broker_restarted_mid_run_loses_no_step(fleet: Fleet) -> None:
    """Redis on its machine stops while steps run on two others and more wait; it starts again
    and every step ends with its envelope, each run once."""
    for machine in ("m1", "m2"):
        fleet.worker(machine, "restart", lease=20, slots=2, name=f"{machine}-long")
    gate = fleet.root / "restart-gate"
    handles = [
        fleet.submit("restart", fleet.request(
            "T-restart", f"r{n}",
            command=f"while [ ! -e {gate} ]; do sleep 0.05; done; echo {n}"))
        for n in range(8)
    ]  # fmt: skip
    end = time.monotonic() + SAFETY_SEC
    running: list[int] = []
    while len(running) < 4 and time.monotonic() < end:
        running = [
            n for n in range(8)
            if _state(fleet.runs / "T-restart" / f"r{n}").get("status") == "running"
        ]  # fmt: skip
        time.sleep(0.02)
    assert len(running) == 4
    fleet.redis.stop()
    fleet.redis.start()
    gate.touch()
    for n, handle in enumerate(handles):
        result = handle.result(timeout=SAFETY_SEC)
        assert (result.ok, result.attempt, result.run_id.root) == (True, 1, f"r{n}")
        assert output(result.log_paths.run_dir, "stdout") == f"{n}\n".encode()
    assert sorted(p.name for p in (fleet.runs / "T-restart").iterdir()) == [
        f"r{n}" for n in range(8)
    ]


def _mixed(fleet: Fleet, n: int) -> tuple[dict[str, Any], int]:
    run = f"m{n:03d}"
    kind = n % 4
    if kind == 0:
        return fleet.request("T-many", run, argv=["sh", "-c", f"echo out-{n}"]), 0
    if kind == 1:
        return fleet.request("T-many", run, command=f"echo err-{n} >&2; exit 3"), 3
    if kind == 2:
        return fleet.request("T-many", run, command="sleep 0.1; seq 1 500"), 0
    return fleet.request("T-many", run, argv=["no-such-command-here"]), 127


def test_a_hundred_mixed_steps_over_three_machines(fleet: Fleet) -> None:
    """100 steps of four kinds, three machines of two slots: every envelope valid, each matching
    its run directory, every machine taking its share."""
    workers = [
        fleet.worker(m, "many", lease=20, slots=2, name=f"{m}-many") for m in ("m1", "m2", "m3")
    ]
    batch = [_mixed(fleet, n) for n in range(100)]
    handles = [fleet.submit("many", request) for request, _ in batch]
    for handle, (request, code) in zip(handles, batch, strict=True):
        result = handle.result(timeout=SAFETY_SEC)  # validated against the schema on receipt
        assert (result.run_id.root, result.attempt, result.state.exit_code) == (
            request["runId"], 1, code)  # fmt: skip
        record = read_run(result.log_paths.run_dir)
        assert (record.status, record.state.exit_code) == (result.outcome.value, code)
    ran_on = [_worker_of(fleet.runs / "T-many" / request["runId"]) for request, _ in batch]
    shares = [ran_on.count(_node(w)) for w in workers]
    assert sum(shares) == 100
    assert all(shares), f"every machine takes steps: {shares}"


def test_a_broker_out_of_reach_is_one_line_naming_it(fleet: Fleet) -> None:
    """The broker's link cut: its packets vanish without an answer; `baa submit` and `baa status`
    give up after their connect timeout with one line naming the URL without its password."""
    from brokers import BAA

    address = fleet.net.machines["broker"].address
    url = f"redis://:hunter2@{address}:{fleet.redis.port}/0"
    fleet.net.cut("broker")
    try:
        for argv in (["submit", "--task", "T", "--step", "s", "--repo-root", str(fleet.work),
                      "--broker", url, "--", "true"], ["status", "--broker", url, "some-id"]):  # fmt: skip
            done = subprocess.run([BAA, *argv], capture_output=True, text=True, timeout=60)
            assert done.returncode == 1
            assert done.stderr.startswith(
                f"baa: error: cannot reach the broker at redis://:***@{address}:{fleet.redis.port}/0: "
            )
            assert done.stderr.count("\n") == 1
    finally:
        fleet.net.restore("broker")


def test_a_step_longer_than_many_leases_is_delivered_once(fleet: Fleet) -> None:
    """A live worker keeps renewing: a step that runs through many leases (counted as renewals
    of its message, not as sleeps) is never given to the idle second machine."""
    fleet.worker("m1", "long", lease=3.0)
    idle = fleet.worker("m2", "long", lease=3.0)
    gate = fleet.root / "long-gate"
    client = fleet.dispatcher.app.backend.client
    before = {t for t, _ in client.zrange("unacked_index", 0, -1, withscores=True)}
    handle = fleet.submit("long", fleet.request(
        "T-long", "l1", command=f"while [ ! -e {gate} ]; do sleep 0.05; done; echo done"))  # fmt: skip
    _wait_state(fleet.runs / "T-long" / "l1", lambda s: s["status"] == "running")
    ((tag, first),) = [
        e for e in client.zrange("unacked_index", 0, -1, withscores=True) if e[0] not in before
    ]
    scores = {first}
    end = time.monotonic() + SAFETY_SEC
    while max(scores) - first < 4 * 3.0 and time.monotonic() < end:  # four leases renewed
        score = client.zscore("unacked_index", tag)
        assert score is not None, "the message stays with its worker"
        scores.add(score)
        time.sleep(0.05)
    assert len(scores) >= 12
    gate.touch()
    result = handle.result(timeout=SAFETY_SEC)
    assert (result.ok, result.attempt, result.run_id.root) == (True, 1, "l1")
    assert sorted(p.name for p in (fleet.runs / "T-long").iterdir()) == ["l1"]
    assert "received" not in idle.log.read_text()
