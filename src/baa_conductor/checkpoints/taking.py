"""Taking a run's checkpoints as it goes: numbered, one at a time, each an event; on the
runner's hooks (worker started, interval, stop, worker exited)."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .. import _clock, encoding
from ..exceptions import RunStoreError
from ..validation import validate
from . import MODE
from .records import RECORD_SCHEMA, fsync_dir, patch_path, record_path, write_atomically
from .repository import GitFailed, Repository, excluded_runs_root, locate
from .restoring import apply_patch
from .snapshots import DEFAULT_MAX_PATCH_BYTES, empty_objects, file_entry, snapshot

if TYPE_CHECKING:
    from ..runner import PreparedStepRun
    from .resume import Resume


class Checkpointer:
    """Takes the checkpoints of one run: numbered from ``first_seq``, one at a time."""

    def __init__(
        self,
        repo: Repository,
        base: str | None,
        checkpoints_dir: str,
        context: dict[str, Any],
        *,
        first_seq: int = 1,
        exclude: Sequence[str] = (),
        max_patch_bytes: int = DEFAULT_MAX_PATCH_BYTES,
    ):
        self.repo = repo
        self.base = base
        self.checkpoints_dir = os.path.abspath(checkpoints_dir)
        self.context = context
        self.next_seq = first_seq
        self.exclude = list(exclude)
        self.max_patch_bytes = max_patch_bytes
        self.written = 0
        self.last_tree: str | None = None
        self._lock = threading.Lock()

    def take(self, reason: str, *, skip_unchanged: bool = False) -> dict[str, Any] | None:
        """Take checkpoint ``next_seq`` and return its record (``status`` written or failed).

        With ``skip_unchanged``, nothing is taken (None) when the worktree's tree is the one the
        last checkpoint wrote. Never raises for a git or disk failure: the record says why.
        """
        with self._lock:
            return self._take(reason, skip_unchanged)

    def _take(self, reason: str, skip_unchanged: bool) -> dict[str, Any] | None:
        seq = self.next_seq
        started = time.monotonic()
        record: dict[str, Any] = {
            **self.context, "seq": seq, "createdAt": _clock.now(), "reason": reason,
            "mode": MODE, "worktreePath": self.repo.top, "baseCommit": self.base,
            "maxPatchBytes": self.max_patch_bytes,
        }  # fmt: skip
        scratch = os.path.join(self.checkpoints_dir, f".{seq}.work")
        objects = os.path.join(self.checkpoints_dir, OBJECTS)
        partial = os.path.join(scratch, "patch")
        try:
            shot = snapshot(
                self.repo, self.base, scratch, partial, exclude=self.exclude,
                max_patch_bytes=self.max_patch_bytes,
                unchanged_since=self.last_tree if skip_unchanged else None, objects_dir=objects,
            )  # fmt: skip
            if shot is None:
                return None
            self.next_seq += 1
            os.replace(partial, patch_path(self.checkpoints_dir, seq))
            record.update(
                status="written", tree=shot.tree, patchTree=shot.patch_tree,
                patch={"file": f"{seq}.patch", "bytes": shot.patch_bytes, "sha256": shot.sha256},
                files=[file_entry(c) for c in shot.changes], omitted=shot.omitted,
            )  # fmt: skip
            record["durationMs"] = int((time.monotonic() - started) * 1000)
            write_atomically(record_path(self.checkpoints_dir, seq), encoding.dumps_line(record))
            fsync_dir(self.checkpoints_dir)
            self.written += 1
            self.last_tree = shot.tree
        except (GitFailed, OSError) as error:
            self.next_seq = max(self.next_seq, seq + 1)
            with contextlib.suppress(OSError):
                os.unlink(patch_path(self.checkpoints_dir, seq))
            # Free what this attempt wrote first: on a full disk, the record needs the room.
            shutil.rmtree(scratch, ignore_errors=True)
            empty_objects(objects)
            record = {k: v for k, v in record.items() if k in _FAILED_KEYS}
            record.update(status="failed", error=str(error))
            record["durationMs"] = int((time.monotonic() - started) * 1000)
            with contextlib.suppress(OSError):  # a full disk may refuse even this
                write_atomically(
                    record_path(self.checkpoints_dir, seq), encoding.dumps_line(record)
                )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            empty_objects(objects)
        validate(RECORD_SCHEMA, record, source=record_path(self.checkpoints_dir, seq))
        return record

    def close(self) -> None:
        """Remove the temporary object directory (empty by now) once no checkpoint will follow."""
        with self._lock:
            shutil.rmtree(os.path.join(self.checkpoints_dir, OBJECTS), ignore_errors=True)


#: The temporary object directory the checkpoints of a run share (emptied after each one).
OBJECTS = ".objects"

_FAILED_KEYS = frozenset({
    "taskId", "stepId", "runId", "attempt", "seq", "createdAt", "reason", "mode",
    "worktreePath", "baseCommit", "maxPatchBytes",
})  # fmt: skip


class Interval:
    """Calls ``take()`` every ``seconds`` on a thread of its own until stopped."""

    def __init__(self, seconds: float, take: Callable[[], object]):
        self.seconds = seconds
        self._take = take
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="baa-checkpoints", daemon=True)

    def start(self) -> Interval:
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                self._take()
            except RunStoreError:
                return  # the run's files cannot be written: the step's own writes report it

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()


class RunCheckpoints:
    """The git_diff checkpoints of one run: taken on the runner's hooks, each one an event."""

    def __init__(self, run: PreparedStepRun, resume: Resume | None, *, runs_root: str):
        self.run = run
        self.resume = resume
        self.taker: Checkpointer | None = None
        self.interval: Interval | None = None
        self._runs_root = runs_root

    def begin(self) -> None:
        """After run_prepared: restore a resumed checkpoint, find the repository (or say why not)."""
        req, session = self.run.wire_request, self.run.session
        config = req.get("checkpoint") or {}
        worktree = req["runtime"]["worktreePath"]
        if self.resume is not None:
            self._restore(self.resume)
            repo, base = self.resume.repo, self.resume.record["baseCommit"]
        else:
            try:
                repo = locate(worktree)
            except (GitFailed, OSError) as error:
                reason = error.stderr if isinstance(error, GitFailed) else str(error)
                why = (
                    f"worktree {worktree} is not inside a git repository"
                    if isinstance(error, GitFailed)
                    else f"git cannot be run in worktree {worktree} ({error})"
                )
                session.record(
                    "checkpoint_skipped", "warn",
                    f"Checkpoints are skipped for this step: {why}.",
                    data={"worktreePath": worktree, "reason": reason},
                )  # fmt: skip
                self.run.checkpoint["note"] = SKIPPED_NOTE
                return
            base = repo.head
        self.taker = Checkpointer(
            repo, base, self.run.paths.checkpoints_dir,
            {"taskId": req["taskId"], "stepId": req["stepId"], "runId": req["runId"],
             "attempt": req["attempt"]},
            first_seq=self.run.checkpoint["nextCheckpointSeq"],
            exclude=excluded_runs_root(repo.top, self._runs_root),
            max_patch_bytes=config.get("maxPatchBytes", DEFAULT_MAX_PATCH_BYTES),
        )  # fmt: skip
        if "everySec" in config:
            every = float(config["everySec"])
            self.interval = Interval(every, lambda: self.take("interval", skip_unchanged=True))

    def _restore(self, resume: Resume) -> None:
        record = resume.record
        apply_patch(resume.repo, resume.patch, record)
        self.run.session.record(
            "checkpoint_restored", "info",
            f"Restored checkpoint {record['seq']} of run {record['runId']} into the worktree "
            f"before the worker started ({len(record['files'])} files).",
            data={"fromRunId": record["runId"], "fromRunDir": resume.run_dir,
                  "seq": record["seq"], "baseCommit": record["baseCommit"],
                  "patchSha256": record["patch"]["sha256"], "fileCount": len(record["files"]),
                  "omittedCount": len(record["omitted"])},
        )  # fmt: skip

    def start(self) -> None:
        """When the worker starts: the interval checkpoints begin."""
        if self.interval is not None:
            self.interval.start()

    def take(self, reason: str, *, skip_unchanged: bool = False) -> None:
        """Take a checkpoint, record its event and bring state.json's checkpointSeq up to date."""
        if self.taker is None:
            return
        record = self.taker.take(reason, skip_unchanged=skip_unchanged)
        if record is None:
            return
        run, seq = self.run, record["seq"]
        path = record_path(self.taker.checkpoints_dir, seq)
        if record["status"] == "written":
            base = record["baseCommit"] or "the empty tree"
            run.session.record(
                "checkpoint_written", "info",
                f"Wrote checkpoint {seq} of the worktree against {base} ({reason}).",
                data={"seq": seq, "reason": reason, "recordPath": path,
                      "patchPath": patch_path(self.taker.checkpoints_dir, seq),
                      "patchBytes": record["patch"]["bytes"], "fileCount": len(record["files"]),
                      "omittedCount": len(record["omitted"]), "tree": record["tree"]},
            )  # fmt: skip
        else:
            run.session.record(
                "checkpoint_failed", "warn",
                f"Checkpoint {seq} could not be written; the step goes on: {record['error']}",
                data={"seq": seq, "reason": reason, "recordPath": path, "error": record["error"]},
            )  # fmt: skip
        run.checkpoint_taken(seq)

    def finish(self) -> None:
        """When the worker has exited: stop the interval, take the last checkpoint."""
        if self.interval is not None:
            self.interval.stop()
        self.take("worker_exited")
        self.stop()

    def stop(self) -> None:
        if self.interval is not None:
            self.interval.stop()
        if self.taker is not None:
            self.taker.close()

    @property
    def count(self) -> int:
        return self.taker.written if self.taker is not None else 0


NOTE = (
    "Checkpoint content is written as git_diff patches of the worktree against the step's base "
    "commit: checkpoints/<seq>.patch with its record checkpoints/<seq>.json."
)
SKIPPED_NOTE = "Checkpoints are skipped for this step: its worktree is not inside a git repository."
