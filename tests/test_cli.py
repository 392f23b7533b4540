"""The `baa` command as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import output

from baa_conductor import cli
from baa_conductor._schemas import schema_names, schema_text, schema_version


def baa(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_cli(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    *rest: str,
    task: str = "T-1",
    run: str | None = None,
) -> tuple[int, str, str]:
    """`baa run --task TASK --step s [--run RUN] --runs-dir <tmp>/runs REST...`."""
    ids = ["--run", run] if run else []
    return baa(
        capsys,
        "run",
        "--task",
        task,
        "--step",
        "s",
        *ids,
        "--runs-dir",
        str(tmp_path / "runs"),
        *rest,
    )


def make_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *cmd: str, run: str = "r1"
) -> tuple[int, dict[str, Any]]:
    code, out, _ = run_cli(capsys, tmp_path, "--json", "--", *cmd, run=run)
    return code, json.loads(out)


def test_run_prints_the_envelope_and_exits_with_the_step_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`baa run -- CMD` prints a valid envelope and exits with the command's exit code."""
    code, envelope = make_run(tmp_path, capsys, "sh", "-c", "echo out; exit 5")
    assert code == 5
    assert envelope["outcome"] == "failed"
    assert envelope["runId"] == "r1"
    assert envelope["metadata"]["command"] == "sh -c 'echo out; exit 5'"


def test_run_shows_the_output_then_one_summary_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --json, the step's stdout and stderr come through; one summary line ends stderr."""
    code, out, err = run_cli(
        capsys, tmp_path, "--", "sh", "-c", "echo out; echo err >&2; exit 4", run="r"
    )
    run_dir = tmp_path / "runs" / "T-1" / "r"
    assert code == 4
    assert out == "out\n"
    first, summary = err.splitlines()
    assert first == "err"
    assert summary.startswith("baa: failed, exit 4, ")
    assert summary.endswith(f": shell command exited with code 4; run directory {run_dir}")


def test_run_quiet_prints_only_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--quiet keeps the output out of the terminal (it is still in the logs)."""
    code, out, err = run_cli(
        capsys, tmp_path, "--quiet", "--", "sh", "-c", "echo out; echo e >&2", run="q"
    )
    assert (code, out) == (0, "")
    assert err.count("\n") == 1
    assert err.startswith("baa: completed, exit 0, ")
    assert output(tmp_path / "runs" / "T-1" / "q", "stdout") == b"out\n"


def test_run_generates_a_run_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --run, a fresh run id is made, so two runs never collide."""
    ids = set()
    for _ in range(2):
        code, out, _ = run_cli(capsys, tmp_path, "--json", "--", "true")
        assert code == 0
        ids.add(json.loads(out)["runId"])
    assert len(ids) == 2
    assert all(i.startswith("run-") for i in ids)


def test_run_refuses_hostile_ids_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A task id of '..' exits 2 with the field and the reason, and creates nothing."""
    code, out, err = run_cli(capsys, tmp_path, "--", "true", task="..")
    assert code == 2
    assert out == ""
    assert "/taskId: '..' is not a valid RunIdentifier" in err
    assert not (tmp_path / "runs").exists()


def test_run_refuses_an_existing_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same run id twice: the second is refused with a one-line reason."""
    make_run(tmp_path, capsys, "true")
    code, _, err = run_cli(capsys, tmp_path, "--", "true", run="r1")
    run_dir = tmp_path / "runs" / "T-1" / "r1"
    assert code == 2
    assert err.strip() == (
        f"baa: error: run directory {run_dir} already exists; runs are never overwritten: use a new run id"
    )


def test_run_without_a_command_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing to run: exit 2 and say how to give a command."""
    code, _, err = run_cli(capsys, tmp_path)
    assert code == 2
    assert "nothing to run: give a command after --" in err


def test_validate_a_run_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every file of a run validates; the schema of each is inferred from its name."""
    _, envelope = make_run(tmp_path, capsys, "sh", "-c", "echo a; echo b >&2")
    code, out, err = baa(capsys, "validate", envelope["logPaths"]["runDir"])
    assert (code, out) == (0, "")
    assert err.strip() == "5 files checked: valid"


def test_validate_reports_file_line_pointer_and_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad line is reported as file:line: /pointer: reason, exit 1; garbage bytes too."""
    _, envelope = make_run(tmp_path, capsys, "sh", "-c", "echo a")
    log = Path(envelope["logPaths"]["workerLogPath"])
    lines = log.read_bytes().splitlines()
    second = json.loads(lines[1])
    second["seq"] = 0
    lines[1] = json.dumps(second).encode()
    lines.append(b"\xff\xfe garbage")
    log.write_bytes(b"\n".join(lines) + b"\n")
    code, out, _ = baa(capsys, "validate", str(log))
    assert code == 1
    assert out.splitlines()[0] == f"{log}:2: /seq: 0 is less than the minimum of 1"
    assert out.splitlines()[1].startswith(f"{log}:{len(lines)}: /: not JSON: ")


def test_validate_a_mismatched_channel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A stderr chunk inside stdout.log is reported."""
    _, envelope = make_run(tmp_path, capsys, "sh", "-c", "echo a")
    stdout = Path(envelope["logPaths"]["stdoutLogPath"])
    entry = json.loads(stdout.read_text())
    entry["channel"] = "stderr"
    stdout.write_text(json.dumps(entry) + "\n")
    code, out, _ = baa(capsys, "validate", str(stdout))
    assert (code, out.strip()) == (1, f"{stdout}:1: /channel: 'stderr' in stdout.log")


def test_validate_with_an_explicit_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--schema names the schema of a file whose name says nothing."""
    doc = tmp_path / "envelope.json"
    doc.write_text(json.dumps({"ok": True}))
    code, out, _ = baa(capsys, "validate", "--schema", "step-execution-result", str(doc))
    assert code == 1
    assert f"{doc}: /blocked: required property is missing" in out.splitlines()


def test_validate_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown file name without --schema, or a missing file, exits 2 with the reason."""
    doc = tmp_path / "x.json"
    doc.write_text("{}")
    code, _, err = baa(capsys, "validate", str(doc))
    assert code == 2
    assert "cannot tell its schema from the name; pass --schema" in err
    code, _, err = baa(capsys, "validate", str(tmp_path / "missing.json"))
    assert (code, err.strip()) == (2, f"baa: error: {tmp_path / 'missing.json'}: no such file")


def test_schemas_list_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Non-Python consumers get every schema file exactly as shipped."""
    code, out, _ = baa(capsys, "schemas", "list", "--json")
    listing = json.loads(out)
    assert code == 0
    assert [s["name"] for s in listing] == list(schema_names())
    assert all(s["version"] == schema_version(s["name"]) for s in listing)
    code, _, _ = baa(capsys, "schemas", "export", str(tmp_path / "out"))
    assert code == 0
    for name in schema_names():
        assert (tmp_path / "out" / f"{name}.schema.json").read_text() == schema_text(name)


def test_show_json_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """show gives status, exit code, events and the last lines of output."""
    _, envelope = make_run(tmp_path, capsys, "sh", "-c", "seq 1 30; echo oops >&2; exit 2")
    run_dir = envelope["logPaths"]["runDir"]
    code, out, _ = baa(capsys, "show", "--json", "-n", "3", run_dir)
    view = json.loads(out)
    assert code == 0
    assert (view["status"], view["state"]["exitCode"], view["interrupted"]) == ("failed", 2, False)
    assert view["stdoutTail"] == ["28", "29", "30"]
    assert view["stderrTail"] == ["oops"]
    assert [e["type"] for e in view["events"]][-1] == "step_failed"
    code, out, _ = baa(capsys, "show", run_dir)
    assert code == 0
    assert out.startswith("T-1 / s / r1  failed\n")
    assert "last lines of stderr:" in out


def test_show_a_missing_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """show on a path that is no run says so in one line."""
    code, _, err = baa(capsys, "show", str(tmp_path))
    assert code == 2
    assert err.strip() == f"baa: error: {tmp_path} is not a run directory: meta.json is missing"


def test_list_runs_with_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """list shows every run under the runs root with its status and exit code."""
    make_run(tmp_path, capsys, "true", run="a")
    make_run(tmp_path, capsys, "false", run="b")
    code, out, _ = baa(capsys, "list", "--runs-dir", str(tmp_path / "runs"), "--json")
    rows = json.loads(out)
    assert code == 0
    assert [(r["runId"], r["status"], r["exitCode"]) for r in rows] == [
        ("a", "completed", 0),
        ("b", "failed", 1),
    ]


def test_tail_prints_output_and_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """tail writes the worker's output as it was and the events to stderr."""
    _, envelope = make_run(tmp_path, capsys, "sh", "-c", "echo one; echo two")
    code, out, err = baa(capsys, "tail", "--no-follow", envelope["logPaths"]["runDir"])
    assert (code, out) == (0, "one\ntwo\n")
    assert "step_completed: shell command exited with code 0" in err


def test_python_dash_m_works() -> None:
    """`python -m baa_conductor` is the same command."""
    done = subprocess.run([sys.executable, "-m", "baa_conductor", "schemas", "list", "--json"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert [s["name"] for s in json.loads(done.stdout)] == list(schema_names())


def test_tail_follows_a_live_run_to_its_end(tmp_path: Path) -> None:
    """tail started mid-run prints output as it comes and returns when the run ends."""
    baa_bin = str(Path(sys.executable).with_name("baa"))
    runner = subprocess.Popen(
        [baa_bin, "run", "--task", "T", "--step", "s", "--run", "live", "--runs-dir", str(tmp_path),
         "--", "sh", "-c", "for i in 1 2 3; do echo tick $i; sleep 0.3; done"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    run_dir = tmp_path / "T" / "live"
    for _ in range(100):
        if (run_dir / "state.json").exists():
            break
        time.sleep(0.05)
    follower = subprocess.run(
        [baa_bin, "tail", str(run_dir)], capture_output=True, text=True, timeout=30
    )
    runner.wait(timeout=30)
    assert follower.returncode == 0
    assert follower.stdout == "tick 1\ntick 2\ntick 3\n"
    assert "step_completed" in follower.stderr


#: What each command must not import (the slow or unrelated parts of the package and its deps).
HEAVY = ("pydantic", "rich", "jsonschema", "importlib.metadata", "baa_conductor.compat",
         "baa_conductor_contracts", "referencing", "baa_conductor.dispatch", "celery", "kombu",
         "billiard", "redis")  # fmt: skip


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--version"], ()),
        (["--help"], ()),
        (["run", "--help"], ()),
        (["run", "--quiet", "--runs-dir", "{dir}", "--task", "T", "--step", "s", "--", "true"], ()),
        (["validate", "{dir}/state.json"], ()),
        (["list", "--runs-dir", "{dir}"], ()),
        (["schemas", "list"], ()),
        (["compat", "--help"], ()),
        (["submit", "--help"], ()),
        (["worker", "--help"], ()),
        (["cancel", "--help"], ()),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_commands_import_only_what_they_need(
    tmp_path: Path, args: list[str], allowed: tuple[str, ...]
) -> None:
    """A command's start-up pays only for its own imports (no models, rich, jsonschema...)."""
    state = {"status": "completed", "attempt": 1, "startedAt": "2026-03-21T11:41:39.123Z",
             "updatedAt": "2026-03-21T11:41:39.123Z", "lastEventSeq": 1, "checkpointSeq": 0}  # fmt: skip
    (tmp_path / "state.json").write_text(json.dumps(state))
    argv = [a.format(dir=tmp_path) for a in args]
    probe = (
        "import sys\nfrom baa_conductor.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True)
    loaded = set(done.stderr.split())
    heavy = {m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY} - set(allowed)
    assert not heavy, f"baa {' '.join(args)} imported {sorted(heavy)}"
