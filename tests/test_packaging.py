"""The built distributions carry what an installed package needs, away from the checkout."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from baa_conductor._schemas import schema_names

ROOT = Path(__file__).parent.parent


def test_sdist_then_wheel_ship_schemas_models_and_types(tmp_path: Path) -> None:
    """The wheel built from the sdist (as pip does) holds every schema, every model and py.typed."""
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in schema_names():
        stem = name.replace("-", "_")
        assert f"baa_conductor/schemas/{name}.schema.json" in names
        assert f"baa_conductor/generated/{stem}_schema.py" in names
    assert "baa_conductor/py.typed" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "baa = baa_conductor.__main__:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    sdist = next(tmp_path.glob("*.tar.gz"))
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    assert any(m.endswith("src/baa_conductor/schemas/run-metadata.schema.json") for m in members)
    assert any(m.endswith("tests/fixtures/run-metadata/valid/seed-prepared.json") for m in members)
