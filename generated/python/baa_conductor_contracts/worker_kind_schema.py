# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum


class WorkerKind(StrEnum):
    """
    Kind of worker process that executes a step.
    """

    codex = "codex"
    shell = "shell"
    git = "git"
