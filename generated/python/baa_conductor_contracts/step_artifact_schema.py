# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from . import step_artifact_kind_schema


class StepArtifact(BaseModel):
    """
    A file or directory a run produced or reserved.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    name: str
    kind: step_artifact_kind_schema.StepArtifactKind
    path: str
    description: str
