"""6. `baa` start-up and `baa list` against plain Python; 7. memory of the readers on huge logs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

from ._timing import interleaved

BIN = Path(sys.executable).parent
BAA = str(BIN / "baa")
# Bytecode caching as users have it (a checkout's dev shell may turn it off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

PLAIN_LIST = """
import os, sys, orjson
root = sys.argv[1]
for task in sorted(os.listdir(root)):
    for run in sorted(os.listdir(os.path.join(root, task))):
        with open(os.path.join(root, task, run, "state.json"), "rb") as handle:
            state = orjson.loads(handle.read())
        print(task, run, state["status"], state["startedAt"], state.get("exitCode"))
"""


def _cmd(argv: list[str], **env: str) -> Any:
    def call() -> None:
        subprocess.run(
            argv, env={**ENV, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            check=False,
        )  # fmt: skip

    return call


def _make_run(runs: Path, run_id: str, *cmd: str) -> Path:
    subprocess.run([BAA, "run", "--quiet", "--task", "T", "--step", "s", "--run", run_id,
                    "--runs-dir", str(runs), "--repo-root", str(runs.parent), "--", *cmd],
                   env=ENV, check=True,
                   stderr=subprocess.DEVNULL)  # fmt: skip
    return runs / "T" / run_id


#: What any Python program pays to check one state.json: the validator's import, the bundled
#: schema compiled, the file parsed and checked (the floor under `baa validate state.json`).
PLAIN_VALIDATE = """
import json, sys, jsonschema_rs
schema = json.loads(sys.argv[1])
with open(sys.argv[2], "rb") as handle:
    document = json.loads(handle.read())
sys.exit(0 if jsonschema_rs.validator_for(schema, validate_formats=False).is_valid(document) else 1)
"""


#: The least a persisted, validated `true` step costs any Python program: the seven schemas
#: compiled, meta.json and state.json written and fsynced into a new directory, the worker
#: started, seven log lines, the terminal state and the log fsynced (the floor under `baa run`).
PLAIN_RUN = """
import json, os, subprocess, sys, jsonschema_rs
bundles, envelope = json.loads(sys.argv[1]), json.loads(sys.argv[2])
checks = {n: jsonschema_rs.validator_for(b, validate_formats=False).is_valid
          for n, b in bundles.items()}
meta, state, event = envelope["metadata"], envelope["state"], envelope["lifecycleEvents"][0]
line = {k: v for k, v in event.items() if k not in ("channel", "renderedLine")}
assert checks["run-metadata"](meta) and checks["run-state-snapshot"](state)
run_dir = os.path.join(sys.argv[3], os.urandom(8).hex())
os.makedirs(run_dir)
dir_fd = os.open(run_dir, os.O_RDONLY | os.O_DIRECTORY)
def write(name, value):
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=dir_fd)
    os.write(fd, json.dumps(value).encode())
    os.fsync(fd)
    os.close(fd)
write("meta.json", meta)
write("state.json", state)
os.fsync(dir_fd)
log = os.open("worker.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644, dir_fd=dir_fd)
for _ in range(7):
    assert checks["worker-log-line"](line)
    os.write(log, json.dumps(line).encode() + b"\\n")
subprocess.run(["true"], check=True)
os.fsync(log)
write(".state.json.tmp", state)
os.replace(".state.json.tmp", "state.json", src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
os.fsync(dir_fd)
assert checks["step-execution-result"](envelope)
"""
RUN_SCHEMAS = ("step-execution-request", "run-identifier", "run-metadata", "run-state-snapshot",
               "worker-log-line", "worker-execution-outcome", "step-execution-result")  # fmt: skip


def bench_startup(workdir: Path, runs: int) -> dict[str, Any]:
    from baa_conductor._schemas import bundle

    state = _make_run(workdir / "runs", "one", "true") / "state.json"
    python = sys.executable
    schema = orjson.dumps(bundle("run-state-snapshot")).decode()
    # --repo-root: outside any git work tree, so a plain run takes no checkpoint, as before.
    envelope = subprocess.run([BAA, "run", "--json", "--task", "T", "--step", "s", "--runs-dir",
                               str(workdir / "runs"), "--repo-root", str(workdir), "--", "true"],
                              env=ENV, check=True,
                              capture_output=True, text=True).stdout  # fmt: skip
    bundles = orjson.dumps({name: bundle(name) for name in RUN_SCHEMAS}).decode()
    plain_run = [python, "-c", PLAIN_RUN, bundles, envelope, str(workdir / "plain")]
    (workdir / "plain").mkdir()
    run_true = [BAA, "run", "--quiet", "--task", "T", "--step", "s", "--runs-dir",
                str(workdir / "scratch"), "--repo-root", str(workdir), "--", "true"]  # fmt: skip
    commands = {
        "python -c pass": [python, "-c", "pass"],
        "baa --version": [BAA, "--version"],
        "baa validate state.json": [BAA, "validate", str(state)],
        "baa run --quiet -- true": run_true,
        # the same without a cgroup per run (the subreaper contains it): see below
        "baa run --quiet -- true, BAA_CGROUP=0": run_true,
        # references: what the dependencies cost before our code runs at all
        "python -c 'import jsonschema_rs'": [python, "-c", "import jsonschema_rs"],
        "python -c 'import orjson, jsonschema_rs'": [python, "-c", "import orjson, jsonschema_rs"],
        "plain script: jsonschema-rs checks state.json": [python, "-c", PLAIN_VALIDATE, schema,
                                                          str(state)],
        "plain script: a persisted, validated `true` step": plain_run,
    }  # fmt: skip
    calls = [_cmd(a, **({"BAA_CGROUP": "0"} if "BAA_CGROUP=0" in k else {}))
             for k, a in commands.items()]  # fmt: skip
    for call in calls:  # warm up: bytecode written, files in the page cache
        call()
    for name in ("plain script: jsonschema-rs checks state.json",
                 "plain script: a persisted, validated `true` step"):  # fmt: skip
        subprocess.run(commands[name], env=ENV, check=True)  # a reference that fails times nothing
    times = dict(zip(commands, interleaved(calls, runs), strict=True))
    base = times["python -c pass"]
    targets = {"baa --version": 2, "baa validate state.json": 4, "baa run --quiet -- true": 4}
    return {
        "runs": runs,
        "ms": {k: round(v * 1e3, 1) for k, v in times.items()},
        "ratio": {k: round(times[k] / base, 2) for k in commands if k != "python -c pass"},
        "target_ratio": targets,
    }


def bench_list(workdir: Path, count: int, runs: int) -> dict[str, Any]:
    root = workdir / "many"
    template = _make_run(workdir / "template", "r", "true")
    meta = orjson.loads((template / "meta.json").read_bytes())
    state = (template / "state.json").read_bytes()
    for i in range(count):
        run_dir = root / f"T-{i % 10}" / f"r{i:05d}"
        run_dir.mkdir(parents=True)
        meta.update(taskId=f"T-{i % 10}", runId=f"r{i:05d}")
        (run_dir / "meta.json").write_bytes(orjson.dumps(meta) + b"\n")
        (run_dir / "state.json").write_bytes(state)
    plain = _cmd([sys.executable, "-c", PLAIN_LIST, str(root)])
    ours = _cmd([BAA, "list", "--runs-dir", str(root)])
    ours(), plain()
    ours_s, plain_s = interleaved([ours, plain], runs)
    return {
        "runs_listed": count,
        "ours_ms": round(ours_s * 1e3, 1),
        "plain_orjson_ms": round(plain_s * 1e3, 1),
        "ratio": round(ours_s / plain_s, 2),
        "target_ratio": 2,
    }


PEAK = (
    "import resource, subprocess, sys; "
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _peak_mb(argv: list[str]) -> tuple[int, float]:
    """Exit code and peak RSS (MB) of a command, measured from a fresh parent."""
    done = subprocess.run([sys.executable, "-c", PEAK, *argv], env=ENV, capture_output=True,
                          text=True, check=True)  # fmt: skip
    code, kb = done.stdout.split()
    return int(code), round(int(kb) / 1024, 1)


def _big_log(run_dir: Path, size: int, one_line: bool) -> None:
    """Replace a run's stdout.log with ``size`` bytes of output: 256 KiB chunks, or one line."""
    entry: dict[str, Any] = {"taskId": "T", "stepId": "s", "runId": run_dir.name, "seq": 100,
                             "channel": "stdout", "createdAt": "2026-03-21T11:41:39.123Z"}  # fmt: skip
    with (run_dir / "stdout.log").open("wb") as out:
        if one_line:  # not something the runner writes: a file that is one enormous line
            head = orjson.dumps({**entry, "text": ""})[:-2]
            out.write(head + b'"')
            block = b"x" * (1 << 20)
            for _ in range(size >> 20):
                out.write(block)
            out.write(b'"}\n')
            return
        text = ("build output line\n" * 15420)[: 1 << 18]
        for i in range(size >> 18):
            entry["seq"] = 100 + i
            entry["text"] = text
            out.write(orjson.dumps(entry) + b"\n")


def bench_memory(workdir: Path, size: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for label, one_line in (("chunked log", False), ("single line", True)):
        run_dir = _make_run(workdir / "mem", f"m{int(one_line)}", "sh", "-c", "echo hi")
        _big_log(run_dir, size, one_line)
        results[label] = {
            "file_mb": round((run_dir / "stdout.log").stat().st_size / 1e6),
            **{
                name: _peak_mb([BAA, *argv, str(run_dir)])[1]
                for name, argv in (
                    ("tail --no-follow", ["tail", "--no-follow"]),
                    ("show", ["show"]),
                    ("validate", ["validate"]),
                )
            },
        }
        shutil.rmtree(run_dir)
    return {"logs": results, "target_mb": 64}


def run(quick: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        return {
            "startup": bench_startup(workdir, 20 if quick else 40),
            "list": bench_list(workdir, 1000, 10 if quick else 20),
            "memory": bench_memory(workdir, (100 if quick else 1000) << 20),
        }
