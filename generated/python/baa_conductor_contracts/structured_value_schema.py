# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from typing import Annotated, Any, Optional, Union
from pydantic import Field, RootModel


class StructuredValue(
    RootModel[
        Optional[Union[str, int, float, bool, dict[str, Any], list[Optional["StructuredValue"]]]]
    ]
):
    """
    Any JSON value: string, number, boolean, null, array or object of structured values.
    """

    root: Annotated[
        Optional[Union[str, int, float, bool, dict[str, Any], list[Optional["StructuredValue"]]]],
        Field(title="StructuredValue"),
    ]
    """
    Any JSON value: string, number, boolean, null, array or object of structured values.
    """


StructuredValue.model_rebuild()
