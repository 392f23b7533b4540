"""The git repository a worktree belongs to, and git run with our fixed settings only."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
#: git's own settings for our commands only: nothing that writes beside the temporary index,
#: no background maintenance, no pager, no colour, no external diff or text conversion.
GIT_SETTINGS = (
    "core.splitIndex=false", "core.fsmonitor=false", "gc.auto=0", "maintenance.auto=false",
    "core.quotePath=false", "diff.noprefix=false", "diff.mnemonicPrefix=false",
    "diff.relative=false", "color.ui=false", "advice.detachedHead=false",
)  # fmt: skip


class GitFailed(Exception):
    """A git command exited non-zero (its stderr says why)."""

    def __init__(self, args: Sequence[str], code: int, stderr: bytes):
        self.args_ = list(args)
        self.code = code
        self.stderr = stderr.decode("utf-8", "replace").strip()
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"git {self.args_[0]} exited with {self.code}: {self.stderr or '(no message)'}"


def git_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    # The caller's GIT_DIR, GIT_INDEX_FILE, GIT_CONFIG_PARAMETERS etc. must not steer our commands.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    env.update(extra or {})
    return env


def git(
    args: Sequence[str],
    cwd: str,
    env: dict[str, str] | None = None,
    *,
    input: bytes | None = None,
    stdout: int | None = subprocess.PIPE,
) -> bytes:
    """Run git with our fixed settings; its stdout, or GitFailed."""
    command = ["git"]
    for setting in GIT_SETTINGS:
        command += ["-c", setting]
    proc = subprocess.run(
        [*command, *args], cwd=cwd, env=env or git_environment(), input=input,
        stdout=stdout, stderr=subprocess.PIPE, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise GitFailed(args, proc.returncode, proc.stderr)
    return proc.stdout or b""


@dataclass(frozen=True)
class Repository:
    """The git repository a worktree belongs to, as far as a checkpoint needs it."""

    top: str
    git_dir: str
    index_path: str
    objects_dir: str
    head: str | None  # None: no commit yet


def locate(path: str) -> Repository:
    """The repository whose worktree holds ``path``; GitFailed when there is none."""
    path = os.path.abspath(path)
    out = git(
        ["rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-path", "index",
         "--git-path", "objects"],
        cwd=path,
    ).decode("utf-8", "surrogateescape")  # fmt: skip
    top, git_dir, index, objects = out.split("\n")[:4]
    return Repository(
        top=top,
        git_dir=git_dir,
        index_path=os.path.join(path, index),
        objects_dir=os.path.join(path, objects),
        head=head_commit(top),
    )


def head_commit(top: str) -> str | None:
    try:
        return git(["rev-parse", "-q", "--verify", "HEAD^{commit}"], top).decode().strip()
    except GitFailed:
        return None  # an unborn branch: the base is the empty tree


def decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def text_of(path: str) -> str:
    # JSON cannot hold the surrogates of a name that is not UTF-8: shown with U+FFFD there.
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def pathspecs(exclude: Sequence[str]) -> list[str]:
    return [":/", *(f":(top,literal,exclude){path}" for path in exclude)]


def excluded_runs_root(top: str, runs_root: str) -> list[str]:
    """The runs root as a path inside the worktree top, if it lies there."""
    real_top, real_root = os.path.realpath(top), os.path.realpath(runs_root)
    if real_root != real_top and os.path.commonpath([real_top, real_root]) == real_top:
        return [os.path.relpath(real_root, real_top)]
    return []
