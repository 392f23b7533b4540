"""Attempts of a dispatched step: each in a run directory of its own, never overwritten.

The first attempt uses the request's ``runId``; a later one (a retry, or a delivery again after
the worker was lost) appends ``.attempt-N``. The runs root, not the broker, says which attempts
exist: a directory that no runner holds and that never finished is an attempt whose worker died.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from typing import Any

from ..exceptions import RejectedStepError
from ..paths import run_paths
from ..readers import is_locked

SUFFIX = ".attempt-"
_SUFFIXED = re.compile(r"^(?P<base>.+)\.attempt-(?P<n>[0-9]+)$")
MAX_RUN_ID = 128


def base_run_id(run_id: str) -> str:
    match = _SUFFIXED.match(run_id)
    return match.group("base") if match else run_id


def next_attempt(request: dict[str, Any]) -> dict[str, Any]:
    """The request of the attempt after this one."""
    attempt = request["attempt"] + 1
    run_id = f"{base_run_id(request['runId'])}{SUFFIX}{attempt}"
    if len(run_id) > MAX_RUN_ID:
        raise RejectedStepError(
            f"/runId: {request['runId']!r} is too long to name attempt {attempt} "
            f"({run_id!r} exceeds {MAX_RUN_ID} characters)"
        )
    return {**request, "attempt": attempt, "runId": run_id}


def run_dir(request: dict[str, Any]) -> str:
    runtime = request["runtime"]
    paths = run_paths(
        runtime["repoRoot"], request["taskId"], request["runId"], runtime.get("runsRootDir")
    )
    return paths.run_dir


def free_attempt(request: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The request as the first attempt whose run directory does not exist yet, and ``False``;
    or as the attempt whose directory a live runner holds, and ``True``.

    A held directory means the message came back while an earlier delivery still runs (its worker
    is being fenced, say): the caller waits for it (:func:`wait_unlocked`) before deciding.
    """
    while True:
        directory = run_dir(request)
        if not os.path.lexists(directory):
            return request, False
        if os.path.isdir(directory) and is_locked(directory):
            return request, True
        request = next_attempt(request)


def wait_unlocked(directory: str) -> None:
    """Block until no runner holds the run directory (a shared lock, taken and let go)."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    finally:
        os.close(fd)


def ended_by_itself(directory: str) -> bool:
    """Whether the attempt in ``directory`` ran to its end (not interrupted, not fenced)."""
    from .config import FENCED_PREFIX

    try:
        with open(os.path.join(directory, "state.json"), "rb") as handle:
            state = json.loads(handle.read())
    except (OSError, ValueError):
        return False
    summary = state.get("summary")
    fenced = isinstance(summary, str) and summary.startswith(FENCED_PREFIX)
    return "finishedAt" in state and not fenced
