"""Faults: the runner killed, the disk full or gone, two runners racing. Nothing written is lost."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import alive, make_request, wait_for_pid, wait_gone

from baa_conductor import store, validation
from baa_conductor.exceptions import RunStoreError
from baa_conductor.executors import ShellExecutor
from baa_conductor.paths import SCHEMA_OF_FILE
from baa_conductor.runner import run_step
from baa_conductor.store import read_run

BAA = str(Path(sys.executable).with_name("baa"))
KILL_RUNS = int(os.environ.get("BAA_FAULT_RUNS", "50"))


def baa(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BAA, *args], capture_output=True, text=True, timeout=120, **kwargs)


def check_run_dir(run_dir: Path) -> tuple[int, int]:
    """Every file of a run parses and validates; returns (files, lines) checked."""
    files = lines = 0
    for name in ("meta.json", "state.json"):
        validation.validate(SCHEMA_OF_FILE[name], json.loads((run_dir / name).read_text()))
        files += 1
    for name in ("worker.log", "stdout.log", "stderr.log"):
        data = (run_dir / name).read_bytes()
        assert data == b"" or data.endswith(b"\n"), f"torn last line in {run_dir / name}"
        for line in data.splitlines():
            validation.validate(SCHEMA_OF_FILE[name], json.loads(line))
            lines += 1
        files += 1
    return files, lines


WORKER = (
    "echo $$ >> {pids}; sleep 30 & echo $! >> {pids}; "
    "setsid sh -c 'echo $$ >> {pids}; exec sleep 30' & "
    "i=0; while [ $i -lt 400 ]; do echo out $i; echo err $i >&2; i=$((i+1)); done; sleep 30"
)


def test_sigkill_at_random_moments_leaves_readable_runs_and_no_orphans(tmp_path: Path) -> None:
    """SIGKILL the runner at random points of many runs: every run dir reads back, no child lives on."""
    rng = random.Random(int(os.environ.get("BAA_FAULT_SEED", "5")))
    runs_dir = tmp_path / "runs"
    pids = tmp_path / "pids"
    pids.touch()
    figures = {"runs killed": 0, "run dirs checked": 0, "files checked": 0, "lines checked": 0,
               "interrupted": 0, "orphans found": 0}  # fmt: skip
    for i in range(KILL_RUNS):
        proc = subprocess.Popen(
            [BAA, "run", "--task", "F", "--step", "s", "--run", f"r{i}", "--runs-dir", str(runs_dir),
             "--grace", "1", "-c", WORKER.format(pids=pids)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(rng.uniform(0.0, 1.2))
        proc.kill()
        proc.wait()
        figures["runs killed"] += 1
    shown = baa("list", "--runs-dir", str(runs_dir), "--json")  # any baa start sweeps orphans
    assert shown.returncode == 0, shown.stderr
    statuses = {row["runId"]: row["status"] for row in json.loads(shown.stdout)}
    for run_dir in sorted((runs_dir / "F").glob("r*")):
        files, lines = check_run_dir(run_dir)
        figures["run dirs checked"] += 1
        figures["files checked"] += files
        figures["lines checked"] += lines
        view = baa("show", "--json", str(run_dir))
        assert view.returncode == 0, view.stderr
        status = json.loads(view.stdout)["status"]
        assert status == statuses[run_dir.name]
        assert status in ("interrupted", "completed", "failed")
        figures["interrupted"] += status == "interrupted"
    leftovers = [int(p) for p in pids.read_text().split()]
    figures["orphans found"] = sum(not wait_gone(pid, 5) for pid in leftovers)
    print("fault figures:", json.dumps(figures))
    assert figures["orphans found"] == 0
    assert figures["run dirs checked"] > KILL_RUNS // 2
    assert figures["interrupted"] > 0


def test_two_runners_racing_for_one_run_id(tmp_path: Path) -> None:
    """Two runners start the same run id at once: one wins, the other is refused, nothing mixes."""
    runs_dir = str(tmp_path / "runs")
    procs = [
        subprocess.Popen([BAA, "run", "--task", "T", "--step", "s", "--run", "same", "--runs-dir", runs_dir,
                          "--json", "--", "sh", "-c", f"echo runner-{n}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(2)
    ]  # fmt: skip
    results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2]
    loser_err = next(err for code, _, err in results if code == 2)
    assert "already exists; runs are never overwritten" in loser_err
    winner = next(json.loads(out) for code, out, _ in results if code == 0)
    run_dir = Path(runs_dir, "T", "same")
    texts = [json.loads(line)["text"] for line in (run_dir / "stdout.log").read_text().splitlines()]
    assert texts == [e["text"] for e in winner["logSession"]["stdout"]["entries"]]
    assert len(texts) == 1
    check_run_dir(run_dir)
    assert [p.name for p in Path(runs_dir, "T").iterdir()] == ["same"]


@pytest.fixture
def failing_stdout(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Appends to stdout.log fail with ENOSPC after two lines; the first failure is a short write."""
    real = store._write
    calls: list[int] = []

    def write(fd: int, data: bytes) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").endswith("stdout.log"):
            calls.append(fd)
            if len(calls) == 3:
                return real(fd, data[: len(data) // 2])  # half a line, as a filling disk does
            if len(calls) > 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(store, "_write", write)
    return calls


def test_disk_full_mid_run_fails_cleanly(tmp_path: Path, failing_stdout: list[int]) -> None:
    """ENOSPC while output streams: the run ends failed with the reason, files stay valid, worker gone."""
    pid_file = tmp_path / "w.pid"
    request = make_request(
        tmp_path,
        command=f"echo $$ > {pid_file}; for i in $(seq 1 50); do echo $i; sleep 0.01; done; sleep 30",
    )
    with pytest.raises(RunStoreError) as caught:
        run_step(request, ShellExecutor(grace_sec=0.5))
    run_dir = tmp_path / "runs" / "T-005" / "run-1"
    assert (
        str(caught.value) == f"cannot append to {run_dir / 'stdout.log'}: No space left on device"
    )
    check_run_dir(run_dir)  # the half line was cut back: no torn line
    state = json.loads((run_dir / "state.json").read_text())
    assert (state["status"], state["exitCode"]) == ("failed", 1)
    assert state["summary"] == f"Run files could not be written: {caught.value}"
    assert wait_gone(int(pid_file.read_text()))
    assert read_run(str(run_dir)).status == "failed"


def _mount_tmpfs(path: Path, size: str, read_only: bool = False) -> None:
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    _mount_tmpfs(mount, "256k")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_real_full_disk_cli_exits_with_one_line(tiny_disk: Path) -> None:
    """On a real 256 KiB filesystem, `baa run` of a chatty step exits 1 with one line, no traceback."""
    done = baa("run", "--task", "T", "--step", "s", "--run", "r", "--runs-dir", str(tiny_disk / "runs"),
               "--", "sh", "-c", "yes 'fill the disk with this line' | head -c 5000000")  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("baa: error: cannot append to ")
    assert done.stderr.rstrip().endswith("No space left on device")
    run_dir = tiny_disk / "runs" / "T" / "r"
    for name in ("worker.log", "stdout.log", "stderr.log"):
        data = (run_dir / name).read_bytes()
        assert data == b"" or data.endswith(b"\n")
        for line in data.splitlines():
            json.loads(line)
    validation.validate("run-metadata", json.loads((run_dir / "meta.json").read_text()))
    validation.validate("run-state-snapshot", json.loads((run_dir / "state.json").read_text()))


def test_read_only_runs_root_is_a_clear_error(tmp_path: Path) -> None:
    """A read-only runs root: exit 1 with the path and the reason; nothing written anywhere."""
    mount = tmp_path / "ro"
    _mount_tmpfs(mount, "1m", read_only=True)
    try:
        done = baa("run", "--task", "T", "--step", "s", "--runs-dir", str(mount), "--", "true")
        assert done.returncode == 1
        assert (
            done.stderr.strip()
            == f"baa: error: cannot create task directory {mount / 'T'}: Read-only file system"
        )
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_missing_repo_root_is_a_clear_error(tmp_path: Path) -> None:
    """The runs root is made if missing, but never its parents: a wrong repo root is reported."""
    missing = tmp_path / "no-such-repo"
    done = baa("run", "--task", "T", "--step", "s", "--repo-root", str(missing), "--", "true")
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == f"baa: error: cannot create the runs root {missing / 'runs'}: No such file or directory"
    )
    assert not missing.exists()


def test_run_directory_removed_while_live(tmp_path: Path) -> None:
    """Someone deletes the run directory mid-run: a clear error, the worker is stopped, no stray files."""
    pid_file = tmp_path / "w.pid"
    request = make_request(tmp_path, command=f"echo $$ > {pid_file}; sleep 0.6; echo late")
    run_dir = tmp_path / "runs" / "T-005" / "run-1"
    remover = threading.Timer(0.3, shutil.rmtree, args=(run_dir,))
    remover.start()
    with pytest.raises(RunStoreError) as caught:
        run_step(request, ShellExecutor())
    remover.join()
    assert str(caught.value) == f"cannot write {run_dir / 'state.json'}: No such file or directory"
    assert not run_dir.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs", "w.pid"]
    assert list((tmp_path / "runs" / "T-005").iterdir()) == []
    assert wait_gone(int(pid_file.read_text()))


def test_one_gigantic_line_is_chunked_with_flat_memory(tmp_path: Path) -> None:
    """A worker writing 200 MB with no newline: bounded chunks, every byte kept, small runner RSS."""
    size = 200_000_000
    argv = [BAA, "run", "--task", "T", "--step", "s", "--run", "big", "--runs-dir", str(tmp_path / "runs"),
            "--summary", "--", "sh", "-c", f"head -c {size} /dev/zero | tr '\\0' x"]  # fmt: skip
    # A fresh parent, so the peak RSS of its children is the runner's (and its worker's) alone.
    probe = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); " \
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    peak_mb = int(done.stdout) / 1024
    assert peak_mb < 80, f"runner peak RSS {peak_mb:.0f} MB"
    total = 0
    with (tmp_path / "runs" / "T" / "big" / "stdout.log").open("rb") as log:
        for line in log:
            text = json.loads(line)["text"]
            assert len(text) <= 1 << 18
            assert set(text) == {"x"}
            total += len(text)
    assert total == size


def test_killed_runner_child_gets_parent_death_signal(tmp_path: Path) -> None:
    """Without any sweep, the worker itself dies with its runner (Linux parent-death signal)."""
    pid_file = tmp_path / "w.pid"
    proc = subprocess.Popen([BAA, "run", "--task", "T", "--step", "s", "--runs-dir", str(tmp_path / "runs"),
                             "--", "sh", "-c", f"echo $$ > {pid_file}; exec sleep 60"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    worker = wait_for_pid(pid_file)
    assert alive(worker)
    proc.kill()
    proc.wait()
    assert wait_gone(worker)


def test_parent_death_signal_without_setpriv(tmp_path: Path) -> None:
    """Where util-linux's setpriv is missing, the prctl hook gives the worker the same fate."""
    pid_file = tmp_path / "w.pid"
    script = (
        "from baa_conductor.executors import process\n"
        "process._SETPRIV = None\n"
        f"process.run_process(['sh', '-c', 'echo $$ > {pid_file}; exec sleep 60'], cwd='/', timeout_sec=60,"
        " on_chunk=lambda c, b: None)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    worker = wait_for_pid(pid_file)
    assert alive(worker)
    proc.kill()
    proc.wait()
    assert wait_gone(worker)
