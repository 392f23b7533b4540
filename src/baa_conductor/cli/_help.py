"""The help formatter of every ``baa`` parser: argparse's raw-description one, sized without shutil.

argparse builds a formatter for each option it adds (to check the option's metavar), and its
formatter imports shutil (and with it bz2, lzma and zlib) to measure the terminal: about 1.7 ms of
every command's start-up, for a width only ``--help`` uses. The width comes from
:func:`~._common.terminal_columns`, measured as shutil would.
"""

from __future__ import annotations

import argparse

from ._common import terminal_columns


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ):
        # argparse keeps two columns free on the right, as it does with shutil's width.
        super().__init__(prog, indent_increment, max_help_position, width or terminal_columns() - 2)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        """Prose is filled to the terminal's width; a paragraph with an indented line (the
        examples, a layout) is kept as written."""
        import textwrap

        paragraphs = []
        for paragraph in text.split("\n\n"):
            lines = paragraph.splitlines()
            if any(line[:1].isspace() for line in lines):
                paragraphs.append("\n".join(indent + line for line in lines))
            else:
                paragraphs.append(
                    textwrap.fill(
                        " ".join(lines),
                        width,
                        initial_indent=indent,
                        subsequent_indent=indent,
                        break_on_hyphens=False,
                        break_long_words=False,
                    )
                )
        return "\n\n".join(paragraphs) + ("\n" if text.endswith("\n") else "")
