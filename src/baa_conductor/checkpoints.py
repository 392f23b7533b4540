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
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import _clock, encoding
from .exceptions import BaaError, RunStoreError
from .validation import validate

if TYPE_CHECKING:
    from .runner import PreparedStepRun

MODE = "git_diff"
RECORD_SCHEMA = "checkpoint-record"
DEFAULT_MAX_PATCH_BYTES = 64 << 20
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_NULL_OID = "0" * 40
GITLINK = "160000"
#: Per-file bound on what a change adds to a patch: a text line costs at most its bytes plus a
#: prefix, a binary hunk (zlib + base85, forward and reverse) at most about 1.3 times the blobs.
_PATCH_BYTES_PER_BLOB_BYTE = 2
_PATCH_BYTES_PER_FILE = 512
#: git's own settings for our commands only: nothing that writes beside the temporary index,
#: no background maintenance, no pager, no colour, no external diff or text conversion.
_CONFIG = (
    "core.splitIndex=false", "core.fsmonitor=false", "gc.auto=0", "maintenance.auto=false",
    "core.quotePath=false", "diff.noprefix=false", "diff.mnemonicPrefix=false",
    "diff.relative=false", "color.ui=false", "advice.detachedHead=false",
)  # fmt: skip
_CHANGE = {
    "A": "added", "M": "modified", "D": "deleted", "R": "renamed", "C": "copied",
    "T": "type_changed",
}  # fmt: skip


class GitFailed(Exception):
    """A git command exited non-zero (its stderr says why)."""

    def __init__(self, args: Sequence[str], code: int, stderr: bytes):
        self.args_ = list(args)
        self.code = code
        self.stderr = stderr.decode("utf-8", "replace").strip()
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"git {self.args_[0]} exited with {self.code}: {self.stderr or '(no message)'}"


class CheckpointRefused(BaaError, ValueError):
    """A checkpoint cannot be restored here: the record, the patch or the target is not right."""

    def __init__(self, where: str, reason: str):
        self.where = where
        self.reason = reason
        super().__init__(where, reason)

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    # The caller's GIT_DIR, GIT_INDEX_FILE, GIT_CONFIG_PARAMETERS etc. must not steer our commands.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    env.update(extra or {})
    return env


def git(
    args: Sequence[str],
    cwd: str,
    env: dict[str, str] | None = None,
    *,
    input: bytes | None = None,
    stdout: int | None = subprocess.PIPE,
) -> bytes:
    """Run git with our fixed settings; its stdout, or GitFailed."""
    command = ["git"]
    for setting in _CONFIG:
        command += ["-c", setting]
    proc = subprocess.run(
        [*command, *args], cwd=cwd, env=env or _environment(), input=input,
        stdout=stdout, stderr=subprocess.PIPE, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise GitFailed(args, proc.returncode, proc.stderr)
    return proc.stdout or b""


@dataclass(frozen=True)
class Repository:
    """The git repository a worktree belongs to, as far as a checkpoint needs it."""

    top: str
    git_dir: str
    index_path: str
    objects_dir: str
    head: str | None  # None: no commit yet


def locate(path: str) -> Repository:
    """The repository whose worktree holds ``path``; GitFailed when there is none."""
    path = os.path.abspath(path)
    out = git(
        ["rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-path", "index",
         "--git-path", "objects"],
        cwd=path,
    ).decode("utf-8", "surrogateescape")  # fmt: skip
    top, git_dir, index, objects = out.split("\n")[:4]
    return Repository(
        top=top,
        git_dir=git_dir,
        index_path=os.path.join(path, index),
        objects_dir=os.path.join(path, objects),
        head=head_commit(top),
    )


def head_commit(top: str) -> str | None:
    try:
        return git(["rev-parse", "-q", "--verify", "HEAD^{commit}"], top).decode().strip()
    except GitFailed:
        return None  # an unborn branch: the base is the empty tree


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _text(path: str) -> str:
    # JSON cannot hold the surrogates of a name that is not UTF-8: shown with U+FFFD there.
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass
class _Change:
    status: str
    old_mode: str
    new_mode: str
    old_oid: str
    new_oid: str
    path: str
    old_path: str | None = None
    added: int | None = None
    deleted: int | None = None

    @property
    def binary(self) -> bool:
        return self.added is None and self.new_mode != GITLINK and self.old_mode != GITLINK


def _raw_changes(out: bytes) -> list[_Change]:
    """Parse ``git diff-index --raw -z`` (with rename detection)."""
    fields = out.split(b"\0")
    changes, i = [], 0
    while i < len(fields) - 1:
        meta = _decode(fields[i]).lstrip(":").split(" ")
        status = meta[4][0]
        if status in "RC":
            old, new, i = _decode(fields[i + 1]), _decode(fields[i + 2]), i + 3
        else:
            old, new, i = None, _decode(fields[i + 1]), i + 2
        changes.append(_Change(status, meta[0], meta[1], meta[2], meta[3], new, old))
    return changes


def _numstat(out: bytes) -> dict[str, tuple[int | None, int | None]]:
    """Parse ``git diff --numstat -z``: path -> (lines added, lines deleted), None for binary."""
    fields, i = out.split(b"\0"), 0
    result: dict[str, tuple[int | None, int | None]] = {}
    while i < len(fields) - 1:
        added, deleted, path = fields[i].split(b"\t", 2)
        if path:
            i += 1
        else:  # a rename: the old and new names follow
            path, i = fields[i + 2], i + 3
        counts = (None, None) if added == b"-" else (int(added), int(deleted))
        result[_decode(path)] = counts
    return result


@dataclass
class Snapshot:
    """What one snapshot of the worktree found and wrote."""

    tree: str
    patch_tree: str
    patch_bytes: int
    sha256: str
    changes: list[_Change]
    omitted: list[dict[str, Any]] = field(default_factory=list)


class _Scratch:
    """The temporary index of one snapshot and the temporary object directory it writes to.

    ``objects`` may be shared by the snapshots of one run: :func:`empty_objects` removes the
    loose objects after each one and keeps git's fan-out directories, whose removal costs a
    few milliseconds each on ext4; :meth:`Checkpointer.close` removes the rest.
    """

    def __init__(self, repo: Repository, directory: str, objects: str | None = None):
        self.repo = repo
        self.directory = directory = os.path.abspath(directory)
        self.index = os.path.join(directory, "index")
        self.objects = os.path.abspath(objects or os.path.join(directory, "objects"))
        os.makedirs(directory, exist_ok=True)
        os.makedirs(self.objects, exist_ok=True)
        alternates = repo.objects_dir
        existing = os.path.join(repo.objects_dir, "info", "alternates")
        with contextlib.suppress(OSError), open(existing, encoding="utf-8") as handle:
            alternates += os.pathsep + os.pathsep.join(
                line.strip() for line in handle if line.strip() and not line.startswith("#")
            )
        self.env = _environment({
            "GIT_INDEX_FILE": self.index,
            "GIT_OBJECT_DIRECTORY": self.objects,
            "GIT_ALTERNATE_OBJECT_DIRECTORIES": alternates,
        })  # fmt: skip

    def git(self, args: Sequence[str], **kwargs: Any) -> bytes:
        return git(args, self.repo.top, self.env, **kwargs)


def _seed_index(scratch: _Scratch, base_tree: str) -> None:
    """Start the temporary index from the user's (stat cache) or, failing that, the base tree."""
    try:
        # With its mtime: git trusts an entry's stat data unless the entry is as new as the index
        # file ("racily clean"), so a copy stamped now would hide a same-size edit made in the
        # second the user's index was written.
        shutil.copy2(scratch.repo.index_path, scratch.index)
    except FileNotFoundError:
        scratch.git(["read-tree", base_tree])
        return
    # Entries marked assume-unchanged (lower-case tag) are not looked at by `git add`: their bit
    # is cleared in the copy, so a change behind git's back is caught. Skip-worktree entries
    # (sparse checkouts: absent from the worktree by design) are kept as the index has them.
    listing = scratch.git(["ls-files", "-z", "-v"])
    hidden = [entry[2:] for entry in listing.split(b"\0") if entry[:1].islower()]
    if hidden:
        scratch.git(
            ["update-index", "-z", "--no-assume-unchanged", "--stdin"],
            input=b"\0".join(hidden) + b"\0",
        )


def empty_objects(objects_dir: str) -> None:
    """Remove the loose objects of a temporary object directory, keeping its subdirectories."""
    for parent, _dirs, files in os.walk(objects_dir):
        for name in files:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(parent, name))


def _pathspecs(exclude: Sequence[str]) -> list[str]:
    return [":/", *(f":(top,literal,exclude){path}" for path in exclude)]


def snapshot(
    repo: Repository,
    base: str | None,
    scratch_dir: str,
    patch_file: str,
    *,
    exclude: Sequence[str] = (),
    max_patch_bytes: int = DEFAULT_MAX_PATCH_BYTES,
    unchanged_since: str | None = None,
    objects_dir: str | None = None,
) -> Snapshot | None:
    """Write the worktree's difference from ``base`` to ``patch_file``; None if its tree is
    ``unchanged_since``. ``exclude``: paths relative to the worktree top to leave out;
    ``objects_dir``: where git writes objects (default: inside ``scratch_dir``)."""
    scratch = _Scratch(repo, scratch_dir, objects_dir)
    base_tree = EMPTY_TREE if base is None else f"{base}^{{tree}}"
    _seed_index(scratch, base_tree)
    scratch.git(["add", "-A", "--", *_pathspecs(exclude)])
    tree = scratch.git(["write-tree"]).decode().strip()
    if tree == unchanged_since:
        return None
    base_ref = base or EMPTY_TREE
    changes = _raw_changes(scratch.git(["diff-index", "--cached", "-z", "-M", "--raw", base_ref]))
    omitted = _submodule_notes(changes)
    patch_tree = tree
    size = _write_patch(scratch, base_ref, patch_file, max_patch_bytes)
    if size is None:
        omitted += _omit_largest(scratch, changes, max_patch_bytes)
        omitted_paths = {o["path"] for o in omitted if o["reason"] == "size_limit"}
        changes = [c for c in changes if _text(c.path) not in omitted_paths]
        patch_tree = scratch.git(["write-tree"]).decode().strip()
        size = _write_patch(scratch, base_ref, patch_file, None)
        assert size is not None  # no limit: never cut short
    counts = _numstat(scratch.git(["diff", "--cached", "-z", "-M", "--numstat", base_ref]))
    for change in changes:
        change.added, change.deleted = counts.get(change.path, (None, None))
    return Snapshot(tree, patch_tree, size, _sha256_file(patch_file), changes, omitted)


def _write_patch(scratch: _Scratch, base: str, patch_file: str, limit: int | None) -> int | None:
    """The patch of the temporary index against ``base``, or None once it passes ``limit``."""
    command = [
        "diff", "--cached", "--binary", "-M", "--no-color", "--no-ext-diff", "--no-textconv",
        "--src-prefix=a/", "--dst-prefix=b/", "--ignore-submodules=none", base,
    ]  # fmt: skip
    with open(patch_file, "wb") as handle:
        proc = subprocess.Popen(
            ["git", *(a for s in _CONFIG for a in ("-c", s)), *command],
            cwd=scratch.repo.top, env=scratch.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        assert proc.stdout is not None
        assert proc.stderr is not None
        size, over = 0, False
        while block := proc.stdout.read(1 << 20):
            size += len(block)
            if limit is not None and size > limit:
                over = True
                proc.kill()
                break
            handle.write(block)
        proc.stdout.close()
        stderr = proc.stderr.read()
        proc.stderr.close()
        code = proc.wait()
        if over:
            return None
        if code != 0:
            raise GitFailed(command, code, stderr)
        handle.flush()
        os.fsync(handle.fileno())
    return size


def _sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _blob_sizes(scratch: _Scratch, oids: set[str]) -> dict[str, int]:
    oids.discard(_NULL_OID)
    if not oids:
        return {}
    out = scratch.git(
        ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
        input="".join(f"{oid}\n" for oid in sorted(oids)).encode(),
    )
    sizes = {}
    for line in out.decode().splitlines():
        oid, kind, size = line.split(" ")
        sizes[oid] = int(size) if kind == "blob" else 0
    return sizes


def _blob_sha256(scratch: _Scratch, oid: str) -> str:
    digest = hashlib.sha256()
    proc = subprocess.Popen(
        ["git", "cat-file", "blob", oid], cwd=scratch.repo.top, env=scratch.env,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    while block := proc.stdout.read(1 << 20):
        digest.update(block)
    proc.stdout.close()
    if proc.wait() != 0:
        raise GitFailed(["cat-file", "blob", oid], proc.returncode, b"")
    return digest.hexdigest()


def _omit_largest(scratch: _Scratch, changes: list[_Change], limit: int) -> list[dict[str, Any]]:
    """Set the largest changes back to their base entries until the rest surely fits ``limit``."""
    sizes = _blob_sizes(scratch, {c.old_oid for c in changes} | {c.new_oid for c in changes})

    def cost(change: _Change) -> int:
        blobs = sizes.get(change.old_oid, 0) + sizes.get(change.new_oid, 0)
        return _PATCH_BYTES_PER_BLOB_BYTE * blobs + _PATCH_BYTES_PER_FILE + 4 * len(change.path)

    total = sum(cost(c) for c in changes)
    entries: list[bytes] = []
    omitted: list[dict[str, Any]] = []
    for change in sorted(changes, key=cost, reverse=True):
        if total <= limit:
            break
        total -= cost(change)
        if change.new_oid != _NULL_OID:
            entries.append(f"0 {_NULL_OID}\t{change.path}".encode("utf-8", "surrogateescape"))
        restore = change.old_path if change.status in "RC" else change.path
        if restore is not None and change.old_oid != _NULL_OID and change.status != "C":
            entries.append(
                f"{change.old_mode} {change.old_oid}\t{restore}".encode("utf-8", "surrogateescape")
            )
        note: dict[str, Any] = {"path": _text(change.path), "reason": "size_limit",
                                "change": _CHANGE[change.status]}  # fmt: skip
        if change.new_oid != _NULL_OID:
            note.update(bytes=sizes.get(change.new_oid, 0), blob=change.new_oid,
                        sha256=_blob_sha256(scratch, change.new_oid))  # fmt: skip
        omitted.append(note)
    # Removals first, then entries: a rename set back must not lose its restored old path.
    entries.sort(key=lambda e: not e.startswith(b"0 "))
    scratch.git(["update-index", "-z", "--index-info"], input=b"\0".join(entries) + b"\0")
    return omitted


def _submodule_notes(changes: list[_Change]) -> list[dict[str, Any]]:
    return [
        {"path": _text(c.path), "reason": "submodule", "change": _CHANGE[c.status]}
        for c in changes
        if GITLINK in (c.old_mode, c.new_mode)
    ]


# Records ---------------------------------------------------------------------------------------


def record_path(checkpoints_dir: str, seq: int) -> str:
    return os.path.join(checkpoints_dir, f"{seq}.json")


def patch_path(checkpoints_dir: str, seq: int) -> str:
    return os.path.join(checkpoints_dir, f"{seq}.patch")


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomically(path: str, data: bytes) -> None:
    temporary = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _file_entry(change: _Change) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": _text(change.path), "change": _CHANGE[change.status]}
    if change.old_path is not None:
        entry["oldPath"] = _text(change.old_path)
    if change.new_mode != "000000":
        entry["mode"] = change.new_mode
    entry["binary"] = change.binary
    if change.added is not None:
        entry["linesAdded"] = change.added
        entry["linesDeleted"] = change.deleted
    return entry


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
                files=[_file_entry(c) for c in shot.changes], omitted=shot.omitted,
            )  # fmt: skip
            record["durationMs"] = int((time.monotonic() - started) * 1000)
            _write_atomically(record_path(self.checkpoints_dir, seq), encoding.dumps_line(record))
            _fsync_dir(self.checkpoints_dir)
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
                _write_atomically(
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


# Reading and restoring -------------------------------------------------------------------------


def iter_records(checkpoints_dir: str) -> Iterator[dict[str, Any]]:
    """Every checkpoint record of a run, by seq, each validated."""
    try:
        names = os.listdir(checkpoints_dir)
    except FileNotFoundError:
        return
    seqs = sorted(int(n[:-5]) for n in names if n.endswith(".json") and n[:-5].isdigit())
    for seq in seqs:
        yield load_record(checkpoints_dir, seq)


def load_record(checkpoints_dir: str, seq: int) -> dict[str, Any]:
    path = record_path(checkpoints_dir, seq)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise CheckpointRefused(path, f"there is no checkpoint {seq}") from None
    try:
        record: dict[str, Any] = encoding.loads(raw)
    except ValueError as error:
        raise CheckpointRefused(path, f"not JSON: {error}") from None
    validate(RECORD_SCHEMA, record, source=path)
    return record


def last_written(checkpoints_dir: str) -> int:
    """The seq of the newest checkpoint that holds a patch."""
    written = [r["seq"] for r in iter_records(checkpoints_dir) if r["status"] == "written"]
    if not written:
        raise CheckpointRefused(checkpoints_dir, "no checkpoint with a patch was written")
    return int(written[-1])


def verified_patch(checkpoints_dir: str, seq: int) -> tuple[dict[str, Any], str]:
    """A written checkpoint's record and patch path, the patch checked against its sha256."""
    record = load_record(checkpoints_dir, seq)
    if record["status"] != "written":
        raise CheckpointRefused(
            record_path(checkpoints_dir, seq),
            f"checkpoint {seq} failed and holds no patch: {record.get('error', '')}",
        )
    path = patch_path(checkpoints_dir, seq)
    if not os.path.isfile(path):
        raise CheckpointRefused(path, "the patch file is missing")
    if _sha256_file(path) != record["patch"]["sha256"]:
        raise CheckpointRefused(path, "the patch does not match the sha256 its record holds")
    return record, path


def check_target(target: str, record: dict[str, Any], exclude: Sequence[str] = ()) -> Repository:
    """The repository at ``target`` if a checkpoint can be restored there: clean, at its base."""
    try:
        repo = locate(target)
    except (GitFailed, OSError) as error:
        raise CheckpointRefused(target, f"not a git worktree ({error})") from None
    base = record["baseCommit"]
    if repo.head != base:
        at = repo.head or "no commit yet"
        want = base or "no commit (an empty repository)"
        raise CheckpointRefused(
            target, f"HEAD is {at}, but checkpoint {record['seq']} was taken against {want}"
        )
    status = git(
        ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules=none",
         "--", *_pathspecs(exclude)],
        repo.top,
    )  # fmt: skip
    dirty = [_text(_decode(e[3:])) for e in status.split(b"\0") if e[2:3] == b" "]
    if dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise CheckpointRefused(
            target, f"the worktree is not clean ({shown}); restore needs a clean checkout"
        )
    return repo


def apply_patch(repo: Repository, patch: str, record: dict[str, Any]) -> None:
    """``git apply --check``, then ``git apply``: only the files the patch names are written."""
    if record["patch"]["bytes"] == 0:
        return
    try:
        git(["apply", "--check", "--binary", "--whitespace=nowarn", patch], repo.top)
        git(["apply", "--binary", "--whitespace=nowarn", patch], repo.top)
    except GitFailed as error:
        raise CheckpointRefused(
            repo.top, f"checkpoint {record['seq']} does not apply: {error.stderr}"
        ) from None


def restore(
    checkpoints_dir: str, seq: int, target: str, exclude: Sequence[str] = ()
) -> dict[str, Any]:
    """Apply checkpoint ``seq`` to the clean worktree at ``target``; its record."""
    record, patch = verified_patch(checkpoints_dir, seq)
    repo = check_target(target, record, exclude)
    apply_patch(repo, patch, record)
    return record


# A run's checkpoints -------------------------------------------------------------------------


def _excluded(top: str, runs_root: str) -> list[str]:
    """The runs root as a path inside the worktree top, if it lies there."""
    real_top, real_root = os.path.realpath(top), os.path.realpath(runs_root)
    if real_root != real_top and os.path.commonpath([real_top, real_root]) == real_top:
        return [os.path.relpath(real_root, real_top)]
    return []


@dataclass
class Resume:
    """A checked restore, waiting for its run directory: which checkpoint, and where to."""

    run_dir: str
    record: dict[str, Any]
    patch: str
    repo: Repository


def resume_source(req: dict[str, Any], runs_root: str) -> Resume | None:
    """The checkpoint a request resumes from, checked against its worktree; None if it resumes
    nothing. Raises CheckpointRefused (before anything is written) when it cannot be restored."""
    config = req.get("checkpoint") or {}
    run_id = config.get("resumeFromRunId")
    if run_id is None:
        return None
    if config["mode"] != MODE:
        raise CheckpointRefused("checkpoint.resumeFromRunId", f"needs mode {MODE}")
    if "resumeFromSeq" not in config:
        raise CheckpointRefused("checkpoint.resumeFromRunId", "needs checkpoint.resumeFromSeq")
    from .paths import CHECKPOINTS, check_segment

    run_dir = os.path.join(runs_root, req["taskId"], check_segment("resumeFromRunId", run_id))
    if not os.path.isdir(run_dir):
        raise CheckpointRefused("checkpoint.resumeFromRunId", f"no run directory {run_dir}")
    record, patch = verified_patch(os.path.join(run_dir, CHECKPOINTS), config["resumeFromSeq"])
    if req["attempt"] <= record["attempt"]:
        raise CheckpointRefused(
            "attempt", f"must be higher than the resumed run's attempt {record['attempt']}"
        )
    worktree = req["runtime"]["worktreePath"]
    repo = check_target(worktree, record, _excluded(worktree, runs_root))
    try:
        git(["apply", "--check", "--binary", "--whitespace=nowarn", patch], repo.top)
    except GitFailed as error:
        raise CheckpointRefused(
            patch, f"checkpoint {record['seq']} does not apply to {repo.top}: {error.stderr}"
        ) from None
    return Resume(run_dir, record, patch, repo)


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
            exclude=_excluded(repo.top, self._runs_root),
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
