"""Real workers: shell processes with live output, timeouts and no orphans (git and codex steps:
test_git_step.py, test_codex.py)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import alive, entries, make_request, output, wait_for_pid, wait_gone

from baa_conductor.executors import ShellExecutor
from baa_conductor.executors.process import MAX_CHUNK_BYTES
from baa_conductor.runner import envelope_dict, run_step


def shell(tmp_path: Path, command: str, grace: float = 0.5, **overrides: Any) -> dict[str, Any]:
    request = make_request(tmp_path, command=command, **overrides)
    return envelope_dict(run_step(request, ShellExecutor(grace_sec=grace)))


def run_dir(envelope: dict[str, Any]) -> str:
    return str(envelope["logPaths"]["runDir"])


def test_exit_zero_completes_and_output_lands_in_order(tmp_path: Path) -> None:
    """stdout and stderr are captured live with one global seq in arrival order."""
    env = shell(tmp_path, "echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three")
    assert (env["outcome"], env["ok"], env["state"]["exitCode"]) == ("completed", True, 0)
    assert env["summary"] == "shell command exited with code 0"
    chunks = entries(run_dir(env), "stdout.log") + entries(run_dir(env), "stderr.log")
    assert [(c["channel"], c["text"]) for c in sorted(chunks, key=lambda c: c["seq"])] == [
        ("stdout", "one\n"), ("stderr", "two\n"), ("stdout", "three\n")]  # fmt: skip
    assert env["metrics"]["stdoutChunkCount"] == 2


def test_nonzero_exit_fails_with_the_code(tmp_path: Path) -> None:
    """A non-zero exit is a failed step carrying that exit code."""
    env = shell(tmp_path, "exit 3")
    assert (env["outcome"], env["state"]["exitCode"], env["state"]["status"]) == (
        "failed",
        3,
        "failed",
    )
    assert env["summary"] == "shell command exited with code 3"


def test_argv_runs_without_a_shell(tmp_path: Path) -> None:
    """An argv list is executed directly: shell metacharacters stay literal."""
    request = make_request(tmp_path, argv=["echo", "$HOME;", "*"])
    env = envelope_dict(run_step(request, ShellExecutor()))
    assert output(run_dir(env), "stdout") == b"$HOME; *\n"


def test_missing_program_is_a_clear_failure(tmp_path: Path) -> None:
    """A program that does not exist gives exit 127 and says so."""
    env = envelope_dict(
        run_step(make_request(tmp_path, argv=["no-such-program-x"]), ShellExecutor())
    )
    assert (env["outcome"], env["state"]["exitCode"]) == ("failed", 127)
    assert env["summary"] == "shell command could not start: command not found: no-such-program-x"


def test_runs_in_worktree_with_env_merged(tmp_path: Path) -> None:
    """The worker runs in runtime.worktreePath with runtime.env over the runner's environment."""
    worktree = tmp_path / "wt"
    worktree.mkdir()
    env = shell(tmp_path, 'pwd; echo "$GREETING"; test -n "$PATH" && echo has-path',
                runtime={"worktreePath": str(worktree), "env": {"GREETING": "hi there"}})  # fmt: skip
    assert output(run_dir(env), "stdout").decode() == f"{worktree}\nhi there\nhas-path\n"


def test_firehose_is_chunked_by_read_with_bounded_chunks(tmp_path: Path) -> None:
    """Fast output becomes few chunks of whole lines, none over the bound; nothing is lost."""
    env = shell(tmp_path, "seq 1 200000")
    chunks = entries(run_dir(env), "stdout.log")
    assert output(run_dir(env), "stdout") == "".join(f"{i}\n" for i in range(1, 200001)).encode()
    assert len(chunks) < 2000
    assert all(c["text"].endswith("\n") for c in chunks)
    assert max(len(c["text"].encode()) for c in chunks) <= MAX_CHUNK_BYTES
    assert env["metrics"]["stdoutChunkCount"] == len(chunks)
    assert len(env["logSession"]["stdout"]["entries"]) <= 200


def test_long_line_is_split_never_mid_character(tmp_path: Path) -> None:
    """A line longer than the bound is cut into pieces that each stay valid UTF-8."""
    env = shell(tmp_path, "python3 -c \"import sys; sys.stdout.write('é' * 300000)\"")
    chunks = entries(run_dir(env), "stdout.log")
    assert len(chunks) > 1
    assert all("encoding" not in c for c in chunks)
    assert "".join(c["text"] for c in chunks) == "é" * 300000


def test_not_utf8_output_keeps_the_exact_bytes(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 do not crash the run; the log keeps them exactly."""
    env = shell(tmp_path, r"printf 'caf\351 \377\376\n'; printf 'ok\n'")
    assert env["outcome"] == "completed"
    assert output(run_dir(env), "stdout") == b"caf\xe9 \xff\xfe\nok\n"
    first = entries(run_dir(env), "stdout.log")[0]
    assert first["encoding"] == "base64"
    assert first["text"].startswith("caf\ufffd \ufffd\ufffd\n")


def test_partial_line_is_flushed_when_output_goes_quiet(tmp_path: Path) -> None:
    """A prompt without newline shows up in the log before the process ends."""
    env = shell(tmp_path, "printf 'working...'; sleep 0.6; echo ' done'")
    assert [c["text"] for c in entries(run_dir(env), "stdout.log")] == ["working...", " done\n"]


def test_timeout_fails_with_124_and_kills_the_group(tmp_path: Path) -> None:
    """A step over its timeout is stopped, failed, exit 124, with its children gone."""
    pid_file = tmp_path / "child.pid"
    started = time.monotonic()
    env = shell(tmp_path, f"sleep 300 & echo $! > {pid_file}; wait", timeoutSec=0.5)
    assert time.monotonic() - started < 5
    assert (env["outcome"], env["state"]["exitCode"]) == ("failed", 124)
    assert env["summary"].startswith("shell command timed out after 0.5s and was stopped")
    assert wait_gone(int(pid_file.read_text()))


def test_sigterm_ignored_gets_sigkill_after_grace(tmp_path: Path) -> None:
    """A worker that ignores SIGTERM is killed once the grace period is over."""
    started = time.monotonic()
    env = shell(tmp_path, "trap '' TERM; sleep 300 & wait; sleep 300", timeoutSec=0.3, grace=0.5)
    assert 0.7 < time.monotonic() - started < 5
    assert env["state"]["exitCode"] == 124


def test_background_child_is_not_left_behind(tmp_path: Path) -> None:
    """A child left running in the background is stopped when the step ends."""
    pid_file = tmp_path / "bg.pid"
    env = shell(tmp_path, f"sleep 300 & echo $! > {pid_file}; echo bye")
    assert env["outcome"] == "completed"
    assert wait_gone(int(pid_file.read_text()))


def test_setsid_escapee_holding_the_pipes_is_swept(tmp_path: Path) -> None:
    """A daemon that left the process group and keeps stdout open is found and killed."""
    pid_file = tmp_path / "daemon.pid"
    started = time.monotonic()
    env = shell(
        tmp_path,
        f"setsid sh -c 'echo $$ > {pid_file}; exec sleep 300' & sleep 0.2; echo parent done",
    )
    assert time.monotonic() - started < 5
    assert env["outcome"] == "completed"
    assert wait_gone(int(pid_file.read_text()))


def test_closed_stdout_still_waits_for_exit(tmp_path: Path) -> None:
    """A worker that closes stdout early is still waited for, and its stderr kept."""
    env = shell(tmp_path, "exec 1>&-; sleep 0.5; echo finished >&2; exit 4")
    assert env["state"]["exitCode"] == 4
    assert output(run_dir(env), "stderr") == b"finished\n"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_runner_signal_stops_worker_and_persists(tmp_path: Path, signum: int) -> None:
    """SIGTERM or Ctrl-C to `baa run` stops the worker, writes a cancelled terminal state and an
    envelope."""
    pid_file = tmp_path / "w.pid"
    baa = [str(Path(sys.executable).with_name("baa"))]
    proc = subprocess.Popen(
        [*baa, "run", "--task", "T", "--step", "s", "--run", "r", "--runs-dir", str(tmp_path / "runs"),
         "--grace", "1", "--json", "--", "sh", "-c", f"echo $$ > {pid_file}; echo started; sleep 300"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    wait_for_pid(pid_file)
    time.sleep(0.2)
    proc.send_signal(signum)
    stdout, _ = proc.communicate(timeout=20)
    assert proc.returncode == 128 + signum
    envelope = json.loads(stdout)
    name = signal.Signals(signum).name
    assert envelope["summary"] == f"shell command was stopped because the runner received {name}"
    state = json.loads((tmp_path / "runs" / "T" / "r" / "state.json").read_text())
    assert (state["status"], state["exitCode"]) == ("cancelled", 128 + signum)
    assert (envelope["outcome"], envelope["lifecycleEvents"][-1]["type"]) == (
        "cancelled",
        "step_cancelled",
    )
    assert wait_gone(int(pid_file.read_text()))


def test_alive_helper_sees_a_live_process() -> None:
    """The orphan checks above can fail: a running process is reported alive."""
    proc = subprocess.Popen(["sleep", "5"])
    try:
        assert alive(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    assert not alive(proc.pid)


def _leftover(tmp_path: Path) -> list[str]:
    """A worker that starts a detached grandchild (its pid in ``tmp_path/child.pid``) and waits."""
    child = tmp_path / "child.pid"
    return ["sh", "-c", f"setsid sleep 300 & echo $! > {child}; exec sleep 300"]


def test_a_stop_signal_while_the_worker_starts_never_leaves_it_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGHUP handled as the worker's Popen is being built (the child exists, its Popen object is
    lost): the runner's stop ends it and all it started, and the signal still stops the run."""
    from baa_conductor.exceptions import Interrupted
    from baa_conductor.executors import process

    lost: list[subprocess.Popen[bytes]] = []

    class InterruptedPopen(subprocess.Popen[bytes]):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            lost.append(self)  # kept here only to reap it at the end (the runner cannot)
            wait_for_pid(tmp_path / "child.pid")  # the worker has started its own child
            raise Interrupted(signal.SIGHUP)

    monkeypatch.setattr(subprocess, "Popen", InterruptedPopen)
    with pytest.raises(Interrupted):
        process.run_process(_leftover(tmp_path), cwd=str(tmp_path), timeout_sec=60,
                            on_chunk=lambda channel, data: None)  # fmt: skip
    with lost[0] as worker:  # closes its pipes too
        assert worker.wait(timeout=30) == -signal.SIGKILL
    assert wait_gone(int((tmp_path / "child.pid").read_text()), 30)


def test_a_stop_signal_right_after_the_worker_started_stops_it_as_usual(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGHUP handled after the worker started but before its supervision began (as the runner
    leaves the run's cgroup): the worker is stopped as a signal a moment later would stop it."""
    from baa_conductor.exceptions import Interrupted
    from baa_conductor.executors import process

    real_spawn = process._spawn
    stops: list[str] = []

    def spawn_then_signal(*args: Any) -> None:
        real_spawn(*args)
        wait_for_pid(tmp_path / "child.pid")
        raise Interrupted(signal.SIGHUP)

    monkeypatch.setattr(process, "_spawn", spawn_then_signal)
    result = process.run_process(_leftover(tmp_path), cwd=str(tmp_path), timeout_sec=60,
                                 on_chunk=lambda channel, data: None, grace_sec=5,
                                 before_stop=stops.append)  # fmt: skip
    assert (result.exit_code, result.interrupted) == (128 + signal.SIGHUP, signal.SIGHUP)
    assert stops == ["stopped"]
    assert wait_gone(int((tmp_path / "child.pid").read_text()), 30)
