"""The `baa` command as a user runs it."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import make_request, output

from baa_conductor import cli
from baa_conductor._schemas import schema_names, schema_text, schema_version
from baa_conductor.readers import MAX_LINE_BYTES


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
    assert "/taskId: not a valid id: must start with an ASCII letter or digit" in err
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
    assert out.splitlines()[0] == f"{log}:2: /seq: must be at least 1"
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
        (["status", "--help"], ()),
        (["checkpoint", "--help"], ()),
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


def _baa_bin() -> str:
    return str(Path(sys.executable).with_name("baa"))


def test_run_exit_code_survives_a_closed_pipe(tmp_path: Path) -> None:
    """`baa run ... | head -c 10`: the reader goes away, the step's code is still ours, no traceback."""
    script = (f"{_baa_bin()} run --task T --step s --runs-dir {tmp_path} -- "
              "sh -c 'seq 1 200000; exit 7' | head -c 10; echo \" ${PIPESTATUS[0]}\"")  # fmt: skip
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout == "1\n2\n3\n4\n5\n 7\n"
    assert "Traceback" not in done.stderr
    assert "baa: live stdout stopped: Broken pipe; the run keeps all of it" in done.stderr
    run_dir = next((tmp_path / "T").iterdir())
    assert output(run_dir, "stdout").count(b"\n") == 200000


def test_run_exit_code_survives_a_full_device(tmp_path: Path) -> None:
    """`baa run ... > /dev/full`: no space for the output, the step's code is still ours."""
    with open("/dev/full", "wb") as full:
        done = subprocess.run([_baa_bin(), "run", "--task", "T", "--step", "s", "--runs-dir",
                               str(tmp_path), "--", "sh", "-c", "echo hello; exit 3"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert "live stdout stopped: No space left on device" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("baa: failed, exit 3, ")


def test_json_output_to_a_closed_pipe_keeps_the_code(tmp_path: Path) -> None:
    """--json into a reader that leaves after one byte: still the step's exit code, no traceback."""
    script = (f"{_baa_bin()} run --json --task T --step s --runs-dir {tmp_path} -- "
              "sh -c 'exit 4' | head -c 1 >/dev/null; echo ${PIPESTATUS[0]}")  # fmt: skip
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "4"
    assert "Traceback" not in done.stderr


def test_show_and_tail_find_runs_by_id_task_run_and_latest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """show/tail take a run id, TASK/RUN or `latest` under the runs root, as well as a directory."""
    make_run(tmp_path, capsys, "sh", "-c", "echo first", run="r-a")
    make_run(tmp_path, capsys, "sh", "-c", "echo second", run="r-b")
    root = ["--runs-dir", str(tmp_path / "runs")]
    for spec, expected in (("r-a", "first\n"), ("T-1/r-a", "first\n"), ("latest", "second\n")):
        code, out, _ = baa(capsys, "tail", "--no-follow", *root, spec)
        assert (code, out) == (0, expected), spec
    code, out, _ = baa(capsys, "show", *root, "latest")
    assert out.startswith("T-1 / s / r-b  completed\n")
    code, _, err = baa(capsys, "show", *root, "nope")
    assert (code, err.strip()) == (
        2,
        f"baa: error: nope: no run, run id or task id of that name under {tmp_path / 'runs'}, "
        "and no such run directory",
    )


def test_an_ambiguous_run_id_names_both_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same run id in two tasks: asked for by id alone, both are named."""
    make_run(tmp_path, capsys, "true", run="same")
    run_cli(capsys, tmp_path, "--json", "--", "true", task="T-2", run="same")
    code, _, err = baa(capsys, "show", "--runs-dir", str(tmp_path / "runs"), "same")
    assert (code, err) == (
        2,
        f"baa: error: 'same' is ambiguous under {tmp_path / 'runs'}: it names run T-1/same, "
        "run T-2/same (name a run as TASK/RUN, a task as TASK/)\n",
    )


def test_a_task_id_finds_its_newest_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """show, tail and list take a task id: show and tail its newest run, list all of its runs."""
    make_run(tmp_path, capsys, "sh", "-c", "echo first", run="r-a")
    make_run(tmp_path, capsys, "sh", "-c", "echo second", run="r-b")
    run_cli(capsys, tmp_path, "--json", "--", "sh", "-c", "echo other", task="T-2", run="r-c")
    root = ["--runs-dir", str(tmp_path / "runs")]
    for spec in ("T-1", "T-1/", str(tmp_path / "runs" / "T-1")):
        code, out, _ = baa(capsys, "tail", "--no-follow", *root, spec)
        assert (code, out) == (0, "second\n"), spec
        code, out, _ = baa(capsys, "show", *root, spec)
        assert out.startswith("T-1 / s / r-b  completed\n"), spec
    code, out, _ = baa(capsys, "list", *root, "T-1")
    assert [line.split()[1] for line in out.splitlines()[1:]] == ["r-a", "r-b"]
    code, out, _ = baa(capsys, "list", *root, "--task", "T-2")
    assert [line.split()[1] for line in out.splitlines()[1:]] == ["r-c"]


def test_a_name_that_is_a_task_and_a_run_lists_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A task named like a run of another task: the error names both, and TASK/ picks the task."""
    run_cli(capsys, tmp_path, "--json", "--", "sh", "-c", "echo in-task", task="X", run="r-a")
    run_cli(capsys, tmp_path, "--json", "--", "sh", "-c", "echo a-run", task="T-1", run="X")
    root = ["--runs-dir", str(tmp_path / "runs")]
    code, _, err = baa(capsys, "show", *root, "X")
    assert (code, err) == (
        2,
        f"baa: error: 'X' is ambiguous under {tmp_path / 'runs'}: it names task X/ (1 run), "
        "run T-1/X (name a run as TASK/RUN, a task as TASK/)\n",
    )
    assert baa(capsys, "tail", "--no-follow", *root, "X/")[1] == "in-task\n"
    assert baa(capsys, "tail", "--no-follow", *root, "T-1/X")[1] == "a-run\n"


def test_worker_text_is_text_not_markup_nor_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Brackets and slashes print as written; escape sequences are made visible unless --raw."""
    _, envelope = make_run(tmp_path, capsys, "sh", "-c",
                           "echo a/b | sed 's/[/]/_/g'; echo '[bold]x[/bold]'; printf '\\033[31mred\\033]0;t\\007\\n'")  # fmt: skip
    run_dir = envelope["logPaths"]["runDir"]
    code, out, _ = baa(capsys, "show", run_dir)
    assert code == 0
    assert out.endswith("last lines of stdout:\na_b\n[bold]x[/bold]\n^[[31mred^[]0;t^G\n")
    assert "\x1b" not in out
    code, out, _ = baa(capsys, "tail", "--no-follow", run_dir)
    assert out == "a_b\n[bold]x[/bold]\n^[[31mred^[]0;t^G\n"
    code, out, _ = baa(capsys, "tail", "--no-follow", "--raw", run_dir)
    assert out == "a_b\n[bold]x[/bold]\n\x1b[31mred\x1b]0;t\x07\n"


def test_tail_labels_stderr_and_stamps_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """stderr lines carry a label; --timestamps puts each chunk's time before each of its lines."""
    _, envelope = make_run(
        tmp_path, capsys, "sh", "-c", "echo out; echo e1 >&2; echo e2 >&2; exit 3"
    )
    run_dir = envelope["logPaths"]["runDir"]
    code, out, err = baa(capsys, "tail", "--no-follow", run_dir)
    assert (code, out) == (3, "out\n")
    assert "stderr| e1\nstderr| e2\n" in err
    code, out, err = baa(capsys, "tail", "--no-follow", "--timestamps", run_dir)
    chunk = json.loads(Path(run_dir, "stdout.log").read_text())
    assert out == f"{chunk['createdAt']} out\n"
    assert re.search(r"^\S+Z stderr\| e1\n\S+Z stderr\| e2$", err, re.MULTILINE)


def test_tail_exits_with_the_code_of_the_run_it_followed(tmp_path: Path) -> None:
    """`baa tail` of a live run returns once the run ends, with the run's exit code."""
    runner = subprocess.Popen(
        [_baa_bin(), "run", "--quiet", "--task", "T", "--step", "s", "--run", "live", "--runs-dir",
         str(tmp_path), "--", "sh", "-c", f"echo tick; until [ -e {tmp_path}/go ]; do sleep 0.05; done; exit 9"],
    )  # fmt: skip
    run_dir = tmp_path / "T" / "live"
    for _ in range(400):
        if (run_dir / "stdout.log").exists() and (run_dir / "stdout.log").stat().st_size:
            break
        time.sleep(0.05)
    follower = subprocess.Popen([_baa_bin(), "tail", "--runs-dir", str(tmp_path), "live"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert follower.stdout is not None
    assert follower.stdout.readline() == "tick\n"  # the run is still live here
    (tmp_path / "go").touch()
    _, err = follower.communicate(timeout=60)
    assert runner.wait(timeout=60) == 9
    assert follower.returncode == 9
    assert "step_failed" in err


def test_validate_reads_stdin_and_reports_json(tmp_path: Path) -> None:
    """`baa validate --schema S -` checks stdin; --output json is one report for programs."""
    bad = {"status": "running", "attempt": 0}
    done = subprocess.run([_baa_bin(), "validate", "--output", "json", "--schema",
                           "run-state-snapshot", "-"], input=json.dumps(bad), capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    report = json.loads(done.stdout)
    assert done.returncode == 1
    assert report["valid"] is False
    assert report["files"] == [
        {"file": "<stdin>", "schema": "run-state-snapshot", "jsonl": False, "valid": False}
    ]
    assert {"file": "<stdin>", "line": None, "pointer": "/attempt",
            "reason": "must be at least 1"} in report["violations"]  # fmt: skip
    done = subprocess.run([_baa_bin(), "validate", "-"], input="{}", capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("baa: error: stdin; pass --schema (one of: ")


def test_validate_reports_an_overlong_line_without_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A line longer than the readers' bound is reported, not held in memory; the next is checked."""
    log = tmp_path / "stdout.log"
    with log.open("wb") as handle:
        handle.write(b"x" * (MAX_LINE_BYTES + 10) + b"\n{}\n")
    code, out, _ = baa(capsys, "validate", str(log))
    assert code == 1
    assert out.splitlines()[0] == f"{log}:1: /: longer than {MAX_LINE_BYTES} bytes; not checked"
    assert out.splitlines()[1].startswith(f"{log}:2: /channel: required property is missing")


@pytest.mark.parametrize("command", cli.COMMANDS)
def test_every_command_has_help_with_examples(command: str) -> None:
    """Each command's --help says what it does and shows examples; each option has a help text."""
    import argparse

    parser = cli.parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    module = importlib.import_module(f"baa_conductor.cli.{command}")
    names = [name for name, p in sub.choices.items() if p.epilog and module.EXAMPLES in p.epilog]
    assert names, f"cli/{command}.py: no command shows its EXAMPLES"
    examples = [
        line for line in module.EXAMPLES.splitlines() if line.startswith("  ") and "baa " in line
    ]
    assert len(examples) >= 2, f"cli/{command}.py: fewer than two examples"
    for name in names:
        for action in sub.choices[name]._actions:
            if not isinstance(action, argparse._SubParsersAction):
                assert action.help, f"baa {name} {action.option_strings or action.dest}: no help"


def test_validate_reads_lines_across_its_read_blocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lines that straddle the reader's 1 MiB blocks are read whole and numbered right."""
    log = tmp_path / "stdout.log"
    entry = {"taskId": "T", "stepId": "s", "runId": "r", "seq": 1, "channel": "stdout",
             "createdAt": "2026-03-21T11:41:39.123Z", "text": "y" * 300_000}  # fmt: skip
    lines = []
    for seq in range(1, 11):
        entry["seq"] = seq
        lines.append(json.dumps(entry))
    lines[7] = lines[7].replace('"seq":8', '"seq":0').replace('"seq": 8', '"seq": 0')
    log.write_text("\n".join(lines))  # and no final newline
    code, out, _ = baa(capsys, "validate", str(log))
    assert (code, out) == (1, f"{log}:8: /seq: must be at least 1\n")


def test_a_command_builds_only_its_own_parser(tmp_path: Path) -> None:
    """`baa list` imports the list command's module, not the other commands' (start-up time)."""
    probe = ("import sys\nfrom baa_conductor.cli import main\n"
             f"main(['list', '--runs-dir', {str(tmp_path)!r}])\n"
             "print(' '.join(m for m in sys.modules if m.startswith('baa_conductor.cli.')))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "baa_conductor.cli.listing" in loaded
    assert not loaded & {
        "baa_conductor.cli.run",
        "baa_conductor.cli.validate",
        "baa_conductor.cli.show",
    }


def test_list_never_cuts_ids_or_times_when_piped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Long ids and full timestamps come through whole, one run per line, whatever the width."""
    long_run = "run-" + "x" * 100
    make_run(tmp_path, capsys, "true", run=long_run)
    code, out, _ = baa(capsys, "list", "--runs-dir", str(tmp_path / "runs"))
    header, row = out.splitlines()
    started = json.loads((tmp_path / "runs" / "T-1" / long_run / "state.json").read_text())[
        "startedAt"
    ]
    assert code == 0
    assert header.split() == ["task", "run", "step", "kind", "status", "started", "exit"]
    assert row.split() == ["T-1", long_run, "s", "shell", "completed", started, "0"]


def test_show_fits_80_columns_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """At 80 columns the view fits, long messages wrapped under their event (a path is never cut,
    and the worker's own lines are shown as written, as the terminal wraps them)."""
    from baa_conductor.cli._runview import RunView
    from baa_conductor.cli.show import render

    _, envelope = make_run(tmp_path, capsys, "sh", "-c", "echo " + "word " * 40 + "; exit 1")
    text = render(RunView(envelope["logPaths"]["runDir"]), 10, False, 80)
    view = text.split("\nlast lines of stdout:")[0].splitlines()
    assert all(len(line) <= 80 for line in view if not line.startswith("run directory: ")), text
    assert "summary: shell command exited with code 1" in view
    assert "step_failed (error)" in text


def test_validating_one_document_loads_neither_orjson_nor_dataclasses(tmp_path: Path) -> None:
    """The standard library's json reads one document; orjson (and the dataclasses, inspect and
    uuid it imports) would cost a third of `baa validate state.json`'s start-up."""
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"status": "completed", "attempt": 1, "lastEventSeq": 1,
                                 "startedAt": "2026-03-21T11:41:39.123Z", "checkpointSeq": 0,
                                 "updatedAt": "2026-03-21T11:41:39.123Z"}))  # fmt: skip
    probe = (
        "import sys\nfrom baa_conductor.cli import main\ncode = main(sys.argv[1:])\n"
        "print(code, 'orjson' in sys.modules, 'dataclasses' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, "validate", str(state)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.stderr.splitlines()[-1] == "0 False False"


def test_list_orders_runs_by_start_time_then_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`baa list`: by start time; runs started in the same millisecond by task, then run id."""
    make_run(tmp_path, capsys, "true", run="b-second")
    make_run(tmp_path, capsys, "true", run="a-third")
    make_run(tmp_path, capsys, "true", run="c-first")
    runs = tmp_path / "runs" / "T-1"
    starts = {"c-first": "2026-01-01T00:00:00.000Z", "a-third": "2026-01-01T00:00:01.000Z",
              "b-second": "2026-01-01T00:00:00.000Z"}  # fmt: skip
    for run_id, started in starts.items():
        state = json.loads((runs / run_id / "state.json").read_text())
        state["startedAt"] = started
        (runs / run_id / "state.json").write_text(json.dumps(state))
    code, out, _ = baa(capsys, "list", "--runs-dir", str(tmp_path / "runs"), "--json")
    assert code == 0
    assert [r["runId"] for r in json.loads(out)] == ["b-second", "c-first", "a-third"]


def test_list_of_a_runs_dir_that_does_not_exist_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`baa list --runs-dir /nonexistent` says so in one line and exits non-zero."""
    code, out, err = baa(capsys, "list", "--runs-dir", str(tmp_path / "nope"))
    assert (code, out) == (2, "")
    assert err == f"baa: error: --runs-dir {tmp_path / 'nope'}: no such directory\n"


def test_subcommand_help_wraps_at_the_terminal_width() -> None:
    """`baa list --help` fills a wide terminal instead of cutting at 70 columns."""
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "baa_conductor", "list", "--help"],
                          capture_output=True, text=True, check=True, env=env)  # fmt: skip
    description = done.stdout.split("\n\n")[1]
    assert len(description.splitlines()[0]) > 150
    assert max(len(line) for line in done.stdout.splitlines()) <= 198


BAA = str(Path(sys.executable).with_name("baa"))


def test_tail_waits_for_a_run_of_a_task_that_starts_after_it(tmp_path: Path) -> None:
    """`baa tail --wait TASK` before the task has any run: it says it waits, then follows the run
    that starts and exits with its exit code."""
    import select

    root = str(tmp_path / "runs")
    tail = subprocess.Popen([BAA, "tail", "--wait", "--runs-dir", root, "T-9"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert tail.stderr is not None
    ready = select.select([tail.stderr], [], [], 60)[0]
    assert ready, "baa tail said nothing"
    assert tail.stderr.readline().decode() == (
        f"baa: waiting for a run of task T-9 to start under {root} (Ctrl-C to stop)\n"
    )
    ran = subprocess.run([BAA, "run", "--task", "T-9", "--step", "s", "--runs-dir", root, "-q",
                          "-c", "echo from the run; exit 3"], capture_output=True, timeout=60)  # fmt: skip
    assert ran.returncode == 3
    out, _ = tail.communicate(timeout=60)
    assert (tail.returncode, out) == (3, b"from the run\n")


def test_an_interrupted_run_names_its_next_attempt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """show and list of a run whose runner died name the attempt that ran the step again, or say
    there is none yet."""
    from baa_conductor.runner import prepare_step_run

    for run_id in ("r", "other"):
        request = make_request(tmp_path, run_id, taskId="T-1", stepId="s" if run_id == "r" else "o")
        dead = prepare_step_run(request)
        dead.update_state(status="running")
        dead.close()  # what a killed runner leaves: state running, lock gone
    root = ["--runs-dir", str(tmp_path / "runs")]
    code, out, _ = baa(capsys, "show", *root, "T-1/r")
    assert "\nnext attempt: none yet\n" in out
    run_cli(capsys, tmp_path, "-q", "--attempt", "2", "--", "true", run="r.attempt-2")
    code, out, _ = baa(capsys, "show", *root, "T-1/r")
    assert out.startswith("T-1 / s / r  interrupted\n")
    assert "\nnext attempt: r.attempt-2  completed\n" in out
    code, out, _ = baa(capsys, "show", "--json", *root, "T-1/r")
    assert json.loads(out)["nextAttempt"] == str(tmp_path / "runs" / "T-1" / "r.attempt-2")
    code, out, _ = baa(capsys, "list", "--json", *root)
    assert code == 0
    assert {r["runId"]: r.get("nextAttempt") for r in json.loads(out)} == {
        "r": "r.attempt-2",
        "other": None,
        "r.attempt-2": None,
    }
    _, out, _ = baa(capsys, "list", *root)
    assert "  interrupted (next: r.attempt-2)  " in out


def test_a_plain_run_checkpoints_in_a_work_tree_and_not_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`baa run` without --checkpoint: git_diff in a git work tree, disabled outside one; nothing
    says "reserved" or "T-006" unless that mode is asked for, and then the seed's event is kept."""
    import gitrepo

    repo = gitrepo.init(tmp_path / "repo", {"a.txt": b"a\n"})
    plain = tmp_path / "plain"
    plain.mkdir()

    def run(worktree: Path, *options: str) -> dict[str, Any]:
        code, out, _ = run_cli(capsys, tmp_path, "--json", "--worktree", str(worktree), *options,
                               "--", "sh", "-c", "echo b > b.txt")  # fmt: skip
        assert code == 0, out
        envelope: dict[str, Any] = json.loads(out)
        return envelope

    in_tree, outside = run(repo), run(plain)
    assert (in_tree["checkpoint"]["mode"], in_tree["metrics"]["checkpointCount"]) == ("git_diff", 1)
    assert outside["checkpoint"]["mode"] == "disabled"
    for envelope in (in_tree, outside):
        said = " ".join(e["message"] for e in envelope["lifecycleEvents"])
        assert "T-006" not in said
        assert "reserved" not in said
    seed = run(plain, "--checkpoint", "reserved_for_t006")
    assert seed["checkpoint"]["mode"] == "reserved_for_t006"
    assert [
        e["message"] for e in seed["lifecycleEvents"] if e["type"] == "checkpoint_slot_reserved"
    ] == ["Reserved checkpoint sequence 1 for future T-006 integration."]


def test_status_of_local_runs_needs_no_broker(tmp_path: Path) -> None:
    """`baa status TASK` after `baa run`: running on this machine (host:pid), then finished with
    its outcome; a runner that died: interrupted; a name that finds nothing: exit 2. No broker
    is configured, and the dispatch extra is not imported."""
    env = {k: v for k, v in os.environ.items() if k != "BAA_BROKER_URL"}
    runs = str(tmp_path / "runs")
    gate = tmp_path / "gate"
    os.mkfifo(gate)

    def status(*args: str) -> subprocess.CompletedProcess[str]:
        probe = ("import sys\nfrom baa_conductor.cli import main\ncode = main(sys.argv[1:])\n"
                 "assert 'baa_conductor.dispatch' not in sys.modules\nsys.exit(code)\n")  # fmt: skip
        return subprocess.run([sys.executable, "-c", probe, "status", "--runs-dir", runs, *args],
                              capture_output=True, text=True, env=env, timeout=60)  # fmt: skip

    runner = subprocess.Popen(
        [_baa_bin(), "run", "--task", "T-1", "--step", "s", "--run", "r1", "--runs-dir", runs,
         "--", "sh", "-c", f"echo started; read line < {gate}"],
        stdout=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert runner.stdout is not None
    assert runner.stdout.readline() == b"started\n"
    running = status("T-1")
    assert running.returncode == 0, running.stderr
    assert running.stdout.splitlines() == [
        f"T-1/r1: running on {os.uname().nodename}:{runner.pid}",
        f"  run directory {tmp_path / 'runs' / 'T-1' / 'r1'}",
    ]
    gate.write_text("go\n")
    assert runner.wait(timeout=60) == 0
    runner.stdout.close()
    done = json.loads(status("T-1", "--json").stdout)
    assert {k: done[k] for k in ("taskId", "runId", "status", "outcome", "exitCode", "worker")} == {
        "taskId": "T-1", "runId": "r1", "status": "finished", "outcome": "completed",
        "exitCode": 0, "worker": f"{os.uname().nodename}:{runner.pid}",
    }  # fmt: skip

    killed = subprocess.Popen(
        [_baa_bin(), "run", "--task", "T-2", "--step", "s", "--run", "r1", "--runs-dir", runs,
         "--", "sh", "-c", f"echo started; read line < {gate}"],
        stdout=subprocess.PIPE, env=env, start_new_session=True,
    )  # fmt: skip
    assert killed.stdout is not None
    assert killed.stdout.readline() == b"started\n"
    os.killpg(killed.pid, 9)
    killed.wait(timeout=60)
    killed.stdout.close()
    assert status("T-2/r1").stdout.splitlines()[0] == (
        "T-2/r1: interrupted: its runner died before the run ended"
    )

    unknown = status("T-3")
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("baa: error: T-3: no run, run id or task id of that name")
