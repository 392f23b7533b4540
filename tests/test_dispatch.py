"""Steps dispatched through a real Redis to real ``baa worker`` processes (two, two slots each).

No eager mode and no mocks: the broker, the workers and the steps are real processes, and every
wait is tied to an event (a run directory says running, a worker log says ready) with generous
safety timeouts only.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from brokers import BAA, RedisServer, WorkerProcess
from helpers import output, wait_for_pid, wait_gone

from baa_conductor.exceptions import ContractError, RejectedStepError, StepCancelledError
from baa_conductor.readers import read_run

#: The workers' lease: long enough for the default stop grace of 10 s (see config.max_grace).
VISIBILITY_SEC = 40
SAFETY_SEC = 90


class Cluster:
    """Redis, two workers, a dispatcher, and the directories the steps use."""

    def __init__(self, root: Path):
        from baa_conductor.dispatch import Dispatcher

        self.root = root
        self.work = root / "work"
        self.work.mkdir()
        self.runs = root / "runs"
        self.redis = RedisServer(root / "redis")
        self.redis.start()
        self.workers = [
            WorkerProcess(self.redis.url, root / f"worker-{n}.log", concurrency=2,
                          runs_dir=self.runs, lease=VISIBILITY_SEC)
            for n in (1, 2)
        ]  # fmt: skip
        for worker in self.workers:
            worker.wait_ready()
        self.dispatcher = Dispatcher(self.redis.url)

    def request(self, task: str, run: str, **fields: Any) -> dict[str, Any]:
        request: dict[str, Any] = {
            "taskId": task, "stepId": "step", "runId": run, "attempt": 1, "stepName": "step",
            "stepKind": "shell", "workerKind": "shell", "timeoutSec": 20,
            "runtime": {"repoRoot": str(self.work), "worktreePath": str(self.work)},
        }  # fmt: skip
        request.update(fields)
        return request

    def run_dir(self, task: str, run: str) -> Path:
        return self.runs / task / run

    def wait_running(self, task: str, run: str) -> Path:
        """The run directory, once its state.json says running."""
        state = self.run_dir(task, run) / "state.json"
        end = time.monotonic() + SAFETY_SEC
        while time.monotonic() < end:
            try:
                if json.loads(state.read_bytes())["status"] == "running":
                    return state.parent
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        raise AssertionError(f"{state} never said running")

    def redis_client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.redis.url)

    def close(self) -> None:
        self.dispatcher.close()
        for worker in self.workers:
            worker.stop()
        self.redis.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    running = Cluster(tmp_path_factory.mktemp("dispatch"))
    try:
        yield running
    finally:
        running.close()


def _mixed(cluster: Cluster, n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Step ``n`` of a mixed batch and what its envelope must say."""
    run = f"r{n:02d}"
    kind = n % 5
    if kind == 0:
        return cluster.request("T-mixed", run, argv=["sh", "-c", f"echo out-{n}"]), {
            "exit": 0, "outcome": "completed", "stdout": f"out-{n}\n"}  # fmt: skip
    if kind == 1:
        return cluster.request("T-mixed", run, command=f"echo err-{n} >&2; exit 3"), {
            "exit": 3, "outcome": "failed", "stderr": f"err-{n}\n"}  # fmt: skip
    if kind == 2:
        return cluster.request("T-mixed", run, argv=["true"]), {"exit": 0, "outcome": "completed"}
    if kind == 3 and n != 48:
        return cluster.request("T-mixed", run, command="sleep 0.2; seq 1 1000"), {
            "exit": 0, "outcome": "completed",
            "stdout": "".join(f"{i}\n" for i in range(1, 1001))}  # fmt: skip
    if n == 48:
        return cluster.request("T-mixed", run, command="exec sleep 60", timeoutSec=0.5), {
            "exit": 124, "outcome": "failed"}  # fmt: skip
    return cluster.request("T-mixed", run, argv=["no-such-command-here"]), {
        "exit": 127, "outcome": "failed"}  # fmt: skip


def test_fifty_mixed_steps_each_with_a_valid_envelope(cluster: Cluster) -> None:
    """Every submitted step comes back as a valid envelope that matches its run directory."""
    batch = [_mixed(cluster, n) for n in range(50)]
    handles = [cluster.dispatcher.submit(request) for request, _ in batch]
    assert len({h.task_id for h in handles}) == 50
    for handle, (request, expected) in zip(handles, batch, strict=True):
        result = handle.result(timeout=SAFETY_SEC)  # validated against the schema on receipt
        assert (result.run_id.root, result.attempt) == (request["runId"], 1)
        assert result.outcome.value == expected["outcome"]
        assert result.state.exit_code == expected["exit"]
        run_dir = Path(result.log_paths.run_dir)
        assert run_dir == cluster.run_dir("T-mixed", request["runId"])
        record = read_run(str(run_dir))
        assert record.status == expected["outcome"]
        assert record.state.exit_code == expected["exit"]
        for channel in ("stdout", "stderr"):
            if channel in expected:
                assert output(run_dir, channel).decode() == expected[channel]
        assert handle.status() == "finished"
    ran_on = [w.log.read_text().count("succeeded in") for w in cluster.workers]
    assert all(ran_on), f"both workers take steps: {ran_on}"


def test_a_running_step_is_cancelled_through_the_runners_stop_path(cluster: Cluster) -> None:
    """cancel() stops the step's process group; the run ends terminal, the envelope says cancelled."""
    from baa_conductor.dispatch import is_cancelled

    pid_file = cluster.root / "cancel.pid"
    handle = cluster.dispatcher.submit(
        cluster.request("T-cancel", "running", command=f"echo $$ > {pid_file}; exec sleep 60")
    )
    run_dir = cluster.wait_running("T-cancel", "running")
    pid = wait_for_pid(pid_file, SAFETY_SEC)
    handle.cancel()
    result = handle.result(timeout=SAFETY_SEC)
    envelope = result.model_dump(mode="json", by_alias=True, exclude_unset=True)
    assert is_cancelled(envelope), envelope["summary"]
    assert (result.outcome, result.summary) == (
        "cancelled",
        "shell command was stopped because the step was cancelled on request",
    )
    assert result.state.exit_code == 130
    assert wait_gone(pid, SAFETY_SEC)
    record = read_run(str(run_dir))
    assert (record.status, record.interrupted) == ("cancelled", False)
    assert record.events[-1].type == "step_cancelled"
    assert record.state.finished_at is not None
    assert handle.status() == "cancelled"


def test_a_cancelled_step_that_has_not_started_never_starts(cluster: Cluster) -> None:
    """With every slot busy, a queued step that is cancelled never runs and has no run directory."""
    gate = cluster.root / "gate"
    blockers = [
        cluster.dispatcher.submit(cluster.request(
            "T-queued", f"blocker-{n}", command=f"while [ ! -e {gate} ]; do sleep 0.05; done"))
        for n in range(4)
    ]  # fmt: skip
    for n in range(4):
        cluster.wait_running("T-queued", f"blocker-{n}")
    sentinel = cluster.root / "must-not-exist"
    queued = cluster.dispatcher.submit(
        cluster.request("T-queued", "queued", command=f"touch {sentinel}")
    )
    assert queued.status() == "queued"
    queued.cancel()
    gate.touch()
    for blocker in blockers:
        assert blocker.result(timeout=SAFETY_SEC).ok
    with pytest.raises(StepCancelledError) as caught:
        queued.result(timeout=SAFETY_SEC)
    assert (
        str(caught.value) == f"step {queued.task_id} was cancelled before it started; it never ran"
    )
    assert queued.status() == "cancelled"
    assert not sentinel.exists()
    assert not cluster.run_dir("T-queued", "queued").exists()


def test_an_invalid_request_is_answered_with_an_error_and_not_delivered_again(
    cluster: Cluster,
) -> None:
    """A request that fails the schema (sent as a foreign conductor could) gets a clear error result."""
    from baa_conductor.dispatch import TASK_NAME

    with pytest.raises(ContractError):
        cluster.dispatcher.submit(cluster.request("../escape", "r"))  # the client checks first
    bad = cluster.request("../escape", "r1")
    del bad["stepName"]
    app = cluster.dispatcher.app
    sent = [
        app.send_task(TASK_NAME, args=[bad, None], queue="baa"),
        app.send_task(TASK_NAME, args=["not an object", None], queue="baa"),
        app.send_task(TASK_NAME, args=[cluster.request("T-bad", "r2"), {"maxAttempts": 0}]),
        app.send_task(TASK_NAME, args=[cluster.request("T-bad", "r3"), None, {"graceSec": "x"}]),
        app.send_task(TASK_NAME, args=[cluster.request("T-bad", "r4"), None, {"graceSec": 30}]),
    ]
    reasons = []
    for message in sent:
        with pytest.raises(RejectedStepError) as caught:
            cluster.dispatcher.handle(message.id).result(timeout=SAFETY_SEC)
        reasons.append(caught.value.reason)
        assert cluster.dispatcher.handle(message.id).status() == "rejected"
    assert reasons[0] == (
        "the step request: not a valid step-execution-request (2 violations)\n"
        "  /stepName: required property is missing\n"
        '  /taskId: not a valid id: "/" is not allowed (only ASCII letters, digits, ".", "_" and "-")'
    )
    assert reasons[1].startswith("the step request: not a valid step-execution-request")
    assert reasons[2] == "retry policy: /maxAttempts: 0 is not between 1 and 20"
    assert reasons[3] == "run options: /graceSec: must be a number of seconds, 0 or more"
    assert reasons[4] == (
        "run options: /graceSec: 30 s is too long for this worker's lease of 40 s (at most "
        "22.2 s): a step cut off from the broker must be stopped before the broker gives it to "
        "another worker"
    )
    assert not (cluster.runs / "T-bad").exists()
    client = cluster.redis_client()
    assert client.llen("baa") == 0
    end = time.monotonic() + SAFETY_SEC  # the ack follows the stored result by a moment
    while client.hlen("unacked") and time.monotonic() < end:
        time.sleep(0.02)
    assert client.hlen("unacked") == 0  # acknowledged: never delivered again
    follow = cluster.dispatcher.submit(cluster.request("T-bad", "after", argv=["true"]))
    assert follow.result(timeout=SAFETY_SEC).ok  # the workers carry on


def test_retries_follow_the_policy_and_stop_at_its_bound(cluster: Cluster) -> None:
    """A listed exit code runs again as the next attempt in its own run directory, never beyond the bound."""
    from baa_conductor.dispatch import RetryPolicy

    counter = cluster.root / "counter"
    flaky = f"n=$(cat {counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {counter}; [ $n -ge 2 ] || exit 75"
    policy = RetryPolicy(max_attempts=3, exit_codes=frozenset({75}), backoff_sec=0)
    result = cluster.dispatcher.submit(
        cluster.request("T-retry", "flaky", command=flaky), policy=policy
    ).result(timeout=SAFETY_SEC)
    assert (result.ok, result.attempt, result.run_id.root) == (True, 2, "flaky.attempt-2")
    first = read_run(str(cluster.run_dir("T-retry", "flaky")))
    assert (first.status, first.state.exit_code, first.meta.attempt) == ("failed", 75, 1)

    bounded = RetryPolicy(max_attempts=2, exit_codes=frozenset({75}), backoff_sec=0)
    result = cluster.dispatcher.submit(
        cluster.request("T-retry", "always", command="exit 75"), policy=bounded
    ).result(timeout=SAFETY_SEC)
    assert (result.ok, result.attempt, result.state.exit_code) == (False, 2, 75)
    assert sorted(p.name for p in (cluster.runs / "T-retry").glob("always*")) == [
        "always", "always.attempt-2"]  # fmt: skip

    result = cluster.dispatcher.submit(
        cluster.request("T-retry", "unlisted", command="exit 3"), policy=policy
    ).result(timeout=SAFETY_SEC)
    assert (result.attempt, result.state.exit_code) == (1, 3)


def test_a_step_whose_worker_is_killed_runs_again_as_the_next_attempt(cluster: Cluster) -> None:
    """kill -9 of the worker mid-step: delivered again, attempt 2 in its own run directory;
    attempt 1's directory stays and reads as interrupted. Past the policy's bound, it never
    runs again."""
    from baa_conductor.dispatch import Dispatcher, RetryPolicy, RunOptions

    visibility = 6  # above the steps' 5 s timeout and 0.5 s grace
    victim = WorkerProcess(cluster.redis.url, cluster.root / "victim.log", concurrency=2,
                           queue="faults", runs_dir=cluster.runs,
                           lease=visibility).wait_ready()  # fmt: skip
    faults = Dispatcher(cluster.redis.url, queue="faults")
    handles, pids = [], []
    for run in ("k", "once"):  # "once" may run one attempt only
        marker, pid_file = cluster.root / f"{run}-started", cluster.root / f"{run}.pid"
        command = (f"if [ -e {marker} ]; then echo second; "
                   f"else touch {marker}; echo $$ > {pid_file}; exec sleep 60; fi")  # fmt: skip
        policy = RetryPolicy(max_attempts=1 if run == "once" else 3)
        request = cluster.request("T-kill", run, command=command, timeoutSec=5)
        handles.append(faults.submit(request, policy=policy, options=RunOptions(grace_sec=0.5)))
        cluster.wait_running("T-kill", run)
        pids.append(wait_for_pid(pid_file, SAFETY_SEC))
    victim.kill()
    assert all(wait_gone(pid, SAFETY_SEC) for pid in pids), "the steps die with their worker"
    rescuer = WorkerProcess(cluster.redis.url, cluster.root / "rescuer.log", concurrency=2,
                            queue="faults", runs_dir=cluster.runs,
                            lease=visibility).wait_ready()  # fmt: skip
    try:
        result, bounded = (handle.result(timeout=SAFETY_SEC) for handle in handles)
    finally:
        rescuer.stop()
        faults.close()
    assert (result.ok, result.attempt, result.run_id.root) == (True, 2, "k.attempt-2")
    assert output(result.log_paths.run_dir, "stdout") == b"second\n"
    for run in ("k", "once"):
        first = read_run(str(cluster.run_dir("T-kill", run)))
        assert (first.status, first.interrupted, first.meta.attempt) == ("interrupted", True, 1)
    second = read_run(result.log_paths.run_dir)
    assert (second.status, second.meta.attempt) == ("completed", 2)
    assert (bounded.ok, bounded.attempt, bounded.run_id.root) == (False, 2, "once.attempt-2")
    assert bounded.summary == (
        "Not run: attempt 2 is past the retry policy's 1; "
        "the workers of the earlier attempts were lost or they failed."
    )
    assert output(bounded.log_paths.run_dir, "stdout") == b""


def test_a_foreign_conductor_submits_with_the_raw_message_protocol(cluster: Cluster) -> None:
    """The message docs/distributed.md describes, pushed with plain Redis commands, runs a step."""
    task_id = str(uuid.uuid4())
    request = cluster.request("T-foreign", "f1", argv=["echo", "from afar"])
    body = json.dumps([[request, None], {}, {"callbacks": None, "errbacks": None,
                                              "chain": None, "chord": None}])  # fmt: skip
    message = {
        "body": base64.b64encode(body.encode()).decode(),
        "content-encoding": "utf-8", "content-type": "application/json",
        "headers": {"lang": "js", "task": "baa_conductor.run_step", "id": task_id,
                    "root_id": task_id, "parent_id": None, "group": None, "retries": 0,
                    "eta": None, "expires": None},
        "properties": {"correlation_id": task_id, "reply_to": "", "delivery_mode": 2,
                       "delivery_info": {"exchange": "", "routing_key": "baa"},
                       "priority": 0, "body_encoding": "base64",
                       "delivery_tag": str(uuid.uuid4())},
    }  # fmt: skip
    client = cluster.redis_client()
    client.lpush("baa", json.dumps(message))
    key = f"celery-task-meta-{task_id}"
    end = time.monotonic() + SAFETY_SEC
    meta: dict[str, Any] = {}
    while time.monotonic() < end and meta.get("status") != "SUCCESS":
        raw = client.get(key)
        meta = json.loads(raw) if raw else {}
        time.sleep(0.05)
    assert meta.get("status") == "SUCCESS", meta
    from baa_conductor.validation import validate

    validate("step-execution-result", meta["result"])
    assert meta["result"]["logSession"]["stdout"]["entries"][0]["text"] == "from afar\n"
    assert 0 < client.ttl(key) <= 7 * 24 * 3600  # results expire; the run directory stays


def test_submit_and_cancel_from_the_command_line(cluster: Cluster) -> None:
    """``baa submit --wait`` behaves like ``baa run``; ``baa submit`` prints the task id."""
    env = {**os.environ, "BAA_BROKER_URL": cluster.redis.url}
    common = ["--task", "T-cli", "--repo-root", str(cluster.work), "--timeout", "20"]
    step = ["--", "sh", "-c", "echo hi; sleep 0.3; echo there >&2; exit 5"]
    waited = subprocess.run(
        [BAA, "submit", "--wait", *common, "--step", "s", "--run", "w1", *step],
        env=env, capture_output=True, text=True, timeout=SAFETY_SEC,
    )  # fmt: skip
    assert waited.returncode == 5, waited.stderr
    assert waited.stdout == "hi\n"
    submitted_line, there, summary = waited.stderr.splitlines()
    task_id = submitted_line.removeprefix("baa: submitted ")
    assert there == "there"
    assert summary.startswith("baa: failed, exit 5, ")
    assert summary.endswith(
        f"shell command exited with code 5; run directory {cluster.runs}/T-cli/w1"
    )
    assert cluster.dispatcher.handle(task_id).result(timeout=SAFETY_SEC).run_id.root == "w1"

    as_json = subprocess.run(
        [BAA, "submit", "--wait", "--json", "--tail-entries", "1", *common, "--step", "s",
         "--run", "w2", *step], env=env, capture_output=True, text=True, timeout=SAFETY_SEC,
    )  # fmt: skip
    assert as_json.returncode == 5, as_json.stderr
    envelope = json.loads(as_json.stdout)
    assert (envelope["runId"], envelope["state"]["exitCode"]) == ("w2", 5)
    assert [c["text"] for c in envelope["logSession"]["stdout"]["entries"]] == ["hi\n"]
    assert envelope["logSession"]["stderr"]["entries"][-1]["text"] == "there\n"

    submitted = subprocess.run(
        [BAA, "submit", *common, "--step", "s", "--run", "c1", "--", "sleep", "60"],
        env=env, capture_output=True, text=True, timeout=SAFETY_SEC,
    )  # fmt: skip
    assert submitted.returncode == 0, submitted.stderr
    task_id = submitted.stdout.strip()
    cluster.wait_running("T-cli", "c1")
    cancelled = subprocess.run([BAA, "cancel", task_id], env=env, capture_output=True, text=True,
                               timeout=SAFETY_SEC)  # fmt: skip
    assert (cancelled.returncode, cancelled.stderr) == (0, f"cancel requested for {task_id}\n")
    assert cluster.dispatcher.handle(task_id).result(timeout=SAFETY_SEC).state.exit_code == 130

    env.pop("BAA_BROKER_URL")
    missing = subprocess.run([BAA, "submit", *common, "--step", "s", "--", "true"], env=env,
                             capture_output=True, text=True, timeout=SAFETY_SEC)  # fmt: skip
    assert (missing.returncode, missing.stderr) == (2, (
        "baa: error: no broker configured: pass --broker URL (e.g. redis://host:6379/0) "
        "or set BAA_BROKER_URL\n"))  # fmt: skip


def test_nothing_is_lost_when_redis_stops_for_a_moment(cluster: Cluster) -> None:
    """Redis stops while steps run and more wait; once it is back, every step has its envelope."""
    gate = cluster.root / "outage-gate"
    handles = [
        cluster.dispatcher.submit(cluster.request(
            "T-outage", f"o{n}", command=f"while [ ! -e {gate} ]; do sleep 0.05; done; echo {n}"))
        for n in range(8)
    ]  # fmt: skip
    running: list[int] = []
    end = time.monotonic() + SAFETY_SEC
    while len(running) < 4 and time.monotonic() < end:  # every slot busy: four wait in the queue
        running = [n for n in range(8) if _says_running(cluster.run_dir("T-outage", f"o{n}"))]
        time.sleep(0.02)
    assert len(running) == 4
    cluster.redis.stop()
    gate.touch()  # the four running steps end while Redis is away
    for n in running:
        _wait_finished(cluster.run_dir("T-outage", f"o{n}"))
    cluster.redis.start()
    for n, handle in enumerate(handles):
        result = handle.result(timeout=SAFETY_SEC)
        assert (result.ok, result.attempt, result.run_id.root) == (True, 1, f"o{n}")
        assert output(result.log_paths.run_dir, "stdout") == f"{n}\n".encode()
    assert sorted(p.name for p in (cluster.runs / "T-outage").iterdir()) == [
        f"o{n}" for n in range(8)]  # fmt: skip


def test_a_waiting_handle_gets_a_result_whose_publication_it_missed(cluster: Cluster) -> None:
    """An envelope stored while the waiting client was not subscribed (its subscription being
    renewed after a broker restart) is never published to it: the wait still ends with it."""
    done = cluster.dispatcher.submit(cluster.request("T-missed", "m1", command="echo m1"))
    done.result(timeout=SAFETY_SEC)
    client = cluster.redis_client()
    stored = json.loads(client.get(f"celery-task-meta-{done.task_id}"))
    from baa_conductor.dispatch import Dispatcher

    nobody = Dispatcher(cluster.redis.url, queue="nobody")  # no worker takes its steps
    waiting = nobody.submit(cluster.request("T-missed", "m2"))
    key = f"celery-task-meta-{waiting.task_id}"
    answers: list[Any] = []
    waiter = threading.Thread(target=lambda: answers.append(waiting.result(timeout=SAFETY_SEC)))
    waiter.start()
    end = time.monotonic() + SAFETY_SEC
    while client.pubsub_numsub(key)[0][1] == 0 and time.monotonic() < end:
        time.sleep(0.02)  # until the waiting client listens for the key
    assert client.pubsub_numsub(key)[0][1] == 1
    client.set(key, json.dumps({**stored, "task_id": waiting.task_id}))  # stored, not published
    waiter.join(SAFETY_SEC)
    nobody.close()
    assert [result.run_id.root for result in answers] == ["m1"]


def _says_running(run_dir: Path) -> bool:
    try:
        return bool(json.loads((run_dir / "state.json").read_bytes())["status"] == "running")
    except (OSError, ValueError):
        return False


def _wait_finished(run_dir: Path) -> None:
    end = time.monotonic() + SAFETY_SEC
    while time.monotonic() < end:
        try:
            if "finishedAt" in json.loads((run_dir / "state.json").read_bytes()):
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    raise AssertionError(f"{run_dir} never finished")


@contextlib.contextmanager
def _hang_guard(proc: subprocess.Popen[Any]) -> Iterator[None]:
    """Kill ``proc`` if the block takes over SAFETY_SEC: a line it never prints ends a blocking
    readline() with EOF (and a failed assertion) instead of a hung test."""
    timer = threading.Timer(SAFETY_SEC, proc.kill)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def test_commands_without_a_broker_never_import_celery_or_redis(tmp_path: Path) -> None:
    """The embedded default: `baa run` and friends load neither Celery nor Redis."""
    code = (
        "import sys\n"
        "from baa_conductor.cli import main\n"
        f"code = main(['run', '--repo-root', {str(tmp_path)!r}, '--task', 'T', '--step', 's', "
        "'--quiet', '--', 'true'])\n"
        f"main(['list', '--repo-root', {str(tmp_path)!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('celery', 'kombu', 'redis', 'billiard'))\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"


def test_a_dispatched_step_starts_with_no_signal_ignored(cluster: Cluster) -> None:
    """Celery's pool processes ignore SIGINT; the steps they start ignore nothing, as `baa run`'s."""
    result = cluster.dispatcher.submit(
        cluster.request("T-signals", "s1", argv=["grep", "^SigIgn:", "/proc/self/status"])
    ).result(timeout=SAFETY_SEC)
    line = output(result.log_paths.run_dir, "stdout").decode()
    assert int(line.split()[1], 16) == 0, line


def test_a_task_id_is_a_handle_from_queued_to_done(cluster: Cluster) -> None:
    """`baa status` says queued, then running on which worker in which run directory (which
    exists, its meta.json naming the worker), then finished on that worker with the outcome;
    `submit --wait` shows the output while the step runs."""
    env = {**os.environ, "BAA_BROKER_URL": cluster.redis.url}
    gate = cluster.root / "status-gate"
    waiter = subprocess.Popen(
        [BAA, "submit", "--wait", "--task", "T-status", "--step", "s", "--run", "s1",
         "--repo-root", str(cluster.work), "--runs-dir", str(cluster.runs), "--",
         "sh", "-c", f"echo first; while [ ! -e {gate} ]; do sleep 0.05; done; echo second >&2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert waiter.stderr is not None
        assert waiter.stdout is not None
        with _hang_guard(waiter):
            task_id = waiter.stderr.readline().decode().removeprefix("baa: submitted ").strip()
            assert waiter.stdout.readline() == b"first\n"  # shown while the step still runs
        run_dir = cluster.run_dir("T-status", "s1")
        meta = json.loads((run_dir / "meta.json").read_bytes())
        assert meta["worker"].startswith("baa-")
        status = subprocess.run([BAA, "status", task_id], env=env, capture_output=True,
                                text=True, timeout=SAFETY_SEC)  # fmt: skip
        assert (status.returncode, status.stdout) == (0, (
            f"{task_id}: running on {meta['worker']}\n  run directory {run_dir}\n"))  # fmt: skip
        gate.touch()
        out, err = waiter.communicate(timeout=SAFETY_SEC)
    finally:
        waiter.kill()
    assert waiter.returncode == 0
    assert out == b""
    second, summary = err.decode().splitlines()
    assert second == "second"
    assert summary.startswith("baa: completed, exit 0, ")
    done = subprocess.run([BAA, "status", "--json", task_id], env=env, capture_output=True,
                          text=True, timeout=SAFETY_SEC)  # fmt: skip
    info = json.loads(done.stdout)
    assert (info["status"], info["outcome"], info["exitCode"], info["runDir"], info["worker"]) == (
        "finished", "completed", 0, str(run_dir), meta["worker"])  # fmt: skip
    done = subprocess.run([BAA, "status", task_id], env=env, capture_output=True, text=True,
                          timeout=SAFETY_SEC)  # fmt: skip
    assert done.stdout == (
        f"{task_id}: finished on {meta['worker']}: completed, exit 0\n  run directory {run_dir}\n"
    )
    unknown = subprocess.run([BAA, "status", "no-such-task"], env=env, capture_output=True,
                             text=True, timeout=SAFETY_SEC)  # fmt: skip
    assert unknown.returncode == 1
    assert unknown.stdout.startswith("no-such-task: unknown: the broker has no trace of it")


def test_ctrl_c_on_submit_wait_says_the_step_goes_on(cluster: Cluster) -> None:
    """SIGINT to `submit --wait` ends the wait with one line naming how to stop the step; the
    step goes on and can be cancelled."""
    import signal

    env = {**os.environ, "BAA_BROKER_URL": cluster.redis.url}
    waiter = subprocess.Popen(
        [BAA, "submit", "--wait", "--task", "T-ctrlc", "--step", "s", "--run", "c1",
         "--repo-root", str(cluster.work), "--runs-dir", str(cluster.runs), "--",
         "sh", "-c", "echo started; exec sleep 60"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert waiter.stderr is not None
    assert waiter.stdout is not None
    with _hang_guard(waiter):
        task_id = waiter.stderr.readline().decode().removeprefix("baa: submitted ").strip()
        assert waiter.stdout.readline() == b"started\n"
    waiter.send_signal(signal.SIGINT)
    _, err = waiter.communicate(timeout=SAFETY_SEC)
    assert waiter.returncode == 130
    assert err.decode() == (
        f"baa: error: stopped waiting; step {task_id} goes on "
        f"(baa status {task_id}; baa cancel {task_id} stops it)\n"
    )
    handle = cluster.dispatcher.handle(task_id)
    assert handle.status() == "running"
    handle.cancel()
    assert handle.result(timeout=SAFETY_SEC).state.exit_code == 130


def test_dispatch_failures_are_one_line(tmp_path: Path) -> None:
    """A broker that refuses the connection, a missing dispatch extra: one line each, at once."""
    from brokers import refusing_port

    common = ["--task", "T", "--step", "s", "--repo-root", str(tmp_path), "--", "true"]
    some_id = str(uuid.uuid4())  # the shape of an id `baa submit` prints
    with refusing_port() as port:
        url = f"redis://:hunter2@127.0.0.1:{port}/0"
        for argv in (["submit", "--broker", url, *common], ["status", "--broker", url, some_id],
                     ["cancel", "--broker", url, some_id]):  # fmt: skip
            done = subprocess.run([BAA, *argv], capture_output=True, text=True, timeout=SAFETY_SEC)
            assert done.returncode == 1
            assert done.stdout == ""
            assert done.stderr.startswith(
                f"baa: error: cannot reach the broker at redis://:***@127.0.0.1:{port}/0: "
            )
            assert done.stderr.count("\n") == 1
            assert "hunter2" not in done.stderr
    hidden = (
        "import sys\n"
        "sys.modules['celery'] = None\n"
        "from baa_conductor.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    for argv in (["submit", *common], ["worker"], ["status", some_id], ["cancel", some_id]):
        done = subprocess.run(
            [sys.executable, "-c", hidden, *argv, "--broker", "redis://127.0.0.1:1/0"],
            capture_output=True, text=True, timeout=SAFETY_SEC,
        )  # fmt: skip
        assert (done.returncode, done.stderr) == (2, (
            "baa: error: this command needs the dispatch extra (celery is not installed): "
            f"{sys.executable} -m pip install 'baa-conductor[dispatch]'\n"))  # fmt: skip


def test_submit_resumes_a_run_from_its_checkpoint(cluster: Cluster, tmp_path: Path) -> None:
    """`baa submit --resume-from RUN` sends RUN's step again, attempt + 1, from its checkpoint:
    the worker restores the checkpoint's changes before the step runs."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "init"], check=True)
    runs = ["--runs-dir", str(cluster.runs), "--repo-root", str(repo)]
    first = subprocess.run(
        [BAA, "run", *runs, "--task", "T-resume", "--step", "s", "--run", "g1", "--quiet",
         "--checkpoint", "git_diff", "--", "sh", "-c", "echo hello > f.txt; exit 3"],
        capture_output=True, text=True, timeout=SAFETY_SEC,
    )  # fmt: skip
    assert first.returncode == 3, first.stderr
    (repo / "f.txt").unlink()  # the worktree back at the checkpoint's base
    env = {**os.environ, "BAA_BROKER_URL": cluster.redis.url}
    resumed = subprocess.run(
        [BAA, "submit", "--wait", *runs, "--resume-from", "T-resume/g1", "--run", "g2",
         "--", "cat", "f.txt"],
        env=env, capture_output=True, text=True, timeout=SAFETY_SEC,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == "hello\n"
    record = read_run(str(cluster.run_dir("T-resume", "g2")))
    assert (record.status, record.meta.attempt) == ("completed", 2)


def test_a_codex_steps_options_travel_in_the_request(cluster: Cluster) -> None:
    """`baa submit --kind codex --model ...` puts the options in the request's `codex`; the worker
    runs codex with them (a stand-in codex records its arguments)."""
    fake = cluster.root / "fake-codex"
    argv_file = cluster.root / "codex-argv"
    fake.write_text(
        "#!/bin/sh\n"
        f"printf '%s\\n' \"$@\" > {argv_file}\n"
        "cat > /dev/null\n"
        'echo \'{"type":"turn.completed","usage":{"input_tokens":1,"output_tokens":1}}\'\n'
    )
    fake.chmod(0o755)
    env = {**os.environ, "BAA_BROKER_URL": cluster.redis.url}
    done = subprocess.run(
        [BAA, "submit", "--wait", "--json", "--task", "T-codex", "--step", "s", "--run", "x1",
         "--repo-root", str(cluster.work), "--kind", "codex", "--env", f"BAA_CODEX_BIN={fake}",
         "--model", "m-1", "--profile", "p-1", "--sandbox", "read-only",
         "--codex-config", "k=v", "--codex-arg=--ephemeral", "--", "say hi"],
        env=env, capture_output=True, text=True, timeout=SAFETY_SEC,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    args = argv_file.read_text().splitlines()
    for flag, value in (("--model", "m-1"), ("--profile", "p-1"), ("--sandbox", "read-only")):
        assert args[args.index(flag) + 1] == value
    assert args[args.index("--config") + 1] == "k=v"
    # Once each: the worker's executor takes them from the request, not a second time.
    assert (args.count("k=v"), args.count("--ephemeral")) == (1, 1)
    bad = subprocess.run(
        [BAA, "submit", "--task", "T-codex", "--step", "s", "--repo-root", str(cluster.work),
         "--model", "m-1", "--", "true"],
        env=env, capture_output=True, text=True, timeout=SAFETY_SEC,
    )  # fmt: skip
    assert (bad.returncode, bad.stderr) == (
        2, "baa: error: --model is an option of codex steps (--kind codex)\n")  # fmt: skip


def test_a_worker_is_quiet_and_says_a_missing_broker_in_one_line(tmp_path: Path) -> None:
    """At the default log level: no Celery banner or notice; a broker it cannot reach is one line
    per attempt, naming the URL without its password."""
    from brokers import refusing_port, wait_for_line

    log = tmp_path / "worker.log"
    with refusing_port() as port:
        worker = WorkerProcess(f"redis://:hunter2@127.0.0.1:{port}/0", log, loglevel="WARNING")
        try:
            wait_for_line(log, "trying again in", SAFETY_SEC)
        finally:
            worker.stop()
    text = log.read_text()
    assert "hunter2" not in text
    assert "[tasks]" not in text  # the banner
    assert "superuser" not in text
    assert "Trying again" not in text  # Celery's own three-line form
    (line,) = [line for line in text.splitlines() if "cannot reach the broker" in line][:1]
    assert "cannot reach the broker at redis://:**@127.0.0.1:" in line


def test_a_cancel_as_the_step_starts_ends_it_cancelled(cluster: Cluster) -> None:
    """Cancels sent the moment each run directory appears (while the runner may be inside the
    run's cgroup starting the worker): every run ends cancelled, with its envelope; the runner
    (the worker's pool process) never dies with the step."""
    for n in range(10):
        handle = cluster.dispatcher.submit(
            cluster.request("T-early", f"e{n}", argv=["sleep", "600"])
        )
        state = cluster.run_dir("T-early", f"e{n}") / "state.json"
        end = time.monotonic() + SAFETY_SEC
        while not state.exists() and time.monotonic() < end:
            time.sleep(0.001)
        handle.cancel()
        result = handle.result(timeout=SAFETY_SEC)
        assert (result.outcome.value, result.state.exit_code) == ("cancelled", 130)
        assert read_run(str(state.parent)).status == "cancelled"
    for worker in cluster.workers:
        assert "WorkerLostError" not in worker.log.read_text()


def test_submit_wait_says_when_it_cannot_show_output_live(cluster: Cluster, tmp_path: Path) -> None:
    """A worker whose runs root this machine does not see (a private mount here): `submit --wait`
    says so in one line and shows the envelope's output when the step ends."""
    import shutil

    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare to give the worker a runs root of its own")
    private = tmp_path / "private"
    private.mkdir()
    mounted = ("unshare", "--mount", "--propagation", "private", "sh", "-c",
               'mount -t tmpfs none "$0" && exec "$@"', str(private))  # fmt: skip
    worker = WorkerProcess(cluster.redis.url, tmp_path / "private.log", concurrency=1,
                           queue="private", prefix=mounted).wait_ready()  # fmt: skip
    try:
        env = {**os.environ, "BAA_BROKER_URL": cluster.redis.url}
        gate = tmp_path / "gate"  # the step waits for it: the wait sees the step running
        waiter = subprocess.Popen(
            [BAA, "submit", "--wait", "--queue", "private", "--task", "T-priv", "--step", "s",
             "--run", "p1", "--repo-root", str(cluster.work), "--runs-dir", str(private / "runs"),
             "--", "sh", "-c", f"echo out; echo err >&2; while [ ! -e {gate} ]; do sleep 0.05; done"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert waiter.stderr is not None
            with _hang_guard(waiter):
                submitted, blind = waiter.stderr.readline(), waiter.stderr.readline()
            gate.touch()
            out, rest = waiter.communicate(timeout=SAFETY_SEC)
        finally:
            waiter.kill()
    finally:
        worker.stop()
    assert waiter.returncode == 0, rest
    assert out == "out\n"
    assert submitted.startswith("baa: submitted ")
    assert blind.startswith(f"baa: running on baa-{worker.pid}@")
    assert blind.endswith(
        f"; its run directory {private}/runs/T-priv/p1 is not visible here: "
        "the output is shown when the step ends\n"
    )
    err, summary = rest.splitlines()
    assert err == "err"
    assert summary.startswith("baa: completed, exit 0, ")
    assert not (private / "runs").exists()
