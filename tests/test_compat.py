"""Schema compatibility: each kind of change classified, and the CI gate on versions."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from baa_conductor import cli
from baa_conductor.compat import compare, diff_schema

CASES = sorted((Path(__file__).parent / "compat" / "cases").glob("*.json"))
BASELINE = Path(__file__).parent / "compat" / "baseline"
SCHEMAS = Path(__file__).parent.parent / "schemas"


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_each_kind_of_change_is_classified(case: Path) -> None:
    """Every change in the corpus gets its kind and its backward / forward verdict."""
    data = json.loads(case.read_text())
    changes = list(diff_schema("s", data["old"], data["new"]))
    got = [
        {"kind": c.kind, "effect": c.effect, "backward": c.backward, "forward": c.forward}
        for c in changes
    ]
    assert got == data["expect"]


def test_modes_follow_backward_and_forward() -> None:
    """FULL fails on anything that either direction refuses; BACKWARD only on what readers refuse."""
    old = {"s": {"x-version": "1.0", "enum": ["a"]}}
    added = {"s": {"x-version": "1.1", "enum": ["a", "b"]}}
    assert compare(old, added, "BACKWARD").failures() == []
    assert compare(old, added, "FORWARD").failures() == [
        "s: breaks FORWARD without a MAJOR version bump (1.0 -> 1.1)"
    ]
    assert compare(old, added, "FULL").failures() == [
        "s: breaks FULL without a MAJOR version bump (1.0 -> 1.1)"
    ]


def test_breaking_change_needs_a_major_bump() -> None:
    """Tightening passes only with a new MAJOR x-version; any change needs some bump."""
    old = {"s": {"x-version": "1.0", "type": "object", "required": []}}
    tight = {"type": "object", "required": ["a"]}
    assert compare(old, {"s": {"x-version": "1.1", **tight}}).failures() == [
        "s: breaks BACKWARD without a MAJOR version bump (1.0 -> 1.1)"
    ]
    assert compare(old, {"s": {"x-version": "2.0", **tight}}).failures() == []
    loose = {"s": {"x-version": "1.0", "type": ["object", "null"], "required": []}}
    assert compare(old, loose).failures() == [
        "s: changed without a version bump (x-version still 1.0)"
    ]


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(args)
    return code, capsys.readouterr().out


def test_shipped_schemas_are_compatible_with_the_baseline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CI's gate: the schemas as they are pass against the committed baseline."""
    code, out = _run(["compat", "--against", str(BASELINE)], capsys)
    assert code == 0, out


def test_an_accidental_breaking_change_fails_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Making an optional field required without a MAJOR bump exits 1 and names the change."""
    changed = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, changed)
    path = changed / "run-state-snapshot.schema.json"
    schema: dict[str, Any] = json.loads(path.read_text())
    schema["required"].append("summary")
    path.write_text(json.dumps(schema))
    code, out = _run(
        ["compat", "--against", str(BASELINE), "--schemas", str(changed), "--json"], capsys
    )
    assert code == 1
    report = json.loads(out)
    assert report["failures"] == [
        "run-state-snapshot: breaks BACKWARD without a MAJOR version bump (1.0 -> 1.0)"
    ]
    [change] = [c for c in report["changes"] if c["schema"] == "run-state-snapshot"]
    assert change["pointer"] == "/required"
    assert change["kind"] == "property newly required"


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_against_a_git_ref(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--against accepts a git ref and reads the schemas as they were at that commit."""
    repo = tmp_path / "repo"
    target = repo / "schemas"
    shutil.copytree(SCHEMAS, target)
    git = ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    monkeypatch.chdir(repo)
    code, out = _run(["compat", "--against", "HEAD"], capsys)
    assert (code, out.strip().splitlines()[-1]) == (
        0,
        "0 change(s) against HEAD, mode BACKWARD: ok",
    )
