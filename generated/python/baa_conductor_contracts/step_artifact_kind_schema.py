# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum


class StepArtifactKind(StrEnum):
    """
    Kind of a step artifact.
    """

    log = "log"
    metadata = "metadata"
    state = "state"
    directory = "directory"
    artifact = "artifact"
