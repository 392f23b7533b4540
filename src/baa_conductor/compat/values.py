"""JSON values compared as JSON compares them, not as Python does.

In Python ``True == 1`` and ``0 == False``; in JSON a boolean is never a number. ``1`` and ``1.0``
are the same JSON number. Every keyword that holds values (``const``, ``enum``, ``default``, whole
schemas compared for equality) goes through ``same``.
"""

from __future__ import annotations

from typing import Any


def same(a: Any, b: Any) -> bool:
    """Whether two JSON values are equal as JSON Schema's ``const`` and ``enum`` compare them."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def member(value: Any, values: Any) -> bool:
    """Whether ``value`` is in the list ``values``, compared as JSON."""
    return isinstance(values, list) and any(same(value, v) for v in values)
