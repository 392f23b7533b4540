# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum


class StepExecutionOutcome(StrEnum):
    """
    Outcome of executing a step.
    """

    prepared = "prepared"
    completed = "completed"
    failed = "failed"
    blocked = "blocked"
    cancelled = "cancelled"
