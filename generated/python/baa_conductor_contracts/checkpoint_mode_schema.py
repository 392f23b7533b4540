# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum


class CheckpointMode(StrEnum):
    """
    Checkpoint mode of a step. `reserved_for_t006` reserves sequence numbers and the checkpoints directory without writing checkpoint content. `git_diff` writes checkpoints/<seq>.patch (the worktree's difference from the step's base commit) and checkpoints/<seq>.json (its checkpoint-record) when the worker exits, before a timed-out or stopped worker is signalled, and every `everySec` seconds.
    """

    disabled = "disabled"
    reserved_for_t006 = "reserved_for_t006"
    git_diff = "git_diff"
