# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field
from . import (
    agent_command_schema,
    agent_file_change_schema,
    agent_token_usage_schema,
    run_identifier_schema,
)


class AgentActivity(BaseModel):
    """
    What an agent did in a run, read from its event stream as it ran: the thread to resume, the tokens used, every command with its exit code, every file change, the warnings it reported, and where its final message is kept in full. A codex step returns it as `agent` and writes it to `artifacts/agent-activity.json`.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    thread_id: Annotated[str | None, Field(alias="threadId")] = None
    """
    The codex thread id (`codex exec resume <threadId>` continues it).
    """
    resumed_from: ResumedFrom | None = Field(None, alias="resumedFrom")
    """
    The attempt this one continues: its run and the codex thread resumed (`codex exec resume`).
    """
    usage: agent_token_usage_schema.AgentTokenUsage | None = None
    final_message_path: Annotated[str | None, Field(alias="finalMessagePath")] = None
    """
    The file holding the agent's final message in full (written by `codex exec -o`).
    """
    commands: list[agent_command_schema.AgentCommand]
    file_changes: Annotated[
        list[agent_file_change_schema.AgentFileChange], Field(alias="fileChanges")
    ]
    warnings: list[str]
    """
    Non-fatal errors the agent reported (codex `error` items).
    """
    event_count: Annotated[int, Field(alias="eventCount", ge=0, le=9007199254740991)]
    """
    How many events the agent printed (0: it failed before starting a thread).
    """


class ResumedFrom(BaseModel):
    """
    The attempt this one continues: its run and the codex thread resumed (`codex exec resume`).
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    run_id: Annotated[run_identifier_schema.RunIdentifier, Field(alias="runId")]
    thread_id: Annotated[str, Field(alias="threadId")]
