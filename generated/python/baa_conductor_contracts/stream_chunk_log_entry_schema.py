# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated, Literal
from pydantic import BaseModel, ConfigDict, Field
from . import run_identifier_schema, stream_log_channel_schema, timestamp_schema


class StreamChunkLogEntry(BaseModel):
    """
    One line of stdout.log or stderr.log: one chunk of the worker's output as it arrived (complete lines, or a piece of an over-long line). Output that is not valid UTF-8 keeps its exact bytes: see `encoding`.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    task_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="taskId")]
    step_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="stepId")]
    run_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="runId")]
    seq: Annotated[int, Field(ge=1, le=9007199254740991)]
    channel: stream_log_channel_schema.StreamLogChannel
    created_at: Annotated[timestamp_schema.Timestamp, Field(alias="createdAt")]
    text: str
    encoding: Literal["base64"] | None = None
    """
    Present when the chunk was not valid UTF-8: `bytesB64` then holds the exact original bytes and `text` a lossy rendering with U+FFFD where bytes could not be decoded.
    """
    bytes_b64: Annotated[str | None, Field(alias="bytesB64", pattern="^[A-Za-z0-9+/]*={0,2}$")] = (
        None
    )
