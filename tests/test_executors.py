"""Real workers: shell, git and codex processes with live output, timeouts and no orphans."""

from __future__ import annotations

import json
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import alive, entries, make_request, output, wait_for_pid, wait_gone

from baa_conductor.executors import CodexExecutor, GitExecutor, ShellExecutor
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
    """SIGTERM or Ctrl-C to `baa run` stops the worker, writes a failed terminal state and an envelope."""
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
    assert (state["status"], state["exitCode"]) == ("failed", 128 + signum)
    assert wait_gone(int(pid_file.read_text()))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    (path / "new.txt").write_text("x\n")
    return path


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_status_in_a_repository(tmp_path: Path, repo: Path) -> None:
    """git arguments run in the worktree; their output is the step's output."""
    request = make_request(tmp_path, workerKind="git", stepKind="git", argv=["status", "--porcelain"],
                           runtime={"worktreePath": str(repo)})  # fmt: skip
    env = envelope_dict(run_step(request, GitExecutor()))
    assert (env["outcome"], env["summary"]) == ("completed", "git status exited with code 0")
    assert output(run_dir(env), "stdout") == b"?? new.txt\n"


def test_git_outside_a_repository_is_refused(tmp_path: Path) -> None:
    """A worktree that is not a repository fails before git runs, and says why."""
    plain = tmp_path / "plain"
    plain.mkdir()
    request = make_request(
        tmp_path, workerKind="git", command="status", runtime={"worktreePath": str(plain)}
    )
    env = envelope_dict(run_step(request, GitExecutor()))
    assert (env["outcome"], env["state"]["exitCode"]) == ("failed", 128)
    assert env["summary"] == f"worktree {plain} is not a git repository"


def test_git_missing_is_a_clear_failure(tmp_path: Path, repo: Path) -> None:
    """No git on PATH: failed with 127 and a summary naming the problem."""
    request = make_request(tmp_path, workerKind="git", command="status",
                           runtime={"worktreePath": str(repo), "env": {"PATH": str(tmp_path / "empty")}})  # fmt: skip
    env = envelope_dict(run_step(request, GitExecutor()))
    assert (env["outcome"], env["state"]["exitCode"]) == ("failed", 127)
    assert env["summary"] == "git is not installed: 'git' was not found on PATH"


AGENT = """#!/usr/bin/env python3
import json, sys
args = sys.argv[1:]
print(json.dumps({"type": "thread.started", "args": args}), flush=True)
if "turn-fails" in args[-1]:
    print(json.dumps({"type": "turn.failed", "error": {"message": "rate limited"}}))
    sys.exit(0)
print(json.dumps({"type": "item.completed", "item": {"type": "agent_message", "text": "did " + args[-1]}}))
sys.exit(0 if "fail" not in args[-1] else 2)
"""


@pytest.fixture
def agent(tmp_path: Path) -> Path:
    path = tmp_path / "fake-codex"
    path.write_text(AGENT)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def codex_request(tmp_path: Path, prompt: str, **runtime: Any) -> dict[str, Any]:
    return make_request(
        tmp_path, workerKind="codex", stepKind="codex", prompt=prompt, runtime=runtime
    )


def test_codex_runs_the_agent_with_the_prompt_and_keeps_its_jsonl(
    tmp_path: Path, agent: Path
) -> None:
    """The agent runs as `<bin> exec --json <prompt>`; its JSONL events land in stdout.log."""
    request = codex_request(tmp_path, "fix the bug", env={"BAA_CODEX_BIN": str(agent)})
    env = envelope_dict(run_step(request, CodexExecutor()))
    assert (env["outcome"], env["summary"]) == (
        "completed",
        "codex exited with code 0: did fix the bug",
    )
    events = [json.loads(line) for line in output(run_dir(env), "stdout").splitlines()]
    assert events[0] == {"type": "thread.started", "args": ["exec", "--json", "fix the bug"]}
    assert events[1]["item"]["text"] == "did fix the bug"


def test_codex_failure_exit_is_failed(tmp_path: Path, agent: Path) -> None:
    """A non-zero agent exit fails the step with that code."""
    env = envelope_dict(
        run_step(codex_request(tmp_path, "please fail"), CodexExecutor(binary=str(agent)))
    )
    assert (env["outcome"], env["state"]["exitCode"]) == ("failed", 2)


def test_codex_failed_turn_fails_the_step(tmp_path: Path, agent: Path) -> None:
    """A turn.failed event fails the step with the agent's reason, even when it exits 0."""
    env = envelope_dict(
        run_step(codex_request(tmp_path, "turn-fails"), CodexExecutor(binary=str(agent)))
    )
    assert (env["outcome"], env["state"]["exitCode"]) == ("failed", 1)
    assert env["summary"] == "codex exited with code 0; the agent reported: rate limited"


def test_codex_missing_binary_is_a_summary_not_a_traceback(tmp_path: Path) -> None:
    """No agent binary: failed with 127 and a summary saying how to point at one."""
    request = codex_request(tmp_path, "x", env={"BAA_CODEX_BIN": "no-such-codex"})
    env = envelope_dict(run_step(request, CodexExecutor()))
    assert (env["outcome"], env["state"]["exitCode"]) == ("failed", 127)
    assert (
        env["summary"]
        == "codex agent not found: 'no-such-codex' is not on PATH (set BAA_CODEX_BIN to its path)"
    )
    assert entries(run_dir(env), "stderr.log") == []


def test_alive_helper_sees_a_live_process() -> None:
    """The orphan checks above can fail: a running process is reported alive."""
    proc = subprocess.Popen(["sleep", "5"])
    try:
        assert alive(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    assert not alive(proc.pid)
