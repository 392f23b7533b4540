"""Real git repositories for the checkpoint tests: build, change, fingerprint."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

IDENTITY = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
}  # fmt: skip


def git(cwd: Path | str, *args: str, input: bytes | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(IDENTITY, GIT_CONFIG_NOSYSTEM="1", HOME=str(cwd))
    proc = subprocess.run(
        ["git", "-c", "protocol.file.allow=always", "-c", "init.defaultBranch=main", *args],
        cwd=cwd, env=env, input=input, capture_output=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {proc.stderr.decode()}")
    return proc.stdout.decode("utf-8", "surrogateescape")


def init(path: Path, files: dict[str, bytes] | None = None) -> Path:
    """A repository at ``path``; with ``files``, committed as its first commit."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    for name, data in (files or {}).items():
        write(path / name, data)
    if files:
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", "base")
    return path


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def tree_of_worktree(path: Path) -> str:
    """The tree id of a worktree (untracked included, ignored left out), via a throwaway index."""
    index = path / ".git" / "compare-index"
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    try:
        subprocess.run(["git", "add", "-A"], cwd=path, env=env, check=True)
        out = subprocess.run(["git", "write-tree"], cwd=path, env=env, check=True,
                             capture_output=True)  # fmt: skip
    finally:
        index.unlink(missing_ok=True)
    return out.stdout.decode().strip()


def git_state(path: Path) -> dict[str, str]:
    """A fingerprint of everything a checkpoint must not touch: index, HEAD, refs, stash, config,
    and the object store (every file's name and digest)."""
    git_dir = path / ".git"
    state = {}
    for item in sorted(git_dir.rglob("*")):
        rel = item.relative_to(git_dir).as_posix()
        if item.is_file() and (
            rel in ("index", "HEAD", "config", "packed-refs", "ORIG_HEAD")
            or rel.startswith(("refs/", "logs/", "objects/", "modules/"))
        ):
            state[rel] = hashlib.sha256(item.read_bytes()).hexdigest()
    return state
