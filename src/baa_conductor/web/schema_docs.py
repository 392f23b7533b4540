"""Examples for the schema pages: valid instances from the contract fixtures.

The fixtures (``tests/fixtures/<schema>/valid/*.json``) are what the Python and TypeScript
tests both run; a checkout (or an editable install) has them. An installed wheel has none, and
then a schema's own ``examples`` keyword is used, if it has one.
"""

from __future__ import annotations

import os
from typing import Any

#: Most examples shown per schema, and the largest fixture file read.
MAX_EXAMPLES = 3
MAX_EXAMPLE_BYTES = 256 << 10


def _fixtures_dir() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, os.pardir, os.pardir, os.pardir, "tests", "fixtures")


def examples(name: str) -> list[dict[str, Any]]:
    """Up to :data:`MAX_EXAMPLES` valid instances of schema ``name``, each with where it is from."""
    from .._schemas import load_schema
    from ..encoding import loads
    from ..readers import read_document

    found: list[dict[str, Any]] = []
    directory = os.path.join(_fixtures_dir(), name, "valid")
    try:
        files = sorted(n for n in os.listdir(directory) if n.endswith(".json"))
    except OSError:
        files = []
    for file in files[:MAX_EXAMPLES]:
        try:
            value = loads(read_document(os.path.join(directory, file), max_bytes=MAX_EXAMPLE_BYTES))
        except (ValueError, OSError):
            continue
        found.append({"source": f"tests/fixtures/{name}/valid/{file}", "value": value})
    if not found:
        for value in load_schema(name).get("examples", [])[:MAX_EXAMPLES]:
            found.append({"source": "the schema's examples", "value": value})
    return found
