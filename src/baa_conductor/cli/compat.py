"""``baa compat``: classify schema changes against a git ref or a directory."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """\
examples:
  baa compat --against tests/compat/baseline
  baa compat --against v0.1.0 --mode FULL
  baa compat --against main --json
"""

#: The compatibility modes (baa_conductor.compat.MODES, spelled here so --help imports nothing).
MODES = ("BACKWARD", "FORWARD", "FULL")


def register(sub: Any) -> None:
    import argparse

    p = sub.add_parser(
        "compat",
        help="classify schema changes against a git ref or a directory",
        description="Compare the schemas with a baseline and exit 1 when a change breaks the mode "
        "without the version bump schemas/README.md asks for.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--against",
        required=True,
        metavar="REF_OR_DIR",
        help="baseline: a directory of schemas or a git ref",
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
        help="schemas to check (default: the shipped ones)",
    )
    p.add_argument("--json", action="store_true", help="a JSON report instead of text")
    p.set_defaults(handler=cmd_compat)


def cmd_compat(args: argparse.Namespace) -> int:
    from ..compat import main as compat_main
    from ..exceptions import BaaError
    from ._common import UsageError

    try:
        code: int = compat_main(args)
    except ValueError as error:  # a baseline that is neither a directory nor a git ref
        if isinstance(error, BaaError):
            raise
        raise UsageError(str(error)) from None
    return code
