"""``baa compat``: check schema changes against a baseline (a directory, a git ref, a history)."""

from __future__ import annotations

from ._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Sink, error_line, printable, table

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
  baa compat --against v2.0.0 --format markdown > contract-changes.md
  baa compat --against HEAD --schemas . --refs vendor/schemas --mode full
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
        type=str.upper,
        choices=MODES,
        default="BACKWARD",
        help="what must stay compatible, in any case (default BACKWARD)",
    )
    p.add_argument(
        "--schemas",
        default=None,
        metavar="DIR",
        help="the schemas to check (default: schemas/ at the top of the repository, else the "
        "installed ones); a git baseline is read from the same path",
    )
    p.add_argument(
        "--refs",
        action="append",
        default=[],
        metavar="DIR_OR_CATALOGUE",
        help="other published schemas the schemas refer to by URL: a directory (each *.json by "
        "its $id) or a catalogue file mapping URLs to files; may be repeated. Nothing is fetched",
    )
    p.add_argument(
        "--format",
        type=str.lower,
        choices=("table", "json", "github", "markdown"),
        default=None,
        help="output: a table per schema, JSON with every change, GitHub annotations, or a "
        "Markdown contract changelog (default: table; github when GITHUB_ACTIONS=true)",
    )
    p.add_argument("--json", action="store_true", help="same as --format json")
    p.set_defaults(handler=cmd_compat)


def cmd_compat(args: argparse.Namespace) -> int:
    import os

    from ..compat.command import check

    output = args.format or (
        "json" if args.json else "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "table"
    )
    try:
        report, files = check(args.against, args.schemas, args.mode, args.refs)
    except RecursionError:
        return _input_error(output, "the schemas are nested too deeply to compare", None)
    except ValueError as error:  # CompatInputError, or input the checks did not foresee
        return _input_error(output, str(error), getattr(error, "file", None))
    return _print(report, files, output)


def _input_error(output: str, message: str, file: str | None) -> int:
    """Exit 2 with one line on stderr, and the error as the chosen format carries it."""
    import json

    from ..compat.report import annotation

    message = " ".join(message.split())
    error_line(message)
    if output == "json":
        error = {"error": {"message": message, "file": file}, "ok": False}
        Sink.stdout().text(json.dumps(error, indent=2) + "\n")
    elif output == "github":
        Sink.stdout().text(annotation("error", "baa compat: cannot compare", message, file) + "\n")
    return EXIT_USAGE


def _print(report: Any, files: dict[str, str], output: str) -> int:
    from ..compat.report import render_github, render_json, render_markdown, table_rows

    out = Sink.stdout()
    if output == "json":
        out.text(render_json(report) + "\n")
    elif output == "github":
        out.text(render_github(report, files) + "\n")
    elif output == "markdown":
        out.text(render_markdown(report))
    else:
        for title, rows, examples in table_rows(report):
            out.text(f"{title}\n")
            if rows:
                out.text(table(("where", "change", "detail", "backward", "forward"), rows))
            out.text("".join(f"{printable(line)}\n" for line in examples) + "\n")
        out.text("".join(f"error: {failure}\n" for failure in report.failures()))
        out.text(report.summary() + "\n")
    return EXIT_INVALID if report.failures() else EXIT_OK
