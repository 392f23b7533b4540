# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import checkpoint_mode_schema


class StepCheckpointConfig(BaseModel):
    """
    Checkpoint configuration requested for a step.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    mode: checkpoint_mode_schema.CheckpointMode
    resume_from_seq: Annotated[int | None, Field(alias="resumeFromSeq", ge=0)] = None
    summary_hint: Annotated[str | None, Field(alias="summaryHint")] = None
