"""The help formatter of every ``baa`` parser: argparse's raw-description one, sized without shutil.

argparse builds a formatter for each option it adds (to check the option's metavar), and its
formatter imports shutil (and with it bz2, lzma and zlib) to measure the terminal: about 1.7 ms of
every command's start-up, for a width only ``--help`` uses. The width is measured as
``shutil.get_terminal_size`` does: ``$COLUMNS``, else the terminal on stdout, else 80.
"""

from __future__ import annotations

import argparse
import os
import sys


def _columns() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ):
        # argparse keeps two columns free on the right, as it does with shutil's width.
        super().__init__(prog, indent_increment, max_help_position, width or _columns() - 2)
