"""The baa-compat pre-commit hook (.pre-commit-hooks.yaml), run by the real pre-commit
(``pre-commit try-repo``) in a scratch repository: a compatible change passes, a breaking one
is blocked. pre-commit installs this project into its own environment from the package
registries; nothing else is fetched."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parent.parent
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not PRE_COMMIT.exists(), reason="needs git and pre-commit"
)


def _user(version: str, **name: Any) -> str:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "x-version": version,
        "type": "object",
        "properties": {"name": {"type": "string", **name}},
        "additionalProperties": False,
    }
    return json.dumps(schema, indent=2) + "\n"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t", *args],
        check=True,
        capture_output=True,
    )


def test_the_hook_blocks_a_breaking_commit(tmp_path: Path) -> None:
    """try-repo with the schema staged: a new optional property with a MINOR bump passes; a
    maxLength added without a MAJOR bump fails and says which bump it needs."""
    repo = tmp_path / "project"
    (repo / "schemas").mkdir(parents=True)
    _git(repo, "init", "-q")
    (repo / "schemas" / "user.schema.json").write_text(_user("1.0"))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "v1")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    env.pop("GITHUB_ACTIONS", None)

    def hook() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PRE_COMMIT), "try-repo", str(ROOT), "baa-compat"],
            cwd=repo, env=env, capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip

    (repo / "schemas" / "user.schema.json").write_text(_user("1.1", minLength=0))
    _git(repo, "add", "-A")
    compatible = hook()
    assert compatible.returncode == 0, compatible.stdout + compatible.stderr
    assert "Passed" in compatible.stdout
    _git(repo, "commit", "-qm", "v1.1")
    (repo / "schemas" / "user.schema.json").write_text(_user("1.1", minLength=0, maxLength=3))
    _git(repo, "add", "-A")
    breaking = hook()
    assert breaking.returncode == 1, breaking.stdout + breaking.stderr
    assert "Failed" in breaking.stdout
    assert "needs a MAJOR version bump (x-version still 1.1)" in breaking.stdout
