"""The npm package @baa-conductor/contracts gives each shared fixture the verdict its folder states."""

from __future__ import annotations

import json

import typescript
from conftest import INVALID, VALID


def test_every_fixture_gets_its_verdict_from_the_typescript_package() -> None:
    """Valid fixtures pass and invalid ones fail in TypeScript too (ajv standalone, strict, formats)."""
    params = VALID + INVALID
    cases = [(p.values[0], p.values[1]) for p in VALID]
    cases += [(p.values[0], p.values[1]["instance"]) for p in INVALID]
    expected = [True] * len(VALID) + [False] * len(INVALID)
    got = typescript.verdicts(cases)
    assert len(got) == len(params)
    wrong = [p.id for p, want, have in zip(params, expected, got, strict=True) if want != have]
    assert wrong == []


def test_the_command_lists_every_violation_with_its_pointer() -> None:
    """With --errors each line is validate()'s result: every violation, with its JSON pointer."""
    line = json.dumps({"schema": "run-state-snapshot", "instance": {"status": "done"}})
    done = typescript.run(line + "\n", "--errors")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["valid"] is False
    assert {"pointer": "/status", "keyword": "enum",
            "message": 'must be equal to one of the allowed values: "prepared", "running", '
                       '"completed", "failed", "blocked"'} in result["errors"]  # fmt: skip
    assert {e["pointer"] for e in result["errors"]} == {"", "/status"}


def test_the_command_refuses_a_line_it_cannot_read() -> None:
    """An unknown schema or a line that is not JSON is a usage error naming the line: exit 2."""
    good = json.dumps({"schema": "run-identifier", "instance": "run-1"})
    done = typescript.run(f'{good}\n{{"schema": "nope", "instance": 1}}\n')
    assert (done.returncode, done.stdout) == (2, "true\n")
    assert done.stderr.startswith('baa-contracts-validate: line 2: schema "nope" is not one of: ')
    done = typescript.run(f"{good}\nNaN\n")
    assert done.returncode == 2
    assert done.stderr.startswith("baa-contracts-validate: line 2: not JSON")


def test_depth_is_refused_not_a_crash() -> None:
    """A document deeper than JavaScript's stack allows is invalid with keyword `depth`; 1,000 is fine."""
    deep = "[" * 100_000 + "]" * 100_000
    lines = f'{{"schema": "structured-value", "instance": {deep}}}\n'
    lines += f'{{"schema": "structured-value", "instance": {"[" * 1000 + "]" * 1000}}}\n'
    done = typescript.run(lines, "--errors")
    assert done.returncode == 0, done.stderr
    refused, accepted = map(json.loads, done.stdout.splitlines())
    assert refused == {
        "valid": False,
        "errors": [
            {"pointer": "", "keyword": "depth", "message": "is nested too deeply to validate"}
        ],
    }
    assert accepted == {"valid": True, "errors": []}
