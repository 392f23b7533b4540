from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _outside_any_work_tree(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test runs in an empty directory of its own, outside any git work tree: a `baa run`
    that names no worktree runs there, and never takes this checkout for its worktree (where it
    would take a git_diff checkpoint of the project)."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


def _fixtures(kind: str) -> Iterator[Any]:
    for path in sorted(FIXTURES.glob(f"*/{kind}/*.json")):
        schema = path.parent.parent.name
        yield pytest.param(schema, json.loads(path.read_text("utf-8")), id=f"{schema}/{path.stem}")


VALID = list(_fixtures("valid"))
INVALID = list(_fixtures("invalid"))
