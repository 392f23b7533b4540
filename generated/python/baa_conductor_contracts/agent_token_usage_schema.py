# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field


class AgentTokenUsage(BaseModel):
    """
    Tokens an agent's turn used, as codex reports them in `turn.completed`.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    input_tokens: Annotated[int, Field(alias="inputTokens", ge=0)]
    cached_input_tokens: Annotated[int, Field(alias="cachedInputTokens", ge=0)]
    output_tokens: Annotated[int, Field(alias="outputTokens", ge=0)]
