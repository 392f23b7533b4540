# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    """
    Status of a run in state.json.
    """

    prepared = "prepared"
    running = "running"
    completed = "completed"
    failed = "failed"
    blocked = "blocked"
    cancelled = "cancelled"
