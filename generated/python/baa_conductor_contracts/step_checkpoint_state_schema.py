# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import checkpoint_mode_schema, run_identifier_schema


class DeferredFeature(StrEnum):
    git_diff = "git_diff"


class StepCheckpointState(BaseModel):
    """
    Checkpoint sequence numbers of a run.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    mode: checkpoint_mode_schema.CheckpointMode
    last_checkpoint_seq: Annotated[int, Field(alias="lastCheckpointSeq", ge=0, le=9007199254740991)]
    next_checkpoint_seq: Annotated[int, Field(alias="nextCheckpointSeq", ge=1, le=9007199254740991)]
    resume_from_seq: Annotated[
        int | None, Field(alias="resumeFromSeq", ge=0, le=9007199254740991)
    ] = None
    resume_from_run_id: Annotated[
        run_identifier_schema.RunIdentifier | None, Field(alias="resumeFromRunId")
    ] = None
    deferred_features: Annotated[list[DeferredFeature], Field(alias="deferredFeatures")]
    note: str
