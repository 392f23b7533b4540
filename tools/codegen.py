"""Generate the Python binding in generated/python/ from the JSON Schemas in schemas/.

The binding is the import package `baa_conductor_contracts`: one Pydantic v2 model module per
schema, a copy of the schemas and a Markdown page per schema (`docs/<name>.md`, from
tools/schema_docs.py) as package data, and `py.typed`. The same pages go to docs/schemas/. This is the one place that says how
it is made: `nox -s codegen` writes it; `nox -s check_generated` and tests/test_generated.py
compare a fresh run with what is committed.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import schema_docs

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
PACKAGE = "baa_conductor_contracts"
GENERATED = ROOT / "generated" / "python" / PACKAGE
DOCS = ROOT / "docs" / "schemas"
HEADER = "# Generated from schemas/ by `nox -s codegen`. Do not edit."
SUFFIX = ".schema.json"

ARGS = [
    "--input-file-type", "jsonschema",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--target-python-version", "3.11",
    "--target-pydantic-version", "2",
    "--snake-case-field",
    "--use-title-as-name",
    "--disable-timestamp",
    "--keep-model-order",
    "--reuse-model",
    "--use-standard-collections",
    "--use-union-operator",
    "--use-schema-description",
    "--use-field-description",
    "--field-constraints",
    "--use-annotated",
    "--allow-population-by-field-name",
    "--all-exports-scope", "children",
    # Timestamps stay strings so a model dump gives back the exact wire text.
    "--type-mappings", "date-time=string",
    "--formatters", "ruff-format",
    "--custom-file-header", HEADER,
]  # fmt: skip


def generate(out: Path) -> None:
    """Write the package into `out`: one module per schema, the schemas, and py.typed."""
    with tempfile.TemporaryDirectory() as staging:
        # Only the schema files: the generator would try to read schemas/README.md as a schema.
        for schema in SCHEMAS.glob(f"*{SUFFIX}"):
            shutil.copy(schema, staging)
        cmd = [sys.executable, "-m", "datamodel_code_generator", "--input", staging,
               "--output", str(out), *ARGS]  # fmt: skip
        subprocess.run(cmd, check=True, cwd=ROOT)
    data = out / "schemas"
    data.mkdir()
    for schema in SCHEMAS.glob(f"*{SUFFIX}"):
        shutil.copyfile(schema, data / schema.name)
    schema_docs.write(out / "docs")
    (out / "py.typed").write_text("")
    version = (SCHEMAS / "VERSION").read_text("utf-8").strip()
    with (out / "__init__.py").open("a", encoding="utf-8") as init:
        init.write(f'\n__version__ = "{version}"  # the contracts\' version: schemas/VERSION\n')


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}  # fmt: skip


def drift() -> list[str]:
    """Names of generated files that differ from a fresh generation (empty when in step)."""
    # Inside the checkout, so the formatter reads the same pyproject settings as for GENERATED.
    with tempfile.TemporaryDirectory(dir=ROOT, prefix=".codegen-") as tmp:
        fresh = Path(tmp) / PACKAGE
        generate(fresh)
        stale = _differences(GENERATED, fresh, "generated/python/")
        return stale + _differences(DOCS, fresh / "docs", "docs/schemas/")


def _differences(ours_root: Path, theirs_root: Path, label: str) -> list[str]:
    ours, theirs = _files(ours_root), _files(theirs_root)
    changed = [n for n in sorted(ours & theirs)
               if not filecmp.cmp(ours_root / n, theirs_root / n, shallow=False)]  # fmt: skip
    return [label + n for n in sorted(ours ^ theirs) + changed]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when generated/python is stale")
    args = parser.parse_args()
    if args.check:
        stale = drift()
        if stale:
            print("generated files are stale; run `nox -s codegen`:", *stale, sep="\n  ")
            return 1
        print("generated/python and docs/schemas match the schemas")
        return 0
    shutil.rmtree(GENERATED, ignore_errors=True)
    GENERATED.parent.mkdir(parents=True, exist_ok=True)
    generate(GENERATED)
    shutil.rmtree(DOCS, ignore_errors=True)
    shutil.copytree(GENERATED / "docs", DOCS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
