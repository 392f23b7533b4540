"""The npm package @baa-conductor/contracts as a command: verdicts, violations, usage errors, depth."""

from __future__ import annotations

import json

import typescript


def test_the_command_lists_every_violation_with_its_pointer() -> None:
    """With --errors each line is validate()'s result: every violation, with its JSON pointer."""
    line = json.dumps({"schema": "run-state-snapshot", "instance": {"status": "done"}})
    done = typescript.run(line + "\n", "--errors")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["valid"] is False
    assert {"pointer": "/status", "keyword": "enum",
            "message": 'must be equal to one of the allowed values: "prepared", "running", '
                       '"completed", "failed", "blocked", "cancelled"'} in result["errors"]  # fmt: skip
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
    """Nesting beyond 254 levels is invalid (the rule every validator applies), never a stack
    overflow, even 100,000 levels deep; 254 levels validate."""
    lines = "".join(
        f'{{"schema": "structured-value", "instance": {"[" * n + "]" * n}}}\n'
        for n in (100_000, 255, 254)
    )
    done = typescript.run(lines, "--errors")
    assert done.returncode == 0, done.stderr
    very_deep, too_deep, deepest = map(json.loads, done.stdout.splitlines())
    message = "nested deeper than 254 arrays and objects"
    for refused in (very_deep, too_deep):
        assert refused == {
            "valid": False,
            "errors": [{"pointer": "/0" * 254, "keyword": "i-json", "message": message}],
        }
    assert deepest == {"valid": True, "errors": []}
