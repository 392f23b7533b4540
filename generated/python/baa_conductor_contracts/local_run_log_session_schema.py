# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import (
    local_run_log_context_schema,
    local_run_paths_schema,
    stream_chunk_log_stream_schema,
    worker_lifecycle_log_stream_schema,
)


class LocalRunLogSession(BaseModel):
    """
    The log session of a run: context, paths, the next seq to allocate and the three streams.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    context: local_run_log_context_schema.LocalRunLogContext
    paths: local_run_paths_schema.LocalRunPaths
    next_seq: Annotated[int, Field(alias="nextSeq", ge=1, le=9007199254740991)]
    worker: worker_lifecycle_log_stream_schema.WorkerLifecycleLogStream
    stdout: stream_chunk_log_stream_schema.StreamChunkLogStream
    stderr: stream_chunk_log_stream_schema.StreamChunkLogStream
