"""Every code block of the README runs as pasted, so the README cannot rot.

``python`` blocks run twice in a row in one fresh directory (a snippet that works only once is a
trap); ``sh`` blocks run with ``baa`` on PATH and must exit 0, unless an HTML comment right above
says why they are not run (installing packages, a Makefile, the codex agent).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"
SKIP = "<!-- not run by tests/test_readme.py:"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def blocks(language: str) -> list[tuple[int, str, bool]]:
    """(line, code, run?) of each block in ``language``."""
    text = README.read_text("utf-8")
    found = []
    for match in FENCE.finditer(text):
        if match.group(1) != language:
            continue
        line = text.count("\n", 0, match.start()) + 1
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        found.append((line, match.group(2), not before.startswith(SKIP)))
    return found


def _params(language: str) -> list[object]:
    return [pytest.param(code, id=f"README.md:{line}", marks=() if run else
                         pytest.mark.skip(reason="marked as not run in the README"))
            for line, code, run in blocks(language)]  # fmt: skip


def _env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}


def test_the_readme_has_code_to_check() -> None:
    """The README keeps a Python example and a runnable sh example (the test would pass vacuously)."""
    assert any(run for _, _, run in blocks("python"))
    assert any(run for _, _, run in blocks("sh"))


@pytest.mark.parametrize("code", _params("python"))
def test_python_blocks_run_twice_as_pasted(tmp_path: Path, code: str) -> None:
    """A Python block runs as pasted, and again in the same directory."""
    for attempt in (1, 2):
        done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_env(),
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, f"run {attempt}:\n{done.stderr}"


@pytest.mark.parametrize("code", _params("sh"))
def test_sh_blocks_run_as_pasted(tmp_path: Path, code: str) -> None:
    """An sh block runs line by line with `baa` on PATH; every line exits 0."""
    shell = subprocess.Popen(["sh", "-ec", code], cwd=tmp_path, env=_env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)  # fmt: skip
    try:
        out, err = shell.communicate(timeout=120)
    finally:  # a block that hangs (a server, say) must not leave processes behind
        with contextlib.suppress(ProcessLookupError):
            os.killpg(shell.pid, signal.SIGKILL)
        shell.wait()
    assert shell.returncode == 0, f"{out}\n{err}"
