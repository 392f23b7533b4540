"""The run layout: the one place that turns ids into paths and file names into schemas.

``runs/<taskId>/<runId>/{meta.json, state.json, worker.log, stdout.log, stderr.log, checkpoints/,
artifacts/}``, under ``runtime.runsRootDir`` or ``<repoRoot>/runs``.
"""

from __future__ import annotations

import os

from .exceptions import ContractError, UnsafeRunPathError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from baa_conductor_contracts.local_run_paths_schema import LocalRunPaths

LAYOUT_VERSION = "local-run-v1"
RUNS_DIRECTORY_NAME = "runs"

META = "meta.json"
STATE = "state.json"
WORKER_LOG = "worker.log"
STDOUT_LOG = "stdout.log"
STDERR_LOG = "stderr.log"
CHECKPOINTS = "checkpoints"
ARTIFACTS = "artifacts"
#: In ``artifacts/``: what the agent of a codex step did (schema agent-activity).
AGENT_ACTIVITY = "agent-activity.json"
AGENT_ACTIVITY_SCHEMA = "agent-activity"

#: The schema of each file in a run directory (JSONL files: of each line).
SCHEMA_OF_FILE = {
    META: "run-metadata",
    STATE: "run-state-snapshot",
    WORKER_LOG: "worker-log-line",
    STDOUT_LOG: "stream-chunk-log-entry",
    STDERR_LOG: "stream-chunk-log-entry",
}
JSONL_FILES = frozenset({WORKER_LOG, STDOUT_LOG, STDERR_LOG})
LOG_OF_CHANNEL = {"worker": WORKER_LOG, "stdout": STDOUT_LOG, "stderr": STDERR_LOG}

#: ``checkpoints/<seq>.json``: the record of a git_diff checkpoint (beside its ``<seq>.patch``).
CHECKPOINT_RECORD_SCHEMA = "checkpoint-record"


def schema_of_path(path: str) -> str | None:
    """The schema of a run file by its name (a checkpoint record by its place), or None."""
    name = os.path.basename(path)
    if name in SCHEMA_OF_FILE:
        return SCHEMA_OF_FILE[name]
    parent = os.path.basename(os.path.dirname(os.path.abspath(path)))
    if parent == CHECKPOINTS and name.endswith(".json") and name[:-5].isdigit():
        return CHECKPOINT_RECORD_SCHEMA
    if parent == ARTIFACTS and name == AGENT_ACTIVITY:
        return AGENT_ACTIVITY_SCHEMA
    return None


def checkpoint_records(run_dir: str) -> list[str]:
    """The checkpoint record files of a run directory, by seq."""
    directory = os.path.join(run_dir, CHECKPOINTS)
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    seqs = sorted(int(n[:-5]) for n in names if n.endswith(".json") and n[:-5].isdigit())
    return [os.path.join(directory, f"{seq}.json") for seq in seqs]


def check_segment(field: str, value: str) -> str:
    """``value`` if it is a safe single path segment (a RunIdentifier), else UnsafeRunPathError."""
    from .validation import validate

    try:
        validate("run-identifier", value)
    except ContractError as error:
        reason = "; ".join(v.reason for v in error.violations)
        raise UnsafeRunPathError(field, value, reason) from None
    return value


def _absolute(field: str, path: str) -> str:
    if "\0" in path:
        raise UnsafeRunPathError(field, path, "contains a NUL character")
    return os.path.normpath(os.path.abspath(path))


def runs_root(repo_root: str, runs_root_dir: str | None = None) -> str:
    """The runs root of a request: ``runsRootDir`` if given, else ``<repoRoot>/runs``."""
    if runs_root_dir is not None:
        return _absolute("runsRootDir", runs_root_dir)
    return os.path.join(_absolute("repoRoot", repo_root), RUNS_DIRECTORY_NAME)


def run_layout(
    repo_root: str, task_id: str, run_id: str, runs_root_dir: str | None = None
) -> dict[str, str]:
    """Every path of a run as LocalRunPaths wire JSON; ids that could leave the runs root are refused.

    The runner works with this dict (it needs no model, and so no Pydantic, to run a step).
    """
    check_segment("taskId", task_id)
    check_segment("runId", run_id)
    root = runs_root(repo_root, runs_root_dir)
    task_dir = os.path.join(root, task_id)
    run_dir = os.path.join(task_dir, run_id)
    return {
        "layoutVersion": LAYOUT_VERSION,
        "repoRoot": _absolute("repoRoot", repo_root),
        "runsRootDir": root,
        "taskRunsDir": task_dir,
        "runDir": run_dir,
        "checkpointsDir": os.path.join(run_dir, CHECKPOINTS),
        "artifactsDir": os.path.join(run_dir, ARTIFACTS),
        "metaPath": os.path.join(run_dir, META),
        "statePath": os.path.join(run_dir, STATE),
        "workerLogPath": os.path.join(run_dir, WORKER_LOG),
        "stdoutLogPath": os.path.join(run_dir, STDOUT_LOG),
        "stderrLogPath": os.path.join(run_dir, STDERR_LOG),
    }


def run_paths(
    repo_root: str, task_id: str, run_id: str, runs_root_dir: str | None = None
) -> LocalRunPaths:
    """Every path of a run as the generated model (see :func:`run_layout`)."""
    from baa_conductor_contracts.local_run_paths_schema import LocalRunPaths

    return LocalRunPaths.model_validate(run_layout(repo_root, task_id, run_id, runs_root_dir))
