"""JSON text as the seed writes it (``JSON.stringify``): compact, key order kept, UTF-8."""

from __future__ import annotations

import json
from typing import Any

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_ASCII = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False)


def dumps(value: Any) -> str:
    """Compact JSON, like ``JSON.stringify(value)`` for the JSON values the contracts hold."""
    return _COMPACT.encode(value)


def dumps_line(value: Any) -> bytes:
    """One JSONL line as UTF-8 bytes, newline included.

    Text holding lone surrogates cannot be UTF-8: those lines fall back to ``\\uXXXX`` escapes, which
    is what ``JSON.stringify`` writes for them too.
    """
    text = _COMPACT.encode(value)
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return _ASCII.encode(value).encode("ascii") + b"\n"


def js_number(value: float) -> float:
    """A whole float as an int, so ``30.0`` is written ``30`` as JavaScript would."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
