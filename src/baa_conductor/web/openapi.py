"""``/api/openapi.json``: the HTTP API as OpenAPI 3.1, on the contract schemas themselves.

Every contract schema is a component as shipped (loaded from the package, ``$id`` and all:
OpenAPI 3.1 schemas are JSON Schema 2020-12, so the schemas' ``$ref``s between each other
resolve by ``$id`` inside this one document). The bodies the routes wrap around them are
described here and point at the components; nothing of a contract is written out by hand.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from .._version import __version__
from ..paths import AGENT_ACTIVITY_SCHEMA, CHECKPOINT_RECORD_SCHEMA


def _ref(title: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{title}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _params(*names: str) -> list[dict[str, Any]]:
    described = {
        "task": ("path", "a task id (RunIdentifier)", {"type": "string"}),
        "run": ("path", "a run id (RunIdentifier)", {"type": "string"}),
        "taskFilter": ("query", "only the runs of this task", {"type": "string"}),
        "status": (
            "query",
            "only runs with this status (a run-status, interrupted or lost)",
            {"type": "string"},
        ),
        "limit": ("query", "most items in the page", {"type": "integer", "minimum": 1}),
        "cursor": ("query", "nextCursor of the previous page", {"type": "string"}),
        "after_seq": (
            "query",
            "entries with a greater seq, in seq order",
            {"type": "integer", "minimum": 0},
        ),
        "before_seq": (
            "query",
            "the last entries with a smaller seq (neither: the end)",
            {"type": "integer", "minimum": 1},
        ),
    }
    out = []
    for name in names:
        where, text, schema = described[name]
        out.append({"name": "task" if name == "taskFilter" else name, "in": where,
                    "required": where == "path", "description": text, "schema": schema})  # fmt: skip
    return out


_plain = {
    "description": "the bytes, as text/plain (X-Baa-File-Size: the whole file's size)",
    "content": {"text/plain": {"schema": {"type": "string"}}},
}


def _file_params() -> list[dict[str, Any]]:
    return [
        {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {"name": "length", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    ]


@cache
def document() -> dict[str, Any]:
    from .._schemas import load_schema, schema_names

    components: dict[str, Any] = {}
    title_of: dict[str, str] = {}
    for name in schema_names():
        schema = load_schema(name)
        title = schema.get("title", name)
        title_of[name] = title
        components[title] = schema
    meta, state = _ref(title_of["run-metadata"]), _ref(title_of["run-state-snapshot"])
    status = {"type": "string", "description": "state.status, or interrupted / lost / unreadable"}
    run_row = {
        "type": "object",
        "required": ["taskId", "runId", "status", "live"],
        "properties": {"taskId": {"type": "string"}, "runId": {"type": "string"},
                       "status": status, "live": {"type": "boolean"}, "meta": meta,
                       "state": state, "problem": {"type": "string"}},
    }  # fmt: skip
    components["RunRow"] = run_row
    components["RunPage"] = {
        "type": "object",
        "required": ["runs", "nextCursor", "total"],
        "properties": {"runs": {"type": "array", "items": _ref("RunRow")},
                       "nextCursor": {"type": ["string", "null"]}, "total": {"type": "integer"},
                       "generation": {"type": "integer"}},
    }  # fmt: skip
    components["RunDetail"] = {
        "type": "object",
        "required": ["taskId", "runId", "status", "live", "meta", "state", "checkpoints"],
        "properties": {
            "taskId": {"type": "string"}, "runId": {"type": "string"}, "status": status,
            "live": {"type": "boolean"}, "meta": meta, "state": state,
            "agent": _ref(title_of[AGENT_ACTIVITY_SCHEMA]),
            "checkpoints": {"type": "array", "items": _ref(title_of[CHECKPOINT_RECORD_SCHEMA])},
            "attempts": {"type": "array", "items": {"type": "object"}},
            "nextAttempt": {"type": ["string", "null"]},
            "problems": {"type": "array", "items": {"type": "string"}},
        },
    }  # fmt: skip
    entry = {"oneOf": [_ref(title_of["worker-log-line"]), _ref(title_of["stream-chunk-log-entry"])]}
    components["LogEntry"] = entry
    components["LogPage"] = {
        "type": "object",
        "required": ["entries", "more", "problems"],
        "properties": {"entries": {"type": "array", "items": _ref("LogEntry")},
                       "firstSeq": {"type": ["integer", "null"]},
                       "lastSeq": {"type": ["integer", "null"]}, "more": {"type": "boolean"},
                       "direction": {"enum": ["forward", "backward"]},
                       "problems": {"type": "array", "items": {"type": "string"}}},
    }  # fmt: skip
    components["FileList"] = {
        "type": "object",
        "required": ["files"],
        "properties": {"files": {"type": "array", "items": {
            "type": "object", "required": ["name", "size"],
            "properties": {"name": {"type": "string"}, "size": {"type": "integer"},
                           "schema": {"type": "string"}, "verdict": {"type": "string"}}}}},
    }  # fmt: skip
    components["Error"] = {"type": "object", "required": ["error"],
                           "properties": {"error": {"type": "string"}}}  # fmt: skip
    not_found = _json(_ref("Error"), "no such run (or a path part that is not a run id)")
    paths = {
        "/api/runs": {"get": {
            "summary": "runs, newest first", "parameters": _params("taskFilter", "status", "limit", "cursor"),
            "responses": {"200": _json(_ref("RunPage"), "a page of runs"),
                          "400": _json(_ref("Error"), "a bad parameter")}}},
        "/api/runs/{task}/{run}": {"get": {
            "summary": "one run", "parameters": _params("task", "run"),
            "responses": {"200": _json(_ref("RunDetail"), "the run"), "404": not_found}}},
        "/api/runs/{task}/{run}/log": {"get": {
            "summary": "entries of worker.log, stdout.log and stderr.log in seq order",
            "parameters": _params("task", "run", "after_seq", "before_seq", "limit"),
            "responses": {"200": _json(_ref("LogPage"), "a page of entries"), "404": not_found}}},
        "/api/runs/{task}/{run}/events": {"get": {
            "summary": "server-sent events: `entry` (id = seq, data a LogEntry), `state`, then `end`",
            "parameters": _params("task", "run", "after_seq"),
            "responses": {"200": {"description": "an event stream",
                                  "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                          "404": not_found}}},
        "/api/runs/{task}/{run}/search": {"get": {
            "summary": "entries after after_seq whose text holds q (case-insensitive), with permalink ids",
            "parameters": [*_params("task", "run", "after_seq", "limit"),
                           {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _json({"type": "object", "required": ["matches", "nextAfterSeq"]},
                                       "matches, and where to go on from (null: the end)"),
                          "400": _json(_ref("Error"), "no q"), "404": not_found}}},
        "/api/runs/{task}/{run}/files": {"get": {
            "summary": "the run's files, each with its size, schema and schema verdict",
            "parameters": _params("task", "run"),
            "responses": {"200": _json(_ref("FileList"), "the files"), "404": not_found}}},
        "/api/runs/{task}/{run}/files/{name}": {"get": {
            "summary": "a file's bytes (meta.json, state.json, a log), from offset, at most length (4 MiB)",
            "parameters": [*_params("task", "run"), *_file_params()],
            "responses": {"200": _plain, "404": not_found}}},
        "/api/runs/{task}/{run}/files/{sub}/{name}": {"get": {
            "summary": "a file of checkpoints/ or artifacts/",
            "parameters": [*_params("task", "run"),
                           {"name": "sub", "in": "path", "required": True,
                            "schema": {"enum": ["checkpoints", "artifacts"]}}, *_file_params()],
            "responses": {"200": _plain, "404": not_found}}},
        "/api/schemas": {"get": {
            "summary": "every contract schema: name, title, version, description",
            "responses": {"200": _json({"type": "object"}, "the schemas")}}},
        "/api/schemas/{name}/page": {"get": {
            "summary": "the schema's page for people (Markdown generated from it)",
            "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "the page",
                                  "content": {"text/markdown": {"schema": {"type": "string"}}}},
                          "404": not_found}}},
        "/api/schemas/{name}": {"get": {
            "summary": "a contract schema, as shipped",
            "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "the schema",
                                  "content": {"application/schema+json": {"schema": {"type": "object"}}}},
                          "404": not_found}}},
    }  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {"title": "baa serve", "version": __version__,
                 "description": "Read-only access to the runs under one runs root."},
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {"schemas": components},
    }  # fmt: skip
