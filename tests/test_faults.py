"""Faults: the runner killed, the disk full or gone, two runners racing. Nothing written is lost."""

from __future__ import annotations

import ctypes
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import alive, make_request, wait_for_pid, wait_gone

from baa_conductor import store, validation
from baa_conductor.exceptions import BaaError, RunStoreError
from baa_conductor.executors import ShellExecutor, containment
from baa_conductor.paths import SCHEMA_OF_FILE
from baa_conductor.readers import read_run
from baa_conductor.runner import prepare_step_run, run_step
from baa_conductor.session import chunk_bytes

BAA = str(Path(sys.executable).with_name("baa"))
KILL_RUNS = int(os.environ.get("BAA_FAULT_RUNS", "50"))


def baa(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BAA, *args], capture_output=True, text=True, timeout=120, **kwargs)


def check_run_dir(run_dir: Path) -> tuple[int, int, int]:
    """Every file of a run parses and validates, but for a torn last line (a runner killed inside
    a long write), which must not be JSON; returns (files, lines, torn lines) checked."""
    files = lines = torn = 0
    for name in ("meta.json", "state.json"):
        validation.validate(SCHEMA_OF_FILE[name], json.loads((run_dir / name).read_text()))
        files += 1
    for name in ("worker.log", "stdout.log", "stderr.log"):
        data = (run_dir / name).read_bytes()
        whole, _, rest = data.rpartition(b"\n")
        if rest:
            with pytest.raises(json.JSONDecodeError):
                json.loads(rest)
            torn += 1
        for line in whole.splitlines():
            validation.validate(SCHEMA_OF_FILE[name], json.loads(line))
            lines += 1
        files += 1
    return files, lines, torn


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    """Poll until ``condition()``; the timeout is only a safety net against a hang."""
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.002)


def size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return -1


def output_lines(log: Path) -> int:
    """How many of the worker's ``out <i>`` lines a stdout.log holds so far."""
    try:
        return log.read_bytes().count(b"out ")
    except FileNotFoundError:
        return -1


WORKER = (
    "echo $$ >> {pids}; sleep 30 & echo $! >> {pids}; "
    "setsid sh -c 'echo $$ >> {pids}; exec sleep 30' & "
    "i=0; while [ $i -lt 400 ]; do echo out $i; echo err $i >&2; i=$((i+1)); done; "
    "head -c 3000000 /dev/zero | tr '\\0' x; sleep 30"
)


def _kill_moment(rng: random.Random, run_dir: Path) -> tuple[str, Callable[[], bool]]:
    """A moment tied to what the runner has done: its run directory exists, it has written N
    lines of output, or it is inside the writes of a 3 MB line (in 256 KiB chunks)."""
    kind = rng.choice(["run dir exists", "N output lines", "large write"])
    if kind == "run dir exists":
        return kind, lambda: (run_dir / "meta.json").exists()
    if kind == "N output lines":
        lines = rng.randrange(1, 400)
        return kind, lambda: output_lines(run_dir / "stdout.log") >= lines
    written = rng.randrange(1, 3_000_000)
    return kind, lambda: size(run_dir / "stdout.log") >= 400 * 80 + written


def test_sigkill_at_random_moments_leaves_readable_runs_and_no_orphans(tmp_path: Path) -> None:
    """SIGKILL the runner at moments tied to its progress (run dir made, N lines out, inside a
    large write): every run dir reads back with every reader, and `baa sweep` leaves no child."""
    rng = random.Random(int(os.environ.get("BAA_FAULT_SEED", "5")))
    runs_dir = tmp_path / "runs"
    pids = tmp_path / "pids"
    pids.touch()
    figures: dict[str, int] = {"runs killed": 0, "run dirs checked": 0, "files checked": 0,
                               "lines checked": 0, "torn last lines": 0, "interrupted": 0,
                               "orphans found": 0}  # fmt: skip
    for i in range(KILL_RUNS):
        kind, moment = _kill_moment(rng, runs_dir / "F" / f"r{i}")
        proc = subprocess.Popen(
            [BAA, "run", "--task", "F", "--step", "s", "--run", f"r{i}", "--runs-dir", str(runs_dir),
             "--grace", "1", "-c", WORKER.format(pids=pids)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: moment() or proc.poll() is not None, kind)  # noqa: B023
        proc.kill()
        proc.wait()
        figures["runs killed"] += 1
        figures[kind] = figures.get(kind, 0) + 1
    swept = baa("sweep", "--runs-dir", str(runs_dir))
    assert swept.returncode == 0, swept.stderr
    shown = baa("list", "--runs-dir", str(runs_dir), "--json")
    assert shown.returncode == 0, shown.stderr
    statuses = {row["runId"]: row["status"] for row in json.loads(shown.stdout)}
    for run_dir in sorted((runs_dir / "F").glob("r*")):
        files, lines, torn = check_run_dir(run_dir)
        figures["run dirs checked"] += 1
        figures["files checked"] += files
        figures["lines checked"] += lines
        figures["torn last lines"] += torn
        view = baa("show", "--json", str(run_dir))
        assert view.returncode == 0, view.stderr
        assert ("the last line is incomplete" in view.stderr) == (torn > 0)
        status = json.loads(view.stdout)["status"]
        assert status == statuses[run_dir.name]
        assert status in ("interrupted", "completed", "failed")
        figures["interrupted"] += status == "interrupted"
        if torn:
            done = baa("tail", "--no-follow", str(run_dir))
            assert done.returncode == 1, done.stderr  # the exit code of an interrupted run
            assert "the last line is incomplete" in done.stderr
    checked = baa("validate", "-q", *map(str, sorted((runs_dir / "F").glob("r*"))))
    assert checked.returncode == 0, checked.stdout
    leftovers = [int(p) for p in pids.read_text().split()]
    figures["orphans found"] = sum(not wait_gone(pid, 5) for pid in leftovers)
    print("fault figures:", json.dumps(figures))
    assert figures["orphans found"] == 0
    assert figures["run dirs checked"] == KILL_RUNS  # every kill came after the run dir existed
    assert figures["interrupted"] == KILL_RUNS, [
        (run_dir.parent / r / "state.json").read_text()
        for r, s in statuses.items()
        if s != "interrupted"
    ]


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


def test_torn_last_line_is_read_as_not_written_by_every_reader(tmp_path: Path) -> None:
    """A stdout.log whose last line was cut by a kill: show, tail, validate and list all work,
    skip the cut line and say so."""
    runs_dir = tmp_path / "runs"
    done = baa("run", "--task", "T", "--step", "s", "--run", "r", "--runs-dir", str(runs_dir),
               "--", "sh", "-c", "head -c 700000 /dev/zero | tr '\\0' x; echo; echo last")  # fmt: skip
    assert done.returncode == 0, done.stderr
    run_dir = runs_dir / "T" / "r"
    log = run_dir / "stdout.log"
    whole = log.read_bytes()
    with log.open("r+b") as handle:  # what a kill inside the write of the last chunk leaves
        handle.truncate(len(whole) - 40)
    number = whole.count(b"\n")
    note = (
        f"baa: note: {log}:{number}: the last line is incomplete (the runner was stopped while writing "
        "it); read as not written"
    )
    kept = b"".join(chunk_bytes(json.loads(line)) for line in whole.splitlines()[:-1]).decode()
    shown = baa("show", "--json", str(run_dir))
    assert shown.returncode == 0, shown.stderr
    assert "the last line is incomplete" in shown.stderr
    assert json.loads(shown.stdout)["stdoutTail"] == kept.splitlines()[-10:]
    followed = baa("tail", "--no-follow", "--raw", str(run_dir))
    assert (followed.returncode, followed.stdout) == (0, kept)
    assert f"{log}: the last line is incomplete" in followed.stderr
    checked = baa("validate", str(run_dir))
    assert checked.returncode == 0, checked.stdout
    assert note in checked.stderr
    listed = baa("list", "--runs-dir", str(runs_dir), "--json")
    assert listed.returncode == 0, listed.stderr


def _sleeper(tmp_path: Path, name: str, go: Path) -> str:
    """A worker that says it started, then waits for ``go`` to exist."""
    started = tmp_path / f"{name}.started"
    return f"touch {started}; while [ ! -e {go} ]; do sleep 0.05; done; echo finished"


def test_reading_commands_never_kill_a_run_in_a_pid_namespace(tmp_path: Path) -> None:
    """A run started inside its own PID namespace survives `baa list/show/tail/validate` (and
    `baa sweep`) on the host, and finishes as its worker decides."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare here")
    runs_dir = tmp_path / "runs"
    go = tmp_path / "go"
    proc = subprocess.Popen(
        ["unshare", "--pid", "--fork", "--mount-proc", BAA, "run", "--task", "T", "--step", "s",
         "--run", "ns", "--runs-dir", str(runs_dir), "--summary", "-c", _sleeper(tmp_path, "ns", go)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    wait_until(lambda: (tmp_path / "ns.started").exists() or proc.poll() is not None, "start")
    if proc.poll() is not None:
        pytest.skip(f"cannot make a PID namespace here: {proc.communicate()[1].strip()}")
    run_dir = runs_dir / "T" / "ns"
    for command in (["list", "--runs-dir", str(runs_dir)], ["show", str(run_dir)],
                    ["tail", "--no-follow", str(run_dir)], ["validate", str(run_dir)],
                    ["sweep", "--runs-dir", str(runs_dir)]):  # fmt: skip
        baa(*command)
    go.touch()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err
    assert err.startswith("baa: completed, exit 0")
    assert json.loads((run_dir / "state.json").read_text())["status"] == "completed"


ORPHAN_SCENARIO = """
import json, os, subprocess, sys, time
runs, pid_file, baa = sys.argv[1:4]
subprocess.run(["mount", "-t", "tmpfs", "tmpfs", runs], check=True)
worker = f"sh -c 'echo $$ > {pid_file}; exec sleep 60' & sleep 60"
runner = subprocess.Popen([baa, "run", "--task", "T", "--step", "s", "--run", "r", "--runs-dir", runs,
                           "-c", worker], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env={**os.environ, "BAA_CGROUP": "0"})
while not (os.path.exists(pid_file) and open(pid_file).read().strip()):
    time.sleep(0.02)
orphan = int(open(pid_file).read())
runner.kill()
runner.wait()

def alive(pid):
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False

run_dir = runs + "/T/r"
for args in (["list", "--runs-dir", runs], ["show", run_dir], ["tail", "--no-follow", run_dir],
             ["validate", run_dir]):
    subprocess.run([baa, *args], capture_output=True)
after_reading = alive(orphan)
swept = subprocess.run([baa, "sweep", "--runs-dir", runs], capture_output=True, text=True)
end = time.monotonic() + 10
while alive(orphan) and time.monotonic() < end:
    time.sleep(0.02)
print(json.dumps({"after_reading": after_reading, "sweep": swept.stdout, "after_sweep": alive(orphan)}))
"""


def test_reading_commands_change_nothing_and_sweep_is_explicit(tmp_path: Path) -> None:
    """Reading commands leave even a real orphan alone; `baa sweep` is what kills it.

    The scenario runs in its own mount and PID namespaces, its runs root a private tmpfs: the
    sweeps of other `baa run`s on the machine cannot see that run directory, so they leave its
    orphan alone (as they should), and only this test's commands act on it.
    """
    if shutil.which("unshare") is None:
        pytest.skip("no unshare here")
    runs = tmp_path / "runs"
    runs.mkdir()
    done = subprocess.run(
        ["unshare", "--mount", "--pid", "--fork", "--mount-proc", sys.executable, "-c",
         ORPHAN_SCENARIO, str(runs), str(tmp_path / "orphan.pid"), BAA],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if done.returncode != 0 and "unshare" in done.stderr:
        pytest.skip(f"cannot make namespaces here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["after_reading"] is True
    assert "processes killed: 2;" in seen["sweep"]  # the orphan and the worker's sleep
    assert seen["after_sweep"] is False


ESCAPEE = (
    "env -i setsid sh -c 'echo $$ > {pid}; exec sleep 1000' >/dev/null 2>&1 & sleep 0.1; exit 0"
)


@pytest.fixture(params=["cgroup", "subreaper"])
def containment_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each containment path in turn: a cgroup v2 per run (skipped where none can be made), and
    the child subreaper alone."""
    if request.param == "subreaper":
        monkeypatch.setenv(containment.CGROUP_ENV, "0")
    elif containment.containment() != "cgroup":
        pytest.skip("this machine cannot make a cgroup v2 per run")
    assert containment.containment() == request.param
    return str(request.param)


def test_no_process_outlives_its_run(tmp_path: Path, containment_path: str) -> None:
    """A worker that leaves `env -i setsid sleep 1000 &` behind (no token, own session): that
    process is gone when the run returns."""
    pid_file = tmp_path / "escapee.pid"
    result = run_step(make_request(tmp_path, command=ESCAPEE.format(pid=pid_file)), ShellExecutor())
    assert (result.outcome.value, result.state.exit_code) == ("completed", 0)
    escapee = int(pid_file.read_text())
    assert not alive(escapee)


SPAWN_SCENARIO = """
import json, sys, threading
from baa_conductor.executors import containment, process
pid_file, threaded = sys.argv[1], sys.argv[2] == "threaded"
release = threading.Event()
if threaded:  # another thread might start a process: the worker must enter its cgroup itself
    threading.Thread(target=release.wait).start()
before = open("/proc/self/cgroup").read()
out = []
worker = ("cat /proc/self/cgroup; env -i setsid sh -c 'echo $$ > " + pid_file
          + "; exec sleep 1000' >/dev/null 2>&1 & sleep 0.1")
result = process.run_process(["sh", "-c", worker], cwd="/", timeout_sec=60,
                             on_chunk=lambda channel, data: out.append(bytes(data)))
release.set()
print(json.dumps({"alone": not threaded and containment.alone(), "exit": result.exit_code,
                  "worker": b"".join(out).decode(), "runner": open("/proc/self/cgroup").read(),
                  "before": before}))
"""


@pytest.mark.parametrize("threads", ["alone", "threaded"])
def test_worker_is_born_in_its_runs_cgroup(tmp_path: Path, threads: str) -> None:
    """Whether the runner has other threads or not, the worker starts inside the run's cgroup,
    the runner ends where it was, and the worker's `env -i setsid` child is killed with the run."""
    if containment.containment() != "cgroup":
        pytest.skip("this machine cannot make a cgroup v2 per run")
    pid_file = tmp_path / "escapee.pid"
    done = subprocess.run([sys.executable, "-c", SPAWN_SCENARIO, str(pid_file), threads],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["exit"], report["alone"]) == (0, threads == "alone")
    assert f"/{containment.CGROUP_PREFIX}" in report["worker"].splitlines()[-1]
    assert report["runner"] == report["before"]
    assert wait_gone(int(pid_file.read_text()))


def test_killed_runner_leaves_nothing_after_sweep_with_cgroup(tmp_path: Path) -> None:
    """The runner SIGKILLed while its worker's `env -i setsid` child runs: `baa sweep` finds the
    run's cgroup by its free lock and kills that child too."""
    if containment.containment() != "cgroup":
        pytest.skip("this machine cannot make a cgroup v2 per run")
    pid_file = tmp_path / "escapee.pid"
    worker = ESCAPEE.format(pid=pid_file).replace("exit 0", "sleep 60")
    proc = subprocess.Popen([BAA, "run", "--task", "T", "--step", "s", "--runs-dir",
                             str(tmp_path / "runs"), "-c", worker],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    escapee = wait_for_pid(pid_file)
    proc.kill()
    proc.wait()
    swept = baa("sweep", "--runs-dir", str(tmp_path / "runs"))
    assert swept.returncode == 0, swept.stderr
    assert swept.stdout.startswith("containment: cgroup; processes killed: ")
    assert wait_gone(escapee)


def _start_waiting_run(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], int, Path]:
    """`baa run` of a worker that waits for a `go` file; (runner, worker pid, go file)."""
    pid_file, go = tmp_path / "w.pid", tmp_path / "go"
    worker = f"echo $$ > {pid_file}; while [ ! -e {go} ]; do sleep 0.02; done; echo done"
    proc = subprocess.Popen([BAA, "run", "--task", "T", "--step", "s", "--run", "r", "--runs-dir",
                             str(tmp_path / "runs"), "--summary", *args, "-c", worker],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    return proc, wait_for_pid(pid_file), go


def test_stopped_runner_judges_the_timeout_by_when_the_worker_ended(tmp_path: Path) -> None:
    """A runner frozen by SIGSTOP past its deadline while its worker exits 0 in time reports the
    worker's success, not a timeout."""
    started = time.monotonic()
    proc, worker, go = _start_waiting_run(tmp_path, "--timeout", "2")
    proc.send_signal(signal.SIGSTOP)
    go.touch()
    assert wait_gone(worker, 60)  # the worker has ended (a zombie until the runner wakes)
    while time.monotonic() < started + 3:  # the deadline passes while the runner is stopped
        time.sleep(0.1)
    proc.send_signal(signal.SIGCONT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err
    state = json.loads((tmp_path / "runs" / "T" / "r" / "state.json").read_text())
    assert (state["status"], state["exitCode"]) == ("completed", 0)


def test_sighup_stops_the_run_like_sigterm(tmp_path: Path) -> None:
    """SIGHUP (the terminal closed) stops the worker and still leaves a final state: exit 129."""
    proc, worker, _ = _start_waiting_run(tmp_path, "--grace", "1")
    proc.send_signal(signal.SIGHUP)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 129, out + err
    state = json.loads((tmp_path / "runs" / "T" / "r" / "state.json").read_text())
    assert (state["status"], state["exitCode"]) == ("cancelled", 129)
    assert "finishedAt" in state
    assert state["summary"] == "shell command was stopped because the runner received SIGHUP"
    assert wait_gone(worker)


@pytest.mark.parametrize("plant", ["symlink", "fifo"])
def test_planted_symlink_or_fifo_never_redirects_or_blocks_the_state_write(
    tmp_path: Path, plant: str
) -> None:
    """A worker that makes `.state.json.tmp` a symlink to an outside file, or a FIFO: the run
    ends normally (nothing waits on the FIFO), the outside file is untouched, state.json is the
    run's own."""
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    run_dir = tmp_path / "runs" / "T" / "r"
    planted = run_dir / ".state.json.tmp"
    worker = f"ln -s {outside} {planted}" if plant == "symlink" else f"mkfifo {planted}"
    done = baa("run", "--task", "T", "--step", "s", "--run", "r", "--runs-dir",
               str(tmp_path / "runs"), "--quiet", "-c", worker)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert outside.read_text() == "precious\n"
    state = json.loads((run_dir / "state.json").read_text())
    assert (state["status"], state["exitCode"]) == ("completed", 0)


def _exchange(a: bytes, b: bytes) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    return int(libc.renameat2(-100, a, -100, b, 2))  # RENAME_EXCHANGE


def test_task_directory_swapped_for_a_symlink_never_puts_a_run_outside(tmp_path: Path) -> None:
    """A racer swaps the task directory with a symlink to an outside directory (renameat2
    RENAME_EXCHANGE, over and over) while runs are created: nothing ever lands outside."""
    runs, outside = tmp_path / "runs", tmp_path / "outside"
    (runs / "T").mkdir(parents=True)
    outside.mkdir()
    (runs / "swap").symlink_to(outside)
    stop = threading.Event()
    swaps = [0]

    def racer() -> None:
        a, b = os.fsencode(runs / "T"), os.fsencode(runs / "swap")
        while not stop.is_set():
            swaps[0] += _exchange(a, b) == 0

    thread = threading.Thread(target=racer)
    thread.start()
    outcomes: dict[str, int] = {}
    try:
        for i in range(150):
            try:
                prepare_step_run(make_request(tmp_path, f"r{i}", taskId="T")).close()
                outcome = "created"
            except BaaError as error:
                outcome = type(error).__name__
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        stop.set()
        thread.join()
    assert swaps[0] > 0
    assert list(outside.iterdir()) == [], outcomes
    assert outcomes.get("created", 0) + outcomes.get("UnsafeRunPathError", 0) == 150, outcomes
