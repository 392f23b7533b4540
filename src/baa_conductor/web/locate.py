"""From URL path parts to a run directory: the run-id rules first, then no symlink anywhere.

A part that is not a RunIdentifier (``..``, a decoded ``%2F``, a NUL, anything outside
``[A-Za-z0-9._-]``), or a task or run directory that is a symlink or not a directory, is
:class:`NotFound`; nothing outside the runs root is ever opened.
"""

from __future__ import annotations

import os
import stat

from ..exceptions import UnsafeRunPathError
from ..paths import META, check_segment


class NotFound(Exception):
    """What the client asked for is not there (or may not be looked at): HTTP 404."""


def _real_directory(path: str) -> None:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        raise NotFound(path) from None
    if not stat.S_ISDIR(mode):  # a symlink is refused here, whatever it points to
        raise NotFound(path)


def run_dir(root: str, task: str, run: str) -> str:
    """The run directory ``<root>/<task>/<run>``, or NotFound."""
    try:
        check_segment("taskId", task)
        check_segment("runId", run)
    except UnsafeRunPathError:
        raise NotFound(f"{task}/{run}") from None
    task_dir = os.path.join(root, task)
    _real_directory(task_dir)
    path = os.path.join(task_dir, run)
    _real_directory(path)
    if not os.path.lexists(os.path.join(path, META)):
        raise NotFound(path)
    return path


def child(directory: str, name: str) -> str:
    """A file name inside a run directory's subdirectory (checkpoints/, artifacts/), or NotFound."""
    try:
        check_segment("file", name)
    except UnsafeRunPathError:
        raise NotFound(name) from None
    _real_directory(directory)
    return os.path.join(directory, name)
