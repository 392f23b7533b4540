"""Attempts of a dispatched step: each in a run directory of its own, never overwritten.

The first attempt uses the request's ``runId``; a later one (a retry, or a delivery again after
the worker was lost) appends ``.attempt-N``. The runs root, not the broker, says which attempts
exist: a directory that no runner holds and that never finished is an attempt whose worker died.
"""

from __future__ import annotations

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


def free_attempt(request: dict[str, Any]) -> dict[str, Any] | None:
    """The request as the first attempt whose run directory does not exist yet.

    ``None`` when a live runner holds one of them: the same delivery runs elsewhere right now
    (the message came back while its step still ran), and it must not run twice at once.
    """
    while True:
        directory = run_dir(request)
        if not os.path.lexists(directory):
            return request
        if os.path.isdir(directory) and is_locked(directory):
            return None
        request = next_attempt(request)
