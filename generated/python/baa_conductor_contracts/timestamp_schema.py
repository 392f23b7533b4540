# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated
from pydantic import Field, RootModel


class Timestamp(RootModel[str]):
    root: Annotated[
        str,
        Field(
            pattern="^(?:[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])|23:59:60(?:\\.[0-9]{1,9})?(?:Z|[+-]00:00))$",
            title="Timestamp",
        ),
    ]
    """
    An RFC 3339 date-time as JavaScript's Date.prototype.toISOString writes it (upper-case T and Z, or a numeric offset). The pattern is the whole rule, so every validator agrees whether or not it asserts `format`: the calendar date must exist (leap years by the Gregorian rule, year 0000 included), hours 00-23, and a leap second only as 23:59:60 in UTC (Z, +00:00 or -00:00).
    """
