# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum


class WorkerLogChannel(StrEnum):
    """
    Channel of a run log entry.
    """

    worker = "worker"
    stdout = "stdout"
    stderr = "stderr"
