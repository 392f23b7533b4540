# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated, Literal
from pydantic import BaseModel, ConfigDict, Field


class LocalRunPaths(BaseModel):
    """
    The on-disk layout of one run: runs/<taskId>/<runId>/{meta.json,state.json,worker.log,stdout.log,stderr.log,checkpoints/,artifacts/}.
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    layout_version: Annotated[Literal["local-run-v1"], Field(alias="layoutVersion")]
    repo_root: Annotated[str, Field(alias="repoRoot", min_length=1)]
    runs_root_dir: Annotated[str, Field(alias="runsRootDir", min_length=1)]
    task_runs_dir: Annotated[str, Field(alias="taskRunsDir", min_length=1)]
    run_dir: Annotated[str, Field(alias="runDir", min_length=1)]
    checkpoints_dir: Annotated[str, Field(alias="checkpointsDir", min_length=1)]
    artifacts_dir: Annotated[str, Field(alias="artifactsDir", min_length=1)]
    meta_path: Annotated[str, Field(alias="metaPath", min_length=1)]
    state_path: Annotated[str, Field(alias="statePath", min_length=1)]
    worker_log_path: Annotated[str, Field(alias="workerLogPath", min_length=1)]
    stdout_log_path: Annotated[str, Field(alias="stdoutLogPath", min_length=1)]
    stderr_log_path: Annotated[str, Field(alias="stderrLogPath", min_length=1)]
