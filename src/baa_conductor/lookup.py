"""Finding runs by what people call them: a run directory, ``TASK/RUN``, a run id, a task id,
``latest``; and the attempt that followed a run.

One place for these rules, for every reader: ``baa show``, ``baa tail``, ``baa list`` and
``baa checkpoint`` use it, and so can the web view and ``baa status``. It only reads directory
names, the modification times of ``meta.json`` and, for the attempt after a run, the runs of the
same task; it never asks a broker (a dispatch id is the broker's to resolve) and never changes
anything.

    >>> found = find("T-1", "/srv/runs")      # a task id: its newest run
    >>> found.run_dir, found.task_dir
    ('/srv/runs/T-1/run-20260101T000002-b', '/srv/runs/T-1')
"""

from __future__ import annotations

import os

from .exceptions import BaaError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from typing import Any

META = "meta.json"


class RunLookupError(BaaError, LookupError):
    """A name that finds no run, or more than one thing; ``candidates`` lists what it could mean
    (``TASK/RUN`` for a run, ``TASK/`` for a task)."""

    def __init__(self, spec: str, runs_root: str, candidates: list[str] | None = None):
        self.spec = spec
        self.runs_root = runs_root
        self.candidates = candidates or []
        super().__init__(spec)

    def __str__(self) -> str:
        if not self.candidates:
            return (
                f"{self.spec}: no run, run id or task id of that name under {self.runs_root}, "
                "and no such run directory"
            )
        return (
            f"{self.spec!r} is ambiguous under {self.runs_root}: it names "
            + ", ".join(self.candidates)
            + " (name a run as TASK/RUN, a task as TASK/)"
        )


class Found:
    """What a name means under a runs root.

    ``run_dir``: the run it names; for a task, the task's newest run, or None while the task
    has none. ``task_dir``: set when the name is a task (its directory, which may not exist yet
    when ``wait_for_task`` allowed that). (A plain class: importing dataclasses would cost every
    reading command about 30 ms of start-up.)
    """

    __slots__ = ("run_dir", "task_dir")

    def __init__(self, run_dir: str | None, task_dir: str | None = None):
        self.run_dir = run_dir
        self.task_dir = task_dir

    def __repr__(self) -> str:
        return f"Found(run_dir={self.run_dir!r}, task_dir={self.task_dir!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Found):
            return NotImplemented
        return (self.run_dir, self.task_dir) == (other.run_dir, other.task_dir)

    def __hash__(self) -> int:
        return hash((self.run_dir, self.task_dir))

    @property
    def is_task(self) -> bool:
        return self.task_dir is not None


def _dirs(path: str) -> Iterator[os.DirEntry[str]]:
    """Subdirectories, hidden ones (runs being built) left out; nothing if unreadable."""
    try:
        with os.scandir(path) as entries:
            found = [e for e in entries if not e.name.startswith(".")]
    except OSError:
        return
    for entry in found:
        try:
            if entry.is_dir(follow_symlinks=False):
                yield entry
        except OSError:
            continue


def _created(run_dir: str) -> float | None:
    try:
        return os.stat(os.path.join(run_dir, META)).st_mtime
    except OSError:
        return None


def task_runs(task_dir: str) -> list[str]:
    """The run directories of a task, oldest first (by when their meta.json was written, then
    by name: runs created in the same instant keep one order)."""
    runs = []
    for entry in _dirs(task_dir):
        created = _created(entry.path)
        if created is not None:
            runs.append((created, entry.name, entry.path))
    return [path for _, _, path in sorted(runs)]


def newest_run(task_dir: str) -> str | None:
    """The run of a task created last, or None while it has none."""
    runs = task_runs(task_dir)
    return runs[-1] if runs else None


def _latest(runs_root: str) -> str:
    newest: tuple[float, str] | None = None
    for task in _dirs(runs_root):
        for run in _dirs(task.path):
            created = _created(run.path)
            if created is not None and (newest is None or (created, run.path) > newest):
                newest = (created, run.path)
    if newest is None:
        raise RunLookupError("latest", runs_root)
    return newest[1]


def _is_run(path: str) -> bool:
    return os.path.isdir(path) and os.path.lexists(os.path.join(path, META))


def find(spec: str, runs_root: str, *, wait_for_task: bool = False) -> Found:
    """What ``spec`` names under ``runs_root``; :class:`RunLookupError` if nothing or several.

    In this order: ``latest`` (the run created last); a path to a run directory, or to a task
    directory (``runs/T-1``, ``T-1/``: that task); ``TASK/RUN``; a bare name, which is a run id
    (in whichever task holds it) or a task id (its newest run). A bare name that is both, or a
    run id held by several tasks, is ambiguous: the error lists each candidate. With
    ``wait_for_task``, a bare name that names nothing is taken as a task still to come (a
    dispatched step whose worker has not taken it yet): ``Found(None, <its directory>)``.
    """
    if spec == "latest":
        return Found(_latest(runs_root))
    if _is_run(spec):
        return Found(os.path.abspath(spec))
    under = os.path.join(runs_root, spec)
    if spec.count("/") == 1 and not spec.endswith("/") and _is_run(under):
        return Found(under)
    if spec.endswith("/") and spec.count("/") == 1 and os.path.isdir(under):
        return Found(newest_run(under), under)  # TASK/
    if "/" in spec:
        if os.path.isdir(spec) and not os.path.exists(os.path.join(spec, META)):
            path = os.path.abspath(spec)
            runs = task_runs(path)
            if runs:  # a task directory given by its path
                return Found(runs[-1], path)
            return Found(path)  # not a run: the reader says what is missing
        raise RunLookupError(spec, runs_root)
    if spec in ("", ".", ".."):
        raise RunLookupError(spec, runs_root)
    runs = sorted(
        os.path.join(task.path, spec) for task in _dirs(runs_root)
        if _is_run(os.path.join(task.path, spec))
    )  # fmt: skip
    task = under if os.path.isdir(under) and not _is_run(under) else None
    candidates = [f"run {os.path.relpath(path, runs_root)}" for path in runs]
    if task is not None:
        count = len(task_runs(task))
        candidates.insert(0, f"task {spec}/ ({count} run{'' if count == 1 else 's'})")
    if len(candidates) > 1:
        raise RunLookupError(spec, runs_root, candidates)
    if runs:
        return Found(runs[0])
    if task is not None:
        return Found(newest_run(task), task)
    if os.path.isdir(spec):
        return Found(os.path.abspath(spec))  # not a run: the reader says what is missing
    if wait_for_task:
        return Found(None, under)
    raise RunLookupError(spec, runs_root)


def find_run(spec: str, runs_root: str) -> str:
    """The run directory ``spec`` names (for a task, its newest run); see :func:`find`."""
    found = find(spec, runs_root)
    if found.run_dir is None:
        raise RunLookupError(spec, runs_root, [f"task {spec.rstrip('/')}/ (no run yet)"])
    return found.run_dir


# the attempt after a run --------------------------------------------------------------------------


def next_attempt_of(run: Mapping[str, Any], others: Sequence[Mapping[str, Any]]) -> str | None:
    """The run id of the attempt that followed ``run``, among ``others`` of the same task.

    Each is a run's meta.json fields (``stepId``, ``runId``, ``attempt``) with the time it was
    created (``createdAt`` or ``startedAt``). The next attempt is a run of the same step whose
    attempt is one more, created after it; when several are, the one named as a dispatch worker
    names a delivery again (``<run id>.attempt-<n>``) wins, then the earliest.
    """
    attempt = run.get("attempt")
    if not isinstance(attempt, int):
        return None
    base = _base_run_id(str(run.get("runId")))
    after = str(run.get("createdAt") or run.get("startedAt") or "")
    found = [
        other for other in others
        if other.get("stepId") == run.get("stepId") and other.get("attempt") == attempt + 1
        and str(other.get("createdAt") or other.get("startedAt") or "") >= after
        and other.get("runId") != run.get("runId")
    ]  # fmt: skip
    if not found:
        return None
    named = f"{base}.attempt-{attempt + 1}"
    found.sort(key=lambda o: (o.get("runId") != named, str(o.get("createdAt") or "")))
    return str(found[0]["runId"])


def next_attempt(run_dir: str) -> str | None:
    """The run directory of the attempt that followed the run in ``run_dir`` (see
    :func:`next_attempt_of`), or None if there is none (yet)."""
    from .encoding import loads
    from .readers import read_document

    def meta(path: str) -> dict[str, Any] | None:
        try:
            value = loads(read_document(os.path.join(path, META)))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    run = meta(run_dir)
    if run is None:
        return None
    task_dir = os.path.dirname(os.path.abspath(run_dir))
    others = [m for path in task_runs(task_dir) if (m := meta(path)) is not None]
    found = next_attempt_of(run, others)
    return None if found is None else os.path.join(task_dir, found)


def _base_run_id(run_id: str) -> str:
    head, sep, tail = run_id.rpartition(".attempt-")
    return head if sep and tail.isdigit() else run_id
