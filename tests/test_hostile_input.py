"""Bad input to `baa`: a clear error naming the field, exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import make_request

from baa_conductor.exceptions import UnsafeRunPathError
from baa_conductor.runner import run_step

BAA = str(Path(sys.executable).with_name("baa"))


def baa(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BAA, *args], capture_output=True, text=True, timeout=60, **kwargs)


@pytest.mark.parametrize("grace", ["nan", "inf", "-1", "soon"])
def test_grace_must_be_a_finite_number(tmp_path: Path, grace: str) -> None:
    """`--grace nan` (SIGKILL would never come) is refused like any other bad number: exit 2."""
    done = baa("run", "--task", "T", "--step", "s", "--runs-dir", str(tmp_path), "--grace", grace,
               "--", "true")  # fmt: skip
    assert done.returncode == 2
    assert (
        f"argument --grace: expected a finite number of seconds >= 0, got '{grace}'" in done.stderr
    )
    assert not (tmp_path / "T").exists()


def test_empty_run_id_is_refused_not_replaced(tmp_path: Path) -> None:
    """`--run ''` names the field and exits 2; it is not silently replaced by a generated id."""
    done = baa(
        "run", "--task", "T", "--step", "s", "--run", "", "--runs-dir", str(tmp_path), "--", "true"
    )
    assert done.returncode == 2
    assert "/runId: not a valid id: empty" in done.stderr
    assert not (tmp_path / "T").exists()


@pytest.mark.parametrize("field", ["runsRootDir", "repoRoot"])
def test_nul_in_a_root_directory_is_a_clear_error(tmp_path: Path, field: str) -> None:
    """A NUL character in runsRootDir or repoRoot raises UnsafeRunPathError naming it."""
    request = make_request(tmp_path, runtime={field: f"{tmp_path}/a\x00b"})
    with pytest.raises(UnsafeRunPathError) as caught:
        run_step(request)
    assert str(
        caught.value
    ) == f"{field} {tmp_path}/a\x00b!r is refused: contains a NUL character".replace(
        f"{tmp_path}/a\x00b!r", repr(f"{tmp_path}/a\x00b")
    )


def test_schemas_export_into_an_impossible_directory(tmp_path: Path) -> None:
    """`baa schemas export` where no directory can be made: one line naming it, exit 2."""
    target = tmp_path / "file" / "dir"
    (tmp_path / "file").write_text("not a directory")
    done = baa("schemas", "export", str(target))
    assert done.returncode == 2
    assert done.stderr == f"baa: error: {target}: cannot write: Not a directory\n"


def test_compat_against_a_missing_baseline(tmp_path: Path) -> None:
    """`baa compat --against /missing`: one line saying it is neither a directory nor a ref, exit 2."""
    done = baa("compat", "--against", str(tmp_path / "missing"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"baa: error: --against '{tmp_path / 'missing'}': neither a directory nor a git ref"
    )
    assert done.stderr.count("\n") == 1
