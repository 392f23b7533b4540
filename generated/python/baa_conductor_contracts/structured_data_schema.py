# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from pydantic import RootModel
from . import structured_value_schema


class StructuredData(RootModel[dict[str, structured_value_schema.StructuredValue | None]]):
    """
    A JSON object whose values are structured values.
    """

    root: dict[str, structured_value_schema.StructuredValue | None]
