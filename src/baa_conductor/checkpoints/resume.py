"""Resuming a step from a checkpoint of an earlier run: what a request's
``checkpoint.resumeFromRunId`` names, checked against the worktree before anything is written."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from . import MODE
from .records import CheckpointRefused, verified_patch
from .repository import GitFailed, Repository, excluded_runs_root, git
from .restoring import check_target


@dataclass
class Resume:
    """A checked restore, waiting for its run directory: which checkpoint, and where to."""

    run_dir: str
    record: dict[str, Any]
    patch: str
    repo: Repository


def resume_source(req: dict[str, Any], runs_root: str) -> Resume | None:
    """The checkpoint a request resumes from, checked against its worktree; None if it resumes
    nothing. Raises CheckpointRefused (before anything is written) when it cannot be restored."""
    config = req.get("checkpoint") or {}
    run_id = config.get("resumeFromRunId")
    if run_id is None:
        return None
    if config["mode"] != MODE:
        raise CheckpointRefused("checkpoint.resumeFromRunId", f"needs mode {MODE}")
    if "resumeFromSeq" not in config:
        raise CheckpointRefused("checkpoint.resumeFromRunId", "needs checkpoint.resumeFromSeq")
    from ..paths import CHECKPOINTS, check_segment

    run_dir = os.path.join(runs_root, req["taskId"], check_segment("resumeFromRunId", run_id))
    if not os.path.isdir(run_dir):
        raise CheckpointRefused("checkpoint.resumeFromRunId", f"no run directory {run_dir}")
    record, patch = verified_patch(os.path.join(run_dir, CHECKPOINTS), config["resumeFromSeq"])
    if req["attempt"] <= record["attempt"]:
        raise CheckpointRefused(
            "attempt", f"must be higher than the resumed run's attempt {record['attempt']}"
        )
    worktree = req["runtime"]["worktreePath"]
    repo = check_target(worktree, record, excluded_runs_root(worktree, runs_root))
    try:
        git(["apply", "--check", "--binary", "--whitespace=nowarn", patch], repo.top)
    except GitFailed as error:
        raise CheckpointRefused(
            patch, f"checkpoint {record['seq']} does not apply to {repo.top}: {error.stderr}"
        ) from None
    return Resume(run_dir, record, patch, repo)
