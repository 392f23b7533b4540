# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum


class LogLevel(StrEnum):
    """
    Severity of a lifecycle event.
    """

    debug = "debug"
    info = "info"
    warn = "warn"
    error = "error"
