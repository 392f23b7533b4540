# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import step_kind_schema


class SuggestedFollowup(BaseModel):
    """
    A step the worker suggests running next.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    step_name: Annotated[str, Field(alias="stepName")]
    step_kind: Annotated[step_kind_schema.StepKind, Field(alias="stepKind")]
    reason: str
