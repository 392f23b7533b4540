# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import (
    agent_activity_schema,
    step_artifact_schema,
    step_execution_outcome_schema,
    suggested_followup_schema,
)


class WorkerExecutionOutcome(BaseModel):
    """
    What an executor returns to the runner. `stdout`/`stderr` are chunks the runner appends to the stream logs after the executor returns (executors that stream live leave them out).
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    ok: bool
    outcome: step_execution_outcome_schema.StepExecutionOutcome
    summary: str
    needs_human: Annotated[bool | None, Field(alias="needsHuman")] = None
    blocked: bool | None = None
    stdout: list[str] | None = None
    stderr: list[str] | None = None
    artifacts: list[step_artifact_schema.StepArtifact] | None = None
    suggested_followup: Annotated[
        list[suggested_followup_schema.SuggestedFollowup] | None, Field(alias="suggestedFollowup")
    ] = None
    exit_code: Annotated[
        int | None, Field(alias="exitCode", ge=-9007199254740991, le=9007199254740991)
    ] = None
    agent: agent_activity_schema.AgentActivity | None = None
