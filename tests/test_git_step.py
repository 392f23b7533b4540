"""The git step with real git in temporary repositories: never waiting, git's own reasons."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from helpers import make_request, output

from baa_conductor.executors import GitExecutor
from baa_conductor.runner import envelope_dict, run_step
from baa_conductor.store import RUNS_ROOT_GITIGNORE

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A HOME whose ~/.gitconfig the test writes (no system configuration is read)."""
    path = tmp_path / "home"
    path.mkdir()
    (path / ".gitconfig").write_text("[user]\n\tname = Test\n\temail = test@example.com\n")
    return path


def git_env(home: Path) -> dict[str, str]:
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "GIT_CONFIG_NOSYSTEM": "1"}


def init(path: Path, home: Path, *args: str) -> Path:
    env = {**os.environ, **git_env(home)}
    subprocess.run(["git", "init", "-q", "-b", "main", *args, str(path)], check=True, env=env)
    return path


@pytest.fixture
def repo(tmp_path: Path, home: Path) -> Path:
    path = init(tmp_path / "repo", home)
    (path / "new.txt").write_text("x\n")
    return path


def git(tmp_path: Path, worktree: Path, home: Path, *args: str, **overrides: Any) -> dict[str, Any]:
    runtime = {"worktreePath": str(worktree), "env": git_env(home), **overrides.pop("runtime", {})}
    request = make_request(tmp_path, workerKind="git", stepKind="git", argv=list(args),
                           runtime=runtime, **overrides)  # fmt: skip
    return envelope_dict(run_step(request, GitExecutor()))


def outcome(env: dict[str, Any]) -> tuple[str, int, str]:
    return env["outcome"], env["state"]["exitCode"], env["summary"]


def test_status_in_a_repository(tmp_path: Path, repo: Path, home: Path) -> None:
    """git arguments run in the worktree; their output is the step's output."""
    env = git(tmp_path, repo, home, "status", "--porcelain")
    assert outcome(env) == ("completed", 0, "git status exited with code 0")
    assert output(env["logPaths"]["runDir"], "stdout") == b"?? new.txt\n"


def test_commit_without_a_message_fails_at_once(tmp_path: Path, repo: Path, home: Path) -> None:
    """No editor is opened (not even the configured one): git says why, long before the timeout."""
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test\n\temail = test@example.com\n[core]\n\teditor = sleep 600\n"
    )
    subprocess.run(
        ["git", "add", "new.txt"], cwd=repo, check=True, env={**os.environ, **git_env(home)}
    )
    env = git(tmp_path, repo, home, "commit", timeoutSec=300)
    assert outcome(env) == (
        "failed", 1, "git commit exited with code 1: error: There was a problem with the editor "
        "'false'. Please supply the message using either -m or -F option.",
    )  # fmt: skip
    assert output(env["logPaths"]["runDir"], "stdout") == b""


def test_no_colour_whatever_the_user_config_says(tmp_path: Path, repo: Path, home: Path) -> None:
    """color.ui=always and color.status=always in ~/.gitconfig: still no escape codes in the log."""
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test\n\temail = test@example.com\n"
        "[color]\n\tui = always\n\tstatus = always\n\tbranch = always\n"
    )
    env = git(tmp_path, repo, home, "status")
    assert outcome(env)[:2] == ("completed", 0)
    out = output(env["logPaths"]["runDir"], "stdout")
    assert b"new.txt" in out
    assert b"\x1b[" not in out


def test_no_prompt_for_credentials(tmp_path: Path, repo: Path, home: Path) -> None:
    """A remote asking for a password (HTTP 401) fails at once with git's reason, not a prompt."""

    class AskForPassword(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), AskForPassword)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/repo.git"
        askpass = tmp_path / "askpass"
        askpass.write_text("#!/bin/sh\nsleep 600\n")
        askpass.chmod(0o755)
        (home / ".gitconfig").write_text(f"[core]\n\taskPass = {askpass}\n")
        env = git(tmp_path, repo, home, "ls-remote", url, timeoutSec=300)
    finally:
        server.shutdown()
        server.server_close()
    assert outcome(env) == (
        "failed", 128,
        f"git ls-remote exited with code 128: fatal: could not read Username for "
        f"'http://127.0.0.1:{server.server_address[1]}': terminal prompts disabled",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["log"], "fatal: your current branch 'main' does not have any commits yet"),
        (["show", "nope"], "fatal: ambiguous argument 'nope': unknown revision or path not in the "
         "working tree. Use '--' to separate paths from revisions, like this: "
         "'git <command> [<revision>...] -- [<file>...]'"),
    ],
)  # fmt: skip
def test_summary_carries_gits_reason(
    tmp_path: Path, repo: Path, home: Path, args: list[str], reason: str
) -> None:
    """A non-zero exit's summary quotes what git said (128 is any fatal error)."""
    env = git(tmp_path, repo, home, *args)
    assert outcome(env) == ("failed", 128, f"git {args[0]} exited with code 128: {reason}")


def test_unknown_identity_is_reported_in_gits_words(tmp_path: Path, repo: Path, home: Path) -> None:
    """A commit with no identity: the summary names the problem as git does."""
    (home / ".gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")
    env = git(tmp_path, repo, home, "commit", "--allow-empty", "-m", "x",
              runtime={"env": {**git_env(home), "EMAIL": ""}})  # fmt: skip
    assert outcome(env) == (
        "failed", 128, "git commit exited with code 128: Author identity unknown … "
        "fatal: no email was given and auto-detection is disabled",
    )  # fmt: skip


def test_outside_a_repository_git_says_so(tmp_path: Path, home: Path) -> None:
    """A worktree that is not a repository: git runs and its own message is the summary."""
    plain = tmp_path / "plain"
    plain.mkdir()
    env = git(tmp_path, plain, home, "status",
              runtime={"env": {**git_env(home), "GIT_CEILING_DIRECTORIES": str(tmp_path)}})  # fmt: skip
    assert outcome(env) == (
        "failed", 128,
        "git status exited with code 128: fatal: not a git repository (or any of the parent "
        "directories): .git",
    )  # fmt: skip


def test_git_init_runs_outside_a_repository(tmp_path: Path, home: Path) -> None:
    """Commands that need no repository (init, clone) are not refused beforehand."""
    plain = tmp_path / "plain"
    plain.mkdir()
    env = git(tmp_path, plain, home, "init", "-q")
    assert outcome(env) == ("completed", 0, "git init exited with code 0")
    assert (plain / ".git").is_dir()


def test_bare_repository_is_reported_in_gits_words(tmp_path: Path, home: Path) -> None:
    """A bare repository is a repository: git's reason, not "not a git repository"."""
    bare = init(tmp_path / "bare.git", home, "--bare")
    env = git(tmp_path, bare, home, "status")
    assert outcome(env) == (
        "failed", 128, "git status exited with code 128: fatal: this operation must be run in a work tree"
    )  # fmt: skip
    assert git(tmp_path, bare, home, "rev-parse", "--is-bare-repository", runId="run-2")["ok"]


@pytest.mark.skipif(
    os.geteuid() != 0, reason="making a repository owned by someone else needs root"
)
def test_dubious_ownership_is_reported_in_gits_words(tmp_path: Path, home: Path) -> None:
    """A repository git refuses for its owner: the summary says so, with git's fix."""
    theirs = init(tmp_path / "theirs", home)
    for root, dirs, files in os.walk(theirs):
        for name in [".", *dirs, *files]:
            os.chown(os.path.join(root, name), 65534, 65534)
    env = git(tmp_path, theirs, home, "status")
    assert outcome(env) == (
        "failed", 128,
        f"git status exited with code 128: fatal: detected dubious ownership in repository at "
        f"'{theirs}' To add an exception for this directory, call: git config --global --add "
        f"safe.directory {theirs}",
    )  # fmt: skip


def test_runs_root_inside_the_work_tree_is_ignored(tmp_path: Path, repo: Path, home: Path) -> None:
    """The runs root is created with a .gitignore of `*`: a git step does not see the runner's files."""
    env = git(tmp_path, repo, home, "status", "--porcelain", "--untracked-files=all",
              runtime={"repoRoot": str(repo), "runsRootDir": str(repo / "runs")})  # fmt: skip
    assert outcome(env)[:2] == ("completed", 0)
    assert output(env["logPaths"]["runDir"], "stdout") == b"?? new.txt\n"
    assert (repo / "runs" / ".gitignore").read_bytes() == RUNS_ROOT_GITIGNORE


def test_an_existing_runs_root_is_left_as_it_is(tmp_path: Path, repo: Path, home: Path) -> None:
    """Only a runs root the runner creates gets the .gitignore."""
    (repo / "runs").mkdir()
    git(
        tmp_path,
        repo,
        home,
        "status",
        runtime={"repoRoot": str(repo), "runsRootDir": str(repo / "runs")},
    )
    assert not (repo / "runs" / ".gitignore").exists()


def test_git_missing_is_a_clear_failure(tmp_path: Path, repo: Path, home: Path) -> None:
    """No git on PATH: failed with 127 and a summary naming the problem."""
    env = git(tmp_path, repo, home, "status",
              runtime={"env": {**git_env(home), "PATH": str(tmp_path / "empty")}})  # fmt: skip
    assert outcome(env) == ("failed", 127, "git is not installed: 'git' was not found on PATH")
