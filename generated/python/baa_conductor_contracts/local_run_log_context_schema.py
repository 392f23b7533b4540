# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import run_identifier_schema


class LocalRunLogContext(BaseModel):
    """
    The ids every log entry of a run carries.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    task_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="taskId")]
    step_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="stepId")]
    run_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="runId")]
