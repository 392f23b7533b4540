# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import Field, RootModel


class RunIdentifier(RootModel[str]):
    root: Annotated[
        str,
        Field(
            max_length=128,
            min_length=1,
            pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$",
            title="RunIdentifier",
        ),
    ]
    """
    A task, step or run id. It becomes a single path segment under the runs root, so it is 1 to 128 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit: '.', '..', separators, NUL, whitespace and control characters can never appear.
    """
