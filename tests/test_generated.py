"""The generated Pydantic models: in step with the schemas, and faithful to the wire."""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID
from pydantic import RootModel, TypeAdapter

from baa_conductor._schemas import load_schema, schema_names

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import codegen  # noqa: E402


def model_for(schema: str) -> type[Any]:
    module = importlib.import_module(f"baa_conductor_contracts.{schema.replace('-', '_')}_schema")
    model: type[Any] = getattr(module, load_schema(schema)["title"])
    return model


def test_both_bindings_carry_the_contracts_version() -> None:
    """The Python and the npm package state the one version in schemas/VERSION."""
    import baa_conductor_contracts

    version = (ROOT / "schemas" / "VERSION").read_text("utf-8").strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert baa_conductor_contracts.__version__ == version
    package = json.loads((ROOT / "generated" / "typescript" / "package.json").read_text("utf-8"))
    assert (package["name"], package["version"]) == ("@baa-conductor/contracts", version)


def test_generated_models_match_the_schemas() -> None:
    """Regenerating from schemas/ gives exactly the committed models (nothing edited by hand)."""
    assert codegen.drift() == []


@pytest.mark.parametrize("schema", schema_names())
def test_every_schema_has_a_model_with_a_header(schema: str) -> None:
    """Each schema file has a generated model module that says it is generated."""
    model = model_for(schema)
    source = Path(sys.modules[model.__module__].__file__ or "").read_text("utf-8")
    assert source.startswith("# Generated from schemas/ by `nox -s codegen`. Do not edit.")


@pytest.mark.parametrize(("schema", "instance"), VALID)
def test_valid_fixture_round_trips_through_its_model(schema: str, instance: Any) -> None:
    """Validating into the model and dumping by alias gives back the wire document unchanged."""
    adapter = TypeAdapter(model_for(schema))
    parsed = adapter.validate_python(instance)
    dumped = adapter.dump_python(parsed, mode="json", by_alias=True, exclude_unset=True)
    # Compared as text: 3 and 3.0 must not pass as equal.
    assert json.dumps(dumped, sort_keys=True) == json.dumps(instance, sort_keys=True)


def test_models_use_snake_case_attributes_and_enums() -> None:
    """Python code reads snake_case attributes; enums are real enums."""
    from baa_conductor_contracts.run_metadata_schema import RunMetadata
    from baa_conductor_contracts.worker_kind_schema import WorkerKind

    meta = RunMetadata.model_validate(VALID_META)
    assert meta.worker_kind is WorkerKind.shell
    assert meta.task_id.root == "T-005"
    assert issubclass(model_for("run-identifier"), RootModel)


VALID_META = next(p.values[1] for p in VALID if p.values[0] == "run-metadata")
