"""The schema files themselves: well-formed, offline, and one per seed shape."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from baa_conductor import _schemas
from baa_conductor._schemas import BASE_URI, bundle, load_schema, registry, schema_names
from baa_conductor.exceptions import UnknownSchemaError

SEED_SHAPES = {
    # packages/logging/src/contracts.ts
    "LogLevel", "WorkerLogChannel", "StreamLogChannel", "RunStatus", "WorkerLifecycleEventType",
    "LocalRunPaths", "LocalRunLogContext", "WorkerLifecycleLogEntry", "StreamChunkLogEntry",
    "WorkerLifecycleLogStream", "StreamChunkLogStream", "LocalRunLogSession", "LocalRunLogSummary",
    "RunMetadata", "RunStateSnapshot", "StructuredValue", "StructuredData",
    # apps/worker-runner/src/contracts.ts
    "WorkerKind", "StepKind", "StepExecutionOutcome", "CheckpointMode", "StepArtifactKind",
    "StepExecutionRuntime", "StepCheckpointConfig", "StepExecutionRequest", "StepCheckpointState",
    "StepArtifact", "SuggestedFollowup", "WorkerExecutionOutcome", "StepExecutionMetrics",
    "StepExecutionResult",
}  # fmt: skip


@pytest.mark.parametrize("name", schema_names())
def test_schema_is_valid_2020_12_with_stable_id(name: str) -> None:
    """Each file is a draft 2020-12 schema with an $id derived from its name and a version."""
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{BASE_URI}{name}.schema.json"
    assert re.fullmatch(r"[0-9]+\.[0-9]+", schema["x-version"])
    assert "$defs" not in schema, "bundling relies on schemas keeping no $defs of their own"


def test_every_seed_shape_has_a_schema() -> None:
    """Every type the seed's contracts.ts files put on the wire has a schema of its own."""
    titles = {load_schema(n)["title"] for n in schema_names()}
    assert titles >= SEED_SHAPES


def test_refs_resolve_offline_through_the_registry() -> None:
    """Every $ref of every schema resolves in the shipped registry (no network lookups)."""
    reg = registry()
    for name in schema_names():
        text = json.dumps(load_schema(name))
        for ref in set(re.findall(r'"\$ref": "([^"#]+)', text)):
            resolver = reg.resolver(base_uri=f"{BASE_URI}{name}.schema.json")
            assert resolver.lookup(ref).contents["$id"] == f"{BASE_URI}{ref}"


@pytest.mark.parametrize("name", schema_names())
def test_bundle_is_self_contained(name: str) -> None:
    """A bundled schema refers only inside itself, so compiled validators never leave the file."""
    refs = re.findall(r'"\$ref": "([^"]*)"', json.dumps(bundle(name)))
    assert all(ref.startswith("#") for ref in refs)
    Draft202012Validator.check_schema(bundle(name))


def test_loaded_schemas_are_copies() -> None:
    """Changing a loaded schema does not change what validators use."""
    load_schema("run-metadata")["properties"].clear()
    assert load_schema("run-metadata")["properties"]


def test_schemas_ship_as_package_data() -> None:
    """Schemas are read from the installed package; the top-level schemas/ holds the same files."""
    packaged = Path(str(_schemas._directory()))
    top = Path(__file__).parent.parent / "schemas"
    assert sorted(p.name for p in top.glob("*.json")) == sorted(
        p.name for p in packaged.glob("*.json")
    )


@pytest.mark.parametrize("name", schema_names())
def test_every_schema_has_its_page(name: str) -> None:
    """Each shipped schema has its generated page: title, version and, for objects, the table."""
    from baa_conductor._schemas import schema_page

    schema = load_schema(name)
    page = schema_page(name)
    assert page.splitlines()[1] == f"# {schema['title']}"
    assert f"version {schema['x-version']}" in page
    if "properties" in schema:
        assert "| property | type | required | constraints | description |" in page
    with pytest.raises(UnknownSchemaError):
        schema_page("../../etc/passwd")
