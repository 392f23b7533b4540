"""1. One realistic envelope through every validator; 2. a large JSONL log against a plain loop."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema_rs
import orjson
from jsonschema import Draft202012Validator

from baa_conductor import envelope_dict, run_step
from baa_conductor._formats import FORMATS
from baa_conductor._reference import reference_validator
from baa_conductor._schemas import bundle, load_schema, registry
from baa_conductor.cli.validate import problems_in
from baa_conductor.executors import ShellExecutor
from baa_conductor.validation import HOT_PATH, validate
from baa_conductor_contracts.step_execution_result_schema import StepExecutionResult

from ._timing import alternated


def realistic_envelope(workdir: Path) -> dict[str, Any]:
    """A real shell run's envelope, widened to 24 lifecycle events, 40 output chunks, 9 artifacts."""
    request = {
        "taskId": "T-bench", "stepId": "build", "runId": "run-1", "attempt": 1, "stepName": "build",
        "stepKind": "shell", "workerKind": "shell", "timeoutSec": 60,
        "runtime": {"repoRoot": str(workdir), "worktreePath": str(workdir), "runsRootDir": str(workdir / "runs")},
        "command": "for i in $(seq 1 20); do echo line $i; echo warn $i >&2; sleep 0.01; done",
    }  # fmt: skip
    envelope = envelope_dict(run_step(request, ShellExecutor()))
    events = envelope["lifecycleEvents"]
    while len(events) < 24:
        extra = copy.deepcopy(events[len(events) % 3])
        extra["seq"] = envelope["logSession"]["nextSeq"]
        extra["eventId"] = f"run-1:event:{extra['seq']:04d}"
        envelope["logSession"]["nextSeq"] += 1
        events.append(extra)
    envelope["logSession"]["worker"]["entries"] = copy.deepcopy(events)
    envelope["artifacts"] += [{"name": f"out-{i}.txt", "kind": "artifact", "path": f"/tmp/out-{i}.txt",
                               "description": "output"} for i in range(2)]  # fmt: skip
    validate("step-execution-result", envelope)
    return envelope


def bench_envelope(workdir: Path) -> dict[str, Any]:
    envelope = realistic_envelope(workdir)
    name = "step-execution-result"
    plain = Draft202012Validator(load_schema(name), registry=registry(),
                                 format_checker=Draft202012Validator.FORMAT_CHECKER)  # fmt: skip
    fast = fastjsonschema.compile(bundle(name), formats=dict(FORMATS), use_default=False)
    rs = jsonschema_rs.validator_for(bundle(name), validate_formats=False)
    candidates = {
        f"ours: validate() ({HOT_PATH})": lambda: validate(name, envelope),
        "jsonschema (Draft 2020-12, formats)": lambda: plain.validate(envelope),
        "jsonschema, our reference validator": lambda: reference_validator(name).validate(envelope),
        "pydantic model_validate": lambda: StepExecutionResult.model_validate(envelope),
        "fastjsonschema (bundled)": lambda: fast(envelope),
        "jsonschema-rs (bundled, formats)": lambda: rs.validate(envelope),
    }
    times = alternated(candidates)
    ours = times[f"ours: validate() ({HOT_PATH})"]
    return {
        "envelope": {
            "bytes": len(json.dumps(envelope)),
            "lifecycleEvents": len(envelope["lifecycleEvents"]),
            "stdoutChunks": len(envelope["logSession"]["stdout"]["entries"]),
            "artifacts": len(envelope["artifacts"]),
        },
        "microseconds": {k: round(v * 1e6, 1) for k, v in times.items()},
        "speedup_vs_jsonschema": round(times["jsonschema (Draft 2020-12, formats)"] / ours, 1),
        "speedup_vs_pydantic": round(times["pydantic model_validate"] / ours, 2),
        "targets": {"vs_jsonschema": 100, "vs_pydantic": 3},
    }


def bench_log(workdir: Path, lines: int) -> dict[str, Any]:
    """`baa validate` of a stdout.log against a plain loop: orjson.loads + compiled jsonschema-rs."""
    path = workdir / "stdout.log"
    entry = {"taskId": "T-bench", "stepId": "build", "runId": "run-1", "seq": 1, "channel": "stdout",
             "createdAt": "2026-03-21T11:41:39.123Z", "text": "compiling module 42 of 100: ok\n"}  # fmt: skip
    with path.open("w") as out:
        for seq in range(1, lines + 1):
            entry["seq"] = seq
            out.write(json.dumps(entry, separators=(",", ":")) + "\n")
    schema = "stream-chunk-log-entry"
    plain = jsonschema_rs.validator_for(bundle(schema), validate_formats=False)

    def baseline() -> None:
        with path.open("rb") as handle:
            for raw in handle:
                assert plain.is_valid(orjson.loads(raw))

    def ours() -> None:
        assert not any(problems_in(path, schema, jsonl=True))

    times = alternated({"ours": ours, "baseline": baseline}, rounds=5, min_time=0)
    return {
        "lines": lines,
        "ours_lines_per_s": round(lines / times["ours"]),
        "baseline_lines_per_s": round(lines / times["baseline"]),
        "ratio_vs_baseline": round(times["baseline"] / times["ours"], 2),
        "target_ratio": 0.9,
    }


def run(quick: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        return {
            "envelope": bench_envelope(Path(tmp)),
            "log": bench_log(Path(tmp), 100_000 if quick else 1_000_000),
        }
