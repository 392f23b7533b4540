"""Where a JSON pointer's value starts in a file's text (its line), for annotations that point a
reviewer at the place. A small scanner of JSON text: strings, numbers and literals are skipped,
objects and arrays walked, one line number kept per pointer."""

from __future__ import annotations

import json
import re
from bisect import bisect_left

_SPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r'"(?:[^"\\]|\\.)*"|[^,\]}\s]+')


def pointer_lines(text: str) -> dict[str, int]:
    """Every pointer in the JSON ``text`` with the line (1-based) its value starts on. Empty if
    the text is not JSON."""
    offsets: dict[str, int] = {}
    try:
        _value(text, _skip(text, 0), "", offsets)
    except (IndexError, ValueError):
        return {}
    breaks = [i for i, char in enumerate(text) if char == "\n"]
    return {pointer: bisect_left(breaks, at) + 1 for pointer, at in offsets.items()}


def _skip(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return match.end() if match else at


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _value(text: str, at: int, pointer: str, lines: dict[str, int]) -> int:
    lines[pointer] = at
    char = text[at]
    if char == "{":
        at = _skip(text, at + 1)
        if text[at] == "}":
            return at + 1
        while True:
            key_match = _SCALAR.match(text, at)
            if key_match is None or not key_match.group().startswith('"'):
                raise ValueError("a key")
            key = json.loads(key_match.group())
            at = _skip(text, key_match.end())
            if text[at] != ":":
                raise ValueError("a colon")
            at = _value(text, _skip(text, at + 1), f"{pointer}/{_escape(key)}", lines)
            at = _skip(text, at)
            if text[at] == "}":
                return at + 1
            if text[at] != ",":
                raise ValueError("a comma")
            at = _skip(text, at + 1)
    if char == "[":
        at = _skip(text, at + 1)
        if text[at] == "]":
            return at + 1
        index = 0
        while True:
            at = _skip(text, _value(text, at, f"{pointer}/{index}", lines))
            index += 1
            if text[at] == "]":
                return at + 1
            if text[at] != ",":
                raise ValueError("a comma")
            at = _skip(text, at + 1)
    match = _SCALAR.match(text, at)
    if match is None:
        raise ValueError("a value")
    return match.end()


def line_of(lines: dict[str, int], pointer: str) -> int | None:
    """The line of ``pointer``, else of its nearest ancestor that the file has."""
    while True:
        if pointer in lines:
            return lines[pointer]
        if not pointer:
            return None
        pointer = pointer.rsplit("/", 1)[0]
