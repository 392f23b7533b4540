# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field


class AgentCommand(BaseModel):
    """
    A command the agent ran (a codex `command_execution` item), as it last reported it. `status` is codex's word for it (`completed`, `failed`, `declined`, `in_progress` when the run ended first); `exitCode` is absent when the command never exited.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    command: str
    status: str
    exit_code: Annotated[
        int | None, Field(alias="exitCode", ge=-9007199254740991, le=9007199254740991)
    ] = None
