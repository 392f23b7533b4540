# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class AgentFileChange(BaseModel):
    """
    A file the agent changed (one change of a codex `file_change` item). `kind` is `add`, `delete` or `update`; `status` is `completed` when the patch was applied, `failed` when it was not (for example in a read-only sandbox).
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    path: str
    kind: str
    status: str
