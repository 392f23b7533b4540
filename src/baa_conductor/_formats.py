"""The checks every validator backend shares, so their verdicts agree.

- ``date-time``: the schemas' pattern fixes the syntax; this check adds that the date and the time
  exist (no 2026-02-30, no hour 24, no offset beyond ±23:59).
- ``pattern``: JSON Schema patterns are ECMA-262, where ``$`` matches only at the very end; in
  Python's ``re`` it also matches before a final newline, so ``$`` is read as ``\\Z`` (as
  fastjsonschema does).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

_DOLLAR = re.compile(r"(?<!\\)\$")


def is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


@cache
def ecma_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(_DOLLAR.sub(r"\\Z", pattern))


FORMATS = {"date-time": is_date_time}
