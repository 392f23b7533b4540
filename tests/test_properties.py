"""Property tests: generated instances, random bytes and hostile ids, across the whole input space."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from pydantic import TypeAdapter
from test_generated import model_for

from baa_conductor import cli, validation
from baa_conductor._schemas import bundle, schema_names
from baa_conductor.cli.validate import problems_in
from baa_conductor.exceptions import ContractError, UnsafeRunPathError
from baa_conductor.paths import run_paths

SETTINGS = settings(
    max_examples=int(os.environ.get("BAA_PROPERTY_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
# hypothesis-jsonschema cannot generate recursive schemas: generate structured values two levels deep.
FLAT_VALUE = {
    "type": ["string", "integer", "number", "boolean", "null", "array", "object"],
    "items": {"type": ["string", "integer", "boolean", "null"]},
    "additionalProperties": {"type": ["string", "integer", "boolean", "null"]},
}
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def generation_schema(name: str) -> dict[str, Any]:
    schema = bundle(name)
    if name == "structured-value":
        return dict(FLAT_VALUE)
    if "structured-value" in schema.get("$defs", {}):
        schema["$defs"]["structured-value"] = FLAT_VALUE
    return schema


def verdicts(name: str, instance: Any) -> dict[str, bool]:
    return {b: validation.is_valid(name, instance, backend=b) for b in validation.BACKENDS}


@pytest.mark.parametrize("name", schema_names())
def test_backends_agree_on_generated_and_arbitrary_instances(name: str) -> None:
    """Instances made from each schema, and arbitrary JSON, get the same verdict from every backend."""

    @SETTINGS
    @given(st.one_of(from_schema(generation_schema(name)), JSON))
    def check(instance: Any) -> None:
        found = verdicts(name, instance)
        assert len(set(found.values())) == 1, (found, instance)

    check()


@pytest.mark.parametrize("name", schema_names())
def test_generated_valid_instances_round_trip_through_models(name: str) -> None:
    """Every instance the schema accepts loads into its generated model and dumps back unchanged."""
    adapter = TypeAdapter(model_for(name))

    @SETTINGS
    @given(from_schema(generation_schema(name)))
    def check(instance: Any) -> None:
        if not validation.is_valid(name, instance):
            return  # the generator knows no ECMA `$` nor calendars; those are covered above
        dumped = adapter.dump_python(
            adapter.validate_python(instance), mode="json", by_alias=True, exclude_unset=True
        )
        assert json.dumps(dumped, sort_keys=True) == json.dumps(instance, sort_keys=True)

    check()


@SETTINGS
@given(st.lists(st.binary(max_size=80), min_size=1, max_size=8))
def test_random_bytes_in_a_log_are_reported_by_line(
    tmp_path_factory: pytest.TempPathFactory, lines: list[bytes]
) -> None:
    """`baa validate` on a log of random bytes reports each bad line by number and never crashes."""
    log = tmp_path_factory.mktemp("log") / "stdout.log"
    clean = [line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines]
    log.write_bytes(b"\n".join(clean) + b"\n")
    problems = list(problems_in(log, "stream-chunk-log-entry", jsonl=True))
    assert all(p.startswith(f"{log}:") for p in problems)
    for number, line in enumerate(clean, start=1):
        try:
            json.loads(line)
        except ValueError:
            assert any(p.startswith(f"{log}:{number}: /: not JSON: ") for p in problems)
    assert cli.main(["validate", "-q", str(log)]) == (1 if problems else 0)


HOSTILE_PARTS = st.sampled_from(
    [
        "..",
        ".",
        "/",
        "\\",
        "\x00",
        "\n",
        "\t",
        " ",
        "~",
        "\uff0e",
        "\u2024",
        "\u2215",
        "\u29f8",
        "\u0430",
        "\u202e",
        "%2e",
        "$HOME",
        "a",
        "run",
        "-",
    ]
)
HOSTILE = st.one_of(
    st.lists(HOSTILE_PARTS, min_size=1, max_size=8).map("".join),
    st.text(min_size=129, max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
)


@SETTINGS
@given(task=HOSTILE, run=HOSTILE)
def test_hostile_ids_never_leave_the_runs_root(
    tmp_path_factory: pytest.TempPathFactory, task: str, run: str
) -> None:
    """Whatever the ids, a run path is refused with a clear error or lies one level below its task dir."""
    root = tmp_path_factory.mktemp("root")
    try:
        paths = run_paths(str(root), task, run, str(root / "runs"))
    except UnsafeRunPathError as error:
        assert str(error).startswith(("taskId ", "runId "))
        assert " is refused: " in str(error)
        return
    run_dir = Path(paths.run_dir)
    assert run_dir.parent.parent == root / "runs"
    assert run_dir.name == run
    assert run_dir.parent.name == task
    assert task not in ("", ".", "..")
    assert run not in ("", ".", "..")
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in task + run)


@SETTINGS
@given(field=st.sampled_from(["taskId", "stepId", "runId"]), value=HOSTILE)
def test_hostile_request_ids_are_refused_naming_the_field(
    tmp_path_factory: pytest.TempPathFactory, field: str, value: str
) -> None:
    """A request with a bad id is refused with its field named; a good one validates."""
    request = {"taskId": "t", "stepId": "s", "runId": "r", "attempt": 1, "stepName": "n", "stepKind": "shell",
               "workerKind": "shell", "timeoutSec": 1, "runtime": {"repoRoot": "/r", "worktreePath": "/r"}, field: value}  # fmt: skip
    try:
        validation.validate("step-execution-request", request)
    except ContractError as error:
        assert {v.pointer for v in error.violations} == {f"/{field}"}
    else:
        validation.validate("run-identifier", value)
