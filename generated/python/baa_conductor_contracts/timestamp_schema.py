# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import Field, RootModel


class Timestamp(RootModel[str]):
    root: Annotated[
        str,
        Field(
            pattern="^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$",
            title="Timestamp",
        ),
    ]
    """
    An RFC 3339 date-time as JavaScript's Date.prototype.toISOString writes it (upper-case T and Z, or a numeric offset); the calendar date and the time must exist.
    """
