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
        assert f"baa_conductor_contracts/schemas/{name}.schema.json" in names
        assert f"baa_conductor_contracts/{stem}_schema.py" in names
        assert f"baa_conductor_contracts/docs/{name}.md" in names
    assert {"baa_conductor/py.typed", "baa_conductor_contracts/py.typed"} <= names
    assert {"baa_conductor/pattern-words.json", "baa_conductor_contracts/docs/README.md"} <= names
    static = ROOT / "src" / "baa_conductor" / "web" / "static"
    assert {f"baa_conductor/web/static/{p.name}" for p in static.iterdir()} <= names  # baa serve
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "baa = baa_conductor.__main__:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    sdist = next(tmp_path.glob("*.tar.gz"))
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    assert any(m.endswith("/schemas/run-metadata.schema.json") for m in members)
    assert any(m.endswith("/generated/python/baa_conductor_contracts/py.typed") for m in members)
    assert any(m.endswith("tests/fixtures/run-metadata/valid/seed-prepared.json") for m in members)


CHECK_INSTALLED = """
import sys
import baa_conductor_contracts as c
from baa_conductor_contracts import StepExecutionResult
assert not any(m == "rich" or m.startswith(("baa_conductor.", "rich.")) for m in sys.modules), sorted(sys.modules)
from baa_conductor import load_schema, schema_names, validate
assert len(schema_names()) == {count}
assert load_schema("step-execution-result")["title"] == StepExecutionResult.__name__
from importlib.resources import files
page = files("baa_conductor_contracts").joinpath("docs", "run-metadata.md").read_text("utf-8")
assert page.splitlines()[1] == "# RunMetadata", page
from baa_conductor._messages import pattern_words
assert pattern_words()
print(c.__file__)
"""


def test_wheel_installed_away_from_the_checkout_imports_models_and_loads_schemas(
    tmp_path: Path,
) -> None:
    """A wheel unpacked into a fresh environment, run from elsewhere, needs nothing of the checkout."""
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    site = next(env.glob("lib/python*/site-packages"))
    zipfile.ZipFile(next(tmp_path.glob("*.whl"))).extractall(site)
    # Only the dependencies come from the development environment; its .pth files, which put this
    # checkout on the path, are not processed for a directory named in another .pth file.
    deps = next(Path(p) for p in sys.path if p.endswith("site-packages"))
    (site / "deps.pth").write_text(f"{deps}\n")
    script = CHECK_INSTALLED.format(count=len(schema_names()))
    done = subprocess.run([str(env / "bin" / "python"), "-c", script], cwd=tmp_path,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(site))


def test_editable_install_imports_the_binding_from_generated() -> None:
    """The development install finds the binding in generated/python, without the runner."""
    script = CHECK_INSTALLED.format(count=len(schema_names()))
    done = subprocess.run([sys.executable, "-c", script], cwd="/", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(ROOT / "generated/python/baa_conductor_contracts/__init__.py")
