"""The ``baa`` command: validate, schemas, compat, run, show, tail, list."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import __version__, encoding
from ._schemas import load_schema, schema_names, schema_text, schema_version
from .compat import MODES
from .exceptions import BaaError, ContractError, Interrupted, RunStoreError, Violation
from .paths import JSONL_FILES, SCHEMA_OF_FILE, runs_root
from .session import chunk_bytes
from .store import LOG_OF_CHANNEL, RunRecord, find_runs, is_locked, read_run, tail_lines
from .validation import validate

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
CHANNEL_OF_STREAM_LOG = {n: c for c, n in LOG_OF_CHANNEL.items() if c != "worker"}

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class UsageError(Exception):
    """Bad arguments or unreadable input: exit 2."""


# validate ------------------------------------------------------------------------------------


def _schema_for(path: Path, explicit: str | None) -> str:
    if explicit:
        load_schema(explicit)
        return explicit
    if path.name in SCHEMA_OF_FILE:
        return SCHEMA_OF_FILE[path.name]
    raise UsageError(
        f"{path}: cannot tell its schema from the name; pass --schema (one of: {', '.join(schema_names())})"
    )


def _documents(path: Path, jsonl: bool) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of each JSONL line, read as a stream; or (0, the whole JSON file)."""
    try:
        with path.open("rb") as handle:
            if not jsonl:
                yield 0, handle.read()
                return
            for number, line in enumerate(handle, start=1):
                yield number, line.rstrip(b"\n")
    except OSError as error:
        raise UsageError(f"{path}: cannot read: {error.strerror}") from None


def _problems_in(path: Path, schema: str, jsonl: bool) -> Iterator[str]:
    for number, raw in _documents(path, jsonl):
        where = f"{path}:{number}" if jsonl else str(path)
        try:
            value = encoding.loads(raw)
        except ValueError as error:
            yield f"{where}: /: not JSON: {error}"
            continue
        try:
            validate(schema, value)
        except ContractError as error:
            yield from (f"{where}: {v}" for v in error.violations)
            continue
        expected = CHANNEL_OF_STREAM_LOG.get(path.name)
        if expected and value["channel"] != expected:
            yield f"{where}: {Violation('/channel', repr(value['channel']) + ' in ' + path.name)}"


def _targets(paths: Sequence[str]) -> Iterator[Path]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = [path / f for f in SCHEMA_OF_FILE if (path / f).exists()]
            if not found:
                raise UsageError(f"{path}: not a run directory (no {', '.join(SCHEMA_OF_FILE)})")
            yield from found
        elif not path.exists():
            raise UsageError(f"{path}: no such file")
        else:
            yield path


def cmd_validate(args: argparse.Namespace) -> int:
    problems = 0
    checked = 0
    for path in _targets(args.files):
        schema = _schema_for(path, args.schema)
        jsonl = args.jsonl or path.name in JSONL_FILES or path.suffix == ".jsonl"
        for problem in _problems_in(path, schema, jsonl):
            problems += 1
            print(problem)
        checked += 1
    if not args.quiet:
        verdict = "valid" if not problems else f"{problems} violation{'s' * (problems != 1)}"
        err.print(f"{checked} file{'s' * (checked != 1)} checked: {verdict}")
    return EXIT_INVALID if problems else EXIT_OK


# schemas -------------------------------------------------------------------------------------


def cmd_schemas(args: argparse.Namespace) -> int:
    if args.action == "list":
        if args.json:
            listing = [{"name": n, "$id": load_schema(n)["$id"], "version": schema_version(n),
                        "title": load_schema(n)["title"]} for n in schema_names()]  # fmt: skip
            print(json.dumps(listing, indent=2))
            return EXIT_OK
        table = Table("name", "version", "title", "$id", box=None)
        for name in schema_names():
            schema = load_schema(name)
            table.add_row(name, schema_version(name), schema["title"], schema["$id"])
        out.print(table)
        return EXIT_OK
    target = Path(args.directory)
    target.mkdir(parents=True, exist_ok=True)
    for name in schema_names():
        (target / f"{name}.schema.json").write_text(schema_text(name), "utf-8")
    err.print(f"wrote {len(schema_names())} schemas to {target}")
    return EXIT_OK


# compat --------------------------------------------------------------------------------------


def cmd_compat(args: argparse.Namespace) -> int:
    from .compat import main as compat_main

    code: int = compat_main(args)
    return code


# run -----------------------------------------------------------------------------------------


def _new_run_id() -> str:
    return f"run-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"


def _env(pairs: Sequence[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--env {pair!r}: expected NAME=VALUE")
        env[key] = value
    return env


def build_request(args: argparse.Namespace) -> dict[str, Any]:
    """The step request the ``run`` arguments describe."""
    command = list(args.cmd)
    if command and command[0] == "--":
        command = command[1:]
    repo_root = os.path.abspath(args.repo_root)
    runtime: dict[str, Any] = {
        "repoRoot": repo_root,
        "worktreePath": os.path.abspath(args.worktree or repo_root),
    }
    if args.runs_dir:
        runtime["runsRootDir"] = os.path.abspath(args.runs_dir)
    if args.env:
        runtime["env"] = _env(args.env)
    request: dict[str, Any] = {
        "taskId": args.task, "stepId": args.step, "runId": args.run or _new_run_id(),
        "attempt": args.attempt, "stepName": args.name or args.step, "stepKind": args.kind,
        "workerKind": args.kind, "timeoutSec": args.timeout, "runtime": runtime,
    }  # fmt: skip
    if args.kind == "codex":
        prompt = args.command or " ".join(command)
        if not prompt:
            raise UsageError("a codex step needs a prompt: baa run --kind codex ... -- PROMPT")
        request["prompt"] = prompt
        request["promptSummary"] = prompt[:200]
    elif args.command:
        request["command"] = args.command
    elif command:
        from .executors.shell import command_text

        request["argv"] = command
        request["command"] = command_text(command)
    else:
        raise UsageError("nothing to run: give a command after -- (or --command STRING)")
    return request


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def cmd_run(args: argparse.Namespace) -> int:
    from .executors import executor_for
    from .runner import envelope_dict, run_step

    request = build_request(args)
    executor = executor_for(args.kind, grace_sec=args.grace)
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        result = run_step(
            request, executor, tail_entries=args.tail_entries, tail_bytes=args.tail_bytes
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
    envelope = envelope_dict(result)
    if args.summary:
        state = envelope["state"]
        style = {"completed": "green", "failed": "red", "blocked": "yellow"}.get(
            envelope["outcome"], ""
        )
        out.print(Text(f"{envelope['outcome']}", style=style), f"exit {state.get('exitCode')}",
                  f"{envelope['durationMs']} ms", envelope["summary"], sep="  ")  # fmt: skip
        out.print(f"run directory: {envelope['logPaths']['runDir']}")
    else:
        print(json.dumps(envelope, indent=2, ensure_ascii=False))
    code: int = envelope["state"].get("exitCode", 0 if envelope["ok"] else 1)
    return code if 0 <= code <= 255 else 1


# show / tail / list --------------------------------------------------------------------------


def _chunk_text(raw: bytes) -> str:
    entry = encoding.loads(raw)
    return chunk_bytes(entry).decode("utf-8", "replace")


def _output_tail(record: RunRecord, channel: str, lines: int) -> list[str]:
    path = record.log_path(channel)
    text = "".join(_chunk_text(raw) for raw in tail_lines(path, lines))
    return text.splitlines()[-lines:]


def cmd_show(args: argparse.Namespace) -> int:
    record = read_run(args.run_dir)
    state = record.state.model_dump(mode="json", by_alias=True, exclude_unset=True)
    tails = {c: _output_tail(record, c, args.lines) for c in ("stdout", "stderr")}
    if args.json:
        view = {
            "runDir": record.run_dir, "status": record.status, "interrupted": record.interrupted,
            "meta": record.meta.model_dump(mode="json", by_alias=True, exclude_unset=True),
            "state": state,
            "events": [e.model_dump(mode="json", by_alias=True) for e in record.events],
            "stdoutTail": tails["stdout"], "stderrTail": tails["stderr"],
        }  # fmt: skip
        print(json.dumps(view, indent=2, ensure_ascii=False))
        return EXIT_OK
    meta = record.meta
    style = {"completed": "green", "failed": "red", "blocked": "yellow", "interrupted": "red bold"}
    out.print(Text(f"{meta.task_id.root} / {meta.step_id.root} / {meta.run_id.root}", style="bold"),
              Text(record.status, style=style.get(record.status, "cyan")))  # fmt: skip
    out.print(f"worker: {meta.worker_kind.value}  attempt: {meta.attempt}  started: {state['startedAt']}"
              f"  finished: {state.get('finishedAt', '-')}  exit code: {state.get('exitCode', '-')}")  # fmt: skip
    if meta.command:
        out.print(f"command: {meta.command}")
    if "summary" in state:
        out.print(f"summary: {state['summary']}")
    if record.interrupted:
        out.print(
            Text(
                "the runner is gone but state.json says the run is under way: interrupted",
                style="red",
            )
        )
    table = Table(box=None)
    for column in ("seq", "time", "event", "level"):
        table.add_column(column, no_wrap=True)
    table.add_column("message")
    for event in record.events:
        table.add_row(
            str(event.seq),
            event.created_at.root,
            event.type.value,
            event.level.value,
            event.message,
        )
    out.print(table)
    for channel, lines in tails.items():
        if lines:
            out.print(Text(f"last lines of {channel}:", style="bold"))
            for line in lines:
                out.print(Text(line))
    return EXIT_OK


def _new_lines(handle: Any, carry: bytearray) -> list[bytes]:
    carry += handle.read()
    *complete, rest = bytes(carry).split(b"\n")
    carry[:] = rest
    return complete


def cmd_tail(args: argparse.Namespace) -> int:
    run_dir = os.path.abspath(args.run_dir)
    record = read_run(run_dir)
    handles = {c: open(record.log_path(c), "rb") for c in LOG_OF_CHANNEL}  # noqa: SIM115
    carries = {c: bytearray() for c in handles}
    try:
        while True:
            batch: list[tuple[int, str, dict[str, Any]]] = []
            for channel, handle in handles.items():
                for raw in _new_lines(handle, carries[channel]):
                    entry = encoding.loads(raw)
                    batch.append((entry["seq"], channel, entry))
            for _, channel, entry in sorted(batch, key=lambda item: item[0]):
                if channel == "worker":
                    err.print(
                        Text(f"[{entry['seq']}] {entry['type']}: {entry['message']}", style="dim")
                    )
                else:
                    stream = sys.stdout if channel == "stdout" else sys.stderr
                    stream.write(chunk_bytes(entry).decode("utf-8", "replace"))
                    stream.flush()
            if not args.follow:
                return EXIT_OK
            if not batch and not is_locked(run_dir):
                return EXIT_OK  # the runner is done (or dead) and everything it wrote is printed
            time.sleep(args.interval)
    finally:
        for handle in handles.values():
            handle.close()


def cmd_list(args: argparse.Namespace) -> int:
    root = runs_root(args.repo_root, args.runs_dir)
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for run_dir in find_runs(root):
        try:
            record = read_run(run_dir)
        except BaaError as error:
            problems.append(f"{run_dir}: {str(error).splitlines()[0]}")
            continue
        state = record.state
        rows.append({
            "taskId": record.meta.task_id.root, "runId": record.meta.run_id.root,
            "stepId": record.meta.step_id.root, "workerKind": record.meta.worker_kind.value,
            "status": record.status, "startedAt": state.started_at.root,
            "exitCode": state.exit_code, "runDir": run_dir,
        })  # fmt: skip
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        table = Table("task", "run", "step", "kind", "status", "started", "exit", box=None)
        for row in rows:
            table.add_row(row["taskId"], row["runId"], row["stepId"], row["workerKind"], row["status"],
                          row["startedAt"], "-" if row["exitCode"] is None else str(row["exitCode"]))  # fmt: skip
        out.print(table if rows else f"no runs under {root}")
    for problem in problems:
        err.print(f"unreadable run: {problem}")
    return EXIT_INVALID if problems else EXIT_OK


# parser --------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="baa", description="baa-conductor worker runner and its contracts."
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = top.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "validate", help="validate JSON / JSONL files or run directories against the schemas"
    )
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="files, or run directories (every file checked)"
    )
    p.add_argument(
        "--schema", help="schema name (default: inferred from the file name in a run directory)"
    )
    p.add_argument(
        "--jsonl", action="store_true", help="one document per line (default for *.log, *.jsonl)"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print violations only")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schemas", help="list the schemas or export them for other languages")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="name, version, title and $id of every schema")
    listing.add_argument("--json", action="store_true")
    export = actions.add_parser("export", help="write every schema file into DIR")
    export.add_argument("directory", metavar="DIR")
    p.set_defaults(func=cmd_schemas)

    p = sub.add_parser("compat", help="classify schema changes against a git ref or a directory")
    p.add_argument(
        "--against",
        required=True,
        metavar="REF_OR_DIR",
        help="baseline: a directory of schemas or a git ref",
    )
    p.add_argument("--mode", choices=MODES, default="BACKWARD")
    p.add_argument(
        "--schemas",
        default=None,
        metavar="DIR",
        help="schemas to check (default: the shipped ones)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compat)

    p = sub.add_parser("run", help="run one step and print its result envelope")
    p.add_argument("--task", required=True, help="task id")
    p.add_argument("--step", required=True, help="step id")
    p.add_argument("--run", help="run id (default: generated)")
    p.add_argument("--name", help="step name (default: the step id)")
    p.add_argument("--kind", choices=["shell", "git", "codex"], default="shell")
    p.add_argument("--timeout", type=float, default=3600, metavar="SEC")
    p.add_argument(
        "--grace",
        type=float,
        default=None,
        metavar="SEC",
        help="SIGTERM to SIGKILL grace (default 10)",
    )
    p.add_argument("--attempt", type=int, default=1)
    p.add_argument("--repo-root", default=".", metavar="DIR")
    p.add_argument(
        "--worktree", default=None, metavar="DIR", help="where the worker runs (default: repo root)"
    )
    p.add_argument(
        "--runs-dir", default=None, metavar="DIR", help="runs root (default: <repo root>/runs)"
    )
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument(
        "-c",
        "--command",
        default=None,
        metavar="STRING",
        help="shell command string (run by /bin/sh -c)",
    )
    p.add_argument(
        "--tail-entries",
        type=int,
        default=200,
        metavar="N",
        help="output chunks kept in the envelope",
    )
    p.add_argument(
        "--tail-bytes",
        type=int,
        default=1 << 20,
        metavar="N",
        help="output text kept in the envelope (about N bytes)",
    )
    p.add_argument(
        "--summary", action="store_true", help="print a short human summary instead of the envelope"
    )
    p.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD...")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("show", help="a readable view of one run")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--json", action="store_true")
    p.add_argument("-n", "--lines", type=int, default=10, help="lines of output to show")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("tail", help="print a run's events and output, following it while it runs")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--no-follow", dest="follow", action="store_false")
    p.add_argument("--interval", type=float, default=0.2, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_tail)

    p = sub.add_parser("list", help="runs under a runs root, with their status")
    p.add_argument("--runs-dir", default=None, metavar="DIR")
    p.add_argument("--repo-root", default=".", metavar="DIR")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    return top


#: Commands that look at runs first stop workers whose runner was killed (see executors.process).
SWEEPING = {"run", "show", "tail", "list"}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.subcommand in SWEEPING:
        from .executors import sweep_orphans

        sweep_orphans()
    try:
        code: int = args.func(args)
    except UsageError as error:
        err.print(f"baa: error: {error}")
        return EXIT_USAGE
    except ContractError as error:
        err.print(f"baa: error: {error}")
        return EXIT_USAGE if args.subcommand == "run" else EXIT_INVALID
    except RunStoreError as error:
        err.print(f"baa: error: {error}")
        return EXIT_INVALID
    except BaaError as error:
        err.print(f"baa: error: {error}")
        return EXIT_USAGE
    except (KeyboardInterrupt, Interrupted):
        return 130
    except BrokenPipeError:
        return EXIT_INVALID
    return code
