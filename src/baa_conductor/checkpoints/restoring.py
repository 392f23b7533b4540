"""Restoring a checkpoint into a worktree: only a clean one at the checkpoint's base commit, and
only a patch that applies (``git apply --check`` first)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .records import CheckpointRefused, verified_patch
from .repository import GitFailed, Repository, decode, git, locate, pathspecs, text_of


def check_target(target: str, record: dict[str, Any], exclude: Sequence[str] = ()) -> Repository:
    """The repository at ``target`` if a checkpoint can be restored there: clean, at its base."""
    try:
        repo = locate(target)
    except (GitFailed, OSError) as error:
        raise CheckpointRefused(target, f"not a git worktree ({error})") from None
    base = record["baseCommit"]
    if repo.head != base:
        at = repo.head or "no commit yet"
        want = base or "no commit (an empty repository)"
        raise CheckpointRefused(
            target, f"HEAD is {at}, but checkpoint {record['seq']} was taken against {want}"
        )
    status = git(
        ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=none",
         "--", *pathspecs(exclude)],
        repo.top,
    )  # fmt: skip
    dirty = [text_of(decode(e[3:])) for e in status.split(b"\0") if e[2:3] == b" "]
    if dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise CheckpointRefused(
            target, f"the worktree is not clean ({shown}); restore needs a clean checkout"
        )
    return repo


def apply_patch(repo: Repository, patch: str, record: dict[str, Any]) -> None:
    """``git apply --check``, then ``git apply``: only the files the patch names are written."""
    if record["patch"]["bytes"] == 0:
        return
    try:
        git(["apply", "--check", "--binary", "--whitespace=nowarn", patch], repo.top)
        git(["apply", "--binary", "--whitespace=nowarn", patch], repo.top)
    except GitFailed as error:
        raise CheckpointRefused(
            repo.top, f"checkpoint {record['seq']} does not apply: {error.stderr}"
        ) from None


def restore(
    checkpoints_dir: str, seq: int, target: str, exclude: Sequence[str] = ()
) -> dict[str, Any]:
    """Apply checkpoint ``seq`` to the clean worktree at ``target``; its record."""
    record, patch = verified_patch(checkpoints_dir, seq)
    repo = check_target(target, record, exclude)
    apply_patch(repo, patch, record)
    return record
