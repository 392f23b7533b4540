"""Stops are instant: a stopped run ends as soon as its step's processes are gone.

Every latency here is measured from an event the test observes (no live process of the step is
left), never from the signal: the grace is the longest wait before SIGKILL, not a delay. Runs use
a grace of an hour, so a runner that waited it out would hang and fail on the safety timeout.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest
from helpers import make_request, wait_for_pid

from baa_conductor.executors import ShellExecutor
from baa_conductor.executors.process import TOKEN_VAR
from baa_conductor.runner import envelope_dict, run_step

BAA = str(Path(sys.executable).with_name("baa"))
#: From the step's processes gone to the runner's exit: generous, and relative to that event.
BOUND_SEC = 2.0
HANG_GUARD_SEC = 60.0

STEPS = {
    "bash-loop": ["bash", "-c", "echo $$ > {pid}; for i in $(seq 60); do echo $i; sleep 1; done"],
    "sh-sleep": ["sh", "-c", "echo $$ > {pid}; echo go; sh -c 'sleep 60'"],
}


def _live_with_token(token: bytes) -> list[int]:
    """Processes that carry the run's token and are not zombies (a zombie's environ is empty)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as handle:
                env = handle.read()
        except OSError:
            continue
        if b"\0" + TOKEN_VAR.encode() + b"=" + token + b"\0" in b"\0" + env:
            found.append(int(name))
    return found


def _line(stream: IO[bytes] | None) -> bytes:
    """The next line of a pipe, failing after the safety timeout instead of hanging."""
    assert stream is not None
    fd, line = stream.fileno(), b""
    end = time.monotonic() + HANG_GUARD_SEC
    while not line.endswith(b"\n"):
        left = end - time.monotonic()
        assert left > 0, f"no line after {line!r}"
        assert select.select([fd], [], [], left)[0], f"no line after {line!r}"
        byte = os.read(fd, 1)
        assert byte, f"end of file after {line!r}"
        line += byte
    return line


def _token_of(pid: int) -> bytes:
    env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return next(e.split(b"=", 1)[1] for e in env if e.startswith(TOKEN_VAR.encode() + b"="))


def _gone_then_exit(proc: subprocess.Popen[bytes], token: bytes) -> float:
    """Seconds from the moment no process of the step runs to the runner's exit."""
    end = time.monotonic() + HANG_GUARD_SEC
    while _live_with_token(token):
        assert time.monotonic() < end, "the step's processes were never stopped"
        time.sleep(0.002)
    gone = time.monotonic()
    proc.wait(timeout=HANG_GUARD_SEC)
    return time.monotonic() - gone


@pytest.fixture(params=["cgroup", "subreaper"])
def containment_env(request: pytest.FixtureRequest) -> dict[str, str]:
    env = dict(os.environ)
    if request.param == "subreaper":
        env["BAA_CGROUP"] = "0"
    return env


def _start(
    tmp_path: Path, step: str, env: dict[str, str], *options: str
) -> tuple[subprocess.Popen[bytes], int]:
    pid_file = tmp_path / "step.pid"
    argv = [part.replace("{pid}", str(pid_file)) for part in STEPS[step]]
    proc = subprocess.Popen(
        [BAA, "run", "--task", "T", "--step", "s", "--run", "r", "--runs-dir", str(tmp_path / "runs"),
         "--grace", "3600", *options, "--", *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    _line(proc.stdout)  # the step's first line of output: it runs
    return proc, wait_for_pid(pid_file)


@pytest.mark.parametrize("step", sorted(STEPS))
@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["SIGTERM", "SIGINT", "SIGHUP"]
)
def test_a_stop_signal_ends_the_run_once_the_step_is_gone(
    tmp_path: Path, step: str, signum: int, containment_env: dict[str, str]
) -> None:
    """SIGTERM, SIGINT (Ctrl-C) or SIGHUP to `baa run`: it exits as soon as the step's processes
    are gone, whatever the grace, with the same summary on every path."""
    proc, pid = _start(tmp_path, step, containment_env)
    token = _token_of(pid)
    proc.send_signal(signum)
    assert _gone_then_exit(proc, token) < BOUND_SEC
    _, err = proc.communicate()
    name = signal.Signals(signum).name
    assert proc.returncode == 128 + signum
    state = json.loads((tmp_path / "runs" / "T" / "r" / "state.json").read_text())
    assert state["summary"] == f"shell command was stopped because the runner received {name}"
    assert state["status"] == "cancelled"
    lines = err.decode().splitlines()
    assert lines[0].startswith(f"baa: {name}: stopping the step (SIGTERM, then SIGKILL")
    assert lines[-1].endswith(f"{state['summary']}; run directory {tmp_path}/runs/T/r")


def test_a_second_signal_kills_a_step_that_ignores_sigterm(tmp_path: Path) -> None:
    """Ctrl-C twice: the first asks the step to stop, the second kills it without waiting out
    the grace (an hour here), and the run ends with the first signal's summary."""
    pid_file, trapped = tmp_path / "step.pid", tmp_path / "trapped"
    proc = subprocess.Popen(
        [BAA, "run", "--task", "T", "--step", "s", "--run", "r", "--runs-dir", str(tmp_path / "runs"),
         "--grace", "3600", "--", "bash", "-c",
         f"trap 'echo > {trapped}' TERM; echo $$ > {pid_file}; echo go; "
         "while :; do sleep 0.05; done"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    _line(proc.stdout)
    token = _token_of(wait_for_pid(pid_file))
    proc.send_signal(signal.SIGINT)
    assert _line(proc.stderr).startswith(b"baa: SIGINT: stopping the step")
    end = time.monotonic() + HANG_GUARD_SEC
    while not trapped.exists():  # the step got SIGTERM and lives on
        assert time.monotonic() < end
        time.sleep(0.01)
    assert _live_with_token(token)
    proc.send_signal(signal.SIGINT)
    assert _gone_then_exit(proc, token) < BOUND_SEC
    _, err = proc.communicate()
    assert proc.returncode == 130
    lines = err.decode().splitlines()
    assert "baa: SIGINT again: killing the step now" in lines  # after what the step wrote
    assert (
        "shell command was stopped because the runner received SIGINT; run directory" in lines[-1]
    )


def _ignored_by(status: bytes) -> int:
    line = next(x for x in status.splitlines() if x.startswith(b"SigIgn:"))
    return int(line.split()[1], 16)


RUNNER_IGNORING_SIGINT = """
import json, signal, sys, threading
sys.path[:0] = {paths!r}
from helpers import make_request
from pathlib import Path
from baa_conductor.executors import ShellExecutor
from baa_conductor.runner import run_step_dict
signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a Celery pool process has it
signal.signal(signal.SIGQUIT, signal.SIG_IGN)
request = make_request(Path({tmp!r}), argv=["cat", "/proc/self/status"], command="cat")
results = []
def run():
    results.append(run_step_dict(request, ShellExecutor()))
if {threaded!r}:
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
else:
    run()
assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # the runner's own is kept
print(results[0]["logPaths"]["stdoutLogPath"])
"""


@pytest.mark.parametrize("threaded", [False, True], ids=["main-thread", "other-thread"])
def test_a_step_starts_with_no_signal_ignored(tmp_path: Path, threaded: bool) -> None:
    """A runner that ignores SIGINT (a dispatch worker's pool process does) still starts its step
    with every signal at its default: Ctrl-C reaches dispatched and local steps alike."""
    tests = str(Path(__file__).parent)
    script = RUNNER_IGNORING_SIGINT.format(paths=[tests], tmp=str(tmp_path), threaded=threaded)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    stdout_log = Path(done.stdout.decode().strip())
    status = b"".join(
        json.loads(line)["text"].encode() for line in stdout_log.read_text().splitlines()
    )
    assert _ignored_by(status) == 0


def test_a_local_runner_ignoring_nothing_changes_nothing(tmp_path: Path) -> None:
    """The step of a runner that ignores nothing also ignores nothing (the control case)."""
    request = make_request(tmp_path, argv=["cat", "/proc/self/status"], command="cat")
    envelope = envelope_dict(run_step(request, ShellExecutor()))
    status = "".join(e["text"] for e in envelope["logSession"]["stdout"]["entries"]).encode()
    assert _ignored_by(status) == 0


def test_a_stop_before_the_worker_starts_never_starts_it(tmp_path: Path) -> None:
    """A stop signal that came while the run was being prepared: the worker never starts, and the
    run ends stopped, with a final state."""
    from baa_conductor import stops

    marker = tmp_path / "ran"
    request = make_request(tmp_path, command=f"touch {marker}")
    with stops.handling(signals=[signal.SIGUSR1]):
        os.kill(os.getpid(), signal.SIGUSR1)  # handled now: no step is armed, so it is kept
        envelope = envelope_dict(run_step(request, ShellExecutor()))
    assert not marker.exists()
    assert envelope["state"]["exitCode"] == 128 + signal.SIGUSR1
    assert envelope["summary"] == "shell command was stopped because the runner received SIGUSR1"


def test_a_stop_from_another_thread_reaches_the_step(tmp_path: Path) -> None:
    """A library caller's KeyboardInterrupt stops the step through the same stop path."""
    pid_file = tmp_path / "step.pid"
    request = make_request(tmp_path, command=f"echo $$ > {pid_file}; exec sleep 300")

    def interrupt() -> None:
        wait_for_pid(pid_file)
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    thread = threading.Thread(target=interrupt)
    thread.start()
    envelope = envelope_dict(run_step(request, ShellExecutor(grace_sec=3600)))
    thread.join()
    assert envelope["state"]["exitCode"] == 130
    assert envelope["summary"] == "shell command was stopped because the runner received SIGINT"


def test_baa_cancel_stops_a_local_run_by_its_task(tmp_path: Path) -> None:
    """`baa cancel TASK` on a `baa run` under way here: its runner is stopped as by SIGTERM, the
    command returns once the run has ended cancelled; a second cancel finds nothing to do."""
    proc, pid = _start(tmp_path, "bash-loop", dict(os.environ))
    token = _token_of(pid)
    root = ["--runs-dir", str(tmp_path / "runs")]
    cancel = subprocess.run([BAA, "cancel", *root, "T"], capture_output=True, text=True,
                            timeout=HANG_GUARD_SEC)  # fmt: skip
    assert not _live_with_token(token)
    proc.communicate(timeout=HANG_GUARD_SEC)
    assert proc.returncode == 128 + signal.SIGTERM
    summary = "shell command was stopped because the runner received SIGTERM"
    assert (cancel.returncode, cancel.stderr.splitlines()[1:]) == (
        0,
        [f"baa: T/r: cancelled, exit 143: {summary}"],
    )
    assert cancel.stderr.startswith("baa: cancelling T/r (SIGTERM to its runner, pid ")
    again = subprocess.run([BAA, "cancel", *root, "T/r"], capture_output=True, text=True,
                           timeout=HANG_GUARD_SEC)  # fmt: skip
    assert (again.returncode, again.stderr) == (
        2,
        "baa: error: T/r is not under way here (cancelled): nothing to cancel\n",
    )


def test_baa_cancel_leaves_a_dispatched_run_to_its_broker(tmp_path: Path) -> None:
    """A run a dispatch worker took is cancelled by its submitted id, never by signalling the
    worker's process (which would only get the step delivered again)."""
    request = make_request(tmp_path, command="true")
    run_step(request, ShellExecutor(), worker="celery@elsewhere")
    done = subprocess.run([BAA, "cancel", "--runs-dir", str(tmp_path / "runs"), "run-1"],
                          capture_output=True, text=True, timeout=HANG_GUARD_SEC)  # fmt: skip
    assert (done.returncode, done.stderr) == (
        2,
        "baa: error: T-005/run-1 runs on the dispatch worker celery@elsewhere: cancel it by the "
        "id `baa submit` printed (baa status shows it)\n",
    )


def test_what_a_step_writes_while_it_stops_is_shown_as_it_comes(tmp_path: Path) -> None:
    """A step that cleans up on SIGTERM: what it writes meanwhile reaches the terminal while it
    still runs, not only once it has ended."""
    pid_file, done = tmp_path / "step.pid", tmp_path / "done"
    proc = subprocess.Popen(
        [BAA, "run", "--task", "T", "--step", "s", "--run", "r", "--runs-dir", str(tmp_path / "runs"),
         "--grace", "3600", "--", "bash", "-c",
         f"trap 'echo cleaning up; while [ ! -e {done} ]; do sleep 0.02; done; exit 0' TERM; "
         f"echo $$ > {pid_file}; echo go; while :; do sleep 0.05; done"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    _line(proc.stdout)
    pid = wait_for_pid(pid_file)
    proc.send_signal(signal.SIGINT)
    assert _line(proc.stdout) == b"cleaning up\n"
    assert Path(f"/proc/{pid}").exists()  # the step still runs: the line came as it was written
    done.touch()
    out, err = proc.communicate(timeout=HANG_GUARD_SEC)
    assert (proc.returncode, out) == (130, b"")
    assert b"baa: cancelled, exit 130, " in err


def test_tail_of_a_submitted_step_waits_for_a_worker_then_follows_it(tmp_path: Path) -> None:
    """`baa tail ID` (the id `baa submit` printed) while no worker has taken the step: it says so
    and waits; once a worker takes it, the run is followed to its end and its exit code."""
    import shutil

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    from brokers import RedisServer, WorkerProcess

    from baa_conductor.dispatch import Dispatcher

    redis = RedisServer(tmp_path / "redis")
    redis.start()
    runs, release = tmp_path / "runs", tmp_path / "release"
    worker = WorkerProcess(redis.url, tmp_path / "worker.log", concurrency=1, runs_dir=runs,
                           lease=40)  # fmt: skip
    dispatcher = Dispatcher(redis.url)
    tail: subprocess.Popen[bytes] | None = None
    try:
        worker.wait_ready()

        def request(run: str, command: str) -> dict[str, object]:
            return {"taskId": "T", "stepId": "s", "runId": run, "attempt": 1, "stepName": "s",
                    "stepKind": "shell", "workerKind": "shell", "timeoutSec": 30,
                    "command": command, "checkpoint": {"mode": "disabled"},
                    "runtime": {"repoRoot": str(tmp_path), "worktreePath": str(tmp_path)}}  # fmt: skip

        busy = dispatcher.submit(request("busy", f"while [ ! -e {release} ]; do sleep 0.02; done"))
        queued = dispatcher.submit(request("queued", "echo from the dispatched step; exit 4"))
        env = {**os.environ, "BAA_BROKER_URL": redis.url}
        tail = subprocess.Popen([BAA, "tail", "--runs-dir", str(runs), queued.task_id],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)  # fmt: skip
        assert _line(tail.stderr).decode() == (
            f"baa: step {queued.task_id} is queued: waiting for a worker to take it "
            "(Ctrl-C to stop waiting; the step goes on)\n"
        )
        release.touch()
        out, _ = tail.communicate(timeout=HANG_GUARD_SEC)
        assert (tail.returncode, out) == (4, b"from the dispatched step\n")
        assert busy.result(timeout=HANG_GUARD_SEC).ok
    finally:
        if tail is not None and tail.poll() is None:
            tail.kill()
            tail.communicate()
        release.touch()
        dispatcher.close()
        worker.stop()
        redis.stop()
