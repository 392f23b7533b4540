"""The ``baa`` command.

Each command lives in one module of this package, named in :data:`COMMANDS`. A command module
defines ``register(subparsers)``, which adds its parser (help, two or three examples, options)
and sets ``handler`` to the function that runs it: ``handler(args) -> int``. Command modules
import only the standard library at their top; everything else (the runner, the models, the
validators) is imported inside the handler, so that each command loads only what it needs
(``tests/test_cli.py`` checks it). To add a command: write ``cli/<name>.py`` that way and add its
module name here.
"""

from __future__ import annotations

import sys
from importlib import import_module

from .._version import __version__
from ._common import EXIT_INVALID, EXIT_USAGE, UsageError, error_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

#: Command modules, in the order ``baa --help`` lists their commands (``listing``: ``baa list``).
COMMANDS = (
    "run", "show", "checkpoint", "tail", "listing", "sweep", "validate", "schemas", "compat", "serve", "worker", "submit", "status", "cancel",
)  # fmt: skip

DESCRIPTION = """\
baa-conductor: run a step (shell, git or codex) and keep everything it does in
runs/<taskId>/<runId>/; look at runs; validate files against the contracts' schemas.
"""

EPILOG = """\
examples:
  baa run --task T-1 --step build -- make -j2
  baa show latest
  baa validate runs/T-1/run-20260101T000000-abc123

`baa COMMAND --help` says more about each command.
"""


#: Commands whose module is named otherwise (every other command lives in ``cli/<command>.py``).
MODULE_OF = {"list": "listing"}


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: with ``command``, only that command's module is imported and its
    parser built (a start-up saving); otherwise every command's (``baa --help``, a typo)."""
    import argparse

    from ._help import HelpFormatter

    module = MODULE_OF.get(command or "", command)
    modules = (module,) if module in COMMANDS else COMMANDS

    top = argparse.ArgumentParser(
        prog="baa",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=HelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = top.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")
    for name in modules:
        import_module(f".{name}", __name__).register(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``baa`` with ``argv`` (default: the process's arguments); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # the one answer that needs no parser at all
        sys.stdout.write(f"baa {__version__}\n")
        return 0
    args = parser(argv[0] if argv and not argv[0].startswith("-") else None).parse_args(argv)
    try:
        code: int = args.handler(args)
    except UsageError as error:
        error_line(str(error))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        return _known_error(args, error)
    return code


def _known_error(args: argparse.Namespace, error: Exception) -> int:
    """The exit code of one of the package's errors, reported in one line; others propagate."""
    from ..exceptions import (
        BaaError,
        BrokerUnavailableError,
        ContractError,
        RunFileError,
        RunStoreError,
        StepCancelledError,
    )

    if not isinstance(error, BaaError):
        raise error
    error_line(str(error))
    if isinstance(error, ContractError):
        return EXIT_USAGE if args.subcommand in ("run", "submit") else EXIT_INVALID
    if isinstance(
        error, RunStoreError | RunFileError | BrokerUnavailableError | StepCancelledError
    ):
        return EXIT_INVALID
    return EXIT_USAGE
