"""``baa compat``: check schema changes against a baseline (a directory, a git ref, a history)."""

from __future__ import annotations

from ._common import EXIT_INVALID, EXIT_OK, Sink, table

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """\
examples:
  baa compat --against tests/compat/baseline
  baa compat --against v0.1.0 --mode FULL
  baa compat --against 'v*' --mode BACKWARD_TRANSITIVE --json
  baa compat --against origin/main --schemas contracts --format github
"""

#: The compatibility modes (baa_conductor.compat.modes.MODES, spelled here so --help imports
#: nothing; a test keeps the two the same).
MODES = (
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
    "NONE",
)


def register(sub: Any) -> None:
    from ._help import HelpFormatter

    p = sub.add_parser(
        "compat",
        help="check schema changes against a baseline (a directory, a git ref or a history)",
        description="Compare the schemas with a baseline and exit 1 when a change breaks the mode "
        "without the version bump schemas/README.md asks for (2: the input cannot be compared). "
        "BACKWARD: new readers accept old data; FORWARD: old readers accept new data; FULL: both; "
        "*_TRANSITIVE: against every earlier version; NONE: report only.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    p.add_argument(
        "--against",
        required=True,
        metavar="REF_OR_DIR",
        help="baseline: a directory of schemas, a directory of versions (one subdirectory each), "
        "a git ref, or a git tag pattern (every matching tag in the *_TRANSITIVE modes, else the "
        "latest)",
    )
    p.add_argument(
        "--mode",
        choices=MODES,
        default="BACKWARD",
        help="what must stay compatible (default BACKWARD)",
    )
    p.add_argument(
        "--schemas",
        default=None,
        metavar="DIR",
        help="the schemas to check (default: schemas/ at the top of the repository, else the "
        "installed ones); a git baseline is read from the same path",
    )
    p.add_argument(
        "--format",
        choices=("table", "json", "github"),
        default=None,
        help="output: a table per schema, JSON with every change, or GitHub annotations "
        "(default: table; github when GITHUB_ACTIONS=true)",
    )
    p.add_argument("--json", action="store_true", help="same as --format json")
    p.set_defaults(handler=cmd_compat)


def cmd_compat(args: argparse.Namespace) -> int:
    import os

    from ..compat.command import check
    from ..compat.report import render_github, render_json, table_rows
    from ..exceptions import BaaError
    from ._common import UsageError

    output = args.format or (
        "json" if args.json else "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "table"
    )
    try:
        report, files = check(args.against, args.schemas, args.mode)
    except RecursionError:
        raise UsageError("the schemas are nested too deeply to compare") from None
    except ValueError as error:  # input the checks above did not foresee: still one line
        if isinstance(error, BaaError):
            raise
        raise UsageError(str(error)) from None
    out = Sink.stdout()
    if output == "json":
        out.text(render_json(report) + "\n")
    elif output == "github":
        out.text(render_github(report, files) + "\n")
    else:
        for title, rows in table_rows(report):
            out.text(f"{title}\n")
            if rows:
                out.text(table(("where", "change", "detail", "backward", "forward"), rows))
            out.text("\n")
        out.text("".join(f"error: {failure}\n" for failure in report.failures()))
        out.text(report.summary() + "\n")
    return EXIT_INVALID if report.failures() else EXIT_OK
