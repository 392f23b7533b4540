"""One snapshot of a worktree: its difference from the base commit as a binary patch, written
through a temporary index and object directory so nothing of the user's repository changes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .repository import (
    EMPTY_TREE,
    GIT_SETTINGS,
    GitFailed,
    Repository,
    decode,
    git,
    git_environment,
    pathspecs,
    text_of,
)

DEFAULT_MAX_PATCH_BYTES = 64 << 20
_NULL_OID = "0" * 40
GITLINK = "160000"
#: Per-file bound on what a change adds to a patch: a text line costs at most its bytes plus a
#: prefix, a binary hunk (zlib + base85, forward and reverse) at most about 1.3 times the blobs.
_PATCH_BYTES_PER_BLOB_BYTE = 2
_PATCH_BYTES_PER_FILE = 512
_CHANGE = {
    "A": "added", "M": "modified", "D": "deleted", "R": "renamed", "C": "copied",
    "T": "type_changed",
}  # fmt: skip


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
        meta = decode(fields[i]).lstrip(":").split(" ")
        status = meta[4][0]
        if status in "RC":
            old, new, i = decode(fields[i + 1]), decode(fields[i + 2]), i + 3
        else:
            old, new, i = None, decode(fields[i + 1]), i + 2
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
        result[decode(path)] = counts
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
        self.env = git_environment({
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
    scratch.git(["add", "-A", "--", *pathspecs(exclude)])
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
        changes = [c for c in changes if text_of(c.path) not in omitted_paths]
        patch_tree = scratch.git(["write-tree"]).decode().strip()
        size = _write_patch(scratch, base_ref, patch_file, None)
        assert size is not None  # no limit: never cut short
    counts = _numstat(scratch.git(["diff", "--cached", "-z", "-M", "--numstat", base_ref]))
    for change in changes:
        change.added, change.deleted = counts.get(change.path, (None, None))
    return Snapshot(tree, patch_tree, size, sha256_file(patch_file), changes, omitted)


def _write_patch(scratch: _Scratch, base: str, patch_file: str, limit: int | None) -> int | None:
    """The patch of the temporary index against ``base``, or None once it passes ``limit``."""
    command = [
        "diff", "--cached", "--binary", "-M", "--no-color", "--no-ext-diff", "--no-textconv",
        "--src-prefix=a/", "--dst-prefix=b/", "--ignore-submodules=none", base,
    ]  # fmt: skip
    with open(patch_file, "wb") as handle:
        proc = subprocess.Popen(
            ["git", *(a for s in GIT_SETTINGS for a in ("-c", s)), *command],
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


def sha256_file(path: str) -> str:
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
        note: dict[str, Any] = {"path": text_of(change.path), "reason": "size_limit",
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
        {"path": text_of(c.path), "reason": "submodule", "change": _CHANGE[c.status]}
        for c in changes
        if GITLINK in (c.old_mode, c.new_mode)
    ]


def file_entry(change: _Change) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": text_of(change.path), "change": _CHANGE[change.status]}
    if change.old_path is not None:
        entry["oldPath"] = text_of(change.old_path)
    if change.new_mode != "000000":
        entry["mode"] = change.new_mode
    entry["binary"] = change.binary
    if change.added is not None:
        entry["linesAdded"] = change.added
        entry["linesDeleted"] = change.deleted
    return entry
