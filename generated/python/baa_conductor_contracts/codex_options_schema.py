# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field, RootModel


class CodexOptions(BaseModel):
    """
    How a codex step runs `codex exec`: each option maps to one of its command-line options. Carried by the request, so a step dispatched to another machine runs as asked.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    model: Annotated[str | None, Field(min_length=1)] = None
    """
    `--model`: the model to ask.
    """
    profile: Annotated[str | None, Field(min_length=1)] = None
    """
    `--profile`: a profile of the worker's codex config.toml.
    """
    sandbox: Sandbox | None = None
    """
    `--sandbox`: what the agent's commands may touch.
    """
    config: list[ConfigItem] | None = None
    """
    `-c key=value` overrides, in order.
    """
    extra_args: Annotated[list[str] | None, Field(alias="extraArgs")] = None
    """
    Further arguments passed to `codex exec` as given, before the prompt.
    """


class ConfigItem(RootModel[str]):
    root: Annotated[str, Field(pattern="^[^=]+=")]
    """
    One `-c key=value` override (the value is TOML).
    """


class Sandbox(StrEnum):
    """
    `--sandbox`: what the agent's commands may touch.
    """

    read_only = "read-only"
    workspace_write = "workspace-write"
    danger_full_access = "danger-full-access"
