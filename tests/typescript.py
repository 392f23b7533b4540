"""The npm package in generated/typescript, run by node: one more validator of the same documents."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parent.parent
CLI = ROOT / "generated" / "typescript" / "cli.js"
# In the checkout the package's dependencies (ajv, ajv-formats, pinned alike) come from tools/typescript/.
NODE_MODULES = ROOT / "tools" / "typescript" / "node_modules"


def available() -> bool:
    return shutil.which("node") is not None and (NODE_MODULES / "ajv-formats").is_dir()


def require() -> None:
    """Skip where node or `npm ci --prefix tools/typescript` is missing; on CI, where it must run, fail instead."""
    if available():
        return
    reason = "the TypeScript package needs node and `npm ci --prefix tools/typescript`"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def run(lines: str, *args: str) -> subprocess.CompletedProcess[str]:
    """baa-contracts-validate on JSON lines of {"schema": name, "instance": value}."""
    require()
    env = {**os.environ, "NODE_PATH": str(NODE_MODULES)}
    return subprocess.run(["node", str(CLI), *args], input=lines, capture_output=True, text=True,
                          env=env, timeout=300, check=False)  # fmt: skip


def verdicts(cases: Iterable[tuple[str, Any]]) -> list[bool]:
    """The package's verdict on each (schema name, instance), all in one node process.

    Instances go as JSON text, so NaN and the infinities cannot be sent (JSON has no such numbers).
    """
    lines = "".join(
        json.dumps({"schema": s, "instance": i}, allow_nan=False) + "\n" for s, i in cases
    )
    done = run(lines)
    assert done.returncode == 0, done.stderr
    return [word == "true" for word in done.stdout.split()]
