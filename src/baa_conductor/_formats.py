"""The semantics every validator backend shares, so their verdicts agree.

- ``format`` is an annotation, as draft 2020-12 says by default: the schemas' patterns carry every
  rule (the timestamp pattern checks the calendar itself), so a validator that asserts formats and
  one that does not give the same verdict. fastjsonschema asserts ``date-time`` with a regex of its
  own unless told otherwise, hence the pass-through check here.
- ``pattern``: JSON Schema patterns are ECMA-262, where ``$`` matches only at the very end; in
  Python's ``re`` it also matches before a final newline, so ``$`` is read as ``\\Z`` (as
  fastjsonschema does).
"""

from __future__ import annotations

import re
from functools import cache

_DOLLAR = re.compile(r"(?<!\\)\$")


def _annotation(value: object) -> bool:
    return True


@cache
def ecma_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(_DOLLAR.sub(r"\\Z", pattern))


FORMATS = {"date-time": _annotation}
