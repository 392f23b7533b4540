"""The codex step on the real Codex CLI (tools/codex, pinned), talking to tests/responses_server.py.

Each scenario runs ``baa run --kind codex`` and, in a twin worktree against the same script, the
same ``codex exec`` directly: what stdout.log holds must be the stream codex printed, event for
event (thread ids and worktree paths aside).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import entries, output
from responses_server import (
    API_KEY_VAR,
    Reply,
    Request,
    ResponsesServer,
    apply_patch,
    created,
    events,
    failed,
    http_error,
    message,
    shell,
    write_codex_home,
)

from baa_conductor.executors.process import MAX_CHUNK_BYTES

CODEX = Path(__file__).parents[1] / "tools" / "codex" / "node_modules" / ".bin" / "codex"
pytestmark = pytest.mark.skipif(
    not CODEX.is_file(), reason="the pinned codex is not installed: npm ci --prefix tools/codex"
)
PROMPT = "make the change"
LOOPBACK = re.compile(rb"127\.0\.0\.1:\d+")
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    (path / "a.txt").write_text("one\n")
    subprocess.run(["git", "-C", str(path), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(path), "-c", "user.name=t", "-c", "user.email=t@example.com",
                    "commit", "-qm", "base"], check=True)  # fmt: skip
    return path


def plain_dir(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "a.txt").write_text("one\n")
    return path


def codex_env(home: Path, **extra: str | None) -> dict[str, str]:
    env = {**os.environ, "CODEX_HOME": str(home), API_KEY_VAR: "test-key"}
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@dataclass
class Step:
    """One ``baa run --kind codex --json``: the process, its envelope, the server it talked to."""

    proc: subprocess.CompletedProcess[str]
    envelope: dict[str, Any]
    server: ResponsesServer
    worktree: Path

    @property
    def run_dir(self) -> Path:
        return Path(self.envelope["logPaths"]["runDir"])

    @property
    def agent(self) -> dict[str, Any]:
        agent: dict[str, Any] = self.envelope["agent"]
        return agent

    def outcome(self) -> tuple[str, int, str]:
        return self.envelope["outcome"], self.proc.returncode, self.envelope["summary"]

    def stream(self) -> bytes:
        return normalized(output(self.run_dir, "stdout"), self.worktree)


def normalized(stream: bytes, worktree: Path) -> bytes:
    """The stream with what differs between two runs of one script made equal: thread ids, the
    worktree's path, the model server's port."""
    stream = LOOPBACK.sub(
        b"127.0.0.1:<port>", stream.replace(str(worktree).encode(), b"<worktree>")
    )
    return UUID.sub(b"<uuid>", stream)


def baa_codex(
    tmp_path: Path,
    worktree: Path,
    script: Sequence[Reply],
    *options: str,
    otherwise: Reply | None = None,
    retries: int = 0,
    config: str = "",
    env: dict[str, str | None] | None = None,
    run: str = "r1",
    resume_from: str | None = None,
    on_request: Callable[[Request], None] | None = None,
) -> Step:
    home = tmp_path / f"codex-home-{run}"
    if resume_from is None:
        step = ["--task", "T-1", "--step", "agent", "--kind", "codex", "--worktree", str(worktree),
                "--repo-root", str(worktree), *options, "--", PROMPT]  # fmt: skip
    else:  # the step, its prompt and options as the run resumed from recorded them
        step = ["--resume-from", resume_from, *options]
    with ResponsesServer(list(script), otherwise=otherwise, on_request=on_request) as server:
        write_codex_home(home, server.base_url, retries=retries, extra=config)
        proc = subprocess.run(
            [sys.executable, "-m", "baa_conductor", "run", "--json", "--run", run,
             "--runs-dir", str(tmp_path / "runs"), *step],
            capture_output=True, text=True, timeout=300,
            env=codex_env(home, BAA_CODEX_BIN=str(CODEX), **(env or {})),
        )  # fmt: skip
    assert proc.stdout, proc.stderr
    return Step(proc, json.loads(proc.stdout), server, worktree)


def direct_codex(
    tmp_path: Path,
    worktree: Path,
    script: Sequence[Reply],
    *flags: str,
    otherwise: Reply | None = None,
    retries: int = 0,
    config: str = "",
    env: dict[str, str | None] | None = None,
    until: Callable[[ResponsesServer, subprocess.Popen[bytes]], None] | None = None,
    tail: Sequence[str] = (),
    prepare: Callable[[Path], object] | None = None,
) -> bytes:
    """What ``codex exec --json`` prints on stdout, run by hand with the flags baa passes
    (``tail``: before the ``-``; ``prepare``: readies the codex home first)."""
    home = tmp_path / "codex-home-direct"
    with ResponsesServer(list(script), otherwise=otherwise) as server:
        write_codex_home(home, server.base_url, retries=retries, extra=config)
        if prepare is not None:
            prepare(home)
        argv = [str(CODEX), "exec", "--json", *flags, "--cd", str(worktree), *tail, "-"]
        with subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=codex_env(home, **(env or {})),
                              start_new_session=True) as proc:  # fmt: skip
            assert proc.stdin is not None
            assert proc.stdout is not None
            proc.stdin.write(PROMPT.encode())
            proc.stdin.close()
            if until is not None:
                until(server, proc)
            stream = proc.stdout.read()
            proc.wait(timeout=120)
    return normalized(stream, worktree)


def test_commands_with_their_exit_codes_and_a_patch(tmp_path: Path) -> None:
    """Commands (one failing), a patch adding and editing files, a message: all in the envelope."""
    patch = "*** Begin Patch\n*** Add File: new.txt\n+hello\n*** Update File: a.txt\n@@\n-one\n+two\n*** End Patch\n"  # fmt: skip
    script = [
        events(shell("c1", "printf 'out\\n'; exit 3")),
        events(shell("c2", "printf made > by-shell.txt")),
        events(apply_patch("p1", patch)),
        events(message("Done."), input_tokens=1200, cached=200, output_tokens=70, reasoning=30),
    ]
    step = baa_codex(tmp_path, git_repo(tmp_path / "wt"), script)
    wt = step.worktree
    assert step.outcome() == (
        "completed", 0, "codex completed its turn (2 commands (1 failed), 2 files changed): Done."
    )  # fmt: skip
    assert [(c["status"], c.get("exitCode")) for c in step.agent["commands"]] == [
        ("failed", 3), ("completed", 0)
    ]  # fmt: skip
    assert step.agent["fileChanges"] == [
        {"path": str(wt / "a.txt"), "kind": "update", "status": "completed"},
        {"path": str(wt / "new.txt"), "kind": "add", "status": "completed"},
    ]
    assert step.agent["usage"] == {"inputTokens": 1200, "cachedInputTokens": 200,
                                   "cacheWriteInputTokens": 0, "outputTokens": 70,
                                   "reasoningOutputTokens": 30}  # fmt: skip
    assert (wt / "a.txt").read_text() == "two\n"
    assert (wt / "new.txt").read_text() == "hello\n"
    assert (wt / "by-shell.txt").read_text() == "made"
    requests = step.server.model_requests
    assert len(requests) == 4
    outputs = [i for i in requests[1].body["input"] if i.get("call_id") == "c1"]
    assert "Process exited with code 3" in outputs[-1]["output"]
    assert Path(step.agent["finalMessagePath"]).read_text("utf-8") == "Done."
    shown = subprocess.run([sys.executable, "-m", "baa_conductor", "show", str(step.run_dir)],
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert "  tokens: 1200 in (200 cached, 0 written to the cache), 70 out (30 reasoning)\n" in (
        shown.stdout
    )
    direct = direct_codex(tmp_path, git_repo(tmp_path / "twin"), script,
                          "--sandbox", "workspace-write")  # fmt: skip
    assert direct == step.stream()


LONG_TEXT = "".join(
    f"§{n:05d} Grüße, 世界 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 e\u0301 עברית 🇺🇳 \u2028sep\u0085nel\u2029par\x0bvt\r\n"
    for n in range(3000)
)


def test_a_long_final_message_in_unusual_unicode(tmp_path: Path) -> None:
    """A message of hundreds of KB with separators, combining marks, RTL text and astral
    characters is kept byte for byte and quoted in the summary."""
    script = [events(message(LONG_TEXT))]
    step = baa_codex(tmp_path, git_repo(tmp_path / "wt"), script)
    outcome, code, summary = step.outcome()
    assert (outcome, code) == ("completed", 0)
    assert summary.startswith(
        "codex completed its turn (0 commands, 0 files changed): §00000 Grüße, 世界 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 e\u0301"
    )
    assert len(LONG_TEXT.encode()) > MAX_CHUNK_BYTES  # one JSON line over several chunks
    assert max(len(e["text"].encode()) for e in entries(step.run_dir, "stdout.log")) <= (
        MAX_CHUNK_BYTES
    )
    assert Path(step.agent["finalMessagePath"]).read_bytes() == LONG_TEXT.encode()
    direct = direct_codex(tmp_path, git_repo(tmp_path / "twin"), script,
                          "--sandbox", "workspace-write")  # fmt: skip
    assert direct == step.stream()


def test_a_transient_http_500_then_success(tmp_path: Path) -> None:
    """codex retries a 500 and completes: the step completes, the server was asked twice."""
    script = [http_error(500, "overloaded, try again"), events(message("Recovered."))]
    step = baa_codex(tmp_path, git_repo(tmp_path / "wt"), script, retries=1)
    assert step.outcome() == (
        "completed", 0, "codex completed its turn (0 commands, 0 files changed): Recovered."
    )  # fmt: skip
    assert len(step.server.model_requests) == 2
    direct = direct_codex(tmp_path, git_repo(tmp_path / "twin"), script, "--sandbox",
                          "workspace-write", retries=1)  # fmt: skip
    assert direct == step.stream()


def test_every_request_failing(tmp_path: Path) -> None:
    """A model server that always answers 500: the turn fails, the step fails with exit 1."""
    down = http_error(500, "the model server is down")
    step = baa_codex(tmp_path, git_repo(tmp_path / "wt"), [], otherwise=down, retries=1)
    assert step.outcome() == (
        "failed", 1, "codex turn failed: the model server answered HTTP 500: We’re currently "
        "experiencing high demand, which may cause temporary errors.",
    )  # fmt: skip
    assert len(step.server.model_requests) == 4  # one retry of the request, one of the stream
    assert "finalMessagePath" not in step.agent
    direct = direct_codex(tmp_path, git_repo(tmp_path / "twin"), [], "--sandbox",
                          "workspace-write", otherwise=down, retries=1)  # fmt: skip
    assert direct == step.stream()


@pytest.mark.parametrize(
    ("status", "kind", "summary"),
    [
        (400, "invalid_request_error", "codex turn failed: the model server answered: "
         "invalid_request_error: Invalid 'input': no such thing"),
        (401, "invalid_api_key", "codex turn failed: unexpected status 401 Unauthorized: "
         "Invalid 'input': no such thing, url: <url>"),
        (429, "rate_limit_exceeded", "codex turn failed: exceeded retry limit, last status: "
         "429 Too Many Requests"),
        (503, "server_error", "codex turn failed: unexpected status 503 Service Unavailable: "
         "Invalid 'input': no such thing, url: <url>"),
    ],
)  # fmt: skip
def test_http_errors_reach_the_user_with_their_status(
    tmp_path: Path, status: int, kind: str, summary: str
) -> None:
    """What the model server answered is in the summary: its status, and its message where codex
    keeps it (codex drops it for a 429, and for a 500, test_every_request_failing)."""
    refused = http_error(status, "Invalid 'input': no such thing", kind)
    step = baa_codex(tmp_path, git_repo(tmp_path / "wt"), [], otherwise=refused)
    url = f"{step.server.base_url}/responses"
    assert step.outcome() == ("failed", 1, summary.replace("<url>", url))
    direct = direct_codex(tmp_path, git_repo(tmp_path / "twin"), [], "--sandbox",
                          "workspace-write", otherwise=refused)  # fmt: skip
    assert direct == step.stream()


def test_response_failed(tmp_path: Path) -> None:
    """``response.failed`` mid-stream: the step fails with the model's message."""
    script = [Reply([created(), failed("server_error", "the model melted")])]
    step = baa_codex(tmp_path, git_repo(tmp_path / "wt"), script)
    assert step.outcome() == (
        "failed", 1, "codex turn failed: stream disconnected before completion: the model melted"
    )  # fmt: skip
    direct = direct_codex(tmp_path, git_repo(tmp_path / "twin"), script,
                          "--sandbox", "workspace-write")  # fmt: skip
    assert direct == step.stream()


@pytest.mark.parametrize("backtrace", [None, "1"], ids=["plain", "RUST_BACKTRACE=1"])
def test_a_configuration_error(tmp_path: Path, backtrace: str | None) -> None:
    """An unknown model provider: no events, exit 1, and the summary quotes codex's own error
    line, also when RUST_BACKTRACE makes codex print a stack trace after it."""
    env = {"RUST_BACKTRACE": backtrace}
    step = baa_codex(tmp_path, git_repo(tmp_path / "wt"), [], "--codex-config",
                     "model_provider=nosuch", env=env)  # fmt: skip
    assert step.outcome() == (
        "failed", 1, "codex exited with code 1: Error: Model provider `nosuch` not found"
    )  # fmt: skip
    assert step.server.model_requests == []
    assert output(step.run_dir, "stdout") == b""
    direct = direct_codex(tmp_path, git_repo(tmp_path / "twin"), [], "--sandbox",
                          "workspace-write", "--config", "model_provider=nosuch", env=env)  # fmt: skip
    assert direct == step.stream() == b""


#: /tmp is writable in codex's workspace-write sandbox unless excluded; the tests live there.
NO_TMP = "\n[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\n"


@pytest.mark.parametrize(
    ("sandbox", "inside", "outside", "patched"),
    [
        ("read-only", 1, 1, False),
        ("workspace-write", 0, 1, True),
        ("danger-full-access", 0, 0, True),
    ],
)
def test_each_sandbox_mode(
    tmp_path: Path, sandbox: str, inside: int, outside: int, patched: bool
) -> None:
    """What each sandbox lets a command and a patch write, inside and outside the worktree."""
    target = tmp_path / "outside.txt"
    patch = "*** Begin Patch\n*** Add File: patched.txt\n+p\n*** End Patch\n"
    script = [
        # codex 0.169.0 prints no item for a command the sandbox stops within a few milliseconds
        # (the model still gets its output): each write waits a moment first.
        events(shell("c1", "sleep 0.3; printf x > inside.txt")),
        events(shell("c2", f"sleep 0.3; printf x > {target}")),
        events(apply_patch("p1", patch)),
        events(message(f"Tried in {sandbox}.")),
    ]
    step = baa_codex(tmp_path, git_repo(tmp_path / "wt"), script, "--sandbox", sandbox,
                     config=NO_TMP)  # fmt: skip
    wt = step.worktree
    assert step.outcome()[:2] == ("completed", 0)
    assert [c.get("exitCode") for c in step.agent["commands"]] == [inside, outside]
    told = [i["output"] for i in step.server.model_requests[-1].body["input"]
            if i.get("type") == "function_call_output"]  # fmt: skip
    assert [re.search(r"Process exited with code (\d+)", t)[1] for t in told] == [  # type: ignore[index]
        str(inside),
        str(outside),
    ]
    assert (wt / "inside.txt").exists() == (inside == 0)
    assert target.exists() == (outside == 0)
    assert (wt / "patched.txt").exists() == patched
    # In read-only codex refuses the patch without a file_change event: the session file says.
    assert step.agent["fileChanges"] == [
        {"path": str(wt / "patched.txt"), "kind": "add",
         "status": "completed" if patched else "failed"}
    ]  # fmt: skip
    refusal = ("patch not applied: patch rejected: writing is blocked by read-only sandbox; "
               "rejected by user approval settings")  # fmt: skip
    assert (refusal in step.agent["warnings"]) == (not patched)
    assert ("1 not applied" in step.envelope["summary"]) == (not patched)
    target.unlink(missing_ok=True)
    direct = direct_codex(tmp_path, git_repo(tmp_path / "twin"), script, "--sandbox", sandbox,
                          config=NO_TMP)  # fmt: skip
    assert direct == step.stream()


def _metadata(request: Request) -> dict[str, Any]:
    metadata: dict[str, Any] = json.loads(request.body["client_metadata"]["x-codex-turn-metadata"])
    return metadata


def test_codex_options_from_the_command_line(tmp_path: Path) -> None:
    """--model, --sandbox, --codex-config and --codex-arg reach the model server as codex sends them."""
    script = [events(message("As asked."))]
    step = baa_codex(tmp_path, git_repo(tmp_path / "wt"), script, "--model", "gpt-5.5-mini",
                     "--sandbox", "read-only", "--codex-config", 'model_reasoning_effort="low"',
                     "--codex-arg=--ephemeral")  # fmt: skip
    assert step.outcome()[:2] == ("completed", 0)
    body = step.server.model_requests[0].body
    assert (body["model"], body["reasoning"]["effort"]) == ("gpt-5.5-mini", "low")
    assert _metadata(step.server.model_requests[0])["sandbox_mode"] == "read-only"
    assert list((tmp_path / "codex-home-r1").glob("sessions/**/*.jsonl")) == []  # --ephemeral
    direct = direct_codex(tmp_path, git_repo(tmp_path / "twin"), script, "--sandbox", "read-only",
                          "--model", "gpt-5.5-mini", "--config", 'model_reasoning_effort="low"',
                          "--ephemeral")  # fmt: skip
    assert direct == step.stream()


def test_codex_options_in_a_request(tmp_path: Path) -> None:
    """A request's `codex` options alone (as a dispatched step carries them) drive codex."""
    from baa_conductor.executors import CodexExecutor
    from baa_conductor.runner import run_step_dict

    worktree = git_repo(tmp_path / "wt")
    with ResponsesServer([events(message("As the request asked."))]) as server:
        home = write_codex_home(tmp_path / "home", server.base_url)
        envelope = run_step_dict({
            "taskId": "T-1", "stepId": "agent", "runId": "r1", "attempt": 1, "stepName": "agent",
            "stepKind": "codex", "workerKind": "codex", "timeoutSec": 120, "prompt": PROMPT,
            "runtime": {"repoRoot": str(worktree), "worktreePath": str(worktree),
                        "runsRootDir": str(tmp_path / "runs"),
                        "env": {"CODEX_HOME": str(home), API_KEY_VAR: "k"}},
            "codex": {"model": "gpt-5.5-mini", "sandbox": "danger-full-access",
                      "config": ['model_reasoning_effort="high"']},
        }, CodexExecutor(binary=str(CODEX)))  # fmt: skip
    assert envelope["outcome"] == "completed", envelope["summary"]
    body = server.model_requests[0].body
    assert (body["model"], body["reasoning"]["effort"]) == ("gpt-5.5-mini", "high")
    assert _metadata(server.model_requests[0])["sandbox_mode"] == "danger-full-access"


def _last_user_text(request: Request) -> str:
    users = [
        i for i in request.body["input"] if i.get("type") == "message" and i.get("role") == "user"
    ]
    return _text(users[-1])


@pytest.mark.parametrize(
    "prompt",
    ["--help", "-", "resume --last", "-s read-only",
     "Fix these:\n" + "".join(f"test_{n:06d} failed\n" for n in range(11_000))],
    ids=["--help", "-", "resume --last", "-s read-only", "200KB"],
)  # fmt: skip
def test_a_prompt_reaches_the_model_as_given(tmp_path: Path, prompt: str) -> None:
    """A prompt that looks like an option or a subcommand, or is larger than one argument may be
    (128 KiB), is what the model is sent."""
    from baa_conductor.executors import CodexExecutor
    from baa_conductor.runner import run_step_dict

    worktree = git_repo(tmp_path / "wt")
    with ResponsesServer([events(message("Read it."))]) as server:
        home = write_codex_home(tmp_path / "home", server.base_url)
        envelope = run_step_dict({
            "taskId": "T-1", "stepId": "s", "runId": "r1", "attempt": 1, "stepName": "s",
            "stepKind": "codex", "workerKind": "codex", "timeoutSec": 120, "prompt": prompt,
            "runtime": {"repoRoot": str(worktree), "worktreePath": str(worktree),
                        "runsRootDir": str(tmp_path / "runs"),
                        "env": {"CODEX_HOME": str(home), API_KEY_VAR: "k"}},
        }, CodexExecutor(binary=str(CODEX)))  # fmt: skip
    assert envelope["outcome"] == "completed", envelope["summary"]
    assert _last_user_text(server.model_requests[0]) == prompt


def test_codex_printing_its_help_did_not_do_the_step(tmp_path: Path) -> None:
    """--codex-arg=--help: codex prints its help and exits 0 without a turn; the step failed."""
    step = baa_codex(tmp_path, git_repo(tmp_path / "wt"), [], "--codex-arg=--help")
    assert step.outcome() == (
        "failed", 1, "codex exited with code 0 without completing a turn (no turn.completed event)"
    )  # fmt: skip
    assert step.server.model_requests == []
    assert output(step.run_dir, "stdout").startswith(b"Run Codex non-interactively")


def test_a_turn_without_a_final_message(tmp_path: Path) -> None:
    """A turn that ends with no message completes; codex writes an empty last message."""
    script = [events(shell("c1", "true")), events()]
    step = baa_codex(tmp_path, git_repo(tmp_path / "wt"), script)
    assert step.outcome() == (
        "completed", 0, "codex completed its turn (1 command, 0 files changed), no final message"
    )  # fmt: skip
    assert Path(step.agent["finalMessagePath"]).read_text() == ""
    direct = direct_codex(tmp_path, git_repo(tmp_path / "twin"), script,
                          "--sandbox", "workspace-write")  # fmt: skip
    assert direct == step.stream()


def test_a_worktree_that_is_not_a_repository(tmp_path: Path) -> None:
    """Outside git the step passes --skip-git-repo-check, and codex runs."""
    script = [events(message("Ran outside git."))]
    step = baa_codex(tmp_path, plain_dir(tmp_path / "wt"), script)
    assert step.outcome()[:2] == ("completed", 0)
    direct = direct_codex(tmp_path, plain_dir(tmp_path / "twin"), script, "--sandbox",
                          "workspace-write", "--skip-git-repo-check")  # fmt: skip
    assert direct == step.stream()


def test_a_worktree_under_a_stray_empty_git_directory(tmp_path: Path) -> None:
    """An empty `.git` above the worktree is no repository to codex: the step skips the check
    as codex would want, and runs (it used to omit the flag and be refused)."""
    (tmp_path / "stray" / ".git").mkdir(parents=True)
    script = [events(message("Ran under a stray .git."))]
    step = baa_codex(tmp_path, plain_dir(tmp_path / "stray" / "wt"), script)
    assert step.outcome()[:2] == ("completed", 0)
    direct = direct_codex(tmp_path, plain_dir(tmp_path / "stray" / "twin"), script, "--sandbox",
                          "workspace-write", "--skip-git-repo-check")  # fmt: skip
    assert direct == step.stream()


def _layout(base: Path, kind: str) -> Path:
    """A worktree below a ``.git`` of the given kind."""
    dot_git = base / ".git"
    if kind == "git init":
        subprocess.run(["git", "init", "-q", str(base)], check=True)
    elif kind == "empty .git directory":
        dot_git.mkdir(parents=True)
    elif kind == ".git directory with HEAD":
        dot_git.mkdir(parents=True)
        (dot_git / "HEAD").write_text("ref: refs/heads/main\n")
    elif kind == ".git directory with objects and refs only":
        (dot_git / "objects").mkdir(parents=True)
        (dot_git / "refs").mkdir()
    elif kind == "empty .git file":
        base.mkdir(parents=True)
        dot_git.touch()
    elif kind == "gitdir file to nowhere":
        base.mkdir(parents=True)
        dot_git.write_text("gitdir: /nonexistent\n")
    elif kind == "dangling .git symlink":
        base.mkdir(parents=True)
        dot_git.symlink_to("/nonexistent")
    elif kind == ".git FIFO":
        base.mkdir(parents=True)
        os.mkfifo(dot_git)
    elif kind == "empty .git inside a repository":
        subprocess.run(["git", "init", "-q", str(base)], check=True)
        (base / "sub" / ".git").mkdir(parents=True)
        base = base / "sub"
    worktree = base / "wt"
    worktree.mkdir(parents=True)
    return worktree


LAYOUTS = ["git init", "empty .git directory", ".git directory with HEAD",
           ".git directory with objects and refs only", "empty .git file",
           "gitdir file to nowhere", "dangling .git symlink", ".git FIFO",
           "empty .git inside a repository"]  # fmt: skip


@pytest.mark.parametrize("kind", LAYOUTS)
def test_in_a_repository_as_codex_decides_it(tmp_path: Path, kind: str) -> None:
    """inside_git_repository agrees with the pinned codex, run without --skip-git-repo-check."""
    from baa_conductor.executors.codex import inside_git_repository

    worktree = _layout(tmp_path / "layout", kind)
    with ResponsesServer(otherwise=events(message("in"))) as server:
        home = write_codex_home(tmp_path / "home", server.base_url)
        ran = subprocess.run(
            [str(CODEX), "exec", "--json", "--sandbox", "read-only", "--cd", str(worktree), "-"],
            input=b"hi", capture_output=True, env=codex_env(home), timeout=120,
        )  # fmt: skip
    refused = b"Not inside a trusted directory" in ran.stderr
    assert refused or ran.returncode == 0, ran.stderr
    assert inside_git_repository(str(worktree)) is not refused


def stalled_then_killed(server: ResponsesServer, proc: subprocess.Popen[bytes]) -> None:
    assert server.stalled.wait(60)
    os.killpg(proc.pid, signal.SIGKILL)


def processes_with(text: str) -> list[int]:
    """Processes whose environment holds ``text`` (this test's private CODEX_HOME)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                environ = Path("/proc", entry, "environ").read_bytes()
            except OSError:
                continue
            if text.encode() in environ:
                found.append(int(entry))
    return found


def test_a_model_that_stalls_until_the_timeout(tmp_path: Path) -> None:
    """The model never answers: --timeout stops the step (124) and nothing of it keeps running."""
    stall = Reply(stall=True)
    step = baa_codex(tmp_path, git_repo(tmp_path / "wt"), [stall], "--timeout", "4",
                     "--grace", "1")  # fmt: skip
    assert step.outcome() == (
        "failed", 124, "codex timed out after 4.0s and was stopped (SIGTERM to its process "
        "group, SIGKILL 1.0s later if still running)",
    )  # fmt: skip
    assert step.server.stalled.is_set()
    assert processes_with(str(tmp_path / "codex-home-r1")) == []
    direct = direct_codex(tmp_path, git_repo(tmp_path / "twin"), [stall], "--sandbox",
                          "workspace-write", until=stalled_then_killed)  # fmt: skip
    assert direct == step.stream()


def test_a_killed_codex_step_resumes_its_thread_and_its_worktree(tmp_path: Path) -> None:
    """Attempt 1 runs a command, then the model stalls and the step is stopped at its timeout.
    Attempt 2 (``--resume-from``, with another codex home, as on another worker) gets the worktree
    back from the checkpoint before codex starts, and continues the same thread: the model is sent
    the earlier turn, and the envelope links the attempts."""
    wt = git_repo(tmp_path / "wt")
    first = baa_codex(tmp_path, wt, [events(shell("c1", "printf one > made.txt")), Reply(stall=True)],
                      "--checkpoint", "git_diff", "--timeout", "8", "--grace", "1")  # fmt: skip
    assert first.outcome()[:2] == ("failed", 124)
    thread = first.agent["threadId"]
    kept = first.run_dir / "artifacts" / "codex-session.jsonl"
    assert thread in kept.read_text("utf-8")
    assert str(kept) in [a["path"] for a in first.envelope["artifacts"]]
    subprocess.run(["git", "-C", str(wt), "clean", "-qfd"], check=True)  # a fresh checkout
    seen: list[str | None] = []

    def worktree_when_asked(request: Request) -> None:
        made = wt / "made.txt"
        seen.append(made.read_text() if made.exists() else None)

    second = baa_codex(tmp_path, wt, [events(message("Finished where it stopped."))],
                       run="r2", resume_from="T-1/r1", on_request=worktree_when_asked)  # fmt: skip
    assert second.outcome() == (
        "completed", 0,
        "codex completed its turn (0 commands, 0 files changed): Finished where it stopped.",
    )  # fmt: skip
    assert seen == ["one"]  # restored before codex asked the model anything
    assert json.loads((second.run_dir / "meta.json").read_text())["attempt"] == 2
    assert second.agent["threadId"] == thread
    assert second.agent["resumedFrom"] == {"runId": "r1", "threadId": thread}
    sent = second.server.model_requests[0].body["input"]
    said = [(i.get("type"), i.get("call_id") or _text(i)) for i in sent
            if i.get("type") != "message" or i.get("role") == "user"]  # fmt: skip
    assert ("function_call", "c1") in said
    assert ("function_call_output", "c1") in said
    assert [t for k, t in said if k == "message"][-2:] == [PROMPT, PROMPT]  # then and now
    shown = subprocess.run([sys.executable, "-m", "baa_conductor", "show", "--runs-dir",
                            str(tmp_path / "runs"), "T-1/r2"], capture_output=True, text=True)  # fmt: skip
    assert f"resumed from: run r1, thread {thread}" in shown.stdout

    def with_the_session(home: Path) -> None:
        day = home / "sessions" / "2020" / "01" / "01"
        day.mkdir(parents=True)
        (day / f"rollout-2020-01-01T00-00-00-{thread}.jsonl").write_bytes(kept.read_bytes())

    twin = git_repo(tmp_path / "twin")
    direct = direct_codex(tmp_path, twin, [events(message("Finished where it stopped."))],
                          "--sandbox", "workspace-write", tail=["resume", thread],
                          prepare=with_the_session)  # fmt: skip
    assert direct == second.stream()


def _text(item: dict[str, Any]) -> str:
    content = item.get("content") or [{}]
    return str(content[-1].get("text", ""))


def test_a_codex_step_whose_runner_was_killed_resumes_its_thread(tmp_path: Path) -> None:
    """The runner itself is SIGKILLed mid-step (no envelope, no agent-activity.json, no copy of
    the session): the next attempt on the same worker takes the thread id from the run's
    stdout.log and the thread from the codex home, and the worktree from the last checkpoint."""
    wt = git_repo(tmp_path / "wt")
    home = tmp_path / "home"
    runs = tmp_path / "runs"
    run_dir = runs / "T-1" / "r1"
    script = [events(shell("c1", "printf one > made.txt")), Reply(stall=True)]
    with ResponsesServer(script) as server:
        write_codex_home(home, server.base_url)
        with subprocess.Popen(
            [sys.executable, "-m", "baa_conductor", "run", "-q", "--task", "T-1", "--step",
             "agent", "--run", "r1", "--kind", "codex", "--worktree", str(wt), "--repo-root",
             str(wt), "--runs-dir", str(runs), "--checkpoint", "git_diff", "--checkpoint-every",
             "0.5", "--", PROMPT],
            env=codex_env(home, BAA_CODEX_BIN=str(CODEX)), stderr=subprocess.DEVNULL,
        ) as runner:  # fmt: skip
            assert server.stalled.wait(120)
            _wait_for_checkpoint_with(run_dir, "made.txt")
            runner.kill()
    assert not (run_dir / "artifacts" / "agent-activity.json").exists()
    thread = json.loads(output(run_dir, "stdout").split(b"\n")[0])["thread_id"]
    subprocess.run(["git", "-C", str(wt), "clean", "-qfd"], check=True)
    with ResponsesServer([events(message("Picked up the thread."))]) as server:
        write_codex_home(home, server.base_url)
        resumed = subprocess.run(
            [sys.executable, "-m", "baa_conductor", "run", "--json", "--resume-from", "T-1/r1",
             "--run", "r2", "--runs-dir", str(runs)],
            env=codex_env(home, BAA_CODEX_BIN=str(CODEX)), capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
    envelope = json.loads(resumed.stdout)
    assert envelope["outcome"] == "completed", envelope["summary"]
    assert envelope["agent"]["resumedFrom"] == {"runId": "r1", "threadId": thread}
    said = [i.get("call_id") for i in server.model_requests[0].body["input"]]
    assert "c1" in said
    assert (wt / "made.txt").read_text() == "one"


def _wait_for_checkpoint_with(run_dir: Path, name: str) -> None:
    """Until an interval checkpoint holds ``name`` (a hang guard, not a speed assumption)."""
    import time

    end = time.monotonic() + 120
    while time.monotonic() < end:
        for record in sorted((run_dir / "checkpoints").glob("*.json")):
            with contextlib.suppress(ValueError, OSError):
                data = json.loads(record.read_text())
                if data["status"] == "written" and name in {f["path"] for f in data["files"]}:
                    return
        time.sleep(0.05)
    raise AssertionError(f"no checkpoint with {name} in {run_dir}")
