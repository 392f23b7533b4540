# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum


class CheckpointChangeKind(StrEnum):
    """
    How a file differs from the checkpoint's base commit (git's A, M, D, R, C, T).
    """

    added = "added"
    modified = "modified"
    deleted = "deleted"
    renamed = "renamed"
    copied = "copied"
    type_changed = "type_changed"
