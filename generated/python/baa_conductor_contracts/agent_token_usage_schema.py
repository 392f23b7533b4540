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
    input_tokens: Annotated[int, Field(alias="inputTokens", ge=0, le=9007199254740991)]
    cached_input_tokens: Annotated[int, Field(alias="cachedInputTokens", ge=0, le=9007199254740991)]
    cache_write_input_tokens: Annotated[
        int | None, Field(alias="cacheWriteInputTokens", ge=0, le=9007199254740991)
    ] = None
    """
    Input tokens written to the model's prompt cache (codex `cache_write_input_tokens`).
    """
    output_tokens: Annotated[int, Field(alias="outputTokens", ge=0, le=9007199254740991)]
    reasoning_output_tokens: Annotated[
        int | None, Field(alias="reasoningOutputTokens", ge=0, le=9007199254740991)
    ] = None
    """
    Output tokens spent on reasoning (codex `reasoning_output_tokens`).
    """
