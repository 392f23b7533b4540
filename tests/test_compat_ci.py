"""The GitHub Actions snippet in the README, run as a pull request would run it: its ``run:``
commands (all but the install: this test runs the installed ``baa``) in a scratch repository
whose head changes a schema, with the variables GitHub sets."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).parent.parent / "README.md"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def _workflow() -> str:
    text = README.read_text("utf-8")
    blocks: list[str] = re.findall(r"^```yaml\n(.*?)^```$", text, re.S | re.M)
    [block] = [b for b in blocks if "jobs:" in b]
    return block


def _commands() -> list[str]:
    runs = re.findall(r"^\s*- run: (.*)$", _workflow(), re.M)
    return [r for r in runs if not r.startswith("pip install")]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t", *args],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip


def _user(version: str, **name: Any) -> str:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "x-version": version,
        "type": "object",
        "properties": {"name": {"type": "string", **name}},
    }
    return json.dumps(schema, indent=2) + "\n"


@pytest.mark.parametrize(("change", "code"), [("1.1", 0), ("1.0", 1)])
def test_the_workflow_commands_run(tmp_path: Path, change: str, code: int) -> None:
    """A loosened schema with its MINOR bump passes; tightened without one, the job fails with
    an annotation; the job summary gets the contract changelog either way."""
    repo = tmp_path / "repo"
    (repo / "schemas").mkdir(parents=True)
    _git(repo, "init", "-q")
    (repo / "schemas" / "user.schema.json").write_text(_user("1.0"))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    base = _git(repo, "rev-parse", "HEAD")
    loosened = _user(change, minLength=0) if change == "1.1" else _user(change, maxLength=3)
    (repo / "schemas" / "user.schema.json").write_text(loosened)
    _git(repo, "commit", "-qam", "head")
    summary = tmp_path / "summary.md"
    env = {
        **os.environ,
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    results = []
    for command in _commands():
        script = command.replace("${{ github.event.pull_request.base.sha }}", base)
        assert "${{" not in script, script
        results.append(
            subprocess.run(
                ["bash", "-c", script],
                cwd=repo,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        )
    assert [r.returncode for r in results] == [0, code], [r.stderr for r in results]
    assert summary.read_text().startswith(f"# Contract changes against {base}\n")
    annotations = [line for line in results[1].stdout.splitlines() if line.startswith("::")]
    if code:
        assert len(annotations) == 1
        assert annotations[0].startswith(
            "::error file=schemas/user.schema.json,line=8,title=baa compat FULL%3A maxLength added::"
        )
    else:
        assert annotations == []
