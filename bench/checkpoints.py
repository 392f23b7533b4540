"""9. A git_diff checkpoint against the same snapshot done by hand with git, in the same run.

A repository of 10,000 files (2,000 with --quick) with 20 changed (edited, added, deleted). Timed
in alternating rounds:

- ours: ``Checkpointer.take()`` (temporary index seeded from the user's, temporary object
  directory, ``git add -A``, ``write-tree``, the raw and numstat listings, the patch, its sha256,
  the record, fsyncs and clean-up);
- by hand: ``GIT_INDEX_FILE=<temp> git read-tree HEAD && git add -A && git diff --cached --binary
  HEAD > patch`` (the usual recipe);
- by hand, index copied: the same, starting from a copy of the repository's index instead of
  ``read-tree`` (what ours does, without the rest);
- ours with nothing changed since the last checkpoint (``--checkpoint-every`` on an idle worktree).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from baa_conductor.checkpoints import Checkpointer, locate

from ._timing import interleaved

IDENTITY = {
    "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}  # fmt: skip


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(["git", *args], cwd=repo, env={**os.environ, **IDENTITY, **(env or {})},
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def _make_repo(repo: Path, files: int) -> None:
    repo.mkdir()
    _git(repo, "init", "-q")
    for i in range(files):
        path = repo / f"d{i // 100:03d}" / f"f{i:05d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text("".join(f"line {n} of file {i}\n" for n in range(40)))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "status", "-s")  # a refreshed index, as a working repository has
    for i in range(14):
        path = repo / f"d{i:03d}" / f"f{i * 100:05d}.txt"
        path.write_text(path.read_text().replace("line 7 ", "line seven "))
    for i in range(4):
        (repo / f"new-{i}.txt").write_text(f"new file {i}\n" * 30)
    (repo / "new.bin").write_bytes(os.urandom(4096))
    (repo / "d050" / "f05000.txt").unlink()


def _by_hand(repo: Path, scratch: Path, *, copy_index: bool) -> None:
    index = scratch / "index"
    index.unlink(missing_ok=True)
    env = {"GIT_INDEX_FILE": str(index)}
    if copy_index:
        shutil.copyfile(repo / ".git" / "index", index)
    else:
        _git(repo, "read-tree", "HEAD", env=env)
    _git(repo, "add", "-A", env=env)
    with open(scratch / "patch", "wb") as out:
        subprocess.run(["git", "diff", "--cached", "--binary", "HEAD"], cwd=repo, env={**os.environ, **env},
                       stdout=out, check=True)  # fmt: skip


def run(quick: bool) -> dict[str, Any]:
    files = 2_000 if quick else 10_000
    rounds = 7 if quick else 15
    with tempfile.TemporaryDirectory(prefix="baa-bench-checkpoints-") as tmp:
        root = Path(tmp)
        repo = root / "repo"
        _make_repo(repo, files)
        scratch = root / "by-hand"
        scratch.mkdir()
        checkpoints_dir = root / "run" / "checkpoints"
        checkpoints_dir.mkdir(parents=True)
        found = locate(str(repo))
        context = {"taskId": "T-bench", "stepId": "s", "runId": "r", "attempt": 1}
        taker = Checkpointer(found, found.head, str(checkpoints_dir), context)
        idle = Checkpointer(found, found.head, str(root / "run" / "checkpoints"), context,
                            first_seq=100_000)  # fmt: skip
        idle.take("interval")
        record = taker.take("worker_exited")
        assert record is not None, "the first checkpoint was not written"
        ours, read_tree, copied, unchanged = interleaved(
            [
                lambda: taker.take("interval"),
                lambda: _by_hand(repo, scratch, copy_index=False),
                lambda: _by_hand(repo, scratch, copy_index=True),
                lambda: idle.take("interval", skip_unchanged=True),
            ],
            rounds,
        )
        return {
            "files": files,
            "changed": len(record["files"]),
            "patch_bytes": record["patch"]["bytes"],
            "rounds": rounds,
            "ours_ms": round(ours * 1e3, 1),
            "by_hand_read_tree_ms": round(read_tree * 1e3, 1),
            "by_hand_copied_index_ms": round(copied * 1e3, 1),
            "unchanged_ms": round(unchanged * 1e3, 1),
            "ratio_vs_read_tree": round(ours / read_tree, 2),
            "ratio_vs_copied_index": round(ours / copied, 2),
        }


def section(c: dict[str, Any]) -> list[str]:
    """The report's section for these figures."""
    return [
        "## 9. git_diff checkpoints", "",
        f"A repository of {c['files']:,} files with {c['changed']} changed (a {c['patch_bytes']:,}-byte "
        f"patch); medians of {c['rounds']} alternating rounds, all in the same run.", "",
        "| what | ms | ours / it |",
        "| --- | --- | --- |",
        f"| **ours: `Checkpointer.take()`** (patch, record, fsyncs, clean-up) | **{c['ours_ms']}** | |",
        f"| by hand: temporary index, `read-tree HEAD`, `add -A`, `diff --cached --binary` | "
        f"{c['by_hand_read_tree_ms']} | {c['ratio_vs_read_tree']} |",
        f"| by hand, the index copied instead of `read-tree` | {c['by_hand_copied_index_ms']} | "
        f"{c['ratio_vs_copied_index']} |",
        f"| ours, nothing changed since the last checkpoint (interval skips it) | {c['unchanged_ms']} | |",
        "",
    ]  # fmt: skip
