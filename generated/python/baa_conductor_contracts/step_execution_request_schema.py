# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import (
    codex_options_schema,
    run_identifier_schema,
    step_checkpoint_config_schema,
    step_execution_runtime_schema,
    step_kind_schema,
    timestamp_schema,
    worker_kind_schema,
)


class StepExecutionRequest(BaseModel):
    """
    A request to execute one step of a task as one run. `argv` and `prompt` extend the seed's request: `argv` runs a command without a shell, `prompt` is the full prompt given to a codex worker (`promptSummary` is used when it is absent).
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    task_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="taskId")]
    step_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="stepId")]
    run_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="runId")]
    attempt: Annotated[int, Field(ge=1, le=9007199254740991)]
    step_name: Annotated[str, Field(alias="stepName")]
    step_kind: Annotated[step_kind_schema.StepKind, Field(alias="stepKind")]
    worker_kind: Annotated[worker_kind_schema.WorkerKind, Field(alias="workerKind")]
    timeout_sec: Annotated[int | float, Field(alias="timeoutSec", gt=0.0, le=9007199254740991.0)]
    """
    Seconds before the worker is stopped. Integer or fractional; listing integer keeps whole numbers whole in generated models.
    """
    runtime: step_execution_runtime_schema.StepExecutionRuntime
    created_at: Annotated[timestamp_schema.Timestamp | None, Field(alias="createdAt")] = None
    prompt_summary: Annotated[str | None, Field(alias="promptSummary")] = None
    command: str | None = None
    argv: Annotated[list[str] | None, Field(min_length=1)] = None
    prompt: str | None = None
    checkpoint: step_checkpoint_config_schema.StepCheckpointConfig | None = None
    codex: codex_options_schema.CodexOptions | None = None
