# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated, Literal
from pydantic import BaseModel, ConfigDict, Field
from . import worker_lifecycle_log_entry_schema


class WorkerLifecycleLogStream(BaseModel):
    """
    The worker.log stream of a run with all its lifecycle entries.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    channel: Literal["worker"]
    file_path: Annotated[str, Field(alias="filePath")]
    entries: list[worker_lifecycle_log_entry_schema.WorkerLifecycleLogEntry]
