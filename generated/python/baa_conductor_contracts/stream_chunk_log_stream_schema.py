# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import stream_chunk_log_entry_schema, stream_log_channel_schema


class StreamChunkLogStream(BaseModel):
    """
    A stdout or stderr stream of a run. In a result envelope `entries` holds only the last chunks (a bounded tail, 200 by default, configurable); the log file keeps every chunk. `omittedEntryCount` says how many earlier chunks were left out; absent or 0 means `entries` is complete.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    channel: stream_log_channel_schema.StreamLogChannel
    file_path: Annotated[str, Field(alias="filePath")]
    entries: list[stream_chunk_log_entry_schema.StreamChunkLogEntry]
    omitted_entry_count: Annotated[
        int | None, Field(alias="omittedEntryCount", ge=0, le=9007199254740991)
    ] = None
