# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated, Literal
from pydantic import BaseModel, ConfigDict, Field
from . import checkpoint_mode_schema, run_identifier_schema, timestamp_schema, worker_kind_schema


class RunMetadata(BaseModel):
    """
    meta.json: written once when the run is prepared, never changed.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    layout_version: Annotated[Literal["local-run-v1"], Field(alias="layoutVersion")]
    task_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="taskId")]
    step_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="stepId")]
    step_name: Annotated[str, Field(alias="stepName")]
    run_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="runId")]
    worker_kind: Annotated[worker_kind_schema.WorkerKind, Field(alias="workerKind")]
    attempt: Annotated[int, Field(ge=1, le=9007199254740991)]
    worker: Annotated[str | None, Field(min_length=1)] = None
    """
    Which worker took the step: a `baa worker`'s Celery node name (`celery@host`), or `host:pid` of the `baa run` that ran it.
    """
    repo_root: Annotated[str, Field(alias="repoRoot")]
    worktree_path: Annotated[str, Field(alias="worktreePath")]
    created_at: Annotated[timestamp_schema.Timestamp, Field(alias="createdAt")]
    checkpoint_mode: Annotated[checkpoint_mode_schema.CheckpointMode, Field(alias="checkpointMode")]
    prompt_summary: Annotated[str | None, Field(alias="promptSummary")] = None
    command: str | None = None
