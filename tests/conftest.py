from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def _fixtures(kind: str) -> Iterator[Any]:
    for path in sorted(FIXTURES.glob(f"*/{kind}/*.json")):
        schema = path.parent.parent.name
        yield pytest.param(schema, json.loads(path.read_text("utf-8")), id=f"{schema}/{path.stem}")


VALID = list(_fixtures("valid"))
INVALID = list(_fixtures("invalid"))
