"""JSON text as the seed writes it (``JSON.stringify``): compact, key order kept, UTF-8.

orjson does the work (it writes exactly that form, several times faster than the standard
library on the long strings of output chunks); what it refuses (lone surrogates, integers beyond
64 bits) falls back to the standard library, with ``\\uXXXX`` escapes as ``JSON.stringify`` writes.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_ASCII = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False)


def dumps_bytes(value: Any) -> bytes:
    """Compact JSON as UTF-8 bytes, like ``JSON.stringify(value)`` for the contracts' values."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return _ASCII.encode(value).encode("ascii")


def dumps(value: Any) -> str:
    """Compact JSON text, like ``JSON.stringify(value)``."""
    return dumps_bytes(value).decode("utf-8")


def dumps_line(value: Any) -> bytes:
    """One JSONL line as UTF-8 bytes, newline included."""
    try:
        return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return _ASCII.encode(value).encode("ascii") + b"\n"


def js_number(value: float) -> float:
    """A whole float as an int, so ``30.0`` is written ``30`` as JavaScript would."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def loads(data: bytes | str) -> Any:
    """Parse JSON; orjson first, the standard library for what orjson refuses (lone surrogate
    escapes, which ``dumps`` writes for such text) and for the error message when it is not JSON."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    # Bytes are decoded as UTF-8 here: json.loads would guess UTF-16/32 from NUL bytes.
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
