# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum


class WorkerLifecycleEventType(StrEnum):
    """
    Type of a worker lifecycle event.
    """

    run_prepared = "run_prepared"
    checkpoint_slot_reserved = "checkpoint_slot_reserved"
    worker_started = "worker_started"
    worker_execution_deferred = "worker_execution_deferred"
    worker_exited = "worker_exited"
    step_prepared = "step_prepared"
    step_completed = "step_completed"
    step_failed = "step_failed"
    step_blocked = "step_blocked"
    step_cancelled = "step_cancelled"
    checkpoint_written = "checkpoint_written"
    checkpoint_failed = "checkpoint_failed"
    checkpoint_skipped = "checkpoint_skipped"
    checkpoint_restored = "checkpoint_restored"
