"""Hostile run directories: every reader gives `file[:line]: reason`, never a traceback or a hang,
and reads in bounded memory whatever a file holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BAA = str(Path(sys.executable).with_name("baa"))
READERS = ("show", "tail", "validate", "list")


def baa(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """`baa ...`; a reader that hangs fails the test at the timeout (a safety net only)."""
    return subprocess.run([BAA, *args], capture_output=True, text=True, timeout=60, **kwargs)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A finished run with some output on both streams."""
    done = baa("run", "--task", "T", "--step", "s", "--run", "r", "--runs-dir", str(tmp_path / "runs"),
               "--quiet", "--", "sh", "-c", "echo out; echo err >&2")  # fmt: skip
    assert done.returncode == 0, done.stderr
    return tmp_path / "runs" / "T" / "r"


def read_with(command: str, run_dir: Path) -> subprocess.CompletedProcess[str]:
    runs_dir = str(run_dir.parent.parent)
    argv = {
        "show": ["show", "--runs-dir", runs_dir, "T/r"],
        "tail": ["tail", "--no-follow", "--runs-dir", runs_dir, "T/r"],
        "validate": ["validate", str(run_dir)],
        "list": ["list", "--runs-dir", runs_dir],
    }[command]
    return baa(*argv)


def assert_clear_error(done: subprocess.CompletedProcess[str], path: Path, reason: str) -> None:
    """Exit 1 or 2 with one line naming the file and the reason (`baa validate` puts the JSON
    pointer `/` between them); no traceback."""
    text = done.stdout + done.stderr
    assert "Traceback" not in text, text
    assert done.returncode in (1, 2), text
    assert f"{path}: {reason}" in text or f"{path}: /: {reason}" in text, text


@pytest.mark.parametrize("command", READERS)
@pytest.mark.parametrize("name", ["stdout.log", "state.json"])
def test_fifo_in_a_run_directory_never_hangs_a_reader(
    run_dir: Path, name: str, command: str
) -> None:
    """A FIFO planted as a run file is refused at once: readers never block on it."""
    (run_dir / name).unlink()
    os.mkfifo(run_dir / name)
    done = read_with(command, run_dir)
    if command == "list" and name == "stdout.log":  # list reads meta.json and state.json only
        assert done.returncode == 0, done.stderr
        return
    assert_clear_error(done, run_dir / name, "a FIFO, not a regular file; refused")


@pytest.mark.parametrize("command", ["show", "validate", "list"])
def test_state_linked_to_dev_zero_is_refused(run_dir: Path, command: str) -> None:
    """state.json made a symlink (to /dev/zero) is refused, never followed: no MemoryError."""
    (run_dir / "state.json").unlink()
    (run_dir / "state.json").symlink_to("/dev/zero")
    done = read_with(command, run_dir)
    assert_clear_error(done, run_dir / "state.json", "a symbolic link; refused")


def test_state_nested_100k_deep_is_an_error_not_a_crash(run_dir: Path) -> None:
    """A state.json nested 100,000 deep: show and validate say it is not JSON they can read."""
    (run_dir / "state.json").write_text("[" * 100_000 + "]" * 100_000)
    reasons = {"show": "not a valid run-state-snapshot", "validate": "not JSON: nested too deeply"}
    for command, reason in reasons.items():
        done = read_with(command, run_dir)
        assert_clear_error(done, run_dir / "state.json", reason)
        assert "nested too deeply" in done.stdout + done.stderr


def test_validate_of_deep_json_file_is_an_error(tmp_path: Path) -> None:
    """`baa validate` of a 100k-deep JSON document reports it, never a RecursionError."""
    deep = tmp_path / "state.json"
    deep.write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    done = baa("validate", str(deep))
    assert_clear_error(done, deep, "not JSON: ")


def test_validate_of_deep_jsonl_lines_reports_each(tmp_path: Path) -> None:
    """In a JSONL log, a line nested beyond what JSON here carries is a violation on its line, a
    line too deep to parse at all is 'not JSON', and the lines after them are still checked."""
    log = tmp_path / "data.jsonl"
    lines = ['{"d":' * n + "1" + "}" * n for n in (255, 2_000, 254)]
    log.write_text("\n".join(lines) + '\n{"d": NaN}\n')
    done = baa("validate", "--schema", "structured-data", str(log))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    reported = [
        line.split(": ", 1) for line in done.stdout.splitlines() if line.startswith(str(log))
    ]
    assert [where for where, _ in reported] == [f"{log}:1", f"{log}:2", f"{log}:4"]
    assert reported[0][1].endswith("nested deeper than 254 arrays and objects")
    assert reported[1][1] == "/: not JSON: nested too deeply"


@pytest.mark.parametrize(
    "bad",
    [b"garbage\n", b"\x00\x00\x00\x00\n", b'{"seq": 4, "cut\n'],
    ids=["garbage", "nul", "cut"],
)
def test_bad_line_inside_stdout_log_is_named(run_dir: Path, bad: bytes) -> None:
    """A damaged stdout.log line before the last: show names the file, validate the line."""
    log = run_dir / "stdout.log"
    log.write_bytes(bad + log.read_bytes())
    shown = read_with("show", run_dir)
    assert_clear_error(shown, log, "line 2 from the end: not a valid stream-chunk-log-entry")
    checked = read_with("validate", run_dir)
    assert checked.returncode == 1
    assert checked.stdout.startswith(f"{log}:1: /"), checked.stdout
    followed = read_with("tail", run_dir)  # tail prints what it can read; validate is the judge
    assert "Traceback" not in followed.stderr
    assert followed.stdout == "out\n"


@pytest.mark.parametrize("command", ["show", "tail", "validate"])
def test_missing_stdout_log_is_named(run_dir: Path, command: str) -> None:
    """A run directory without stdout.log: each reader says the file is missing."""
    (run_dir / "stdout.log").unlink()
    assert_clear_error(read_with(command, run_dir), run_dir / "stdout.log", "missing")


def test_validate_reports_every_missing_file(run_dir: Path) -> None:
    """A run directory holding only meta.json is not 'valid': each missing file is reported."""
    for name in ("state.json", "worker.log", "stdout.log", "stderr.log"):
        (run_dir / name).unlink()
    done = read_with("validate", run_dir)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{run_dir / name}: /: missing"
        for name in ("state.json", "worker.log", "stdout.log", "stderr.log")
    ]


def test_one_unreadable_run_does_not_hide_the_others(tmp_path: Path) -> None:
    """`baa list` with one run whose state.json is a FIFO lists the other run and names the bad one."""
    runs = str(tmp_path / "runs")
    for run in ("a", "b"):
        done = baa(
            "run",
            "--task",
            "T",
            "--step",
            "s",
            "--run",
            run,
            "--runs-dir",
            runs,
            "-q",
            "--",
            "true",
        )
        assert done.returncode == 0, done.stderr
    state = tmp_path / "runs" / "T" / "a" / "state.json"
    state.unlink()
    os.mkfifo(state)
    done = baa("list", "--runs-dir", runs, "--json")
    assert done.returncode == 1
    assert [row["runId"] for row in json.loads(done.stdout)] == ["b"]
    assert f"{state}: a FIFO, not a regular file; refused" in done.stderr


def _peak_rss_mb(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `baa ARGS` under a fresh parent; its peak RSS in MB."""
    probe = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "print(done.returncode); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
             "sys.stdout.write(done.stderr)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe, BAA, *args], capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    code, rss, *rest = done.stdout.split("\n", 2)
    return subprocess.CompletedProcess(args, int(code), "", "".join(rest)), int(rss) / 1024


@pytest.mark.parametrize("name", ["stdout.log", "worker.log"])
def test_one_line_of_a_gigabyte_costs_no_memory(run_dir: Path, name: str) -> None:
    """A 1 GB one-line log (sparse: no disk used): show, validate and tail stay under 100 MB."""
    with (run_dir / name).open("r+b") as log:
        log.truncate(1 << 30)
    for command in ("show", "validate", "tail"):
        argv = {
            "show": ["show", "--runs-dir", str(run_dir.parent.parent), "T/r"],
            "validate": ["validate", str(run_dir)],
            "tail": ["tail", "--no-follow", "--runs-dir", str(run_dir.parent.parent), "T/r"],
        }[command]
        done, peak = _peak_rss_mb(*argv)
        assert "Traceback" not in done.stderr, done.stderr
        assert peak < 100, f"{command}: peak RSS {peak:.0f} MB"


@pytest.fixture
def shared_runs() -> Iterator[Path]:
    """A runs root another user can reach (pytest's own temporary directories are private)."""
    import shutil
    import tempfile

    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to read as another user")
    top = Path(tempfile.mkdtemp(prefix="baa-shared-"))
    top.chmod(0o755)
    yield top / "runs"
    shutil.rmtree(top)


def as_nobody(*args: str) -> subprocess.CompletedProcess[str]:
    argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", BAA, *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


def test_unreadable_files_read_as_another_user(shared_runs: Path) -> None:
    """Mode 000 files and directories, read by another user: `file: cannot read: Permission
    denied`, and `baa list` still lists every run it can read."""
    for task in ("A", "B"):
        done = baa("run", "--task", task, "--step", "s", "--run", "r", "--runs-dir", str(shared_runs),
                   "-q", "--", "echo", "hi")  # fmt: skip
        assert done.returncode == 0, done.stderr
    log = shared_runs / "A" / "r" / "stdout.log"
    log.chmod(0)
    shown = as_nobody("show", "--runs-dir", str(shared_runs), "A/r")
    assert_clear_error(shown, log, "cannot read: Permission denied")
    checked = as_nobody("validate", str(log.parent))
    assert_clear_error(checked, log, "cannot read: Permission denied")
    (shared_runs / "A").chmod(0)
    listed = as_nobody("list", "--runs-dir", str(shared_runs), "--json")
    assert listed.returncode == 1
    assert [row["taskId"] for row in json.loads(listed.stdout)] == ["B"]
    assert f"{shared_runs / 'A'}: cannot read: Permission denied" in listed.stderr
