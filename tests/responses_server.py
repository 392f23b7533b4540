"""A scripted OpenAI Responses API server on a free loopback port, for the real ``codex`` binary.

``POST /v1/responses`` takes the next reply of the script: a stream of server-sent events (the
shapes openai/codex's own tests mock, ``codex-rs/core/tests/common/responses.rs``), an HTTP error,
or a stall that holds the request open until the server stops. Every request body is kept, so a
test can assert what codex sent (the tools it offered, the conversation so far). Other paths are
answered 404 and recorded too.

:func:`write_codex_home` writes a private ``CODEX_HOME`` whose only provider is this server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PROVIDER = "scripted"
API_KEY_VAR = "SCRIPTED_API_KEY"
MODEL = "gpt-5.5"


# The events -------------------------------------------------------------------------------------


def created(response_id: str = "resp_1") -> dict[str, Any]:
    return {"type": "response.created", "response": {"id": response_id}}


def completed(
    response_id: str = "resp_1",
    *,
    input_tokens: int = 0,
    cached: int = 0,
    output_tokens: int = 0,
    reasoning: int = 0,
) -> dict[str, Any]:
    usage = {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": cached},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input_tokens + output_tokens,
    }
    return {"type": "response.completed", "response": {"id": response_id, "usage": usage}}


def failed(code: str, message: str, response_id: str = "resp_1") -> dict[str, Any]:
    return {"type": "response.failed",
            "response": {"id": response_id, "error": {"code": code, "message": message}}}  # fmt: skip


def message(text: str, item_id: str = "msg_1") -> dict[str, Any]:
    return {"type": "response.output_item.done",
            "item": {"type": "message", "role": "assistant", "id": item_id,
                     "content": [{"type": "output_text", "text": text}]}}  # fmt: skip


def function_call(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.output_item.done",
            "item": {"type": "function_call", "call_id": call_id, "name": name,
                     "arguments": json.dumps(arguments)}}  # fmt: skip


def shell(call_id: str, command: str, workdir: str | None = None) -> dict[str, Any]:
    """The model runs a command through codex's ``exec_command`` tool (no login shell: the
    machine's profile scripts stay out of the output)."""
    arguments: dict[str, Any] = {"cmd": command, "login": False}
    if workdir is not None:
        arguments["workdir"] = workdir
    return function_call(call_id, "exec_command", arguments)


def apply_patch(call_id: str, patch: str) -> dict[str, Any]:
    """The model edits files through codex's freeform ``apply_patch`` tool."""
    return {"type": "response.output_item.done",
            "item": {"type": "custom_tool_call", "call_id": call_id, "name": "apply_patch",
                     "input": patch}}  # fmt: skip


def sse(events: Iterable[dict[str, Any]]) -> bytes:
    out = []
    for event in events:
        out.append(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n")
    return "".join(out).encode()


# The script -------------------------------------------------------------------------------------


@dataclass
class Reply:
    """One answer to one POST /v1/responses."""

    events: Sequence[dict[str, Any]] = ()
    status: int = 200
    body: bytes = b""
    #: Hold the request open (headers sent, no events) until the server stops.
    stall: bool = False


def events(*items: dict[str, Any], response_id: str = "resp_1", **usage: int) -> Reply:
    """A whole turn of the model: created, the items, completed with usage."""
    return Reply([created(response_id), *items, completed(response_id, **usage)])


def http_error(status: int, message: str, kind: str = "server_error") -> Reply:
    body = json.dumps({"error": {"message": message, "type": kind, "code": None}}).encode()
    return Reply(status=status, body=body)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class ResponsesServer:
    """The server and its script; a context manager that starts and stops it."""

    script: list[Reply] = field(default_factory=list)
    #: What to answer once the script is used up (None: HTTP 500 "script exhausted").
    otherwise: Reply | None = None
    requests: list[Request] = field(default_factory=list)
    #: Called with each request as it arrives (a test ties an action to "codex asked").
    on_request: Callable[[Request], None] | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.stalled = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._record(self, None)
                self._send(404, b'{"error": {"message": "not found"}}')

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                server._record(self, body)
                if not self.path.rstrip("/").endswith("/responses"):
                    self._send(404, b'{"error": {"message": "not found"}}')
                    return
                reply = server._next()
                if reply.status != 200:
                    self._send(reply.status, reply.body, "application/json")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                if reply.stall:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    self.wfile.flush()
                    server.stalled.set()
                    server._stop.wait()
                    self.close_connection = True
                    return
                data = sse(reply.events)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()

            def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def _record(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        request = Request(handler.command, handler.path, dict(handler.headers.items()), body)
        with self._lock:
            self.requests.append(request)
        if self.on_request is not None:
            self.on_request(request)

    def _next(self) -> Reply:
        with self._lock:
            if self.script:
                return self.script.pop(0)
        return self.otherwise or http_error(500, "script exhausted")

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def model_requests(self) -> list[Request]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/responses")]

    def __enter__(self) -> ResponsesServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def write_codex_home(home: Path, base_url: str, *, retries: int = 0, extra: str = "") -> Path:
    """A CODEX_HOME whose config.toml points codex at ``base_url`` and nothing else."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f'model = "{MODEL}"\n'
        f'model_provider = "{PROVIDER}"\n'
        "check_for_update_on_startup = false\n"
        f"{extra}"
        # Nothing that reaches for the network: plugin and app catalogues, updates.
        "\n[features]\nplugins = false\nremote_plugin = false\napps = false\nin_app_updates = false\n"
        "\n[analytics]\nenabled = false\n"
        f"\n[model_providers.{PROVIDER}]\n"
        'name = "scripted"\n'
        f'base_url = "{base_url}"\n'
        'wire_api = "responses"\n'
        f'env_key = "{API_KEY_VAR}"\n'
        f"request_max_retries = {retries}\n"
        f"stream_max_retries = {retries}\n"
        "stream_idle_timeout_ms = 300000\n",
        "utf-8",
    )
    return home
