# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field


class StepExecutionMetrics(BaseModel):
    """
    Counts and duration of a run. The chunk counts are the true totals, whatever the envelope's log session holds.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    duration_ms: Annotated[int, Field(alias="durationMs", ge=0, le=9007199254740991)]
    lifecycle_event_count: Annotated[
        int, Field(alias="lifecycleEventCount", ge=0, le=9007199254740991)
    ]
    stdout_chunk_count: Annotated[int, Field(alias="stdoutChunkCount", ge=0, le=9007199254740991)]
    stderr_chunk_count: Annotated[int, Field(alias="stderrChunkCount", ge=0, le=9007199254740991)]
    checkpoint_count: Annotated[int, Field(alias="checkpointCount", ge=0, le=9007199254740991)]
