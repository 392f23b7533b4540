"""A run's checkpoint records (``<N>.json``) beside their patches (``<N>.patch``): written
atomically, read back validated, a patch checked against the sha256 its record holds."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from .. import encoding
from ..exceptions import BaaError
from ..validation import validate
from .snapshots import sha256_file

RECORD_SCHEMA = "checkpoint-record"


class CheckpointRefused(BaaError, ValueError):
    """A checkpoint cannot be restored here: the record, the patch or the target is not right."""

    def __init__(self, where: str, reason: str):
        self.where = where
        self.reason = reason
        super().__init__(where, reason)

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


def record_path(checkpoints_dir: str, seq: int) -> str:
    return os.path.join(checkpoints_dir, f"{seq}.json")


def patch_path(checkpoints_dir: str, seq: int) -> str:
    return os.path.join(checkpoints_dir, f"{seq}.patch")


def fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: str, data: bytes) -> None:
    temporary = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


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
    if sha256_file(path) != record["patch"]["sha256"]:
        raise CheckpointRefused(path, "the patch does not match the sha256 its record holds")
    return record, path
