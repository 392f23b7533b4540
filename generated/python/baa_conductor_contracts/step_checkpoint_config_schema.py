# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import checkpoint_mode_schema, run_identifier_schema


class StepCheckpointConfig(BaseModel):
    """
    Checkpoint configuration requested for a step.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    mode: checkpoint_mode_schema.CheckpointMode
    resume_from_seq: Annotated[
        int | None, Field(alias="resumeFromSeq", ge=0, le=9007199254740991)
    ] = None
    """
    The checkpoint to resume from: in `git_diff` mode with `resumeFromRunId` (a run of the same task under the same runs root), checkpoint `resumeFromSeq` of that run is restored before the worker starts, into a worktree that must be clean and at its base commit. The run's own checkpoints are numbered after it.
    """
    summary_hint: Annotated[str | None, Field(alias="summaryHint")] = None
    resume_from_run_id: Annotated[
        run_identifier_schema.RunIdentifier | None, Field(alias="resumeFromRunId")
    ] = None
    every_sec: Annotated[
        int | float | None, Field(alias="everySec", gt=0.0, le=9007199254740991.0)
    ] = None
    """
    In `git_diff` mode, also take a checkpoint every this many seconds while the worker runs (skipped when nothing changed since the last one).
    """
    max_patch_bytes: Annotated[
        int | None, Field(alias="maxPatchBytes", ge=0, le=9007199254740991)
    ] = None
    """
    In `git_diff` mode, the most bytes one patch may hold; beyond it the largest files are recorded by size and sha256 instead (default 67108864, 64 MiB).
    """
