# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field


class LocalRunLogSummary(BaseModel):
    """
    Counts over all three streams of a run (true totals).
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    total_entries: Annotated[int, Field(alias="totalEntries", ge=0, le=9007199254740991)]
    last_seq: Annotated[int, Field(alias="lastSeq", ge=0, le=9007199254740991)]
    lifecycle_event_count: Annotated[
        int, Field(alias="lifecycleEventCount", ge=0, le=9007199254740991)
    ]
    stdout_chunk_count: Annotated[int, Field(alias="stdoutChunkCount", ge=0, le=9007199254740991)]
    stderr_chunk_count: Annotated[int, Field(alias="stderrChunkCount", ge=0, le=9007199254740991)]
