"""git_diff checkpoints on real repositories: what is captured, what is left alone, round trips."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from gitrepo import git, git_state, init, tree_of_worktree, write

from baa_conductor import checkpoints
from baa_conductor.checkpoints import Checkpointer, CheckpointRefused

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")

BAA = str(Path(sys.executable).with_name("baa"))
CONTEXT = {"taskId": "T-1", "stepId": "step-1", "runId": "run-1", "attempt": 1}
BASE_FILES = {
    "README.md": b"hello\n",
    "src/app.py": b"print('one')\n" * 20,
    "src/old_name.py": b"x = 1\n" * 50,
    "gone.txt": b"to be deleted\n",
    "logo.bin": bytes(range(256)) * 4,
    ".gitignore": b"*.log\nbuild/\n",
}


def _checkpointer(repo_dir: Path, run_dir: Path, **options: Any) -> Checkpointer:
    (run_dir / "checkpoints").mkdir(parents=True, exist_ok=True)
    repo = checkpoints.locate(str(repo_dir))
    return Checkpointer(repo, repo.head, str(run_dir / "checkpoints"), CONTEXT, **options)


def _edit_everything(repo: Path) -> None:
    write(repo / "src/app.py", b"print('two')\n" * 20)
    (repo / "src/old_name.py").rename(repo / "src/new name.py")
    (repo / "gone.txt").unlink()
    write(repo / "logo.bin", bytes(range(255, -1, -1)) * 4)
    write(repo / "new file with spaces.txt", b"spaces\n")
    write(repo / "line\nbreak.txt", b"newline in the name\n")
    write(repo / "fresh.bin", b"\x00\x01\x02binary\xff" * 10)
    write(repo / "debug.log", b"ignored\n")
    write(repo / "build/out.o", b"ignored too\n")


def test_an_edit_in_the_second_of_the_last_index_write_is_not_missed(tmp_path: Path) -> None:
    """git trusts an index entry's stat data unless the entry is as new as the index file itself
    ("racily clean"). A same-size edit that leaves the stat data as recorded, made in the second
    the index was written, is caught only while the temporary index keeps the user's index mtime:
    a plain copy (stamped now) made git take the old content for the worktree's."""
    past = time.time_ns() - 60 * 10**9  # a second long gone, whenever the test runs
    repo = init(tmp_path / "repo")
    git(repo, "config", "core.trustctime", "false")  # as on many machines; ctime cannot be set
    write(repo / "f.txt", b"one\n")
    os.utime(repo / "f.txt", ns=(past, past))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    write(repo / "f.txt", b"two\n")  # the same size, and the stat data the entry recorded
    os.utime(repo / "f.txt", ns=(past, past))
    os.utime(repo / ".git" / "index", ns=(past, past))  # the index written in that same second
    record = _checkpointer(repo, tmp_path / "run").take("worker_exited")
    assert record is not None
    assert record["tree"] == tree_of_worktree(repo)
    assert [(f["path"], f["change"]) for f in record["files"]] == [("f.txt", "modified")]


def _clone_at(source: Path, commit: str, target: Path) -> Path:
    git(target.parent, "clone", "-q", str(source), str(target))
    git(target, "checkout", "-q", "--detach", commit)
    return target


def test_round_trip_restores_exactly_the_snapshotted_worktree(tmp_path: Path) -> None:
    """Edits, renames, deletions, binary files and odd names restore to the very same tree."""
    repo = init(tmp_path / "repo", BASE_FILES)
    base = git(repo, "rev-parse", "HEAD").strip()
    _edit_everything(repo)
    record = _checkpointer(repo, tmp_path / "run").take("worker_exited")
    assert record is not None
    assert record["status"] == "written"
    assert record["tree"] == record["patchTree"] == tree_of_worktree(repo)
    changes = {f["path"]: f["change"] for f in record["files"]}
    assert changes == {
        "src/app.py": "modified", "src/new name.py": "renamed", "gone.txt": "deleted",
        "logo.bin": "modified", "new file with spaces.txt": "added",
        "line\nbreak.txt": "added", "fresh.bin": "added",
    }  # fmt: skip
    binary = {f["path"] for f in record["files"] if f["binary"]}
    assert binary == {"logo.bin", "fresh.bin"}
    assert record["omitted"] == []

    clone = _clone_at(repo, base, tmp_path / "clone")
    checkpoints.restore(str(tmp_path / "run/checkpoints"), 1, str(clone))
    assert tree_of_worktree(clone) == record["tree"]
    assert not (clone / "debug.log").exists()
    assert not (clone / "build").exists()


def test_the_users_git_state_is_byte_identical(tmp_path: Path) -> None:
    """Index, HEAD, refs, stash, config and objects: not one byte changes during a checkpoint."""
    repo = init(tmp_path / "repo", BASE_FILES)
    write(repo / "README.md", b"stashed\n")
    git(repo, "stash", "-q")
    write(repo / "src/app.py", b"staged\n")
    git(repo, "add", "src/app.py")
    _edit_everything(repo)
    before = git_state(repo)
    assert "refs/stash" in before
    assert "index" in before
    taker = _checkpointer(repo, tmp_path / "run")
    assert taker.take("interval")["status"] == "written"  # type: ignore[index]
    write(repo / "another.txt", b"more\n")
    assert taker.take("worker_exited")["status"] == "written"  # type: ignore[index]
    assert git_state(repo) == before
    objects = tmp_path / "run/checkpoints/.objects"
    assert [f for _, _, files in os.walk(objects) for f in files] == []  # emptied after each one
    taker.close()
    assert sorted(os.listdir(tmp_path / "run/checkpoints")) == [
        "1.json",
        "1.patch",
        "2.json",
        "2.patch",
    ]


def test_staged_and_assume_unchanged_files_are_snapshotted_as_they_are_on_disk(
    tmp_path: Path,
) -> None:
    """The worktree is what counts: a staged older version or an assume-unchanged bit hides nothing."""
    repo = init(tmp_path / "repo", BASE_FILES)
    write(repo / "src/app.py", b"staged\n")
    git(repo, "add", "src/app.py")
    write(repo / "src/app.py", b"on disk\n")
    git(repo, "update-index", "--assume-unchanged", "README.md")
    write(repo / "README.md", b"changed behind git's back\n")
    record = _checkpointer(repo, tmp_path / "run").take("worker_exited")
    assert record is not None
    assert {f["path"] for f in record["files"]} == {"src/app.py", "README.md"}
    patch = (tmp_path / "run/checkpoints/1.patch").read_text()
    assert "+on disk" in patch
    assert "+changed behind git's back" in patch


def test_an_empty_repository_with_no_commits(tmp_path: Path) -> None:
    """No commit yet: the base is the empty tree and the record says baseCommit null."""
    repo = init(tmp_path / "repo")
    write(repo / "first.txt", b"first\n")
    write(repo / "bin.dat", b"\x00\xff" * 30)
    record = _checkpointer(repo, tmp_path / "run").take("worker_exited")
    assert record is not None
    assert record["status"] == "written"
    assert record["baseCommit"] is None
    assert {f["path"]: f["change"] for f in record["files"]} == {
        "first.txt": "added",
        "bin.dat": "added",
    }
    target = init(tmp_path / "target")
    checkpoints.restore(str(tmp_path / "run/checkpoints"), 1, str(target))
    assert tree_of_worktree(target) == record["tree"]


def test_a_detached_head(tmp_path: Path) -> None:
    """A detached HEAD is a base like any other, and stays detached."""
    repo = init(tmp_path / "repo", BASE_FILES)
    first = git(repo, "rev-parse", "HEAD").strip()
    write(repo / "README.md", b"second\n")
    git(repo, "commit", "-qam", "second")
    git(repo, "checkout", "-q", "--detach", first)
    write(repo / "gone.txt", b"edited on a detached head\n")
    record = _checkpointer(repo, tmp_path / "run").take("worker_exited")
    assert record is not None
    assert record["baseCommit"] == first
    assert [f["path"] for f in record["files"]] == ["gone.txt"]
    assert git(repo, "rev-parse", "HEAD").strip() == first
    assert git(repo, "status", "--porcelain", "--branch").startswith("## HEAD (no branch)")


def test_a_submodule_is_recorded_by_commit_and_noted(tmp_path: Path) -> None:
    """A submodule's new commit is in the patch; the record says its own content is not."""
    sub = init(tmp_path / "sub", {"s.txt": b"s\n"})
    repo = init(tmp_path / "repo", {"a.txt": b"a\n"})
    git(repo, "submodule", "add", "-q", str(sub), "sm")
    git(repo, "commit", "-qm", "submodule")
    before = git_state(repo)
    write(repo / "sm/t.txt", b"t\n")
    git(repo / "sm", "add", "t.txt")
    git(repo / "sm", "commit", "-qm", "t")
    write(repo / "a.txt", b"changed\n")
    record = _checkpointer(repo, tmp_path / "run").take("worker_exited")
    assert record is not None
    assert record["status"] == "written"
    assert {f["path"]: f["change"] for f in record["files"]} == {
        "a.txt": "modified",
        "sm": "modified",
    }
    assert record["omitted"] == [{"path": "sm", "reason": "submodule", "change": "modified"}]
    assert "Subproject commit" in (tmp_path / "run/checkpoints/1.patch").read_text()
    after = git_state(repo)
    assert {k: v for k, v in after.items() if not k.startswith("modules/")} == {
        k: v for k, v in before.items() if not k.startswith("modules/")
    }


def test_files_over_the_size_limit_are_recorded_by_hash_and_size(tmp_path: Path) -> None:
    """Past maxPatchBytes the largest files leave the patch; the record names them, size and sha256."""
    repo = init(tmp_path / "repo", BASE_FILES)
    big = os.urandom(300_000)
    write(repo / "big.bin", big)
    write(repo / "README.md", b"small edit\n")
    record = _checkpointer(repo, tmp_path / "run", max_patch_bytes=100_000).take("worker_exited")
    assert record is not None
    assert record["status"] == "written"
    assert record["patch"]["bytes"] <= 100_000
    import hashlib

    [note] = record["omitted"]
    assert note == {
        "path": "big.bin", "reason": "size_limit", "change": "added", "bytes": len(big),
        "blob": note["blob"], "sha256": hashlib.sha256(big).hexdigest(),
    }  # fmt: skip
    assert [f["path"] for f in record["files"]] == ["README.md"]
    assert record["tree"] != record["patchTree"]
    clone = _clone_at(repo, record["baseCommit"], tmp_path / "clone")
    checkpoints.restore(str(tmp_path / "run/checkpoints"), 1, str(clone))
    assert (clone / "README.md").read_bytes() == b"small edit\n"
    assert not (clone / "big.bin").exists()
    assert tree_of_worktree(clone) == record["patchTree"]


def test_an_unchanged_worktree_is_not_checkpointed_twice_on_the_interval(tmp_path: Path) -> None:
    """An idle hour does not fill the disk: the interval skips a tree it already wrote."""
    repo = init(tmp_path / "repo", BASE_FILES)
    write(repo / "README.md", b"changed\n")
    taker = _checkpointer(repo, tmp_path / "run")
    assert taker.take("interval", skip_unchanged=True) is not None
    assert taker.take("interval", skip_unchanged=True) is None
    write(repo / "README.md", b"changed again\n")
    record = taker.take("interval", skip_unchanged=True)
    assert record is not None
    assert record["seq"] == 2


def test_a_failed_snapshot_is_a_record_and_no_patch(tmp_path: Path) -> None:
    """A git error makes a `failed` record saying why, never a patch that looks whole."""
    repo = init(tmp_path / "repo", BASE_FILES)
    write(repo / "README.md", b"changed\n")
    taker = _checkpointer(repo, tmp_path / "run")
    index = repo / ".git/index"
    saved = index.read_bytes()
    index.write_bytes(b"DIRC not really an index")
    try:
        record = taker.take("timeout")
    finally:
        index.write_bytes(saved)
    assert record is not None
    assert record["status"] == "failed"
    assert record["error"].startswith("git ls-files exited with 128: ")
    assert "patch" not in record
    assert "files" not in record
    run = tmp_path / "run/checkpoints"
    taker.close()
    assert sorted(os.listdir(run)) == ["1.json"]
    assert json.loads((run / "1.json").read_text()) == record
    assert taker.take("worker_exited")["seq"] == 2  # type: ignore[index]


def test_the_runs_root_inside_the_worktree_is_left_out(tmp_path: Path) -> None:
    """Checkpoints never snapshot the run directories themselves (no patch of patches)."""
    repo = init(tmp_path / "repo", BASE_FILES)
    run = repo / "runs/T-1/run-1"
    write(repo / "README.md", b"changed\n")
    taker = _checkpointer(repo, run, exclude=["runs"])
    taker.take("interval")
    record = taker.take("worker_exited")
    assert record is not None
    assert [f["path"] for f in record["files"]] == ["README.md"]


def test_a_directory_that_is_not_a_repository(tmp_path: Path) -> None:
    """Outside git, locate says so (the runner turns it into a checkpoint_skipped event)."""
    with pytest.raises(checkpoints.GitFailed, match="not a git repository"):
        checkpoints.locate(str(tmp_path))


def _taken(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    repo = init(tmp_path / "repo", BASE_FILES)
    write(repo / "README.md", b"changed\n")
    write(repo / "added.txt", b"added\n")
    record = _checkpointer(repo, tmp_path / "run").take("worker_exited")
    assert record is not None
    return repo, record


def test_restore_refuses_a_dirty_worktree(tmp_path: Path) -> None:
    """Restore needs a clean checkout; what is dirty is named and nothing is written."""
    repo, record = _taken(tmp_path)
    clone = _clone_at(repo, record["baseCommit"], tmp_path / "clone")
    write(clone / "mine.txt", b"unsaved work\n")
    with pytest.raises(CheckpointRefused, match=r"the worktree is not clean \(mine.txt\)"):
        checkpoints.restore(str(tmp_path / "run/checkpoints"), 1, str(clone))
    assert (clone / "README.md").read_bytes() == b"hello\n"


def test_restore_refuses_another_base_commit(tmp_path: Path) -> None:
    """A checkout at another commit is refused, naming both commits."""
    repo, record = _taken(tmp_path)
    clone = _clone_at(repo, record["baseCommit"], tmp_path / "clone")
    write(clone / "README.md", b"other\n")
    git(clone, "commit", "-qam", "other")
    head = git(clone, "rev-parse", "HEAD").strip()
    with pytest.raises(CheckpointRefused) as caught:
        checkpoints.restore(str(tmp_path / "run/checkpoints"), 1, str(clone))
    assert caught.value.reason == (
        f"HEAD is {head}, but checkpoint 1 was taken against {record['baseCommit']}"
    )


def test_restore_refuses_a_patch_that_does_not_match_its_record(tmp_path: Path) -> None:
    """A patch changed after it was written is refused by its sha256."""
    repo, record = _taken(tmp_path)
    patch = tmp_path / "run/checkpoints/1.patch"
    patch.write_bytes(patch.read_bytes().replace(b"+changed", b"+chanGed"))
    clone = _clone_at(repo, record["baseCommit"], tmp_path / "clone")
    with pytest.raises(CheckpointRefused, match="does not match the sha256"):
        checkpoints.restore(str(tmp_path / "run/checkpoints"), 1, str(clone))


def test_restore_leaves_every_file_the_patch_does_not_name(tmp_path: Path) -> None:
    """Ignored files in the target (build output, secrets) are not touched by a restore."""
    repo, record = _taken(tmp_path)
    clone = _clone_at(repo, record["baseCommit"], tmp_path / "clone")
    write(clone / "build/keep.o", b"mine\n")
    write(clone / "notes.log", b"mine too\n")
    checkpoints.restore(str(tmp_path / "run/checkpoints"), 1, str(clone))
    assert (clone / "build/keep.o").read_bytes() == b"mine\n"
    assert (clone / "notes.log").read_bytes() == b"mine too\n"
    assert (clone / "added.txt").read_bytes() == b"added\n"


def test_restore_of_a_missing_checkpoint(tmp_path: Path) -> None:
    """Asking for a checkpoint that was never taken names it."""
    _repo, _record = _taken(tmp_path)
    with pytest.raises(CheckpointRefused, match="there is no checkpoint 7"):
        checkpoints.restore(str(tmp_path / "run/checkpoints"), 7, str(tmp_path / "repo"))


# In a run --------------------------------------------------------------------------------------


def _step(tmp_path: Path, repo: Path, command: str, **checkpoint: Any) -> dict[str, Any]:
    from helpers import make_request

    from baa_conductor.executors import ShellExecutor
    from baa_conductor.runner import envelope_dict, run_step

    options = {k: v for k, v in checkpoint.items() if k in ("runId", "attempt", "timeoutSec")}
    config = {k: v for k, v in checkpoint.items() if k not in options}
    request = make_request(
        tmp_path, command=command, checkpoint={"mode": "git_diff", **config},
        runtime={"repoRoot": str(repo), "worktreePath": str(repo)}, **options,
    )  # fmt: skip
    return envelope_dict(run_step(request, ShellExecutor(grace_sec=5)))


def _events(envelope: dict[str, Any], prefix: str = "checkpoint_") -> list[dict[str, Any]]:
    return [e for e in envelope["lifecycleEvents"] if e["type"].startswith(prefix)]


def test_a_shell_step_leaves_a_checkpoint_that_restores_exactly(tmp_path: Path) -> None:
    """The exit checkpoint is an event in the global seq, counted in state and metrics."""
    repo = init(tmp_path / "repo", BASE_FILES)
    base = git(repo, "rev-parse", "HEAD").strip()
    env = _step(
        tmp_path, repo, "printf 'two\\n' > README.md && printf 'x' > 'a b.txt' && echo done"
    )
    assert env["outcome"] == "completed"
    types = [e["type"] for e in env["lifecycleEvents"]]
    assert types == ["run_prepared", "worker_started", "checkpoint_written", "worker_exited",
                     "step_completed"]  # fmt: skip
    [event] = _events(env)
    run_dir = Path(env["logPaths"]["runDir"])
    assert event["message"] == f"Wrote checkpoint 1 of the worktree against {base} (worker_exited)."
    assert event["data"]["patchPath"] == str(run_dir / "checkpoints/1.patch")
    stdout_seq = json.loads((run_dir / "stdout.log").read_text())["seq"]
    assert stdout_seq < event["seq"] < env["logSummary"]["lastSeq"]
    assert env["metrics"]["checkpointCount"] == 1
    assert env["state"]["checkpointSeq"] == 1
    assert env["checkpoint"] == {
        "mode": "git_diff", "lastCheckpointSeq": 1, "nextCheckpointSeq": 2,
        "deferredFeatures": [], "note": checkpoints.NOTE,
    }  # fmt: skip
    assert json.loads((run_dir / "state.json").read_text())["checkpointSeq"] == 1
    clone = _clone_at(repo, base, tmp_path / "clone")
    checkpoints.restore(str(run_dir / "checkpoints"), 1, str(clone))
    assert tree_of_worktree(clone) == tree_of_worktree(repo)


def test_a_worktree_outside_git_skips_checkpoints_with_an_event(tmp_path: Path) -> None:
    """Not a repository: one warn event says checkpoints are skipped; the step itself runs."""
    plain = tmp_path / "plain"
    plain.mkdir()
    env = _step(tmp_path, plain, "echo hi > f.txt")
    assert env["outcome"] == "completed"
    [event] = _events(env)
    assert (event["type"], event["level"]) == ("checkpoint_skipped", "warn")
    assert event["message"] == (
        f"Checkpoints are skipped for this step: worktree {plain} is not inside a git repository."
    )
    assert env["metrics"]["checkpointCount"] == 0
    assert env["checkpoint"]["note"] == checkpoints.SKIPPED_NOTE
    assert os.listdir(Path(env["logPaths"]["runDir"]) / "checkpoints") == []


def test_a_failed_checkpoint_is_a_warning_and_the_step_goes_on(tmp_path: Path) -> None:
    """The worker breaks the index under git's feet: a warn event, a failed record, step completed."""
    repo = init(tmp_path / "repo", BASE_FILES)
    env = _step(
        tmp_path, repo, "cp .git/index saved && printf junk > .git/index && echo edit > README.md"
    )
    assert env["outcome"] == "completed"
    [event] = _events(env)
    assert (event["type"], event["level"]) == ("checkpoint_failed", "warn")
    assert event["message"].startswith("Checkpoint 1 could not be written; the step goes on: git ")
    assert env["metrics"]["checkpointCount"] == 0
    assert env["state"]["checkpointSeq"] == 1
    record = checkpoints.load_record(env["logPaths"]["checkpointsDir"], 1)
    assert record["status"] == "failed"
    (repo / ".git/index").write_bytes((repo / "saved").read_bytes())


def test_interval_checkpoints_follow_the_worker(tmp_path: Path) -> None:
    """--checkpoint-every: each change is caught while the worker runs, idle spells are not."""
    repo = init(tmp_path / "repo", BASE_FILES)
    runs = tmp_path / "runs/T-005/run-1/checkpoints"
    wait = "i=0; while [ ! -e {f} ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done"
    command = "; ".join([
        "echo one > one.txt", wait.format(f=runs / "1.json"),
        "echo two > two.txt", wait.format(f=runs / "2.json"),
    ])  # fmt: skip
    env = _step(tmp_path, repo, command, everySec=0.1)
    reasons = [e["data"]["reason"] for e in _events(env)]
    assert reasons == ["interval", "interval", "worker_exited"]
    first = checkpoints.load_record(str(runs), 1)
    second = checkpoints.load_record(str(runs), 2)
    assert [f["path"] for f in first["files"]] == ["one.txt"]
    assert [f["path"] for f in second["files"]] == ["one.txt", "two.txt"]
    assert env["metrics"]["checkpointCount"] == 3


def test_a_timed_out_worker_is_checkpointed_before_it_is_signalled(tmp_path: Path) -> None:
    """The timeout checkpoint is taken before SIGTERM: what the worker does on SIGTERM is not in it."""
    repo = init(tmp_path / "repo", BASE_FILES)
    command = "trap 'echo late > on-term.txt; exit 1' TERM; echo early > early.txt; while :; do sleep 0.05; done"
    env = _step(tmp_path, repo, command, timeoutSec=1)
    assert env["state"]["exitCode"] == 124
    events = _events(env)
    assert [e["data"]["reason"] for e in events] == ["timeout", "worker_exited"]
    runs = env["logPaths"]["checkpointsDir"]
    at_timeout = {f["path"] for f in checkpoints.load_record(runs, 1)["files"]}
    at_exit = {f["path"] for f in checkpoints.load_record(runs, 2)["files"]}
    assert "on-term.txt" not in at_timeout
    assert "on-term.txt" in at_exit


def test_resume_from_a_checkpoint_through_the_request(tmp_path: Path) -> None:
    """resumeFromRunId + resumeFromSeq restore the patch before the worker, numbering after it."""
    repo = init(tmp_path / "repo", BASE_FILES)
    _step(tmp_path, repo, "echo resumed > README.md && echo new > new.txt", runId="run-1")
    git(repo, "checkout", "-q", "--", ".")
    git(repo, "clean", "-qfd")
    env = _step(tmp_path, repo, "cat README.md new.txt", runId="run-2", attempt=2,
                resumeFromRunId="run-1", resumeFromSeq=1)  # fmt: skip
    assert env["outcome"] == "completed"
    assert env["attempt"] == 2
    out = "".join(e["text"] for e in env["logSession"]["stdout"]["entries"])
    assert out == "resumed\nnew\n"
    types = [e["type"] for e in env["lifecycleEvents"]]
    assert types[:3] == ["run_prepared", "checkpoint_restored", "worker_started"]
    restored = env["lifecycleEvents"][1]
    assert restored["message"] == (
        "Restored checkpoint 1 of run run-1 into the worktree before the worker started (2 files)."
    )
    assert env["checkpoint"]["lastCheckpointSeq"] == 2
    assert env["checkpoint"]["resumeFromRunId"] == "run-1"
    assert sorted(os.listdir(env["logPaths"]["checkpointsDir"])) == ["2.json", "2.patch"]


def test_resume_into_a_dirty_worktree_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    """A dirty worktree or a lower attempt: refused with the reason; no run directory appears."""
    repo = init(tmp_path / "repo", BASE_FILES)
    _step(tmp_path, repo, "echo resumed > README.md", runId="run-1")
    with pytest.raises(CheckpointRefused, match=r"the worktree is not clean \(README.md\)"):
        _step(tmp_path, repo, "true", runId="run-2", attempt=2, resumeFromRunId="run-1",
              resumeFromSeq=1)  # fmt: skip
    git(repo, "checkout", "-q", "--", ".")
    with pytest.raises(CheckpointRefused, match="must be higher than the resumed run's attempt 1"):
        _step(tmp_path, repo, "true", runId="run-2", resumeFromRunId="run-1", resumeFromSeq=1)
    with pytest.raises(CheckpointRefused, match="there is no checkpoint 5"):
        _step(tmp_path, repo, "true", runId="run-2", attempt=2, resumeFromRunId="run-1",
              resumeFromSeq=5)  # fmt: skip
    assert not (tmp_path / "runs/T-005/run-2").exists()


# From the command line -------------------------------------------------------------------------


def _baa(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BAA, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _wait_for_record(checkpoints_dir: Path, files: set[str]) -> dict[str, Any]:
    """The first checkpoint that holds exactly ``files`` (waits for the interval to catch up)."""
    end = time.monotonic() + 60
    while time.monotonic() < end:
        for record in checkpoints.iter_records(str(checkpoints_dir)):
            if record["status"] == "written" and {f["path"] for f in record["files"]} == files:
                return record
        time.sleep(0.05)
    raise AssertionError(f"no checkpoint with {files} in {checkpoints_dir}")


def test_kill_9_of_the_runner_then_resume_from_the_command_line(tmp_path: Path) -> None:
    """A runner killed mid-step leaves whole checkpoints; --resume-from restores and runs again."""
    repo = init(tmp_path / "repo", BASE_FILES)
    runs = tmp_path / "runs"
    worker = "echo one > one.txt; echo edit >> README.md; while :; do sleep 0.05; done"
    runner = subprocess.Popen(
        [BAA, "run", "--task", "T-1", "--step", "s", "--run", "r1", "--runs-dir", str(runs),
         "--repo-root", str(repo), "--checkpoint", "git_diff", "--checkpoint-every", "0.1",
         "-q", "-c", worker],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        record = _wait_for_record(runs / "T-1/r1/checkpoints", {"one.txt", "README.md"})
    finally:
        runner.kill()
        runner.wait()
    shown = _baa("show", "--runs-dir", str(runs), "--json", "r1")
    assert json.loads(shown.stdout)["status"] == "interrupted"
    assert record["seq"] in [c["seq"] for c in json.loads(shown.stdout)["checkpoints"]]

    refused = _baa("run", "--runs-dir", str(runs), "--resume-from", f"r1@{record['seq']}", cwd=repo)
    assert refused.returncode == 2
    assert "the worktree is not clean" in refused.stderr
    git(repo, "checkout", "-q", "--", ".")
    git(repo, "clean", "-qfd")

    resumed = _baa("run", "--runs-dir", str(runs), "--resume-from", f"r1@{record['seq']}",
                   "--run", "r2", "--json", "--", "cat", "one.txt", "README.md", cwd=repo)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    envelope = json.loads(resumed.stdout)
    assert envelope["attempt"] == 2
    assert envelope["lifecycleEvents"][1]["type"] == "checkpoint_restored"
    out = "".join(e["text"] for e in envelope["logSession"]["stdout"]["entries"])
    assert out == "one\nhello\nedit\n"
    assert tree_of_worktree(repo) == record["tree"]
    assert envelope["checkpoint"]["resumeFromRunId"] == "r1"
    assert envelope["state"]["checkpointSeq"] == record["seq"] + 1


def test_checkpoint_show_and_apply_from_the_command_line(tmp_path: Path) -> None:
    """`baa checkpoint show` prints the patch or its --stat; `apply --to` restores a clone."""
    repo = init(tmp_path / "repo", BASE_FILES)
    runs = tmp_path / "runs"
    done = _baa("run", "--task", "T-1", "--step", "s", "--run", "r1", "--runs-dir", str(runs),
                "--repo-root", str(repo), "--checkpoint", "git_diff", "-q", "-c",
                "echo two > README.md && mv gone.txt 'went away.txt'")  # fmt: skip
    assert done.returncode == 0, done.stderr
    stat = _baa("checkpoint", "show", "--runs-dir", str(runs), "r1", "1", "--stat")
    base = git(repo, "rev-parse", "HEAD").strip()
    size = checkpoints.load_record(str(runs / "T-1/r1/checkpoints"), 1)["patch"]["bytes"]
    assert stat.stdout.splitlines() == [
        f"checkpoint 1 of r1 (worker_exited) against {base}",
        "  modified     +1 -1          README.md",
        "  renamed      +0 -0          gone.txt -> went away.txt",
        f"2 files, patch {size} B",
    ]
    patch = _baa("checkpoint", "show", "--runs-dir", str(runs), "r1", "1")
    assert patch.stdout.encode() == (runs / "T-1/r1/checkpoints/1.patch").read_bytes()
    listed = _baa("show", "--runs-dir", str(runs), "r1")
    assert "checkpoints (baa checkpoint show RUN N [--stat]):" in listed.stdout
    assert " worker_exited  2 files, " in listed.stdout

    clone = _clone_at(repo, base, tmp_path / "clone")
    write(clone / "stray.txt", b"mine\n")
    refused = _baa("checkpoint", "apply", "--runs-dir", str(runs), "r1", "1", "--to", str(clone))
    assert refused.returncode == 2
    assert refused.stderr == (
        f"baa: error: {clone}: the worktree is not clean (stray.txt); restore needs a clean checkout\n"
    )
    (clone / "stray.txt").unlink()
    applied = _baa("checkpoint", "apply", "--runs-dir", str(runs), "r1", "1", "--to", str(clone))
    assert applied.returncode == 0, applied.stderr
    assert tree_of_worktree(clone) == tree_of_worktree(repo)


def test_checkpoint_options_are_checked(tmp_path: Path) -> None:
    """Options that make no sense are usage errors (exit 2) naming the option."""
    runs = ["--runs-dir", str(tmp_path / "runs")]
    every = _baa(
        "run", "--task", "T", "--step", "s", *runs, "--checkpoint-every", "5", "--", "true"
    )
    assert (every.returncode, every.stderr) == (
        2, "baa: error: --checkpoint-every and --checkpoint-max-bytes need --checkpoint git_diff\n"
    )  # fmt: skip
    zero = _baa("run", "--task", "T", "--step", "s", "--checkpoint", "git_diff",
                "--checkpoint-every", "0", "--", "true")  # fmt: skip
    assert zero.returncode == 2
    assert "'0' is not a positive number of seconds" in zero.stderr
    seq = _baa("checkpoint", "show", *runs, "r1", "zero")
    assert seq.returncode == 2
    assert "'zero' is not a checkpoint seq" in seq.stderr
    nothing = _baa("run", *runs, "--resume-from", str(tmp_path / "nowhere"))
    assert nothing.returncode == 2
    assert "no such run directory" in nothing.stderr


def test_baa_validate_checks_checkpoint_records(tmp_path: Path) -> None:
    """`baa validate RUN_DIR` reads each checkpoints/<N>.json against checkpoint-record."""
    repo = init(tmp_path / "repo", BASE_FILES)
    env = _step(tmp_path, repo, "echo two > README.md")
    run_dir = env["logPaths"]["runDir"]
    done = _baa("validate", run_dir)
    assert (done.returncode, done.stderr) == (0, "6 files checked: valid\n")
    record = Path(run_dir, "checkpoints/1.json")
    record.write_text(record.read_text().replace('"reason":"worker_exited"', '"reason":"later"'))
    done = _baa("validate", str(record))
    assert done.returncode == 1
    assert '/reason: must be one of "worker_exited"' in done.stdout + done.stderr


def test_a_stopped_runner_checkpoints_before_it_signals_the_worker(tmp_path: Path) -> None:
    """SIGTERM to `baa run`: a `stopped` checkpoint first, then the worker is stopped, then its exit."""
    import signal

    repo = init(tmp_path / "repo", BASE_FILES)
    runs = tmp_path / "runs"
    worker = ("trap 'echo late > on-term.txt; exit 1' TERM; echo early > early.txt; "
              "touch .git/ready; while :; do sleep 0.05; done")  # fmt: skip
    runner = subprocess.Popen(
        [BAA, "run", "--task", "T-1", "--step", "s", "--run", "r1", "--runs-dir", str(runs),
         "--repo-root", str(repo), "--checkpoint", "git_diff", "--grace", "5", "-q", "-c", worker],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        end = time.monotonic() + 60
        while not (repo / ".git/ready").exists() and time.monotonic() < end:
            time.sleep(0.02)
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=60) == 143
    finally:
        runner.kill()
    directory = str(runs / "T-1/r1/checkpoints")
    records = list(checkpoints.iter_records(directory))
    assert [r["reason"] for r in records] == ["stopped", "worker_exited"]
    assert {f["path"] for f in records[0]["files"]} == {"early.txt"}
    assert {f["path"] for f in records[1]["files"]} == {"early.txt", "on-term.txt"}


def test_a_full_disk_is_a_failed_checkpoint_and_the_step_completes(tmp_path: Path) -> None:
    """Runs root on a real 1 MiB filesystem, a 3 MB change: a failed record, no patch, step done."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        repo = init(tmp_path / "repo", BASE_FILES)
        write(repo / "noise.bin", os.urandom(3 << 20))
        from helpers import make_request

        from baa_conductor.executors import ShellExecutor
        from baa_conductor.runner import envelope_dict, run_step

        request = make_request(
            tmp_path, command="echo done", checkpoint={"mode": "git_diff"},
            runtime={"repoRoot": str(repo), "worktreePath": str(repo),
                     "runsRootDir": str(mount / "runs")},
        )  # fmt: skip
        env = envelope_dict(run_step(request, ShellExecutor()))
        assert env["outcome"] == "completed"
        [event] = _events(env)
        assert (event["type"], event["level"]) == ("checkpoint_failed", "warn")
        directory = Path(env["logPaths"]["checkpointsDir"])
        record = checkpoints.load_record(str(directory), 1)
        assert record["status"] == "failed"
        assert record["error"].startswith("git add exited with 128: ")
        assert record["error"].endswith("No space left on device")
        assert sorted(os.listdir(directory)) == ["1.json"]
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_codex_step_leaves_a_checkpoint_that_restores_exactly(tmp_path: Path) -> None:
    """A codex agent's edits (the stand-in agent of test_codex) restore exactly into a clone."""
    from helpers import make_request

    from baa_conductor.executors import CodexExecutor
    from baa_conductor.runner import envelope_dict, run_step

    repo = init(tmp_path / "repo", BASE_FILES)
    base = git(repo, "rev-parse", "HEAD").strip()
    fake = Path(__file__).parent / "fake_codex.py"
    request = make_request(
        tmp_path, workerKind="codex", stepKind="codex", prompt="fix the failing test",
        checkpoint={"mode": "git_diff"},
        runtime={"repoRoot": str(repo), "worktreePath": str(repo),
                 "env": {"FAKE_CODEX_SCENARIO": "success", "FAKE_CODEX_FILE": "src/fixed.py"}},
    )  # fmt: skip
    env = envelope_dict(run_step(request, CodexExecutor(binary=str(fake))))
    assert env["outcome"] == "completed", env["summary"]
    [event] = _events(env)
    assert event["type"] == "checkpoint_written"
    record = checkpoints.load_record(env["logPaths"]["checkpointsDir"], 1)
    assert [(f["path"], f["change"]) for f in record["files"]] == [("src/fixed.py", "added")]
    clone = _clone_at(repo, base, tmp_path / "clone")
    checkpoints.restore(env["logPaths"]["checkpointsDir"], 1, str(clone))
    assert tree_of_worktree(clone) == tree_of_worktree(repo) == record["tree"]


def test_a_sparse_checkout_is_not_taken_for_deletions(tmp_path: Path) -> None:
    """Files a sparse checkout leaves out of the worktree are not in the patch as deleted."""
    repo = init(tmp_path / "repo", {"a/one.txt": b"one\n", "b/two.txt": b"two\n"})
    git(repo, "sparse-checkout", "set", "a")
    assert not (repo / "b").exists()
    write(repo / "a/one.txt", b"edited\n")
    record = _checkpointer(repo, tmp_path / "run").take("worker_exited")
    assert record is not None
    assert [(f["path"], f["change"]) for f in record["files"]] == [("a/one.txt", "modified")]
