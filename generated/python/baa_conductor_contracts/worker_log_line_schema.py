# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import (
    log_level_schema,
    run_identifier_schema,
    structured_data_schema,
    timestamp_schema,
    worker_lifecycle_event_type_schema,
)


class WorkerLogLine(BaseModel):
    """
    One line of worker.log: a lifecycle entry without `channel` and `renderedLine`, keys in this order (the seed's serializeLifecycleEvent). `eventId` is `<runId>:event:<seq, zero-padded to 4 digits>`.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    seq: Annotated[int, Field(ge=1, le=9007199254740991)]
    event_id: Annotated[
        str, Field(alias="eventId", pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,127}:event:[0-9]{4,}$")
    ]
    task_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="taskId")]
    step_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="stepId")]
    run_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="runId")]
    type: worker_lifecycle_event_type_schema.WorkerLifecycleEventType
    level: log_level_schema.LogLevel
    created_at: Annotated[timestamp_schema.Timestamp, Field(alias="createdAt")]
    message: str
    data: structured_data_schema.StructuredData
