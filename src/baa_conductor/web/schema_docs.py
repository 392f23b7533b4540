"""The schema pages: the contracts' own page for each schema.

The contracts' codegen writes a Markdown page per schema from the schema itself (properties,
types, required, constraints, descriptions, version, an example from the fixtures) and ships
them in the binding's ``docs/``, beside ``schemas/``; the page renders that, not a second
rendering of the schema of its own.
"""

from __future__ import annotations

import os

#: The largest page read (the largest is about 30 KB).
MAX_PAGE_BYTES = 1 << 20


def page(name: str) -> str | None:
    """The page of schema ``name`` (Markdown), or None where the package has none."""
    from .._schemas import _directory
    from ..readers import read_document

    path = os.path.join(os.path.dirname(_directory()), "docs", f"{name}.md")
    try:
        return read_document(path, max_bytes=MAX_PAGE_BYTES).decode("utf-8")
    except (ValueError, OSError):
        return None
