"""``baa serve``: the runs of a runs root in a browser, and as an HTTP API (read-only)."""

from __future__ import annotations

from ._common import EXIT_OK, UsageError, add_runs_root_options, runs_root_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    import socket
    from typing import Any

EXAMPLES = """\
examples:
  baa serve                                   # http://127.0.0.1:8080/ over ./runs
  baa serve --runs-dir /shared/runs --port 9000
  BAA_SERVE_TOKEN=$(openssl rand -hex 16) baa serve --host 0.0.0.0   # reachable from others
"""

#: The environment variable that gives the token when --token does not.
TOKEN_ENV = "BAA_SERVE_TOKEN"
MIN_TOKEN = 16
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})


def register(sub: Any) -> None:
    from ._help import HelpFormatter

    p = sub.add_parser(
        "serve",
        help="a live web view and JSON API over a runs root (read-only)",
        description="Serve the runs under the runs root: pages at / (runs), /runs/TASK/RUN and "
        "/schemas/NAME, and the JSON API under /api (/api/openapi.json describes it). Nothing is "
        f"ever written. Bound to loopback unless --host says otherwise, which needs --token (or "
        f"${TOKEN_ENV}): every request must then carry it. Needs the web extra: pip install "
        "'baa-conductor[web]'.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    add_runs_root_options(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument(
        "--port", type=int, default=8080, help="port to bind (default 8080; 0: any free port)"
    )
    p.add_argument(
        "--token",
        default=None,
        help=f"a secret of at least {MIN_TOKEN} characters every request must carry (default "
        f"${TOKEN_ENV}); required to bind anything but loopback",
    )
    p.set_defaults(handler=cmd_serve)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or a UsageError saying why not in one line."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UsageError(f"--host {host}: cannot resolve it ({error.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise UsageError(
                f"--port {port}: already in use on {host} (choose another, or 0 for any free port)"
            ) from None
        if error.errno == errno.EACCES:
            raise UsageError(f"--port {port}: not allowed to bind it on {host}") from None
        raise UsageError(f"--host {host} --port {port}: cannot bind: {error.strerror}") from None
    sock.setblocking(False)
    return sock


def cmd_serve(args: argparse.Namespace) -> int:
    import os
    import sys

    root = runs_root_of(args)
    if not os.path.isdir(root):
        raise UsageError(f"--runs-dir {root}: no such directory")
    token = args.token or os.environ.get(TOKEN_ENV) or None
    if token is not None and len(token) < MIN_TOKEN:
        raise UsageError(f"--token: shorter than {MIN_TOKEN} characters")
    if token is None and not is_loopback(args.host):
        raise UsageError(
            f"--host {args.host}: not a loopback address; give --token (or ${TOKEN_ENV}) to "
            "serve others"
        )
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: not a port number (0 to 65535)")
    try:
        import uvicorn

        from ..web.app import create_app
    except ImportError as error:
        raise UsageError(
            f"baa serve needs the web extra ({error.name} is missing): "
            "pip install 'baa-conductor[web]'"
        ) from None
    sock = bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    server: uvicorn.Server | None = None
    config = uvicorn.Config(
        create_app(
            root,
            token,
            stopping=lambda: server is not None and server.should_exit,
            # Without a token, only loopback names: a web page elsewhere cannot point a name of
            # its own at 127.0.0.1 (DNS rebinding) and read the runs through the browser.
            hosts=None if token else LOOPBACK_NAMES | {args.host.lower(), f"[{host}]", host},
        ),
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="none",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    guarded = ", every request needs the token" if token else ""
    sys.stderr.write(f"baa: serving {root} at http://{shown}:{port}/ (Ctrl-C stops{guarded})\n")
    sys.stderr.flush()
    server.run(sockets=[sock])
    return EXIT_OK
