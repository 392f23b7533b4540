# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import BaseModel, ConfigDict, Field


class StepExecutionRuntime(BaseModel):
    """
    Where a step runs: the repository, the worktree the worker runs in, an optional runs root and environment variables merged over the runner's environment.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    repo_root: Annotated[str, Field(alias="repoRoot", min_length=1)]
    worktree_path: Annotated[str, Field(alias="worktreePath", min_length=1)]
    runs_root_dir: Annotated[str | None, Field(alias="runsRootDir", min_length=1)] = None
    env: dict[str, str] | None = None
