"""``baa checkpoint``: a run's git_diff checkpoints: show one (patch or --stat), apply one elsewhere."""

from __future__ import annotations

import os

from ._common import EXIT_OK, RUN_SPEC_HELP, Sink, UsageError, add_runs_root_options, find_run

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """\
examples:
  baa checkpoint show latest 2 --stat          # the files of checkpoint 2 and what was left out
  baa checkpoint show T-1/run-1 2 | less       # the patch itself
  baa checkpoint apply T-1/run-1 2 --to ../clone   # restore into a clean checkout of its base

apply needs a clean worktree at the checkpoint's base commit and exits 2 with the reason
otherwise; it writes only the files the patch names.
"""


def register(sub: Any) -> None:
    from ._help import HelpFormatter

    p = sub.add_parser(
        "checkpoint",
        help="a run's git_diff checkpoints: show one, or apply it to another worktree",
        description="Checkpoints of a run in checkpoint mode git_diff: checkpoints/<N>.patch "
        "(the worktree against the step's base commit) and checkpoints/<N>.json (its record).",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser(
        "show",
        help="print checkpoint N's patch (or --stat: its files)",
        formatter_class=HelpFormatter,
    )
    show.add_argument("run", metavar="RUN", help=RUN_SPEC_HELP)
    show.add_argument("seq", metavar="N", type=_seq, help="the checkpoint's seq")
    show.add_argument("--stat", action="store_true", help="files, change kinds and sizes only")
    add_runs_root_options(show)
    show.set_defaults(handler=cmd_show, sweep=False)
    apply = actions.add_parser(
        "apply",
        help="apply checkpoint N to a clean worktree at its base",
        formatter_class=HelpFormatter,
    )
    apply.add_argument("run", metavar="RUN", help=RUN_SPEC_HELP)
    apply.add_argument("seq", metavar="N", type=_seq, help="the checkpoint's seq")
    apply.add_argument("--to", required=True, metavar="DIR", help="the worktree to restore into")
    add_runs_root_options(apply)
    apply.set_defaults(handler=cmd_apply, sweep=False)


def _seq(text: str) -> int:
    import argparse

    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a checkpoint seq (1, 2, ...)")
    return int(text)


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    if count < 1 << 20:
        return f"{count / 1024:.1f} KiB"
    return f"{count / (1 << 20):.1f} MiB"


def summary(record: dict[str, Any]) -> str:
    """One line per checkpoint, as ``baa show`` lists them."""
    from ._common import printable

    when = record["createdAt"].partition("T")[2].rstrip("Z")
    head = f"{record['seq']:>3}  {when}  {record['reason']:<13}"
    if record["status"] == "failed":
        return f"{head}  failed: {printable(record.get('error', ''))}"
    omitted = len(record["omitted"])
    left_out = f", {omitted} left out" if omitted else ""
    return f"{head}  {len(record['files'])} files, {_size(record['patch']['bytes'])}{left_out}"


def stat(record: dict[str, Any]) -> str:
    """The files of a checkpoint, their change kinds and line counts, and what was left out."""
    from ._common import printable

    base = record["baseCommit"] or "the empty tree (no commit yet)"
    out = [f"checkpoint {record['seq']} of {record['runId']} ({record['reason']}) against {base}"]
    if record["status"] == "failed":
        return "\n".join([*out, f"failed: {printable(record.get('error', ''))}"]) + "\n"
    for entry in record["files"]:
        name = printable(entry["path"])
        if "oldPath" in entry:
            name = f"{printable(entry['oldPath'])} -> {name}"
        lines = "binary" if entry["binary"] else ""
        if "linesAdded" in entry:
            lines = f"+{entry['linesAdded']} -{entry['linesDeleted']}"
        out.append(f"  {entry['change']:<12} {lines:<14} {name}")
    for note in record["omitted"]:
        detail = note["reason"]
        if "bytes" in note:
            detail += f", {_size(note['bytes'])}, sha256 {note['sha256']}"
        out.append(f"  left out     {note['change']:<14} {printable(note['path'])} ({detail})")
    out.append(f"{len(record['files'])} files, patch {_size(record['patch']['bytes'])}")
    return "\n".join(out) + "\n"


def _checkpoints_dir(args: argparse.Namespace) -> str:
    from ..paths import CHECKPOINTS

    return os.path.join(find_run(args.run, args), CHECKPOINTS)


def cmd_show(args: argparse.Namespace) -> int:
    from ..checkpoints import load_record, verified_patch

    directory = _checkpoints_dir(args)
    if args.stat:
        Sink.stdout().text(stat(load_record(directory, args.seq)))
        return EXIT_OK
    _, patch = verified_patch(directory, args.seq)
    out = Sink.stdout()
    with open(patch, "rb") as handle:
        while block := handle.read(1 << 20):
            out.write(block)
    return EXIT_OK


def cmd_apply(args: argparse.Namespace) -> int:
    from ..checkpoints import restore

    if not os.path.isdir(args.to):
        raise UsageError(f"--to {args.to}: no such directory")
    record = restore(_checkpoints_dir(args), args.seq, args.to)
    Sink.stderr().text(
        f"baa: applied checkpoint {record['seq']} of {record['runId']} to {os.path.abspath(args.to)}"
        f" ({len(record['files'])} files)\n"
    )
    return EXIT_OK
