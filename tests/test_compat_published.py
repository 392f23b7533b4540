"""Schemas as they are published: any file names, drafts 04, 06 and 07 (``definitions``, ``id``,
``$ref`` overriding its siblings), sibling files referenced by path, and other published schemas
supplied from a directory or a catalogue. Nothing is fetched; nothing crashes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from baa_conductor import cli

DRAFT_04 = "http://json-schema.org/draft-04/schema#"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any, str]:
    code = cli.main(["compat", *args, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else None, captured.err


def _write(directory: Path, files: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, schema in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(json.dumps(schema, indent=2))
    return directory


def _tool(line_length: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": DRAFT_07,
        "type": "object",
        "properties": {"line-length": line_length, "target": {"type": "string"}},
    }


def _project(**plugins: Any) -> dict[str, Any]:
    return {
        "$schema": DRAFT_04,
        "id": "https://json.schemastore.org/pyproject.json",
        "type": "object",
        "definitions": {"name": {"type": "string", "minLength": 1}},
        "properties": {
            "name": {"$ref": "#/definitions/name"},
            "tool": {"$ref": "partial-tool.json"},
            "plugins": {"$ref": "https://json.schemastore.org/partial-plugins.json"},
            "count": {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
            **plugins,
        },
    }


PLUGINS = {
    "$schema": DRAFT_07,
    "$id": "https://json.schemastore.org/partial-plugins.json",
    "type": "array",
    "items": {"type": "string"},
}


def _pair(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> tuple[Path, Path]:
    return _write(tmp_path / "old", old), _write(tmp_path / "new", new)


def test_published_schemas_are_read_and_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A draft-04 schema with ``id`` and ``definitions``, a sibling file referenced by path and
    under another name, and a published schema supplied by --refs: a change in the sibling file
    is found through the reference, and fails where it lives."""
    refs = _write(tmp_path / "refs", {"partial-plugins.json": PLUGINS})
    old, new = _pair(
        tmp_path,
        {"pyproject.json": _project(), "partial-tool.json": _tool({"type": "integer"})},
        {
            "pyproject.json": _project(),
            "partial-tool.json": _tool({"type": "integer", "maximum": 120}),
        },
    )
    code, report, err = _run(
        ["--against", str(old), "--schemas", str(new), "--refs", str(refs)], capsys
    )
    assert (code, err) == (1, "")
    found = {(c["schema"], c["pointer"], c["kind"], c["via"]) for c in report["changes"]}
    assert found == {
        ("partial-tool.json", "/properties/line-length/maximum", "maximum added", None),
        (
            "pyproject.json",
            "/properties/tool/properties/line-length/maximum",
            "maximum added",
            "partial-tool.json",
        ),
    }
    assert [f.split(":")[0] for f in report["failures"]] == ["partial-tool.json"]


def test_a_catalogue_maps_published_urls_to_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A catalogue file (SchemaStore's shape: schemas with url and path) supplies references."""
    _write(tmp_path / "vendor", {"plugins.json": PLUGINS})
    catalogue = tmp_path / "catalog.json"
    catalogue.write_text(
        json.dumps({"schemas": [{"url": PLUGINS["$id"], "path": "vendor/plugins.json"}]})
    )
    files = {"pyproject.json": _project(), "partial-tool.json": _tool({"type": "integer"})}
    old, new = _pair(tmp_path, files, files)
    code, report, _ = _run(
        ["--against", str(old), "--schemas", str(new), "--refs", str(catalogue)], capsys
    )
    assert (code, report["changes"]) == (0, [])


def test_a_reference_to_an_unsupplied_schema_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --refs the published schema is not fetched: exit 2 naming the file and the $ref."""
    files = {"pyproject.json": _project(), "partial-tool.json": _tool({"type": "integer"})}
    old, new = _pair(tmp_path, files, files)
    code, report, err = _run(["--against", str(old), "--schemas", str(new)], capsys)
    message = (
        f"{new}: pyproject.json at /properties/plugins: $ref "
        "'https://json.schemastore.org/partial-plugins.json' does not resolve"
    )
    assert (code, err) == (2, f"baa: error: {message}\n")
    assert report["error"] == {"message": message, "file": str(new / "pyproject.json")}


@pytest.mark.parametrize("draft", [DRAFT_04, "http://json-schema.org/draft-06/schema#", DRAFT_07])
def test_ref_siblings_are_ignored_before_2019_09(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], draft: str
) -> None:
    """Beside a ``$ref``, other keywords mean nothing in drafts 04-07: changing them is no
    change; changing the target is."""

    def schema(sibling: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
        return {
            "$schema": draft,
            "definitions": {"t": target},
            "properties": {"a": {"$ref": "#/definitions/t", **sibling}},
        }

    string = {"type": "string"}
    old, new = _pair(
        tmp_path, {"s.json": schema({}, string)}, {"s.json": schema({"maxLength": 1}, string)}
    )
    code, report, _ = _run(["--against", str(old), "--schemas", str(new)], capsys)
    assert (code, report["changes"]) == (0, [])
    newer = _write(tmp_path / "newer", {"s.json": schema({}, {**string, "maxLength": 1})})
    code, report, _ = _run(["--against", str(old), "--schemas", str(newer)], capsys)
    assert [(c["pointer"], c["backward"]) for c in report["changes"]] == [
        ("/properties/a/maxLength", "breaking")
    ]


def test_draft_04_boolean_exclusive_bounds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Draft-04 ``exclusiveMinimum: true`` makes ``minimum`` strict: dropping it loosens."""
    strict = {"$schema": DRAFT_04, "type": "number", "minimum": 0, "exclusiveMinimum": True}
    loose = {"$schema": DRAFT_04, "type": "number", "minimum": 0}
    old, new = _pair(tmp_path, {"n.json": strict}, {"n.json": loose})
    code, report, _ = _run(["--against", str(old), "--schemas", str(new)], capsys)
    assert code == 1  # no x-version to bump
    assert [(c["kind"], c["backward"], c["forward"]) for c in report["changes"]] == [
        ("exclusiveMinimum removed", "compatible", "breaking")
    ]


def test_a_metaschema_referenced_by_its_address_needs_no_refs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A $ref into a JSON Schema metaschema (Swagger 2.0's ``maxLength`` is the draft-04
    metaschema's ``positiveInteger``) is read from the metaschema every validator knows, and
    compared like any other reference."""
    positive = {"$ref": "http://json-schema.org/draft-04/schema#/definitions/positiveInteger"}

    def spec(max_length: dict[str, Any]) -> dict[str, Any]:
        return {
            "$schema": DRAFT_04,
            "id": "http://swagger.io/v2/schema.json#",
            "type": "object",
            "properties": {"maxLength": max_length},
        }

    old, same = _pair(
        tmp_path,
        {"spec.json": spec(positive)},
        {"spec.json": spec({"type": "integer", "minimum": 0})},
    )
    code, report, err = _run(["--against", str(old), "--schemas", str(same)], capsys)
    assert (code, err, report["failures"]) == (0, "", [])
    narrower = _write(tmp_path / "narrower", {"spec.json": spec({"type": "integer", "minimum": 1})})
    code, report, err = _run(["--against", str(old), "--schemas", str(narrower)], capsys)
    assert (code, err) == (1, "")
    found = {(c["pointer"], c["kind"], c["backward"]) for c in report["changes"]}
    assert ("/properties/maxLength/minimum", "minimum raised", "breaking") in found


def test_a_reference_inside_an_example_is_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """AsyncAPI's definitions point their ``example`` at an example file by a JSON Reference:
    a value, not a schema, so it is neither resolved nor refused, and editing it is no change."""

    def scheme(example: str) -> dict[str, Any]:
        return {
            "$schema": DRAFT_07,
            "$id": "http://asyncapi.com/definitions/3.0.0/APIKeyHTTPSecurityScheme.json",
            "type": "object",
            "required": ["type", "name", "in"],
            "properties": {"type": {"const": "httpApiKey"}, "name": {"type": "string"}},
            "example": {"$ref": f"http://asyncapi.com/examples/3.0.0/{example}"},
        }

    old, new = _pair(
        tmp_path,
        {"scheme.json": scheme("APIKeyHTTPSecurityScheme.json")},
        {"scheme.json": scheme("apiKey.json")},
    )
    code, report, err = _run(["--against", str(old), "--schemas", str(new)], capsys)
    assert (code, err, report["changes"]) == (0, "", [])


def test_properties_named_like_keywords_hold_schemas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """AsyncAPI's message object has a property called ``examples`` (and schemas have one called
    ``$ref``): under ``properties`` these are names, so the reference inside the first is
    followed by path to the file it names, and a change there is found through it."""

    def example(max_length: int) -> dict[str, Any]:
        return {
            "$schema": DRAFT_07,
            "$id": "http://asyncapi.com/common/example.json",
            "type": "object",
            "properties": {"name": {"type": "string", "maxLength": max_length}},
        }

    message = {
        "$schema": DRAFT_07,
        "$id": "http://asyncapi.com/definitions/message.json",
        "type": "object",
        "properties": {
            "examples": {"type": "array", "items": {"$ref": "../common/example.json"}},
            "$ref": {"type": "string"},
        },
    }
    for side, max_length in (("old", 100), ("new", 10)):
        _write(tmp_path / side / "definitions", {"message.json": message})
        _write(tmp_path / side / "common", {"example.json": example(max_length)})
    code, report, err = _run(
        [
            "--against",
            str(tmp_path / "old" / "definitions"),
            "--schemas",
            str(tmp_path / "new" / "definitions"),
        ],
        capsys,
    )
    assert (code, err) == (1, "")
    assert [(c["schema"], c["pointer"], c["backward"]) for c in report["changes"]] == [
        ("message.json", "/properties/examples/items/properties/name/maxLength", "breaking")
    ]
