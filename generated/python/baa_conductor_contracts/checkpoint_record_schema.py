# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import checkpoint_change_kind_schema, run_identifier_schema, timestamp_schema


class CheckpointFile(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    path: str
    change: checkpoint_change_kind_schema.CheckpointChangeKind
    old_path: Annotated[str | None, Field(alias="oldPath")] = None
    mode: Annotated[str | None, Field(pattern="^[0-7]{6}$")] = None
    binary: bool
    lines_added: Annotated[int | None, Field(alias="linesAdded", ge=0, le=9007199254740991)] = None
    lines_deleted: Annotated[int | None, Field(alias="linesDeleted", ge=0, le=9007199254740991)] = (
        None
    )


class CheckpointOmission(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    path: str
    reason: CheckpointOmissionReason = Field(..., title="CheckpointOmissionReason")
    change: checkpoint_change_kind_schema.CheckpointChangeKind
    bytes: Annotated[int | None, Field(ge=0, le=9007199254740991)] = None
    blob: Annotated[str | None, Field(pattern="^[0-9a-f]{40,64}$")] = None
    sha256: Annotated[str | None, Field(pattern="^[0-9a-f]{64}$")] = None


class CheckpointOmissionReason(StrEnum):
    size_limit = "size_limit"
    submodule = "submodule"


class CheckpointPatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    file: Annotated[str, Field(pattern="^[1-9][0-9]*\\.patch$")]
    bytes: Annotated[int, Field(ge=0, le=9007199254740991)]
    sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]


class CheckpointReason(StrEnum):
    """
    Why it was taken: the worker exited, the step timed out or was stopped (taken before the worker is signalled), or the --checkpoint-every interval came round.
    """

    worker_exited = "worker_exited"
    timeout = "timeout"
    stopped = "stopped"
    interval = "interval"


class CheckpointRecord(BaseModel):
    """
    checkpoints/<seq>.json: the record of one git_diff checkpoint. `written`: checkpoints/<seq>.patch holds the worktree's difference from `baseCommit` (a `git diff --binary` patch, untracked files included, ignored files left out) and `patch.sha256` is its digest; `omitted` lists what the patch leaves out (over `maxPatchBytes`: recorded by size and sha256; submodules: their commit is in the patch, their own changes are not). `failed`: no patch; `error` says why.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    task_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="taskId")]
    step_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="stepId")]
    run_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="runId")]
    attempt: Annotated[int, Field(ge=1, le=9007199254740991)]
    seq: Annotated[int, Field(ge=1, le=9007199254740991)]
    created_at: Annotated[timestamp_schema.Timestamp, Field(alias="createdAt")]
    reason: Annotated[CheckpointReason, Field(title="CheckpointReason")]
    """
    Why it was taken: the worker exited, the step timed out or was stopped (taken before the worker is signalled), or the --checkpoint-every interval came round.
    """
    mode: CheckpointRecordMode = Field(..., title="CheckpointRecordMode")
    status: CheckpointStatus = Field(..., title="CheckpointStatus")
    worktree_path: Annotated[str, Field(alias="worktreePath")]
    """
    The top of the git worktree the patch is relative to.
    """
    base_commit: Annotated[str | None, Field(alias="baseCommit", pattern="^[0-9a-f]{40,64}$")]
    """
    The commit the step started from; null in a repository with no commit yet (the base is then the empty tree).
    """
    max_patch_bytes: Annotated[int, Field(alias="maxPatchBytes", ge=0, le=9007199254740991)]
    tree: Annotated[str | None, Field(pattern="^[0-9a-f]{40,64}$")] = None
    """
    The git tree id of the whole worktree as snapshotted.
    """
    patch_tree: Annotated[str | None, Field(alias="patchTree", pattern="^[0-9a-f]{40,64}$")] = None
    """
    The git tree id the patch restores: `tree` unless files were omitted.
    """
    patch: Annotated[CheckpointPatch | None, Field(title="CheckpointPatch")] = None
    files: list[CheckpointFile] | None = None
    """
    Every file the patch changes.
    """
    omitted: list[CheckpointOmission] | None = None
    """
    What the patch does not restore, and why.
    """
    duration_ms: Annotated[int, Field(alias="durationMs", ge=0, le=9007199254740991)]
    error: str | None = None


class CheckpointRecordMode(StrEnum):
    git_diff = "git_diff"


class CheckpointStatus(StrEnum):
    written = "written"
    failed = "failed"
