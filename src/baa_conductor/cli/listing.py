"""``baa list``: the runs under a runs root, with their status."""

from __future__ import annotations

from ._common import (
    EXIT_INVALID,
    EXIT_OK,
    Sink,
    UsageError,
    add_runs_root_options,
    runs_root_of,
    table,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """\
examples:
  baa list
  baa list --runs-dir /srv/runs T-1             # the runs of one task
  baa list --json | jq -r '.[] | select(.status == "failed") | .runDir'
"""

COLUMNS = (("task", "taskId"), ("run", "runId"), ("step", "stepId"), ("kind", "workerKind"),
           ("status", "status"), ("started", "startedAt"), ("exit", "exitCode"))  # fmt: skip


def register(sub: Any) -> None:
    from ._help import HelpFormatter

    p = sub.add_parser(
        "list",
        help="runs under a runs root, with their status",
        description="Every run under the runs root in the order they started (runs that started "
        "in the same millisecond by task, then run id), with its status (an unfinished run whose "
        "runner is gone is 'interrupted'; one a worker on another machine stopped beating for is "
        "'lost') and exit code. Columns are never cut; `baa validate RUN_DIR` checks a run's "
        "files in full.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    add_runs_root_options(p)
    p.add_argument(
        "task_id", nargs="?", default=None, metavar="TASK_ID", help="only the runs of this task"
    )
    p.add_argument("--task", default=None, help="the same as TASK_ID")
    p.add_argument("--json", action="store_true", help="a JSON array of runs instead of a table")
    p.set_defaults(handler=cmd_list)


def _row(run_dir: str, loads: Any) -> dict[str, Any]:
    """The listed fields of one run; KeyError/TypeError/ValueError when unreadable."""
    from ..readers import read_document, run_status

    meta = loads(read_document(f"{run_dir}/meta.json"))
    state = loads(read_document(f"{run_dir}/state.json"))
    status, _ = run_status(meta, state, run_dir)
    row = {
        "taskId": meta["taskId"], "runId": meta["runId"], "stepId": meta["stepId"],
        "workerKind": meta["workerKind"], "status": status, "startedAt": state["startedAt"],
        "exitCode": state.get("exitCode"), "runDir": run_dir, "attempt": meta.get("attempt"),
        "createdAt": meta.get("createdAt"),
    }  # fmt: skip
    if not all(
        isinstance(row[k], str)
        for k in ("taskId", "runId", "stepId", "workerKind", "status", "startedAt")
    ):
        raise TypeError("a field is not a string")
    return row


def cmd_list(args: argparse.Namespace) -> int:
    import os

    from ..encoding import loads
    from ..exceptions import BaaError

    root = runs_root_of(args)
    if not os.path.isdir(root):
        named = "--runs-dir" if args.runs_dir else "runs root"
        raise UsageError(f"{named} {root}: no such directory")
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    if args.task and args.task_id and args.task != args.task_id:
        raise UsageError(f"two tasks named: {args.task_id} and --task {args.task}")
    task = args.task or args.task_id
    if task is not None and ("/" in task or "\0" in task or task in ("", ".", "..")):
        raise UsageError(f"task id {task!r}: not a task id (one name under the runs root)")
    tasks = [task] if task else sorted(_names(root, problems))
    for task in tasks:
        for run in sorted(_names(os.path.join(root, task), problems)):
            run_dir = os.path.join(root, task, run)
            if not os.path.exists(os.path.join(run_dir, "meta.json")):
                continue
            try:
                rows.append(_row(run_dir, loads))
            except ValueError as error:  # a RunFileError names its file
                problems.append(
                    str(error) if isinstance(error, BaaError) else f"{run_dir}: {error}"
                )
            except (KeyError, TypeError) as error:
                problems.append(f"{run_dir}: meta.json or state.json lacks a field ({error})")
    # Start times, then task and run id: runs started in the same millisecond keep one order.
    rows.sort(key=lambda r: (r["startedAt"], r["taskId"], r["runId"]))
    _name_next_attempts(rows)
    out = Sink.stdout()
    if args.json:
        import json

        out.text(json.dumps(rows, indent=2) + "\n")
    elif rows:
        cells = ([_cell(r, key) for _, key in COLUMNS] for r in rows)
        out.text(table([title for title, _ in COLUMNS], cells))
    else:
        Sink.stderr().text(f"no runs under {root}\n")
    err = Sink.stderr()
    for problem in problems:
        err.text(f"unreadable run: {problem}\n")
    return EXIT_INVALID if problems else EXIT_OK


def _cell(row: dict[str, Any], key: str) -> str:
    if key == "status" and row.get("nextAttempt"):
        return f"{row['status']} (next: {row['nextAttempt']})"
    return str(row[key]) if row[key] is not None else "-"


def _name_next_attempts(rows: list[dict[str, Any]]) -> None:
    """``nextAttempt`` (a run id) for each interrupted or lost run whose step ran again."""
    from ..lookup import next_attempt_of

    by_task: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_task.setdefault(row["taskId"], []).append(row)
    for row in rows:
        if row["status"] in ("interrupted", "lost"):
            row["nextAttempt"] = next_attempt_of(row, by_task[row["taskId"]])


def _names(directory: str, problems: list[str]) -> list[str]:
    """Directories in ``directory``, hidden ones (runs being built) left out; one that cannot be
    read is a problem, and the others are still listed."""
    import os

    try:
        with os.scandir(directory) as entries:
            return [e.name for e in entries
                    if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")]  # fmt: skip
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as error:
        problems.append(f"{directory}: cannot read: {error.strerror}")
        return []
