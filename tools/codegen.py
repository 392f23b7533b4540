"""Generate the Pydantic models in src/baa_conductor/generated/ from the JSON Schemas.

The one place that says how models are made from schemas: `nox -s codegen` writes them,
`nox -s check_generated` and tests/test_generated.py compare a fresh run with what is committed.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "src" / "baa_conductor" / "schemas"
GENERATED = ROOT / "src" / "baa_conductor" / "generated"
HEADER = "# Generated from src/baa_conductor/schemas by `nox -s codegen`. Do not edit."

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
    """Write one module per schema file into `out`."""
    with tempfile.TemporaryDirectory() as staging:
        # Only the schema files: the generator would try to read schemas/README.md as a schema.
        for schema in SCHEMAS.glob("*.schema.json"):
            shutil.copy(schema, staging)
        cmd = [sys.executable, "-m", "datamodel_code_generator", "--input", staging,
               "--output", str(out), *ARGS]  # fmt: skip
        subprocess.run(cmd, check=True, cwd=ROOT)


def drift() -> list[str]:
    """Names of generated files that differ from a fresh generation (empty when in step)."""
    # Inside the checkout, so the formatter reads the same pyproject settings as for GENERATED.
    with tempfile.TemporaryDirectory(dir=ROOT, prefix=".codegen-") as tmp:
        fresh = Path(tmp) / "generated"
        generate(fresh)
        ours = {p.name for p in GENERATED.glob("*.py")}
        theirs = {p.name for p in fresh.glob("*.py")}
        changed = [n for n in sorted(ours & theirs)
                   if not filecmp.cmp(GENERATED / n, fresh / n, shallow=False)]  # fmt: skip
        return sorted(ours ^ theirs) + changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when generated/ is stale")
    args = parser.parse_args()
    if args.check:
        stale = drift()
        if stale:
            print("generated models are stale; run `nox -s codegen`:", *stale, sep="\n  ")
            return 1
        print("generated models match the schemas")
        return 0
    for old in GENERATED.glob("*.py"):
        old.unlink()
    generate(GENERATED)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
