"""The JSON routes under ``/api``: runs, one run, its log, its files, the schemas.

Each route is a small synchronous function (Starlette runs it in its thread pool: the reads are
blocking file I/O). Every document that has a schema is sent as read and validated (meta.json,
state.json, the log entries, checkpoint records, the agent's activity); the bodies around them
are described in ``/api/openapi.json``.
"""

from __future__ import annotations

import os
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..encoding import dumps_bytes
from ..exceptions import BaaError
from ..paths import (
    AGENT_ACTIVITY,
    AGENT_ACTIVITY_SCHEMA,
    ARTIFACTS,
    CHECKPOINTS,
    META,
    SCHEMA_OF_FILE,
    STATE,
    STDERR_LOG,
    STDOUT_LOG,
    WORKER_LOG,
    schema_of_path,
)
from ..readers import load_json, read_bounded, run_status
from . import logs
from .locate import NotFound, child, run_dir

#: The most bytes of one file the files route sends at once (the page shows the start).
MAX_FILE_SLICE = 4 << 20
#: Logs up to this size get a schema verdict with the file list; larger ones say to run
#: ``baa validate`` (a verdict would read the whole log).
MAX_VERDICT_BYTES = 16 << 20
RUN_FILES = (META, STATE, WORKER_LOG, STDOUT_LOG, STDERR_LOG)
#: Lifecycle events sent with a run (a run has about seven; a hostile worker.log any number).
MAX_EVENTS = 1000


class BadRequest(Exception):
    """A query parameter that is not what the route takes: HTTP 400, with the reason."""


def json_response(value: Any, status: int = 200) -> Response:
    return Response(dumps_bytes(value), status, media_type="application/json")


def _state(request: Request) -> Any:
    return request.app.state


def _int(request: Request, name: str, low: int, high: int, default: int | None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise BadRequest(f"{name}: {raw[:40]!r} is not an integer from {low} to {high}")
    return value


def _run_dir(request: Request) -> str:
    params = request.path_params
    path: str = run_dir(_state(request).root, params["task"], params["run"])
    return path


# runs -------------------------------------------------------------------------------------------


def list_runs(request: Request) -> Response:
    """``GET /api/runs?task=&status=&limit=&cursor=``: runs newest first, a page at a time."""
    limit = _int(request, "limit", 1, 10_000, 100)
    assert limit is not None
    query = request.query_params
    try:
        page = _state(request).index.page(
            task=query.get("task") or None,
            status=query.get("status") or None,
            limit=limit,
            cursor=query.get("cursor") or None,
        )
    except ValueError as error:
        raise BadRequest(f"cursor: {error}") from None
    return json_response(page)


def show_run(request: Request) -> Response:
    """``GET /api/runs/{task}/{run}``: meta, state, status, agent activity, checkpoints, attempts."""
    path = _run_dir(request)
    try:
        meta = load_json(os.path.join(path, META), SCHEMA_OF_FILE[META])
        state = load_json(os.path.join(path, STATE), SCHEMA_OF_FILE[STATE])
    except BaaError as error:
        return json_response({"error": _relative(request, str(error))}, 422)
    status, live = run_status(meta, state, path)
    body: dict[str, Any] = {
        "taskId": meta["taskId"], "runId": meta["runId"], "status": status, "live": live,
        "meta": meta, "state": state,
    }  # fmt: skip
    problems: list[str] = []
    agent_path = os.path.join(path, ARTIFACTS, AGENT_ACTIVITY)
    if os.path.lexists(agent_path):
        try:
            body["agent"] = load_json(agent_path, AGENT_ACTIVITY_SCHEMA)
        except BaaError as error:
            problems.append(str(error))
    body["events"], body["eventCount"] = _events(path, problems)
    body["checkpoints"] = _checkpoints(path, problems)
    from ..lookup import next_attempt_of

    index = _state(request).index
    siblings = [r for r in index.runs() if r.task == meta["taskId"] and r.meta is not None]
    body["attempts"] = [
        {
            "runId": r.run,
            "attempt": r.meta["attempt"],
            "status": r.status,
            "startedAt": r.state["startedAt"] if r.state else None,
        }
        for r in siblings
        if r.meta is not None and r.meta["stepId"] == meta["stepId"]
    ]
    body["nextAttempt"] = next_attempt_of(meta, [r.meta for r in siblings if r.meta is not None])
    body["problems"] = [_relative(request, p) for p in problems]
    return json_response(body)


def _events(path: str, problems: list[str]) -> tuple[list[dict[str, Any]], int]:
    """The lifecycle events (worker.log), the last :data:`MAX_EVENTS` of them, and their count."""
    from collections import deque

    from ..readers import JsonlFile

    log = JsonlFile(os.path.join(path, WORKER_LOG), SCHEMA_OF_FILE[WORKER_LOG], notes=problems)
    kept: deque[dict[str, Any]] = deque(maxlen=MAX_EVENTS)
    count = 0
    try:
        for _, value in log.entries():
            count += 1
            kept.append(value)
    except BaaError as error:
        problems.append(str(error))
    return list(kept), count


def _checkpoints(path: str, problems: list[str]) -> list[dict[str, Any]]:
    from ..paths import CHECKPOINT_RECORD_SCHEMA, checkpoint_records

    records = []
    for record_path in checkpoint_records(path):
        try:
            records.append(load_json(record_path, CHECKPOINT_RECORD_SCHEMA))
        except BaaError as error:
            problems.append(str(error))
    return records


def _relative(request: Request, text: str) -> str:
    """Messages name files relative to the runs root (the server's paths are not the client's)."""
    root: str = _state(request).root
    return text.replace(root + os.sep, "")


# the log ----------------------------------------------------------------------------------------


def read_log(request: Request) -> Response:
    """``GET /api/runs/{task}/{run}/log?after_seq=N`` (or ``before_seq=N``, or neither: the
    end): entries of the three logs in seq order, ``limit`` at most."""
    path = _run_dir(request)
    after = _int(request, "after_seq", 0, 2**53 - 1, None)
    before = _int(request, "before_seq", 1, 2**53 - 1, None)
    if after is not None and before is not None:
        raise BadRequest("after_seq, before_seq: give one of them, not both")
    limit = _int(request, "limit", 1, logs.MAX_LIMIT, 500)
    assert limit is not None
    page = logs.read_page(path, after_seq=after, before_seq=before, limit=limit)
    entries = page.entries
    body = {
        "entries": entries,
        "firstSeq": entries[0]["seq"] if entries else None,
        "lastSeq": entries[-1]["seq"] if entries else None,
        "more": page.more,
        "direction": "forward" if after is not None else "backward",
        "problems": [_relative(request, p) for p in page.problems],
    }
    return json_response(body)


def search_log(request: Request) -> Response:
    """``GET /api/runs/{task}/{run}/search?q=TEXT&after_seq=N``: the entries after seq N whose
    text holds TEXT (case-insensitive), each with its permalink id; ``nextAfterSeq`` goes on."""
    path = _run_dir(request)
    needle = request.query_params.get("q", "")
    if not needle or len(needle) > 1000:
        raise BadRequest("q: give the text to look for (1 to 1000 characters)")
    after = _int(request, "after_seq", 0, 2**53 - 1, 0)
    limit = _int(request, "limit", 1, 1000, 100)
    assert after is not None
    assert limit is not None
    body = logs.search(path, needle, after_seq=after, limit=limit)
    body["problems"] = [_relative(request, p) for p in body["problems"]]
    return json_response(body)


# files ------------------------------------------------------------------------------------------


def list_files(request: Request) -> Response:
    """``GET /api/runs/{task}/{run}/files``: each file with its size, schema and verdict."""
    path = _run_dir(request)
    files = []
    names = [*RUN_FILES]
    for sub in (CHECKPOINTS, ARTIFACTS):
        directory = os.path.join(path, sub)
        try:
            if os.path.isdir(directory) and not os.path.islink(directory):
                names += [f"{sub}/{n}" for n in sorted(os.listdir(directory))]
        except OSError:
            continue
    for name in names:
        files.append(_describe(os.path.join(path, name), name))
    return json_response({"files": [f for f in files if f is not None]})


def _describe(path: str, name: str) -> dict[str, Any] | None:
    import stat

    try:
        st = os.lstat(path)
    except OSError:
        return None
    entry: dict[str, Any] = {"name": name, "size": st.st_size}
    schema = schema_of_path(path)
    if not stat.S_ISREG(st.st_mode):
        entry["verdict"] = "refused: not a regular file"
        return entry
    if schema is None:
        return entry
    entry["schema"] = schema
    entry["verdict"] = _verdict(path, name, schema, st.st_size)
    return entry


def _verdict(path: str, name: str, schema: str, size: int) -> str:
    from ..paths import JSONL_FILES

    if name in JSONL_FILES:
        if size > MAX_VERDICT_BYTES:
            return f"not checked here: larger than {MAX_VERDICT_BYTES >> 20} MiB (baa validate checks it)"
        from ..readers import CHANNEL_OF_STREAM_LOG, JsonlFile

        problems = JsonlFile(path, schema, channel=CHANNEL_OF_STREAM_LOG.get(name)).problems()
        first = next(problems, None)
        return "valid" if first is None else f"invalid: {os.path.basename(first)}"
    try:
        load_json(path, schema)
    except BaaError as error:
        return f"invalid: {os.path.basename(str(error))}"
    return "valid"


def read_file(request: Request) -> Response:
    """``GET /api/runs/{task}/{run}/files/{name}`` (or ``{sub}/{name}``): the file's bytes from
    ``offset``, at most ``length`` (4 MiB), as text/plain: shown as text, never as a page."""
    path = _run_dir(request)
    params = request.path_params
    sub = params.get("sub")
    name = params["name"]
    if sub is None:
        if name not in RUN_FILES:
            raise NotFound(name)
        target = os.path.join(path, name)
    elif sub in (CHECKPOINTS, ARTIFACTS):
        target = child(os.path.join(path, sub), name)
    else:
        raise NotFound(sub)
    offset = _int(request, "offset", 0, 2**53 - 1, 0)
    length = _int(request, "length", 1, MAX_FILE_SLICE, MAX_FILE_SLICE)
    assert offset is not None
    assert length is not None
    from ..readers import open_regular

    try:
        with open_regular(target) as handle:
            size = os.fstat(handle.fileno()).st_size
            handle.seek(offset)
            data = read_bounded(handle.fileno(), length)[:length]
    except BaaError:
        raise NotFound(name) from None
    headers = {
        "X-Baa-File-Size": str(size),
        "X-Baa-Slice": f"{offset}-{offset + len(data)}",
        "Content-Disposition": "inline",
    }
    return Response(data, media_type="text/plain; charset=utf-8", headers=headers)


# schemas ----------------------------------------------------------------------------------------


def list_schemas(request: Request) -> Response:
    """``GET /api/schemas``: every contract schema's name, title, version and description."""
    from .._schemas import load_schema, schema_names

    rows = []
    for name in schema_names():
        schema = load_schema(name)
        rows.append({"name": name, "title": schema.get("title", name),
                     "version": schema.get("x-version"),
                     "description": schema.get("description", "")})  # fmt: skip
    return json_response({"schemas": rows})


def _schema_name(request: Request) -> str:
    from .._schemas import schema_names

    name: str = request.path_params["name"].removesuffix(".schema.json")
    if name not in schema_names():
        raise NotFound(name)
    return name


def show_schema(request: Request) -> Response:
    """``GET /api/schemas/{name}``: the schema file itself, as shipped."""
    from .._schemas import schema_text

    return Response(schema_text(_schema_name(request)), media_type="application/schema+json")


def schema_page(request: Request) -> Response:
    """``GET /api/schemas/{name}/page``: the schema's page for people, the Markdown the
    contracts' codegen writes from the schema and ships beside it (404 where there is none)."""
    from .._schemas import schema_page as page

    try:
        text = page(_schema_name(request))
    except OSError:
        raise NotFound("page") from None
    return Response(text, media_type="text/markdown; charset=utf-8")
