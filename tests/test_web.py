"""`baa serve`'s HTTP API over real run directories, through the ASGI application itself."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx2")

from helpers import make_request
from starlette.testclient import TestClient
from webserver import served

from baa_conductor._schemas import load_schema, schema_names
from baa_conductor.executors import ShellExecutor
from baa_conductor.runner import run_step_dict
from baa_conductor.validation import is_valid
from baa_conductor.web.app import create_app


def run(
    tmp_path: Path, command: str, run_id: str, task: str = "T-005", **more: Any
) -> dict[str, Any]:
    request = make_request(tmp_path, run_id=run_id, taskId=task, command=command, **more)
    return run_step_dict(request, ShellExecutor())


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    (tmp_path / "runs").mkdir()
    with TestClient(create_app(str(tmp_path / "runs"))) as test_client:
        yield test_client


def test_runs_lists_every_run_newest_first_with_schema_shaped_meta_and_state(
    tmp_path: Path, client: TestClient
) -> None:
    """/api/runs: each run with its meta and state as the schemas describe them, newest first."""
    run(tmp_path, "echo one", "r1")
    run(tmp_path, "exit 3", "r2", task="T-006")
    body = client.get("/api/runs").json()
    assert [(r["taskId"], r["runId"], r["status"]) for r in body["runs"]] == [
        ("T-006", "r2", "failed"), ("T-005", "r1", "completed"),
    ]  # fmt: skip
    for row in body["runs"]:
        assert is_valid("run-metadata", row["meta"])
        assert is_valid("run-state-snapshot", row["state"])
    assert body["total"] == 2
    assert body["nextCursor"] is None


def test_runs_filters_and_pages_with_a_cursor(tmp_path: Path, client: TestClient) -> None:
    """task and status filter; limit and cursor page through the runs without loss or repeat."""
    for n in range(5):
        run(tmp_path, "true" if n % 2 else "false", f"r{n}")
    seen = []
    cursor = None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/runs", params=query).json()
        seen += [r["runId"] for r in body["runs"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert seen == ["r4", "r3", "r2", "r1", "r0"]
    failed = client.get("/api/runs", params={"status": "failed"}).json()["runs"]
    assert [r["runId"] for r in failed] == ["r4", "r2", "r0"]
    assert client.get("/api/runs", params={"task": "nope"}).json()["runs"] == []
    bad = client.get("/api/runs", params={"limit": "0"})
    assert bad.status_code == 400
    assert bad.json() == {"error": "limit: '0' is not an integer from 1 to 10000"}
    assert client.get("/api/runs", params={"cursor": "garbage!"}).status_code == 400


def test_a_new_run_appears_in_the_list(tmp_path: Path, client: TestClient) -> None:
    """The index notices a run created after the first request (directory mtimes)."""
    run(tmp_path, "true", "r1")
    assert len(client.get("/api/runs").json()["runs"]) == 1
    run(tmp_path, "true", "r2")
    client.app.app.state.index.refresh(force=True)  # type: ignore[attr-defined]
    assert [r["runId"] for r in client.get("/api/runs").json()["runs"]] == ["r2", "r1"]


def test_run_detail_has_meta_state_events_and_attempts(tmp_path: Path, client: TestClient) -> None:
    """/api/runs/T/R: status, meta, state, lifecycle events and the other runs of the step."""
    run(tmp_path, "echo hi", "r1")
    run(tmp_path, "echo hi", "r2")
    body = client.get("/api/runs/T-005/r1").json()
    assert body["status"] == "completed"
    assert body["live"] is False
    assert is_valid("run-metadata", body["meta"])
    assert is_valid("run-state-snapshot", body["state"])
    assert [e["type"] for e in body["events"]][-1] == "step_completed"
    assert all(is_valid("worker-log-line", e) for e in body["events"])
    assert {a["runId"] for a in body["attempts"]} == {"r1", "r2"}


def test_log_merges_the_three_logs_in_seq_order_both_ways(
    tmp_path: Path, client: TestClient
) -> None:
    """The log route interleaves worker, stdout and stderr entries by seq, forward and backward."""
    script = "for i in 1 2 3 4 5 6; do echo out$i; echo err$i >&2; sleep 0.05; done"
    run(tmp_path, script, "r1")
    everything = client.get("/api/runs/T-005/r1/log", params={"after_seq": 0}).json()
    seqs = [e["seq"] for e in everything["entries"]]
    assert seqs == sorted(seqs)
    assert seqs == list(range(1, len(seqs) + 1))
    assert {e.get("channel", "worker") for e in everything["entries"]} == {
        "worker",
        "stdout",
        "stderr",
    }
    assert everything["more"] is False
    for entry in everything["entries"]:
        schema = "worker-log-line" if "channel" not in entry else "stream-chunk-log-entry"
        assert is_valid(schema, entry)
    tail = client.get("/api/runs/T-005/r1/log", params={"limit": 4}).json()
    assert [e["seq"] for e in tail["entries"]] == seqs[-4:]
    assert tail["more"] is True
    earlier = client.get(
        "/api/runs/T-005/r1/log", params={"before_seq": seqs[-4], "limit": 3}
    ).json()
    assert [e["seq"] for e in earlier["entries"]] == seqs[-7:-4]
    middle = client.get("/api/runs/T-005/r1/log", params={"after_seq": 5, "limit": 2}).json()
    assert [e["seq"] for e in middle["entries"]] == [6, 7]
    assert middle["more"] is True


def test_log_skips_bad_lines_and_names_them(tmp_path: Path, client: TestClient) -> None:
    """A line that is not a valid entry is left out of the page and named in problems."""
    run(tmp_path, "echo a; sleep 0.5; echo b", "r1")
    stdout = tmp_path / "runs" / "T-005" / "r1" / "stdout.log"
    lines = stdout.read_bytes().splitlines(keepends=True)
    stdout.write_bytes(lines[0] + b'{"seq": "x"}\n' + b"".join(lines[1:]))
    body = client.get("/api/runs/T-005/r1/log", params={"after_seq": 0}).json()
    assert len(body["problems"]) == 1
    assert body["problems"][0].startswith("T-005/r1/stdout.log: byte ")  # relative to the root
    assert [e["text"] for e in body["entries"] if "text" in e] == ["a\n", "b\n"]


def test_huge_logs_are_read_by_seeking(tmp_path: Path, client: TestClient) -> None:
    """A log of many entries: tail, a page in the middle, a line too long to hold (skipped)."""
    run(tmp_path, "true", "r1")
    run_dir = tmp_path / "runs" / "T-005" / "r1"
    first_free = (
        max(
            e["seq"]
            for e in client.get("/api/runs/T-005/r1/log", params={"after_seq": 0}).json()["entries"]
        )
        + 1
    )
    template = {"taskId": "T-005", "stepId": "step-1", "runId": "r1", "channel": "stdout",
                "createdAt": "2026-03-21T11:41:39.123Z"}  # fmt: skip
    with (run_dir / "stdout.log").open("ab") as handle:
        for n in range(200_000):
            seq = first_free + n
            if n == 100_000:
                handle.write(b"x" * (9 << 20) + b"\n")  # longer than any line a reader holds
            handle.write(
                json.dumps({**template, "seq": seq, "text": f"line {seq}\n"}).encode() + b"\n"
            )
    last = first_free + 199_999
    tail = client.get("/api/runs/T-005/r1/log", params={"limit": 3}).json()
    assert [e["seq"] for e in tail["entries"]] == [last - 2, last - 1, last]
    middle = client.get(
        "/api/runs/T-005/r1/log", params={"after_seq": first_free + 99_998, "limit": 3}
    ).json()
    assert [e["seq"] for e in middle["entries"]] == [
        first_free + 99_999,
        first_free + 100_000,
        first_free + 100_001,
    ]
    assert any("longer than 8 MiB" in p for p in middle["problems"])
    back = client.get(
        "/api/runs/T-005/r1/log", params={"before_seq": first_free + 100_001, "limit": 2}
    ).json()
    assert [e["seq"] for e in back["entries"]] == [first_free + 99_999, first_free + 100_000]
    assert any("longer than 8 MiB" in p for p in back["problems"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/runs/T-005/..",
        "/api/runs/../runs/T-005/r1",
        "/api/runs/T-005/r1%2F..%2F..",
        "/api/runs/T-005%2Fr1/log",
        "/api/runs/T-005/r1%00",
        "/api/runs/.hidden/r1",
        "/api/runs/T-005/outside",
        "/api/runs/T-005/outside/log",
        "/api/runs/T-005/outside/files/meta.json",
        "/api/runs/linked/r1",
        "/api/runs/T-005/r1/files/..%2F..%2Fsecret",
        "/api/runs/T-005/r1/files/artifacts/leak",
        "/api/runs/T-005/r1/files/etc/passwd",
        "/runs/T-005/outside",
        "/runs/..%2F..%2Fetc/passwd",
    ],
)
def test_hostile_paths_answer_404_and_read_nothing_outside(tmp_path: Path, path: str) -> None:
    """`..`, encoded slashes, NULs, hidden names and symlinks out of the root answer 404."""
    (tmp_path / "runs").mkdir()
    run(tmp_path, "true", "r1")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "meta.json").write_text('{"secret": true}')
    (tmp_path / "runs" / "T-005" / "outside").symlink_to(secret)
    (tmp_path / "runs" / "linked").symlink_to(tmp_path / "runs" / "T-005")
    (tmp_path / "runs" / "T-005" / "r1" / "artifacts" / "leak").symlink_to(secret / "meta.json")
    with served(tmp_path / "runs") as (host, port):
        connection = http.client.HTTPConnection(host, port, timeout=30)
        try:
            connection.request("GET", path)  # sent as written: no client normalises it
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
    assert response.status == 404
    assert b"secret" not in body


def test_files_list_verdicts_and_raw_bytes_as_plain_text(
    tmp_path: Path, client: TestClient
) -> None:
    """Each file with its schema verdict; a file's bytes come as text/plain, never as a page."""
    run(tmp_path, "printf '<script>alert(1)</script>'", "r1")
    files = {f["name"]: f for f in client.get("/api/runs/T-005/r1/files").json()["files"]}
    assert files["meta.json"]["verdict"] == "valid"
    assert files["meta.json"]["schema"] == "run-metadata"
    assert files["stdout.log"]["verdict"] == "valid"
    (tmp_path / "runs" / "T-005" / "r1" / "artifacts" / "notes.json").write_text("{}")
    raw = client.get("/api/runs/T-005/r1/files/stdout.log")
    assert raw.headers["content-type"] == "text/plain; charset=utf-8"
    assert raw.headers["x-content-type-options"] == "nosniff"
    assert b"<script>" in raw.content
    assert client.get("/api/runs/T-005/r1/files/artifacts/notes.json").content == b"{}"


def test_every_response_carries_a_strict_content_security_policy(
    tmp_path: Path, client: TestClient
) -> None:
    """Pages and API answers forbid inline script and anything from another origin."""
    run(tmp_path, "true", "r1")
    for path in ("/", "/runs/T-005/r1", "/api/runs", "/schemas/run-metadata", "/static/run.js"):
        policy = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "default-src 'none'" in policy


def test_pages_hold_no_run_data(tmp_path: Path, client: TestClient) -> None:
    """The run page is the same static shell whatever the run holds: its script reads the API."""
    run(tmp_path, "echo '<script>alert(1)</script>'", "r1")
    page = client.get("/runs/T-005/r1")
    assert page.status_code == 200
    assert b"alert" not in page.content
    assert b'<script type="module" src="/static/run.js"></script>' in page.content
    assert client.get("/runs/T-005/nope").status_code == 404
    assert client.get("/schemas/no-such-schema").status_code == 404


def test_openapi_components_are_the_contract_schemas(client: TestClient) -> None:
    """/api/openapi.json: every contract schema is a component exactly as shipped."""
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    components = document["components"]["schemas"]
    for name in schema_names():
        schema = load_schema(name)
        assert components[schema["title"]] == schema
    run_row = components["RunRow"]["properties"]
    assert run_row["meta"] == {"$ref": "#/components/schemas/RunMetadata"}
    assert "/api/runs/{task}/{run}/log" in document["paths"]


def test_schema_routes_serve_the_shipped_schema_and_its_page(client: TestClient) -> None:
    """/api/schemas/NAME is the file as shipped; /page the contracts' Markdown page for it."""
    from baa_conductor._schemas import schema_text

    assert client.get("/api/schemas/run-metadata").text == schema_text("run-metadata")
    page = client.get("/api/schemas/run-state-snapshot/page")
    assert page.headers["content-type"] == "text/markdown; charset=utf-8"
    assert "# RunStateSnapshot" in page.text
    assert "tests/fixtures/run-state-snapshot/valid/" in page.text
    assert client.get("/api/schemas/nope/page").status_code == 404


def test_a_token_guards_every_route(tmp_path: Path) -> None:
    """With a token, nothing answers without it; ?token= sets a cookie and drops it from the URL."""
    (tmp_path / "runs").mkdir()
    token = "t" * 24
    with TestClient(create_app(str(tmp_path / "runs"), token)) as c:
        assert c.get("/api/runs").status_code == 401
        assert c.get("/").status_code == 401
        assert c.get("/api/runs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert c.get("/?token=wrong").status_code == 401
        redirect = c.get(f"/?token={token}", follow_redirects=False)
        assert redirect.status_code == 303
        assert redirect.headers["location"] == "/"
        assert c.get("/api/runs").status_code == 200  # the cookie now


def test_events_stream_entries_then_the_terminal_state(tmp_path: Path, client: TestClient) -> None:
    """/events of a finished run: every entry after after_seq (id = seq), then `end`."""
    run(tmp_path, "echo a; echo b >&2", "r1")
    with client.stream("GET", "/api/runs/T-005/r1/events", params={"after_seq": 2}) as response:
        text = "".join(response.iter_text())
    events = [block for block in text.split("\n\n") if block.startswith("id:") or "event:" in block]
    kinds = [
        line.split(": ", 1)[1]
        for block in events
        for line in block.splitlines()
        if line.startswith("event:")
    ]
    assert kinds[-1] == "end"
    assert set(kinds[:-1]) == {"entry"}
    ids = [
        int(line[4:]) for block in events for line in block.splitlines() if line.startswith("id: ")
    ]
    assert ids == sorted(ids)
    assert ids[0] == 3
    end = json.loads(events[-1].split("data: ", 1)[1])
    assert end["status"] == "completed"
    assert is_valid("run-state-snapshot", end["state"])
    with client.stream(
        "GET", "/api/runs/T-005/r1/events", headers={"Last-Event-ID": str(ids[-2])}
    ) as response:
        resumed = "".join(response.iter_text())
    assert [int(line[4:]) for line in resumed.splitlines() if line.startswith("id: ")] == [ids[-1]]


# the command ------------------------------------------------------------------------------------


def baa_serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "baa_conductor", "serve", *args],
                          capture_output=True, text=True, timeout=60, env=env)  # fmt: skip


def test_serve_refuses_a_missing_runs_dir(tmp_path: Path) -> None:
    """A runs directory that does not exist: one line, exit 2."""
    done = baa_serve("--runs-dir", str(tmp_path / "nope"))
    assert done.returncode == 2
    assert done.stderr == f"baa: error: --runs-dir {tmp_path / 'nope'}: no such directory\n"


def test_serve_says_when_the_port_is_in_use(tmp_path: Path) -> None:
    """A port another program holds: one line naming it, exit 2."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = baa_serve("--runs-dir", str(tmp_path), "--port", str(port))
    assert done.returncode == 2
    assert done.stderr == (
        f"baa: error: --port {port}: already in use on 127.0.0.1 (choose another, or 0 for any "
        "free port)\n"
    )


def test_serve_needs_a_token_beyond_loopback(tmp_path: Path) -> None:
    """Binding anything but loopback without a token is refused before anything is bound."""
    env = {k: v for k, v in os.environ.items() if k != "BAA_SERVE_TOKEN"}
    done = baa_serve("--runs-dir", str(tmp_path), "--host", "0.0.0.0", env=env)
    assert done.returncode == 2
    assert done.stderr == (
        "baa: error: --host 0.0.0.0: not a loopback address; give --token (or $BAA_SERVE_TOKEN) "
        "to serve others\n"
    )
    short = baa_serve("--runs-dir", str(tmp_path), "--token", "abc")
    assert short.stderr == "baa: error: --token: shorter than 16 characters\n"


def test_a_log_cut_short_by_the_budget_bounds_the_page(tmp_path: Path, client: TestClient) -> None:
    """When one log fills the page's byte budget, entries of the others beyond it wait for the
    next page: a page never skips over entries it did not read."""
    script = "echo first; python3 -c \"print('x' * (6 << 20))\"; echo last >&2"
    run(tmp_path, script, "r1")
    seen: list[int] = []
    before = None
    while True:
        query = {"limit": 1000, **({"before_seq": before} if before else {})}
        page = client.get("/api/runs/T-005/r1/log", params=query).json()
        seqs = [e["seq"] for e in page["entries"]]
        assert seqs == sorted(seqs)
        seen = seqs + seen
        if not page["more"]:
            break
        before = seqs[0]
    assert seen == list(range(1, len(seen) + 1))


def test_a_fifo_or_symlink_in_a_run_is_refused_without_hanging(
    tmp_path: Path, client: TestClient
) -> None:
    """A FIFO planted as a log, a symlinked file: named as refused, never opened or waited on."""
    run(tmp_path, "echo hi >&2", "r1")
    run_dir = tmp_path / "runs" / "T-005" / "r1"
    (run_dir / "stderr.log").unlink()
    os.mkfifo(run_dir / "stderr.log")
    (tmp_path / "elsewhere.json").write_text('{"secret": 1}')
    (run_dir / "artifacts" / "linked.json").symlink_to(tmp_path / "elsewhere.json")
    page = client.get("/api/runs/T-005/r1/log", params={"after_seq": 0}).json()
    assert page["problems"] == ["T-005/r1/stderr.log: a FIFO, not a regular file; refused"]
    files = {f["name"]: f for f in client.get("/api/runs/T-005/r1/files").json()["files"]}
    assert files["stderr.log"]["verdict"] == "refused: not a regular file"
    assert files["artifacts/linked.json"]["verdict"] == "refused: not a regular file"
    assert client.get("/api/runs/T-005/r1/files/stderr.log").status_code == 404
    assert client.get("/api/runs/T-005/r1/files/artifacts/linked.json").status_code == 404


def test_status_says_interrupted_lost_or_live(tmp_path: Path, client: TestClient) -> None:
    """An unfinished run with no runner here is interrupted; one a worker on another machine
    took is live while its heartbeat is fresh and lost once it is not."""
    from baa_conductor.readers import run_status

    run(tmp_path, "true", "r1")
    run_dir = tmp_path / "runs" / "T-005" / "r1"
    meta = json.loads((run_dir / "meta.json").read_text())
    state = json.loads((run_dir / "state.json").read_text())
    del state["finishedAt"]
    state["status"] = "running"
    assert run_status(meta, state, str(run_dir)) == ("interrupted", False)
    elsewhere = {**meta, "worker": "celery@another-host"}
    stale = {**state, "updatedAt": "2026-01-01T00:00:00.000Z"}
    assert run_status(elsewhere, stale, str(run_dir)) == ("lost", False)
    from datetime import UTC, datetime

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert run_status(elsewhere, {**state, "updatedAt": now}, str(run_dir)) == ("running", True)
    here = {**meta, "worker": f"{os.uname().nodename}:1234"}
    assert run_status(here, stale, str(run_dir)) == ("interrupted", False)
    (run_dir / "state.json").write_text(json.dumps(stale))
    (run_dir / "meta.json").write_text(json.dumps(elsewhere))
    client.app.app.state.index.refresh(force=True)  # type: ignore[attr-defined]
    rows = client.get("/api/runs", params={"status": "lost"}).json()["runs"]
    assert [r["runId"] for r in rows] == ["r1"]


def test_a_run_names_the_attempt_that_followed_it(tmp_path: Path, client: TestClient) -> None:
    """The run detail names the next attempt of the same step (the lookup module's rule)."""
    run(tmp_path, "exit 1", "r1")
    run(tmp_path, "true", "r1.attempt-2", attempt=2)
    first = client.get("/api/runs/T-005/r1").json()
    assert first["nextAttempt"] == "r1.attempt-2"
    assert {a["runId"]: a["attempt"] for a in first["attempts"]} == {"r1": 1, "r1.attempt-2": 2}
    assert client.get("/api/runs/T-005/r1.attempt-2").json()["nextAttempt"] is None


def test_ctrl_c_ends_the_server_and_its_open_streams_cleanly(tmp_path: Path) -> None:
    """Ctrl-C with a live run's event stream open: the stream ends, exit 130, no traceback."""
    import signal

    (tmp_path / "runs").mkdir()
    go = tmp_path / "go"
    runner = subprocess.Popen([sys.executable, "-m", "baa_conductor", "run", "--quiet",
                               "--runs-dir", str(tmp_path / "runs"), "--task", "T", "--step", "s",
                               "--run", "live", "-c", f"echo up; while [ ! -e {go} ]; do sleep 0.05; done"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    server = subprocess.Popen([sys.executable, "-m", "baa_conductor", "serve", "--runs-dir",
                               str(tmp_path / "runs"), "--port", "0"], stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert server.stderr is not None
        port = int(
            server.stderr.readline().split("http://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1]
        )
        stdout_log = tmp_path / "runs" / "T" / "live" / "stdout.log"
        deadline = time.monotonic() + 30  # a hang guard
        while not (stdout_log.exists() and b"up" in stdout_log.read_bytes()):
            assert runner.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.02)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/api/runs/T/live/events")
        response = connection.getresponse()
        assert b"event: entry" in response.read1(65536) + response.read1(65536)
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 130
        assert "Traceback" not in server.stderr.read()
        connection.close()
    finally:
        go.touch()
        server.kill()
        runner.wait(timeout=60)
        if server.stderr is not None:
            server.stderr.close()


def test_an_unreadable_run_is_listed_with_its_problem(tmp_path: Path, client: TestClient) -> None:
    """A run whose state.json breaks its schema is listed as unreadable, naming the file
    relative to the runs root."""
    run(tmp_path, "true", "r1")
    (tmp_path / "runs" / "T-005" / "r1" / "state.json").write_text('{"status": "nonsense"}')
    (row,) = client.get("/api/runs").json()["runs"]
    assert row["status"] == "unreadable"
    assert row["problem"].startswith("T-005/r1/state.json: ")
    assert "meta" not in row


def test_without_a_token_only_loopback_names_are_answered(tmp_path: Path) -> None:
    """A request that calls the server by another name (a page elsewhere that pointed its own
    name at 127.0.0.1: DNS rebinding) is refused; loopback names are answered."""
    (tmp_path / "runs").mkdir()
    with served(tmp_path / "runs") as (host, port):
        answers = {}
        for name in ("evil.example", f"localhost:{port}", f"127.0.0.1:{port}", "attacker.test:80"):
            connection = http.client.HTTPConnection(host, port, timeout=30)
            try:
                connection.request("GET", "/api/runs", headers={"Host": name})
                response = connection.getresponse()
                answers[name] = (response.status, response.read())
            finally:
                connection.close()
    assert answers[f"localhost:{port}"][0] == 200
    assert answers[f"127.0.0.1:{port}"][0] == 200
    assert answers["evil.example"][0] == 403
    assert answers["attacker.test:80"][0] == 403
    assert b'"runs"' not in answers["evil.example"][1]


def test_openapi_describes_every_api_route(client: TestClient) -> None:
    """Each /api route the application has is a path of the OpenAPI document."""
    from starlette.routing import Route

    app = client.app.app  # type: ignore[attr-defined]
    routes = {r.path for r in app.routes if isinstance(r, Route) and r.path.startswith("/api/")}
    documented = set(client.get("/api/openapi.json").json()["paths"]) | {"/api/openapi.json"}
    assert routes <= documented


def test_search_finds_lines_in_the_whole_log_and_goes_on(
    tmp_path: Path, client: TestClient
) -> None:
    """/search: matches anywhere in the logs (case-insensitive), with their permalink ids, read
    in bounded steps that go on where the last one ended."""
    run(tmp_path, "echo one; echo 'Needle \"quoted\"' >&2; printf 'a\\nb needle\\n'", "r1")
    body = client.get("/api/runs/T-005/r1/search", params={"q": "needle"}).json()
    assert len(body["matches"]) == 2
    assert any("." in m["id"] for m in body["matches"])  # a later line of a chunk (L4.3)
    assert body["nextAfterSeq"] is None
    quoted = client.get("/api/runs/T-005/r1/search", params={"q": 'needle "quoted'}).json()
    assert len(quoted["matches"]) == 1
    events = client.get("/api/runs/T-005/r1/search", params={"q": "step_completed"}).json()
    assert len(events["matches"]) == 1
    assert client.get("/api/runs/T-005/r1/search").status_code == 400
    from baa_conductor.web import logs

    found = []
    after: int | None = 0
    while after is not None:  # a budget of one line a log: every step goes on where it ended
        page = logs.search(
            str(tmp_path / "runs" / "T-005" / "r1"), "needle", after_seq=after, budget=1
        )
        found += [m["id"] for m in page["matches"]]
        after = page["nextAfterSeq"]
    assert found == [m["id"] for m in body["matches"]]


def test_search_reads_lines_longer_than_its_blocks(tmp_path: Path, client: TestClient) -> None:
    """A match inside an entry longer than a search block (a 6 MB chunk) is found too."""
    from baa_conductor.web import logs

    run(tmp_path, "true", "r1")
    run_dir = tmp_path / "runs" / "T-005" / "r1"
    big = "x" * (logs.SEARCH_BLOCK_BYTES + (2 << 20)) + " the-needle\n"
    entry = {"taskId": "T-005", "stepId": "step-1", "runId": "r1", "seq": 100, "channel": "stdout",
             "createdAt": "2026-03-21T11:41:39.123Z", "text": big}  # fmt: skip
    small = {**entry, "seq": 101, "text": "after the-needle\n"}
    with (run_dir / "stdout.log").open("a") as handle:
        handle.write(json.dumps(entry) + "\n" + json.dumps(small) + "\n")
    body = client.get("/api/runs/T-005/r1/search", params={"q": "THE-NEEDLE"}).json()
    assert [m["seq"] for m in body["matches"]] == [100, 101]
