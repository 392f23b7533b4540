"""The run store: reading runs back, and the helpers `show` and `validate` build on."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import make_request
from hypothesis import given, settings
from hypothesis import strategies as st

from baa_conductor import readers
from baa_conductor.exceptions import ContractError, RunNotFoundError
from baa_conductor.readers import find_runs, last_lines, read_run
from baa_conductor.runner import envelope_dict, run_step

BAA = str(Path(sys.executable).with_name("baa"))


def finished_run(tmp_path: Path, run_id: str = "run-1") -> Path:
    result = envelope_dict(run_step(make_request(tmp_path, run_id)))
    return Path(result["logPaths"]["runDir"])


def test_read_run_gives_models_of_every_file(tmp_path: Path) -> None:
    """A finished run reads back into typed models with its status."""
    record = read_run(str(finished_run(tmp_path)))
    assert record.meta.run_id.root == "run-1"
    assert record.status == "prepared"  # the placeholder executor's outcome
    assert not record.interrupted
    assert [e.seq for e in record.events] == [1, 2, 3, 4, 5, 6]


def test_missing_file_is_named(tmp_path: Path) -> None:
    """A directory without meta.json is not a run, and the error says which file is missing."""
    with pytest.raises(RunNotFoundError, match=r"meta\.json is missing"):
        read_run(str(tmp_path))
    with pytest.raises(RunNotFoundError, match="no such directory"):
        read_run(str(tmp_path / "nope"))


def test_corrupt_state_names_file_and_field(tmp_path: Path) -> None:
    """A state.json edited into an invalid shape is refused with its path and the field."""
    run_dir = finished_run(tmp_path)
    state = json.loads((run_dir / "state.json").read_text())
    state["lastEventSeq"] = -3
    (run_dir / "state.json").write_text(json.dumps(state))
    with pytest.raises(ContractError) as caught:
        read_run(str(run_dir))
    assert str(caught.value) == (
        f"{run_dir / 'state.json'}: not a valid run-state-snapshot (1 violation)\n"
        "  /lastEventSeq: must be at least 0"
    )


def test_torn_last_line_is_read_as_not_written(tmp_path: Path) -> None:
    """A runner killed inside a long write leaves a cut last line: it is skipped, with a note."""
    run_dir = finished_run(tmp_path)
    with (run_dir / "worker.log").open("ab") as log:
        log.write(b'{"seq": 7, "eventId"')
    record = read_run(str(run_dir))
    assert [e.seq for e in record.events] == [1, 2, 3, 4, 5, 6]
    assert record.notes == [
        f"{run_dir / 'worker.log'}:7: the last line is incomplete (the runner was stopped while "
        "writing it); read as not written"
    ]


def test_bad_line_before_the_end_names_its_line(tmp_path: Path) -> None:
    """A damaged worker.log line that is not the last is an error naming its line."""
    run_dir = finished_run(tmp_path)
    lines = (run_dir / "worker.log").read_bytes().splitlines(keepends=True)
    lines[2] = b'{"seq": 3, "eventId"\n'
    (run_dir / "worker.log").write_bytes(b"".join(lines))
    with pytest.raises(ContractError, match=r"worker\.log:3: not a valid worker-log-line"):
        read_run(str(run_dir))


def test_find_runs_lists_run_directories_only(tmp_path: Path) -> None:
    """Runs are listed in order; half-built hidden directories and stray files are not runs."""
    finished_run(tmp_path, "b")
    finished_run(tmp_path, "a")
    (tmp_path / "runs" / "T-005" / ".c.x1y2.new").mkdir()
    (tmp_path / "runs" / "notes.txt").write_text("x")
    assert [Path(p).name for p in find_runs(str(tmp_path / "runs"))] == ["a", "b"]


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.binary(min_size=1, max_size=200).map(lambda b: b.replace(b"\n", b"_")), max_size=40
    ),
    count=st.integers(0, 15),
    block=st.sampled_from([1, 3, 64, 4096]),
)
def test_last_lines_reads_the_last_lines_from_the_end(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes], count: int, block: int
) -> None:
    """last_lines gives exactly the last non-blank lines, whatever the block size."""
    path = tmp_path_factory.mktemp("tail") / "log"
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    expected = [part for line in lines for part in line.splitlines() if part.strip()]
    saved, readers.BLOCK_BYTES = readers.BLOCK_BYTES, block
    try:
        assert last_lines(str(path), count) == (expected[-count:] if count else [])
    finally:
        readers.BLOCK_BYTES = saved


def test_abandoned_build_directories_are_skipped_and_swept(tmp_path: Path) -> None:
    """A `.<runId>.*.new` directory left by a runner killed mid-create is never listed as a run;
    `baa sweep` removes it, but never one a live runner still holds."""
    run_dir = finished_run(tmp_path, "a")
    task = run_dir.parent
    abandoned, building = task / ".b.1a2b3c4d.new", task / ".c.5e6f7a8b.new"
    for build in (abandoned, building):
        shutil.copytree(run_dir, build)
    held = os.open(building, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        listed = subprocess.run([BAA, "list", "--runs-dir", str(tmp_path / "runs"), "--json"],
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        assert [row["runId"] for row in json.loads(listed.stdout)] == ["a"]
        swept = subprocess.run([BAA, "sweep", "--runs-dir", str(tmp_path / "runs")],
                               capture_output=True, text=True, timeout=60)  # fmt: skip
        assert swept.returncode == 0, swept.stderr
        assert swept.stdout.endswith("abandoned run directories removed: 1\n")
        assert sorted(p.name for p in task.iterdir()) == [".c.5e6f7a8b.new", "a"]
    finally:
        os.close(held)
