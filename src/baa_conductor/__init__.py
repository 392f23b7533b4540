"""baa-conductor: the worker runner's contracts as JSON Schemas, their models, and the runner.

The names below are imported on first use, so that ``import baa_conductor.<module>`` (and so every
``baa`` command) loads only what it needs: the runner pulls in the Pydantic models, the CLI's
``--version`` nothing at all.
"""

from __future__ import annotations

from ._lazy import lazy_getattr
from ._version import __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy knows the name)
if TYPE_CHECKING:
    from ._schemas import load_schema, registry, schema_names
    from .exceptions import (
        BaaError,
        ContractError,
        RunExistsError,
        RunFileError,
        RunNotFoundError,
        RunStoreError,
        UnknownSchemaError,
        UnsafeRunPathError,
        Violation,
    )
    from .readers import RunRecord, read_run
    from .runner import PreparedStepRun, envelope_dict, prepare_step_run, run_step, run_step_dict
    from .validation import is_valid, validate

#: public name -> the module that defines it
_HOME = {
    **dict.fromkeys(("load_schema", "registry", "schema_names"), "._schemas"),
    **dict.fromkeys(
        (
            "BaaError",
            "ContractError",
            "RunExistsError",
            "RunFileError",
            "RunNotFoundError",
            "RunStoreError",
            "UnknownSchemaError",
            "UnsafeRunPathError",
            "Violation",
        ),
        ".exceptions",
    ),
    **dict.fromkeys(
        ("PreparedStepRun", "envelope_dict", "prepare_step_run", "run_step", "run_step_dict"),
        ".runner",
    ),
    **dict.fromkeys(("RunRecord", "read_run"), ".readers"),
    **dict.fromkeys(("is_valid", "validate"), ".validation"),
}


__getattr__ = lazy_getattr(__name__, _HOME, globals())


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


__all__ = [
    "BaaError",
    "ContractError",
    "PreparedStepRun",
    "RunExistsError",
    "RunFileError",
    "RunNotFoundError",
    "RunRecord",
    "RunStoreError",
    "UnknownSchemaError",
    "UnsafeRunPathError",
    "Violation",
    "__version__",
    "envelope_dict",
    "is_valid",
    "load_schema",
    "prepare_step_run",
    "read_run",
    "registry",
    "run_step",
    "run_step_dict",
    "schema_names",
    "validate",
]
