"""The codex step against tests/fake_codex.py, for what the real codex cannot be made to print
(test_codex_real.py drives the pinned binary through the rest), and the command line codex gets."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import entries, make_request, output, wait_gone
from hypothesis import given
from hypothesis import strategies as st

from baa_conductor.executors import CodexExecutor
from baa_conductor.executors.codex_events import CodexEvents
from baa_conductor.runner import envelope_dict, run_step

FAKE = Path(__file__).parent / "fake_codex.py"
PROMPT = "fix the failing test"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


class Codex:
    """One codex step run with the fake: its envelope, and what the fake was given."""

    def __init__(
        self,
        tmp_path: Path,
        worktree: Path,
        scenario: str = "success",
        prompt: str = PROMPT,
        executor: CodexExecutor | None = None,
        timeout: float = 60,
        **env: str,
    ):
        self.record = tmp_path / "record.json"
        request = make_request(
            tmp_path, workerKind="codex", stepKind="codex", prompt=prompt, timeoutSec=timeout,
            runtime={"worktreePath": str(worktree), "env": {
                "FAKE_CODEX_SCENARIO": scenario, "FAKE_CODEX_RECORD": str(self.record), **env}},
        )  # fmt: skip
        self.envelope = envelope_dict(
            run_step(request, executor or CodexExecutor(binary=str(FAKE)))
        )
        self.run_dir = Path(self.envelope["logPaths"]["runDir"])

    @property
    def given(self) -> dict[str, Any]:
        """The invocation as the fake parsed it (argv, options, the prompt it read)."""
        recorded: dict[str, Any] = json.loads(self.record.read_text("utf-8"))
        return recorded

    @property
    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in output(self.run_dir, "stdout").split(b"\n") if line]

    @property
    def agent(self) -> dict[str, Any]:
        agent: dict[str, Any] = self.envelope["agent"]
        return agent

    def outcome(self) -> tuple[str, int, str]:
        env = self.envelope
        return env["outcome"], env["state"]["exitCode"], env["summary"]

    def artifact_names(self) -> list[str]:
        return [a["name"] for a in self.envelope["artifacts"] if a["kind"] == "artifact"]


def test_success_reports_what_the_agent_did(tmp_path: Path, repo: Path) -> None:
    """Every item type: the envelope says thread, tokens, each command and exit code, each file."""
    run = Codex(tmp_path, repo)
    assert run.outcome() == (
        "completed", 0,
        "codex completed its turn (2 commands (1 failed), 2 files changed): "
        "Fixed the failing test. Sandbox: workspace-write.",
    )  # fmt: skip
    thread = run.events[0]["thread_id"]
    assert run.agent == {
        "threadId": thread,
        "usage": {"inputTokens": 24763, "cachedInputTokens": 24448, "outputTokens": 122},
        "finalMessagePath": str(run.run_dir / "artifacts" / "last-message.md"),
        "commands": [
            {"command": "bash -lc 'pytest -q'", "status": "failed", "exitCode": 1},
            {"command": "bash -lc 'pytest -q'", "status": "completed", "exitCode": 0},
        ],
        "fileChanges": [
            {"path": str(repo / "fixed.txt"), "kind": "add", "status": "completed"},
            {"path": str(repo / "README.md"), "kind": "update", "status": "completed"},
        ],
        "warnings": ["model rerouted: gpt-5 -> gpt-5-mini (HighRiskCyberActivity)"],
        "eventCount": len(run.events),
    }
    assert (repo / "fixed.txt").read_text() == "fixed\n"
    last_message = run.run_dir / "artifacts" / "last-message.md"
    assert last_message.read_text("utf-8") == "Fixed the failing test.\nSandbox: workspace-write."
    assert run.artifact_names() == ["prompt.md", "last-message.md", "agent-activity.json"]
    saved = json.loads((run.run_dir / "artifacts" / "agent-activity.json").read_text("utf-8"))
    assert saved == run.agent


def test_prompt_goes_on_stdin_with_the_runner_defaults(tmp_path: Path, repo: Path) -> None:
    """codex exec --json, workspace-write sandbox, the worktree as --cd, -o, the prompt on stdin."""
    run = Codex(tmp_path, repo)
    given = run.given
    last_message = str(run.run_dir / "artifacts" / "last-message.md")
    assert given["argv"] == ["exec", "--json", "--sandbox", "workspace-write", "--cd", str(repo),
                             "--output-last-message", last_message, "-"]  # fmt: skip
    assert (given["prompt"], given["cwd"], given["sandbox"]) == (
        PROMPT,
        str(repo),
        "workspace-write",
    )
    assert (run.run_dir / "artifacts" / "prompt.md").read_text("utf-8") == PROMPT


def test_options_from_the_api_reach_codex(tmp_path: Path, repo: Path) -> None:
    """Sandbox, model, profile, -c overrides and extra arguments are passed as codex parses them."""
    executor = CodexExecutor(
        binary=str(FAKE), sandbox="danger-full-access", model="gpt-5-codex", profile="ci",
        config=["model_reasoning_effort=high", 'shell_environment_policy.inherit="all"'],
        extra_args=["--ephemeral"],
    )  # fmt: skip
    given = Codex(tmp_path, repo, executor=executor).given
    assert (given["sandbox"], given["model"], given["profile"], given["ephemeral"]) == (
        "danger-full-access", "gpt-5-codex", "ci", True,
    )  # fmt: skip
    assert given["config"] == [
        "model_reasoning_effort=high",
        'shell_environment_policy.inherit="all"',
    ]


def test_options_in_the_request_drive_codex(tmp_path: Path, repo: Path) -> None:
    """A request's `codex` options win over the executor's; config and extra arguments add up."""
    request = make_request(
        tmp_path, workerKind="codex", stepKind="codex", prompt=PROMPT,
        runtime={"worktreePath": str(repo), "env": {"FAKE_CODEX_RECORD": str(tmp_path / "r.json")}},
        codex={"model": "gpt-5.5", "profile": "review", "sandbox": "read-only",
               "config": ["model_reasoning_effort=low"], "extraArgs": ["--ephemeral"]},
    )  # fmt: skip
    executor = CodexExecutor(binary=str(FAKE), model="gpt-5-codex", config=["a.b=1"])
    run_step(request, executor)
    given = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert (given["sandbox"], given["model"], given["profile"], given["ephemeral"]) == (
        "read-only", "gpt-5.5", "review", True,
    )  # fmt: skip
    assert given["config"] == ["a.b=1", "model_reasoning_effort=low"]


def test_a_blank_model_in_the_request_is_refused(tmp_path: Path, repo: Path) -> None:
    """What the schema lets through but codex would not take fails the step by name."""
    request = make_request(
        tmp_path, workerKind="codex", stepKind="codex", prompt=PROMPT,
        runtime={"worktreePath": str(repo)}, codex={"model": " "},
    )  # fmt: skip
    envelope = envelope_dict(run_step(request, CodexExecutor(binary=str(FAKE))))
    assert (envelope["outcome"], envelope["state"]["exitCode"], envelope["summary"]) == (
        "failed", 126, "codex.model: must not be empty"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"sandbox": "rw"},
            "sandbox 'rw': expected one of read-only, workspace-write, danger-full-access",
        ),
        ({"config": ["model"]}, "config override 'model': expected KEY=VALUE (missing '=')"),
        ({"config": ["=1"]}, "config override '=1': the key is empty"),
        ({"model": " "}, "model: must not be empty"),
    ],
)
def test_bad_options_are_refused_by_name(kwargs: dict[str, Any], message: str) -> None:
    """A bad option is a ValueError naming it, before anything runs."""
    with pytest.raises(
        ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"
    ):
        CodexExecutor(**kwargs)


def test_transient_error_then_completed_turn_is_a_success(tmp_path: Path, repo: Path) -> None:
    """A reconnect notice (a top-level error) followed by turn.completed and exit 0 succeeds."""
    run = Codex(tmp_path, repo, "transient")
    assert run.outcome() == (
        "completed", 0, "codex completed its turn (0 commands, 0 files changed): Done after a reconnect."
    )  # fmt: skip


def test_fatal_error_fails_with_its_message(tmp_path: Path, repo: Path) -> None:
    """A top-level error and exit 1 with no turn end: failed, with the error's message."""
    run = Codex(tmp_path, repo, "fatal_error")
    assert run.outcome() == (
        "failed", 1, "codex exited with code 1: unexpected status 401 Unauthorized: Missing bearer auth"
    )  # fmt: skip


def test_error_with_no_completed_turn_fails_even_on_exit_zero(tmp_path: Path, repo: Path) -> None:
    """An error that no completed turn follows is a failure whatever the exit code says."""
    run = Codex(tmp_path, repo, "error_exit_zero")
    assert run.outcome() == (
        "failed", 1, "codex reported an error and no turn completed: stream disconnected before completion"
    )  # fmt: skip


def test_stderr_that_is_not_utf8_is_quoted_and_kept_exactly(tmp_path: Path, repo: Path) -> None:
    """Undecodable stderr: U+FFFD in the summary, the exact bytes in stderr.log."""
    run = Codex(tmp_path, repo, "bad_stderr")
    assert run.outcome() == (
        "failed", 1,
        "codex exited with code 1: Error: failed to read /home/\ufffdt\ufffd/.codex/auth.json: \ufffd\ufffd",
    )  # fmt: skip
    assert output(run.run_dir, "stderr") == (
        b"Error: failed to read /home/\xe9t\xe9/.codex/auth.json: \xff\xfe\n"
    )


def test_hanging_agent_is_stopped_at_the_timeout(tmp_path: Path, repo: Path) -> None:
    """A hang ends at the timeout (124), the agent is gone, what it had done is reported."""
    pid_file = tmp_path / "codex.pid"
    executor = CodexExecutor(binary=str(FAKE), grace_sec=0.5)
    run = Codex(
        tmp_path, repo, "hang", executor=executor, timeout=5, FAKE_CODEX_PID_FILE=str(pid_file)
    )
    assert run.outcome() == (
        "failed", 124, "codex timed out after 5s and was stopped (SIGTERM to its process group, "
        "SIGKILL 0.5s later if still running)",
    )  # fmt: skip
    assert wait_gone(int(pid_file.read_text()))
    assert run.agent["threadId"] == run.events[0]["thread_id"]
    assert run.agent["commands"] == [
        {"command": "bash -lc 'sleep infinity'", "status": "in_progress"}
    ]


def test_inside_a_repository_the_git_check_stays(tmp_path: Path, repo: Path) -> None:
    """In a repository codex keeps its own check: no --skip-git-repo-check."""
    assert "--skip-git-repo-check" not in Codex(tmp_path, repo).given["argv"]


def test_keeping_the_git_check_outside_a_repository_fails_in_codexs_words(tmp_path: Path) -> None:
    """skip_git_repo_check=False: codex refuses, and the summary says what it said."""
    plain = tmp_path / "plain"
    plain.mkdir()
    executor = CodexExecutor(binary=str(FAKE), skip_git_repo_check=False)
    run = Codex(tmp_path, plain, executor=executor)
    assert run.outcome() == (
        "failed", 1,
        "codex exited with code 1: Not inside a trusted directory and --skip-git-repo-check was not specified.",
    )  # fmt: skip


def test_missing_binary_is_a_summary_not_a_traceback(tmp_path: Path, repo: Path) -> None:
    """No agent binary: failed with 127 and a summary saying how to point at one."""
    run = Codex(tmp_path, repo, executor=CodexExecutor(), BAA_CODEX_BIN="no-such-codex")
    assert run.outcome() == (
        "failed", 127, "codex agent not found: 'no-such-codex' is not on PATH (set BAA_CODEX_BIN to its path)"
    )  # fmt: skip
    assert entries(run.run_dir, "stderr.log") == []


def test_binary_from_the_environment(tmp_path: Path, repo: Path) -> None:
    """BAA_CODEX_BIN in the step's environment names the agent."""
    run = Codex(tmp_path, repo, executor=CodexExecutor(), BAA_CODEX_BIN=str(FAKE))
    assert run.outcome()[:2] == ("completed", 0)


def test_blank_prompt_is_refused(tmp_path: Path, repo: Path) -> None:
    """A prompt of only whitespace is refused before codex starts."""
    run = Codex(tmp_path, repo, prompt=" \n")
    assert run.outcome() == ("failed", 126, "codex step has no prompt (prompt or promptSummary)")
    assert not run.record.exists()


def baa(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "baa_conductor", *args], cwd=cwd, text=True,
                          capture_output=True, env={**os.environ, **env}, check=False)  # fmt: skip


def test_baa_run_codex_then_show_what_it_did(tmp_path: Path, repo: Path) -> None:
    """`baa run --kind codex` with codex on PATH; `baa show` lists its commands with exit codes."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "codex").symlink_to(FAKE)
    record = tmp_path / "record.json"
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    ran = baa("run", "-q", "--task", "T-1", "--step", "fix", "--run", "r1", "--kind", "codex",
              "--model", "gpt-5-codex", "--codex-config", "model_reasoning_effort=high",
              "--", "--help me fix the test", cwd=repo, PATH=path, FAKE_CODEX_RECORD=str(record))  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    given = json.loads(record.read_text("utf-8"))
    assert (given["prompt"], given["model"], given["config"]) == (
        "--help me fix the test", "gpt-5-codex", ["model_reasoning_effort=high"]
    )  # fmt: skip
    shown = baa("show", "T-1/r1", cwd=repo)
    assert shown.returncode == 0, shown.stderr
    thread = json.loads(output(repo / "runs" / "T-1" / "r1", "stdout").split(b"\n")[0])["thread_id"]
    assert (
        "agent:\n"
        f"  thread: {thread}  (codex exec resume <thread>)\n"
        "  tokens: 24763 in (24448 cached), 122 out\n"
        f"  final message: {repo}/runs/T-1/r1/artifacts/last-message.md\n"
        "  commands (2):\n"
        "    exit 1      bash -lc 'pytest -q'\n"
        "    exit 0      bash -lc 'pytest -q'\n"
        "  file changes (2):\n"
        f"    add         {repo}/fixed.txt\n"
        f"    update      {repo}/README.md\n"
        "  warning: model rerouted: gpt-5 -> gpt-5-mini (HighRiskCyberActivity)\n"
    ) in shown.stdout
    assert (
        "summary: codex completed its turn (2 commands (1 failed), 2 files changed)" in shown.stdout
    )
    view = json.loads(baa("show", "--json", "T-1/r1", cwd=repo).stdout)
    assert view["agent"]["threadId"] == thread


def test_codex_options_belong_to_codex_steps(tmp_path: Path, repo: Path) -> None:
    """A codex option on another kind of step, or a bad one, is a usage error (exit 2)."""
    ran = baa("run", "--task", "T-1", "--step", "st", "--kind", "git", "--sandbox", "read-only",
              "--", "status", cwd=repo)  # fmt: skip
    assert (ran.returncode, ran.stderr) == (
        2, "baa: error: --sandbox is an option of codex steps (--kind codex)\n"
    )  # fmt: skip
    ran = baa("run", "--task", "T-1", "--step", "fix", "--kind", "codex", "--codex-config", "x",
              "--", "fix it", cwd=repo)  # fmt: skip
    assert (ran.returncode, ran.stderr) == (
        2, "baa: error: codex options: config override 'x': expected KEY=VALUE (missing '=')\n"
    )  # fmt: skip


STREAM = "".join(
    json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"
    for event in [
        {"type": "thread.started", "thread_id": "0199a213-81c0-7800-8aa1-bbab2a035a53"},
        {"type": "turn.started"},
        {"type": "error", "message": "Reconnecting... 1/5"},
        {"type": "item.completed", "item": {"id": "item_0", "type": "command_execution",
         "command": "ls", "aggregated_output": "a\u2028b\n", "exit_code": 2, "status": "failed"}},
        {"type": "item.completed", "item": {"id": "item_1", "type": "agent_message",
         "text": "é\u2028\u0085\r" * 50}},
        {"type": "turn.completed", "usage": {"input_tokens": 3, "cached_input_tokens": 1,
         "output_tokens": 2}},
    ]
).encode()  # fmt: skip


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_events_are_the_same_however_the_output_is_cut(cuts: list[int]) -> None:
    """Chunks cut anywhere (mid-line, mid-character) fold into the same events."""
    whole, pieces = CodexEvents(), CodexEvents()
    whole.feed(STREAM)
    bounds = [0, *sorted(cuts), len(STREAM)]
    for start, end in itertools.pairwise(bounds):
        pieces.feed(STREAM[start:end])
    pieces.close()
    assert (pieces.final_message, pieces.usage, pieces.turn, pieces.failure, pieces.events) == (
        "é\u2028\u0085\r" * 50, {"input_tokens": 3, "cached_input_tokens": 1, "output_tokens": 2},
        "completed", None, 6,
    )  # fmt: skip
    assert pieces.commands == whole.commands
    assert pieces.thread_id == "0199a213-81c0-7800-8aa1-bbab2a035a53"


def test_validate_checks_the_agent_activity_of_a_run(tmp_path: Path, repo: Path) -> None:
    """`baa validate RUN_DIR` checks artifacts/agent-activity.json with the run's other files."""
    run = Codex(tmp_path, repo)
    ok = baa("validate", str(run.run_dir), cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    path = run.run_dir / "artifacts" / "agent-activity.json"
    activity = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps({**activity, "eventCount": -1}), "utf-8")
    bad = baa("validate", str(run.run_dir), cwd=tmp_path)
    assert bad.returncode == 1
    assert f"{path}: /eventCount: " in bad.stdout + bad.stderr
