"""What a violation says, in words a consumer understands; never a regular expression.

The TypeScript binding says exactly the same (tools/typescript/package-src/messages.ts), and the
fixtures' expected violations hold both to it. A pattern's words are in ``pattern-words.json``
beside this module, which both bindings read; the two patterns a reader meets most, timestamps and
ids, are diagnosed: the message says what is wrong ("not an RFC 3339 date-time: month 13").
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

_ARTICLE = {"integer": "an integer", "number": "a number", "string": "a string",
            "object": "an object", "array": "an array", "boolean": "true or false", "null": "null"}  # fmt: skip


def quoted(value: Any) -> str:
    """A value as JSON text, as JavaScript's JSON.stringify writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def must_be_type(types: str | Sequence[str]) -> str:
    names = [types] if isinstance(types, str) else list(types)
    if "number" in names and "integer" in names:
        names.remove("integer")
    return "must be " + " or ".join(_ARTICLE[n] for n in names)


def must_be_one_of(values: Sequence[Any]) -> str:
    if len(values) == 1:
        return f"must be {quoted(values[0])}"
    return "must be one of " + ", ".join(quoted(v) for v in values)


def length(limit: int, *, at_least: bool) -> str:
    if at_least and limit == 1:
        return "must not be empty"
    unit = "character" if limit == 1 else "characters"
    return f"must be {'at least' if at_least else 'at most'} {limit} {unit} long"


def items(limit: int) -> str:
    return f"must have at least {limit} item{'' if limit == 1 else 's'}"


SAFE_INTEGER = 2**53 - 1


def number(value: int | float) -> str:
    """A bound as JavaScript writes a number (3 and 3.0 alike, no exponent below 1e21); the bound
    of every integer says what it is."""
    if value == SAFE_INTEGER:
        return f"{SAFE_INTEGER} (2^53 - 1, the largest integer JavaScript reads exactly)"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


REQUIRED = "required property is missing"
UNKNOWN = "unknown property"


# Timestamps: RFC 3339 as Date.prototype.toISOString writes it (schemas/timestamp.schema.json).
_SHAPE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-](\d{2}):(\d{2}))?",
    re.ASCII,  # \d as in JavaScript: 0-9 only
)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in(year: int, month: int) -> int:
    if month == 2:
        return 29 if _leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _shape_problem(text: str) -> str:
    if _SHAPE.fullmatch(text.replace("t", "T").replace("z", "Z")):
        return "T and Z must be upper-case"
    if _SHAPE.fullmatch(text.replace(" ", "T", 1)):
        return "the date and the time must be joined by T"
    prefix = _SHAPE.match(text)
    if prefix is not None:
        after = "the time zone" if prefix.group(8) else "the time"
        return f"unexpected {quoted(text[prefix.end() :])} after {after}"
    return "expected YYYY-MM-DDThh:mm:ss, a fraction if any, then Z or ±hh:mm"


def timestamp_problem(text: str) -> str:
    """Why ``text`` is not a timestamp, in a few words (the first thing wrong)."""
    match = _SHAPE.fullmatch(text)
    if match is None:
        return _shape_problem(text)
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, zone, zone_hour, zone_minute = match.group(7, 8, 9, 10)
    if zone is None:
        return "no time zone (Z or ±hh:mm)"
    if fraction is not None and len(fraction) > 9:
        return "more than 9 digits of fraction"
    if not 1 <= month <= 12:
        return f"month {match.group(2)}"
    if not 1 <= day <= _days_in(year, month):
        return f"{_MONTHS[month - 1]} {match.group(1)} has no day {match.group(3)}"
    if hour > 23:
        return f"hour {match.group(4)}"
    if minute > 59:
        return f"minute {match.group(5)}"
    if zone_hour is not None and int(zone_hour) > 23:
        return f"offset hour {zone_hour}"
    if zone_minute is not None and int(zone_minute) > 59:
        return f"offset minute {zone_minute}"
    if second > 60:
        return f"second {match.group(6)}"
    return "a leap second only as 23:59:60 in UTC (Z, +00:00 or -00:00)"


# Ids: run-identifier.schema.json, one safe path segment each.
_ID_CHARS = re.compile(r"[A-Za-z0-9._-]")


def identifier_problem(text: str) -> str:
    """Why ``text`` is not an id (task, step or run), in a few words."""
    if not text:
        return "empty"
    bad = next((c for c in text if not _ID_CHARS.fullmatch(c)), None)
    if bad is not None:
        return f'{quoted(bad)} is not allowed (only ASCII letters, digits, ".", "_" and "-")'
    if not text[0].isascii() or not text[0].isalnum():
        return "must start with an ASCII letter or digit"
    return f"longer than 128 characters ({len(text)})"


@cache
def pattern_words() -> dict[str, str]:
    """Each pattern of the schemas with what it asks for, in words."""
    path = os.path.join(os.path.dirname(__file__), "pattern-words.json")
    with open(path, encoding="utf-8") as handle:
        words: dict[str, str] = json.load(handle)
    return words


def pattern(schema: dict[str, Any], value: str) -> str:
    """The message for a string that does not match ``schema["pattern"]``."""
    title = schema.get("title")
    if title == "Timestamp":
        return f"not an RFC 3339 date-time: {timestamp_problem(value)}"
    if title == "RunIdentifier":
        return f"not a valid id: {identifier_problem(value)}"
    return pattern_words().get(schema["pattern"], "not in the form this field takes")
