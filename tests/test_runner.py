"""The runner: the seed's lifecycle and envelope, persisted to disk as it happens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import seed
from helpers import make_request

from baa_conductor import validation
from baa_conductor.exceptions import ContractError, RunExistsError
from baa_conductor.readers import read_run
from baa_conductor.runner import envelope_dict, prepare_step_run, run_step

TIMES = {"createdAt", "startedAt", "finishedAt", "updatedAt"}


class Fixed:
    """An executor returning a fixed outcome (the seed's custom-executor contract)."""

    def __init__(self, outcome: dict[str, Any]):
        self.outcome = outcome

    def execute(self, run: Any) -> dict[str, Any]:
        return self.outcome


def normalized(value: Any) -> Any:
    """The envelope with timestamps and durations blanked; renderedLine parsed and blanked too."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in TIMES:
                out[key] = "<time>"
            elif key == "durationMs":
                out[key] = 0
            elif key == "renderedLine":
                out[key] = normalized(json.loads(item))
            else:
                out[key] = normalized(item)
        return out
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


OUTCOMES: dict[str, Any] = {
    "placeholder": None,
    "completed": {
        "ok": True, "outcome": "completed", "summary": "done", "stdout": ["a\n", "b"],
        "stderr": ["warn\n"], "suggestedFollowup": [
            {"stepName": "review", "stepKind": "review", "reason": "changes need review"}],
        "artifacts": [{"name": "report.md", "kind": "artifact", "path": "/x/report.md",
                       "description": "Report"}],
    },
    "failed": {"ok": False, "outcome": "failed", "summary": "exit 3", "exitCode": 3},
    "failed-no-code": {"ok": False, "outcome": "failed", "summary": "broken"},
    "blocked": {"ok": False, "outcome": "blocked", "summary": "needs a token", "needsHuman": True},
    "completed-not-ok": {"ok": False, "outcome": "completed", "summary": "odd", "blocked": True},
}  # fmt: skip
CHECKPOINTS = {
    "default": None,
    "disabled": {"mode": "disabled"},
    "resume": {"mode": "reserved_for_t006", "resumeFromSeq": 3, "summaryHint": "h"},
}


@pytest.mark.parametrize("checkpoint", CHECKPOINTS)
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_envelope_equals_the_seeds(tmp_path: Path, outcome: str, checkpoint: str) -> None:
    """Same request, same executor outcome: our envelope is the seed's, field by field."""
    req = make_request(tmp_path, createdAt="2026-03-21T11:41:39.000Z", command="echo hi")
    if CHECKPOINTS[checkpoint] is not None:
        req["checkpoint"] = CHECKPOINTS[checkpoint]
    fixed = OUTCOMES[outcome]
    expected = seed.seed_run_step(req, fixed)
    ours = envelope_dict(run_step(req, Fixed(fixed) if fixed else None))
    assert normalized(ours) == normalized(expected)


def test_rendered_lines_are_byte_identical_to_worker_log(tmp_path: Path) -> None:
    """worker.log holds exactly each event's renderedLine, one per line, in seq order."""
    result = envelope_dict(run_step(make_request(tmp_path), Fixed(OUTCOMES["completed"])))
    log = Path(result["logPaths"]["workerLogPath"]).read_text("utf-8").splitlines()
    assert log == [e["renderedLine"] for e in result["lifecycleEvents"]]
    assert [e["eventId"] for e in result["lifecycleEvents"]][:2] == [
        "run-1:event:0001",
        "run-1:event:0002",
    ]


def test_seq_is_global_across_streams_and_state_tracks_it(tmp_path: Path) -> None:
    """One seq runs through worker.log, stdout.log and stderr.log; state.json ends on the last."""
    result = envelope_dict(run_step(make_request(tmp_path), Fixed(OUTCOMES["completed"])))
    run_dir = Path(result["logPaths"]["runDir"])
    seqs = []
    for name in ("worker.log", "stdout.log", "stderr.log"):
        seqs += [json.loads(line)["seq"] for line in (run_dir / name).read_text().splitlines()]
    assert sorted(seqs) == list(range(1, len(seqs) + 1))
    state = json.loads((run_dir / "state.json").read_text())
    assert state["lastEventSeq"] == len(seqs) == result["logSummary"]["lastSeq"]
    assert state["status"] == "completed"


def test_every_file_of_a_run_validates(tmp_path: Path) -> None:
    """meta.json, state.json and every log line match their schemas."""
    result = envelope_dict(run_step(make_request(tmp_path), Fixed(OUTCOMES["completed"])))
    run_dir = Path(result["logPaths"]["runDir"])
    validation.validate("run-metadata", json.loads((run_dir / "meta.json").read_text()))
    validation.validate("run-state-snapshot", json.loads((run_dir / "state.json").read_text()))
    for name, schema in [
        ("worker.log", "worker-log-line"),
        ("stdout.log", "stream-chunk-log-entry"),
    ]:
        for line in (run_dir / name).read_text().splitlines():
            validation.validate(schema, json.loads(line))
    assert (run_dir / "checkpoints").is_dir()
    assert (run_dir / "artifacts").is_dir()


def test_invalid_request_names_the_field_and_creates_nothing(tmp_path: Path) -> None:
    """A bad request is refused before any directory is made."""
    with pytest.raises(ContractError) as caught:
        run_step(make_request(tmp_path, taskId="..", attempt=0))
    assert [str(v) for v in caught.value.violations] == [
        "/attempt: must be at least 1",
        "/taskId: not a valid id: must start with an ASCII letter or digit",
    ]
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    "hostile",
    ["..", ".", "../etc", "a/b", "a\\b", "a\x00b", "", " run", "run\n", "ｒｕｎ", "r" * 129],
)
def test_hostile_ids_are_refused(tmp_path: Path, hostile: str) -> None:
    """No task or run id can place files outside the runs root."""
    for field in ("taskId", "runId", "stepId"):
        with pytest.raises(ContractError, match=f"/{field}: "):
            prepare_step_run(make_request(tmp_path, **{field: hostile}))
    assert not (tmp_path / "runs").exists()


def test_existing_run_directory_is_never_touched(tmp_path: Path) -> None:
    """Running the same run id twice is refused; the first run's files stay as they were."""
    first = envelope_dict(run_step(make_request(tmp_path)))
    run_dir = Path(first["logPaths"]["runDir"])
    before = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}
    with pytest.raises(RunExistsError, match="already exists; runs are never overwritten"):
        run_step(make_request(tmp_path))
    assert {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()} == before


class Raises:
    def execute(self, run: Any) -> dict[str, Any]:
        run.session.append_text("stdout", "partial work\n")
        raise RuntimeError("worker exploded")


def test_executor_that_raises_gives_a_persisted_failed_run(tmp_path: Path) -> None:
    """An executor exception ends the run failed; the error is in stderr.log and the summary."""
    result = envelope_dict(run_step(make_request(tmp_path), Raises()))
    assert result["outcome"] == "failed"
    assert result["summary"] == "Executor raised RuntimeError: worker exploded"
    assert result["state"]["exitCode"] == 1
    run_dir = Path(result["logPaths"]["runDir"])
    stderr = [
        json.loads(line)["text"] for line in (run_dir / "stderr.log").read_text().splitlines()
    ]
    assert "RuntimeError: worker exploded" in stderr[0]
    stdout = [
        json.loads(line)["text"] for line in (run_dir / "stdout.log").read_text().splitlines()
    ]
    assert stdout == ["partial work\n"]
    record = read_run(str(run_dir))
    assert record.status == "failed"
    assert record.events[-1].type.value == "step_failed"


def test_executor_returning_an_invalid_outcome_fails_the_run(tmp_path: Path) -> None:
    """An outcome that breaks its schema is reported, not trusted."""
    result = envelope_dict(run_step(make_request(tmp_path), Fixed({"ok": True, "outcome": "done"})))
    assert result["outcome"] == "failed"
    assert '/outcome: must be one of "prepared", "completed"' in result["summary"]
    assert "/summary: required property is missing" in result["summary"]


def test_envelope_keeps_a_bounded_tail_with_true_counts(tmp_path: Path) -> None:
    """Only the last chunks ride in the envelope; the counts and files have all of them."""
    lines = [f"line {i}\n" for i in range(50)]
    outcome = {"ok": True, "outcome": "completed", "summary": "many", "stdout": lines}
    result = envelope_dict(run_step(make_request(tmp_path), Fixed(outcome), tail_entries=10))
    stdout = result["logSession"]["stdout"]
    assert [e["text"] for e in stdout["entries"]] == lines[-10:]
    assert stdout["omittedEntryCount"] == 40
    assert result["metrics"]["stdoutChunkCount"] == 50 == result["logSummary"]["stdoutChunkCount"]
    assert len(Path(stdout["filePath"]).read_text().splitlines()) == 50
    assert "omittedEntryCount" not in result["logSession"]["stderr"]


def test_reader_reports_a_dead_runner_as_interrupted(tmp_path: Path) -> None:
    """A run left in `running` with no runner holding it reads as interrupted; files untouched."""
    run = prepare_step_run(make_request(tmp_path))
    run.update_state(status="running")
    run_dir = run.paths.run_dir
    assert read_run(run_dir).status == "running"  # the runner still holds it
    run.close()  # what a killed runner leaves: state running, lock gone
    state_before = Path(run.paths.state_path).read_bytes()
    record = read_run(run_dir)
    assert record.interrupted
    assert record.status == "interrupted"
    assert Path(run.paths.state_path).read_bytes() == state_before


def test_executor_text_with_a_lone_surrogate_fails_the_step_with_its_reason(tmp_path: Path) -> None:
    """Text that is not Unicode cannot be written as JSON: the step fails naming the field, and
    the run it leaves is valid."""
    from baa_conductor import cli

    outcome = {"ok": True, "outcome": "completed", "summary": "odd \ud800 text"}
    result = envelope_dict(run_step(make_request(tmp_path), Fixed(outcome)))
    assert result["outcome"] == "failed"
    assert result["summary"].endswith("/summary: string holds a lone surrogate (not valid Unicode)")
    run_dir = Path(result["logPaths"]["runDir"])
    assert "ud800" not in (run_dir / "worker.log").read_text("utf-8")
    assert cli.main(["validate", "-q", str(run_dir)]) == 0


def test_the_worker_starts_with_the_run_on_disk_saying_running(tmp_path: Path) -> None:
    """What a worker (or a reader) finds when the worker starts: the run directory under its
    name, its state.json already `running`, with meta.json beside it."""
    from baa_conductor.executors import ShellExecutor

    run_dir = tmp_path / "runs" / "T-005" / "run-1"
    command = f"cat {run_dir}/state.json; cat {run_dir}/meta.json >/dev/null"
    envelope = envelope_dict(run_step(make_request(tmp_path, command=command), ShellExecutor()))
    assert envelope["outcome"] == "completed"
    lines = [json.loads(e["text"]) for e in envelope["logSession"]["stdout"]["entries"]]
    assert lines[0]["status"] == "running"
    assert "finishedAt" not in lines[0]
    assert json.loads((run_dir / "state.json").read_text())["status"] == "completed"


def test_a_shell_step_spends_the_fsyncs_docs_faults_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/faults.md promises six fsyncs for a `true` step: meta.json, the first state.json and
    the task directory before the worker starts; the terminal state, worker.log and the run
    directory before the envelope is returned."""
    import os
    import stat

    from baa_conductor.executors import ShellExecutor

    kinds: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            name += "/"
        elif name.startswith(".state.json."):
            name = "state.json temporary"
        kinds.append(name)
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    run_step(make_request(tmp_path, argv=["true"]), ShellExecutor())
    assert kinds == [
        "meta.json", "state.json", "T-005/", "state.json temporary", "worker.log", "run-1/"
    ]  # fmt: skip
