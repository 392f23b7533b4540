# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum


class CheckpointMode(StrEnum):
    """
    Checkpoint mode of a step. `reserved_for_t006` reserves sequence numbers and the checkpoints directory without writing checkpoint content.
    """

    disabled = "disabled"
    reserved_for_t006 = "reserved_for_t006"
