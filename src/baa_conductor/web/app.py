"""The application, assembled in one place: routes, the security headers, the token, errors.

Pages are static HTML shells (``static/*.html``) whose scripts read the JSON API and put every
text from a run into the page with ``textContent``: no worker output ever becomes markup, and the
Content-Security-Policy (no inline script or style, nothing from another origin, no frames)
makes a mistake there harmless.
"""

from __future__ import annotations

import hmac
import os
import threading
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import api, pages
from .index import RunIndex
from .locate import NotFound
from .openapi import document
from .sse import run_events

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
TOKEN_COOKIE = "baa_token"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _host(scope: Scope) -> str:
    """The name the client used (the Host header without its port)."""
    for key, value in scope.get("headers", []):
        if key == b"host":
            host = str(value.decode("latin-1")).lower()
            return host if host.endswith("]") else host.rsplit(":", 1)[0]
    return ""


def _hostile(scope: Scope) -> bool:
    """A path with an encoded slash, backslash or NUL, or a dot segment: never a route's.

    The server decodes ``%2F`` before routing, so ``/api/runs/T%2FR/log`` would otherwise be
    read as ``/api/runs/T/R/log``; no id can hold these characters, so such a path is refused
    whole.
    """
    raw: bytes = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    lowered = raw.lower()
    if any(code in lowered for code in (b"%2f", b"%5c", b"%00", b"%2e", b"\\")):
        return True
    return any(part in (b".", b"..") for part in raw.split(b"?", 1)[0].split(b"/"))


class Guard:
    """Security headers on every response; with a token, no answer without it.

    The token comes as ``Authorization: Bearer TOKEN``, or once as ``?token=TOKEN`` (which sets
    an HttpOnly, SameSite=Strict cookie and redirects to the same URL without it), then by that
    cookie.
    """

    def __init__(self, app: ASGIApp, token: str | None, hosts: Collection[str] | None = None):
        self.app = app
        self.token = token
        self.hosts = None if hosts is None else {h.lower() for h in hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        if self.hosts is not None and _host(scope) not in self.hosts:
            error = (
                "this server answers only to loopback names (start it with --token to serve others)"
            )
            response = api.json_response({"error": error}, 403)
            await response(scope, receive, with_headers)
            return
        if _hostile(scope):
            await not_found(Request(scope), Exception())(scope, receive, with_headers)
            return
        if self.token is not None:
            denied = self._check(Request(scope))
            if denied is not None:
                await denied(scope, receive, with_headers)
                return
        await self.app(scope, receive, with_headers)

    def _check(self, request: Request) -> Response | None:
        assert self.token is not None
        expected = self.token.encode()
        given = request.query_params.get("token")
        if given is not None:
            if not hmac.compare_digest(given.encode(), expected):
                return api.json_response({"error": "wrong token"}, 401)
            query = urlencode([(k, v) for k, v in parse_qsl(request.url.query) if k != "token"])
            target = request.url.path + (f"?{query}" if query else "")
            response = RedirectResponse(target, 303)
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https")  # fmt: skip
            return response
        header = request.headers.get("authorization", "")
        offered = header[7:] if header.lower().startswith("bearer ") else None
        offered = offered or request.cookies.get(TOKEN_COOKIE)
        if offered is not None and hmac.compare_digest(offered.encode(), expected):
            return None
        return api.json_response(
            {"error": "a token is required: Authorization: Bearer TOKEN, or open /?token=TOKEN"},
            401,
        )


def _endpoint(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """``handler`` with the API's errors as JSON: 404 for what is not there, 400 for bad input."""

    def endpoint(request: Request) -> Response:
        try:
            return handler(request)
        except NotFound:
            return api.json_response({"error": "not found"}, 404)
        except api.BadRequest as error:
            return api.json_response({"error": str(error)}, 400)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint


def openapi(request: Request) -> Response:
    return api.json_response(document())


def not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return api.json_response({"error": "not found"}, 404)
    return FileResponse(os.path.join(STATIC, "404.html"), status_code=404)


def _warm_up() -> None:
    """Compile the validators the pages need now, not in the first visitor's request."""
    from ..paths import (
        AGENT_ACTIVITY_SCHEMA,
        CHECKPOINT_RECORD_SCHEMA,
        LOG_OF_CHANNEL,
        SCHEMA_OF_FILE,
    )
    from ..validation import compiled
    from .logs import _checker

    for schema in (*set(SCHEMA_OF_FILE.values()), AGENT_ACTIVITY_SCHEMA, CHECKPOINT_RECORD_SCHEMA):
        compiled(schema)
    for channel in LOG_OF_CHANNEL:
        _checker(channel)


def create_app(
    runs_root: str,
    token: str | None = None,
    stopping: Callable[[], bool] | None = None,
    hosts: Collection[str] | None = None,
) -> ASGIApp:
    """The ASGI application serving ``runs_root`` (read-only); ``token`` guards every route;
    ``stopping`` says when the server shuts down (open event streams then end at once);
    ``hosts``, the only names a request may call the server by (None: any)."""
    root = os.path.realpath(runs_root)
    routes = [
        Route("/", pages.runs_page),
        Route("/runs/{task}/{run}", pages.run_page),
        Route("/schemas", pages.schemas_page),
        Route("/schemas/{name}", pages.schema_page),
        Route("/api/openapi.json", openapi),
        Route("/api/runs", _endpoint(api.list_runs)),
        Route("/api/runs/{task}/{run}", _endpoint(api.show_run)),
        Route("/api/runs/{task}/{run}/log", _endpoint(api.read_log)),
        Route("/api/runs/{task}/{run}/events", _endpoint(run_events)),
        Route("/api/runs/{task}/{run}/search", _endpoint(api.search_log)),
        Route("/api/runs/{task}/{run}/files", _endpoint(api.list_files)),
        Route("/api/runs/{task}/{run}/files/{name}", _endpoint(api.read_file)),
        Route("/api/runs/{task}/{run}/files/{sub}/{name}", _endpoint(api.read_file)),
        Route("/api/schemas", _endpoint(api.list_schemas)),
        Route("/api/schemas/{name}", _endpoint(api.show_schema)),
        Route("/api/schemas/{name}/page", _endpoint(api.schema_page)),
        Mount("/static", StaticFiles(directory=STATIC, follow_symlink=False), name="static"),
    ]
    _warm_up()
    app = Starlette(routes=routes, exception_handlers={404: not_found})
    app.state.root = root
    app.state.stopping = stopping or (lambda: False)
    app.state.index = RunIndex(root)
    # The first sweep of a large root reads every run: begun now, not in the first request.
    threading.Thread(target=app.state.index.prime, name="baa-index", daemon=True).start()
    return Guard(app, token, hosts)
