# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import (
    agent_activity_schema,
    local_run_log_session_schema,
    local_run_log_summary_schema,
    local_run_paths_schema,
    run_identifier_schema,
    run_metadata_schema,
    run_state_snapshot_schema,
    step_artifact_schema,
    step_checkpoint_state_schema,
    step_execution_metrics_schema,
    step_execution_outcome_schema,
    suggested_followup_schema,
    timestamp_schema,
    worker_kind_schema,
    worker_lifecycle_log_entry_schema,
)


class StepExecutionResult(BaseModel):
    """
    The result envelope run_step returns for one run.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    ok: bool
    outcome: step_execution_outcome_schema.StepExecutionOutcome
    summary: str
    needs_human: Annotated[bool, Field(alias="needsHuman")]
    blocked: bool
    task_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="taskId")]
    step_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="stepId")]
    run_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="runId")]
    attempt: Annotated[int, Field(ge=1, le=9007199254740991)]
    worker_kind: Annotated[worker_kind_schema.WorkerKind, Field(alias="workerKind")]
    started_at: Annotated[timestamp_schema.Timestamp, Field(alias="startedAt")]
    finished_at: Annotated[timestamp_schema.Timestamp, Field(alias="finishedAt")]
    duration_ms: Annotated[int, Field(alias="durationMs", ge=0, le=9007199254740991)]
    metadata: run_metadata_schema.RunMetadata
    state: run_state_snapshot_schema.RunStateSnapshot
    log_paths: Annotated[local_run_paths_schema.LocalRunPaths, Field(alias="logPaths")]
    log_session: Annotated[
        local_run_log_session_schema.LocalRunLogSession, Field(alias="logSession")
    ]
    log_summary: Annotated[
        local_run_log_summary_schema.LocalRunLogSummary, Field(alias="logSummary")
    ]
    lifecycle_events: Annotated[
        list[worker_lifecycle_log_entry_schema.WorkerLifecycleLogEntry],
        Field(alias="lifecycleEvents"),
    ]
    checkpoint: step_checkpoint_state_schema.StepCheckpointState
    artifacts: list[step_artifact_schema.StepArtifact]
    suggested_followup: Annotated[
        list[suggested_followup_schema.SuggestedFollowup], Field(alias="suggestedFollowup")
    ]
    metrics: step_execution_metrics_schema.StepExecutionMetrics
    agent: agent_activity_schema.AgentActivity | None = None
