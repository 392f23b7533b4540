# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import run_status_schema, timestamp_schema


class RunStateSnapshot(BaseModel):
    """
    state.json: the run's current state, replaced atomically on every change. `lastEventSeq` is the last seq allocated across worker.log, stdout.log and stderr.log.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    status: run_status_schema.RunStatus
    attempt: Annotated[int, Field(ge=1, le=9007199254740991)]
    started_at: Annotated[timestamp_schema.Timestamp, Field(alias="startedAt")]
    updated_at: Annotated[timestamp_schema.Timestamp, Field(alias="updatedAt")]
    finished_at: Annotated[timestamp_schema.Timestamp | None, Field(alias="finishedAt")] = None
    last_event_seq: Annotated[int, Field(alias="lastEventSeq", ge=0, le=9007199254740991)]
    checkpoint_seq: Annotated[int, Field(alias="checkpointSeq", ge=0, le=9007199254740991)]
    summary: str | None = None
    exit_code: Annotated[
        int | None, Field(alias="exitCode", ge=-9007199254740991, le=9007199254740991)
    ] = None
