"""The HTML pages: static shells from ``static/``, whose scripts read the JSON API.

No page holds data from a run: the shell is the same file for every run, and its script reads
the task and run ids from the URL. A run or schema that does not exist answers 404 here already.
"""

from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from .locate import NotFound, run_dir

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


def _page(name: str, status: int = 200) -> Response:
    response = FileResponse(os.path.join(STATIC, name), status_code=status,
                            media_type="text/html; charset=utf-8")  # fmt: skip
    response.headers["cache-control"] = "no-cache"
    return response


def runs_page(request: Request) -> Response:
    return _page("runs.html")


def run_page(request: Request) -> Response:
    try:
        run_dir(request.app.state.root, request.path_params["task"], request.path_params["run"])
    except NotFound:
        return _page("404.html", 404)
    return _page("run.html")


def schemas_page(request: Request) -> Response:
    return _page("schemas.html")


def schema_page(request: Request) -> Response:
    from .._schemas import schema_names

    if request.path_params["name"] not in schema_names():
        return _page("404.html", 404)
    return _page("schema.html")
