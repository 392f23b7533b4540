"""``baa run``: run one step, its output live on the terminal, everything kept in the run directory."""

from __future__ import annotations

import os

from ._common import Sink

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """\
examples:
  baa run --task T-1 --step build -- make -j2               # output live, then one summary line
  baa run --task T-1 --step build -c 'make 2>&1 | tee b.txt' # a shell command string
  baa run --json --task T-1 --step st --kind git -- status --porcelain > envelope.json
  baa run --task T-1 --step fix --checkpoint git_diff --checkpoint-every 300 --kind codex -- "fix it"
  baa run --resume-from T-1/run-20260101T000000-abc123@3   # attempt + 1, from checkpoint 3

The exit code is the step's (124 timeout, 127 not found, 128+N killed by signal N), also when
stdout is a closed pipe or a full device; 2 for bad arguments, 1 when the run files cannot be
written.
"""


def register(sub: Any) -> None:
    import argparse

    from ._help import HelpFormatter

    p = sub.add_parser(
        "run",
        help="run one step: its output live, a summary at the end, every byte kept on disk",
        description="Run one step. Its stdout and stderr go to yours as they are written, and "
        "everything it does is kept in runs/<taskId>/<runId>/; a one-line summary (outcome, exit "
        "code, duration, run directory) ends on stderr.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    add_step_options(p, resumable=True)
    add_codex_options(p)
    p.add_argument(
        "--resume-from", default=None, metavar="RUN[@N]",
        help="run the step of RUN again (attempt + 1) from its checkpoint N (default: its last): "
        "the worktree must be clean and at the checkpoint's base commit",
    )  # fmt: skip
    add_output_options(p)
    p.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD...", help="what to run")
    p.set_defaults(handler=cmd_run)


def add_step_options(p: Any, *, resumable: bool = False) -> None:
    """The options that describe a step (``baa submit`` takes the same ones).

    ``resumable``: ``--task`` and ``--step`` may come from the run named by ``--resume-from``.
    """
    p.add_argument(
        "--task", required=not resumable, help="task id (a directory under the runs root)"
    )
    p.add_argument("--step", required=not resumable, help="step id")
    p.add_argument("--run", help="run id (default: run-<UTC time>-<random>)")
    p.add_argument("--name", help="step name (default: the step id)")
    p.add_argument(
        "--kind", choices=["shell", "git", "codex"], default="shell",
        help="shell: CMD as argv (or -c STRING); git: git arguments; codex: the prompt",
    )  # fmt: skip
    p.add_argument(
        "--timeout", type=float, default=None, metavar="SEC",
        help="seconds before the worker is stopped (default 3600; exit code 124)",
    )  # fmt: skip
    p.add_argument(
        "--grace", type=_grace_seconds, default=None, metavar="SEC",
        help="seconds from SIGTERM to SIGKILL when stopping the worker (default 10)",
    )  # fmt: skip
    p.add_argument("--attempt", type=int, default=1, help="attempt number (default 1)")
    p.add_argument("--repo-root", default=".", metavar="DIR", help="repository root (default: .)")
    p.add_argument(
        "--worktree", default=None, metavar="DIR", help="where the worker runs (default: repo root)"
    )
    p.add_argument(
        "--runs-dir", default=None, metavar="DIR", help="runs root (default: <repo root>/runs)"
    )
    p.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE",
        help="add to the worker's environment (repeatable)",
    )  # fmt: skip
    p.add_argument(
        "-c", "--command", default=None, metavar="STRING",
        help="a shell command string, run by /bin/sh -c",
    )  # fmt: skip
    p.add_argument(
        "--checkpoint", default=None, metavar="MODE",
        choices=["disabled", "reserved_for_t006", "git_diff"],
        help="checkpoint mode: git_diff saves the worktree as patches in the run's checkpoints/; "
        "disabled takes none (default: git_diff inside a git work tree, disabled elsewhere; "
        "reserved_for_t006 is the seed's placeholder, which writes none)",
    )  # fmt: skip
    p.add_argument(
        "--checkpoint-every", type=_positive, default=None, metavar="SEC",
        help="git_diff: also take a checkpoint every SEC seconds while the worker runs",
    )  # fmt: skip
    p.add_argument(
        "--checkpoint-max-bytes", type=int, default=None, metavar="N",
        help="git_diff: the most bytes one patch may hold (default 64 MiB); larger files are "
        "recorded by size and sha256",
    )  # fmt: skip
    p.add_argument(
        "--tail-entries", type=int, default=200, metavar="N",
        help="output chunks kept in the envelope (default 200; the logs keep all)",
    )  # fmt: skip
    p.add_argument(
        "--tail-bytes", type=int, default=1 << 20, metavar="N",
        help="output text kept in the envelope, about N bytes (default 1 MiB)",
    )  # fmt: skip


def add_codex_options(p: Any) -> None:
    """How a codex step runs ``codex exec``: the request's ``codex`` options, and the executor's
    ``--skip-git-repo-check``."""
    import argparse

    codex = p.add_argument_group(
        "codex steps (--kind codex)",
        "The prompt goes to `codex exec --json` on stdin. The options travel in the request "
        "(`codex`), so a dispatched step runs as asked; see README, Running steps.",
    )
    codex.add_argument(
        "--sandbox", choices=["read-only", "workspace-write", "danger-full-access"],
        default=None, help="codex sandbox (default workspace-write: the step may change the worktree)",
    )  # fmt: skip
    codex.add_argument("--model", metavar="MODEL", help="codex --model")
    codex.add_argument(
        "--profile", metavar="PROFILE", help="codex --profile (from its config.toml)"
    )
    codex.add_argument(
        "--codex-config", action="append", default=[], metavar="KEY=VALUE",
        help="codex --config override (repeatable)",
    )  # fmt: skip
    codex.add_argument(
        "--codex-arg", action="append", default=[], metavar="ARG",
        help="one more argument for codex exec (repeatable; e.g. --codex-arg=--ephemeral)",
    )  # fmt: skip
    codex.add_argument(
        "--skip-git-repo-check", action=argparse.BooleanOptionalAction, default=None,
        help="pass codex --skip-git-repo-check (default: only when the worktree is not in a "
        "git repository)",
    )  # fmt: skip


def add_output_options(p: Any) -> None:
    """``--json`` / ``--quiet``: what is printed once the step has ended."""
    import argparse

    shown = p.add_mutually_exclusive_group()
    shown.add_argument(
        "--json", action="store_true",
        help="print only the result envelope (JSON) on stdout, no live output, no summary",
    )  # fmt: skip
    shown.add_argument(
        "-q", "--quiet", action="store_true",
        help="no live output: only the summary line on stderr",
    )  # fmt: skip
    shown.add_argument("--summary", dest="quiet", action="store_true", help=argparse.SUPPRESS)


def _positive(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def _grace_seconds(text: str) -> float:
    """``--grace``: a finite number of seconds, at least 0 (NaN would mean SIGKILL never comes)."""
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number of seconds >= 0, got {text!r}")
    return value


def make_executor(args: argparse.Namespace, request: dict[str, Any]) -> Any:
    """The executor of the request's worker kind (``--skip-git-repo-check`` is the codex
    executor's; the other codex options travel in the request)."""
    from ..executors import executor_for

    if request["workerKind"] != "codex":
        return executor_for(request["workerKind"], grace_sec=args.grace)
    from ..executors.codex import CodexExecutor

    return CodexExecutor(
        skip_git_repo_check=getattr(args, "skip_git_repo_check", None), grace_sec=args.grace
    )


class LiveOutput:
    """The worker's chunks to our stdout and stderr as they arrive; a failing stream goes quiet."""

    def __init__(self) -> None:
        self.sinks = {"stdout": Sink.stdout(), "stderr": Sink.stderr()}

    def __call__(self, channel: str, data: bytes | memoryview) -> None:
        self.sinks[channel].write(data)


def _stop_notice(grace: float) -> Any:
    """What ``baa run`` says on stderr when a stop signal comes (at once, not when the run ends)."""
    import signal

    from ..stops import write_stderr

    def note(signum: int, first: bool) -> None:
        name = signal.Signals(signum).name
        if first:
            write_stderr(f"baa: {name}: stopping the step (SIGTERM, then SIGKILL if it still runs "
                         f"{grace:g} s later; a second signal kills it now)\n")  # fmt: skip
        else:
            write_stderr(f"baa: {name} again: killing the step now\n")

    return note


def _duration(ms: int) -> str:
    if ms < 1000:
        return f"{ms} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def summary_line(envelope: dict[str, Any]) -> str:
    """``baa: completed, exit 0, 1.2 s: <summary>; run directory <dir>``: one line, for people."""
    from ._common import printable

    code = envelope["state"].get("exitCode", "-")
    run_dir = envelope["logPaths"]["runDir"]
    try:
        here = os.path.relpath(run_dir)  # shorter, when the runs root is under the cwd
    except (OSError, ValueError):  # no cwd any more
        here = run_dir
    said = envelope["summary"]
    if said.endswith(".") and not said.endswith(".."):  # "…stopped.; run directory" reads badly
        said = said[:-1]
    return printable(
        f"baa: {envelope['outcome']}, exit {code}, {_duration(envelope['durationMs'])}: "
        f"{said}; run directory {run_dir if here.startswith('..') else here}"
    ).replace("\n", " ")


def cmd_run(args: argparse.Namespace) -> int:
    from .. import stops
    from ..executors.containment import sweep_orphans
    from ..executors.process import DEFAULT_GRACE_SEC as DEFAULT_GRACE
    from ..runner import run_step_dict
    from ._request import build_request

    request = build_request(args)
    sweep_orphans()  # what runners killed before left behind
    executor = make_executor(args, request)
    live = None if args.json or args.quiet else LiveOutput()
    # Ctrl-C, SIGTERM and SIGHUP (the terminal went away) all stop the run the same way, with a
    # final state; a second one kills the step without waiting out the grace.
    note = None if live is None else _stop_notice(getattr(executor, "grace_sec", DEFAULT_GRACE))
    with stops.handling(note=note):
        envelope = run_step_dict(
            request, executor, tail_entries=args.tail_entries, tail_bytes=args.tail_bytes,
            on_output=live, worker=f"{os.uname().nodename}:{os.getpid()}",
        )  # fmt: skip
    return report(envelope, args, live)


def report(envelope: dict[str, Any], args: argparse.Namespace, live: LiveOutput | None) -> int:
    """The envelope (``--json``) or the summary line; the step's exit code as ours."""
    err = Sink.stderr()
    if args.json:
        import json

        Sink.stdout().text(json.dumps(envelope, indent=2, ensure_ascii=False) + "\n")
    else:
        if live is not None:
            for sink in live.sinks.values():
                if sink.failure is not None and sink is not live.sinks["stderr"]:
                    err.text(
                        f"baa: live {sink.name} stopped: {sink.failure}; the run keeps all of it\n"
                    )
        err.text(summary_line(envelope) + "\n")
    code: int = envelope["state"].get("exitCode", 0 if envelope["ok"] else 1)
    return code if 0 <= code <= 255 else 1
