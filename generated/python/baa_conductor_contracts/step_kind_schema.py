# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum


class StepKind(StrEnum):
    """
    Kind of step: a worker kind or an orchestration step.
    """

    codex = "codex"
    shell = "shell"
    git = "git"
    planner = "planner"
    review = "review"
    finalize = "finalize"
