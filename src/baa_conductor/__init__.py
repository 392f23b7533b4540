"""baa-conductor: the worker runner's contracts as JSON Schemas, their models, and the runner."""

from __future__ import annotations

from importlib.metadata import version as _version

from ._schemas import load_schema, registry, schema_names
from .exceptions import (
    BaaError,
    ContractError,
    RunExistsError,
    RunNotFoundError,
    RunStoreError,
    UnknownSchemaError,
    UnsafeRunPathError,
    Violation,
)
from .runner import PreparedStepRun, envelope_dict, prepare_step_run, run_step
from .store import RunRecord, read_run
from .validation import is_valid, validate

__version__ = _version("baa-conductor")

__all__ = [
    "BaaError",
    "ContractError",
    "PreparedStepRun",
    "RunExistsError",
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
    "schema_names",
    "validate",
]
