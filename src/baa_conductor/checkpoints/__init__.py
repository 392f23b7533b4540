"""git_diff checkpoints: the worktree as a binary patch against the step's base commit, and back.

A snapshot touches nothing of the user's repository (index, HEAD, refs, stash, config, objects):

- a scratch directory inside the run directory holds a temporary index (a copy of the user's, for
  its stat cache, so only changed files are hashed; rebuilt from the base commit when the copy
  carries assume-unchanged or skip-worktree bits, which would hide changes) and a temporary object
  directory with the repository's objects as alternates: the blobs and trees ``git add -A`` makes
  go there and are deleted with the scratch directory. No shadow repository, nothing grows outside
  the run directory.
- ``git add -A`` (ignored files stay out; the runs root is left out when it lies in the worktree),
  ``git write-tree``, then ``git diff --cached --binary`` against the base into a temporary file.
  Every git command's exit status is checked: a failed ``add`` is a failed checkpoint, never a stale
  tree.
- Over the size limit, the largest files are set back to their base entries in the temporary index
  and recorded by size and sha256 instead of content.
- The patch is renamed to ``<N>.patch``, then its record to ``<N>.json``: a record is only ever
  beside a whole patch, whose sha256 it holds.

The package, by stage: ``repository`` (git with fixed settings, the repository of a worktree),
``snapshots`` (one patch of the worktree), ``records`` (the ``<N>.json`` beside each patch),
``taking`` (a run's checkpoints as it goes), ``restoring`` (a patch back into a clean worktree) and
``resume`` (a step started again from an earlier run's checkpoint). Names are imported on first
use, so a step that takes no checkpoint loads none of it.
"""

from __future__ import annotations

from .._lazy import lazy_getattr

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .records import (
        RECORD_SCHEMA,
        CheckpointRefused,
        iter_records,
        last_written,
        load_record,
        patch_path,
        record_path,
        verified_patch,
    )
    from .repository import EMPTY_TREE, GitFailed, Repository, git, head_commit, locate
    from .restoring import apply_patch, check_target, restore
    from .resume import Resume, resume_source
    from .snapshots import DEFAULT_MAX_PATCH_BYTES, GITLINK, Snapshot, empty_objects, snapshot
    from .taking import NOTE, OBJECTS, SKIPPED_NOTE, Checkpointer, Interval, RunCheckpoints

MODE = "git_diff"

#: public name -> the module that holds it
_HOME = {
    **dict.fromkeys(("GitFailed", "Repository", "git", "locate", "head_commit", "EMPTY_TREE"),
                    ".repository"),
    **dict.fromkeys(("Snapshot", "snapshot", "empty_objects", "DEFAULT_MAX_PATCH_BYTES", "GITLINK"),
                    ".snapshots"),
    **dict.fromkeys(("RECORD_SCHEMA", "CheckpointRefused", "record_path", "patch_path",
                     "iter_records", "load_record", "last_written", "verified_patch"), ".records"),
    **dict.fromkeys(("Checkpointer", "Interval", "RunCheckpoints", "OBJECTS", "NOTE",
                     "SKIPPED_NOTE"), ".taking"),
    **dict.fromkeys(("check_target", "apply_patch", "restore"), ".restoring"),
    **dict.fromkeys(("Resume", "resume_source"), ".resume"),
}  # fmt: skip


__getattr__ = lazy_getattr(__name__, _HOME, globals())


__all__ = [
    "DEFAULT_MAX_PATCH_BYTES",
    "EMPTY_TREE",
    "GITLINK",
    "MODE",
    "NOTE",
    "OBJECTS",
    "RECORD_SCHEMA",
    "SKIPPED_NOTE",
    "CheckpointRefused",
    "Checkpointer",
    "GitFailed",
    "Interval",
    "Repository",
    "Resume",
    "RunCheckpoints",
    "Snapshot",
    "apply_patch",
    "check_target",
    "empty_objects",
    "git",
    "head_commit",
    "iter_records",
    "last_written",
    "load_record",
    "locate",
    "patch_path",
    "record_path",
    "restore",
    "resume_source",
    "snapshot",
    "verified_patch",
]
