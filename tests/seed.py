"""The seed's own TypeScript runner, run with tsx, as an oracle for envelope equivalence."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parent.parent
TS = ROOT / "tools" / "typescript"
SEED = ROOT.parent / "shared" / "seed"
TSX = TS / "node_modules" / ".bin" / "tsx"


def available() -> bool:
    return SEED.is_dir() and TSX.exists() and shutil.which("node") is not None


def require() -> None:
    """Skip where the oracle cannot run; on CI, where it must run, fail instead."""
    if available():
        return
    reason = f"seed oracle needs {SEED} and `npm ci --prefix tools/typescript`"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def seed_run_step(request: dict[str, Any], outcome: dict[str, Any] | None = None) -> dict[str, Any]:
    """The envelope the seed's runStep returns for ``request`` and a fixed executor outcome."""
    require()
    payload = {"request": request} if outcome is None else {"request": request, "outcome": outcome}
    done = subprocess.run(
        [str(TSX), "--tsconfig", str(SEED / "tsconfig.json"), str(TS / "seed-oracle.ts")],
        input=json.dumps(payload), capture_output=True, text=True, check=True, cwd=TS, timeout=120,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout)
    return result
