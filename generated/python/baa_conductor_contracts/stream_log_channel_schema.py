# Generated from schemas/ by `nox -s codegen`. Do not edit.

from __future__ import annotations

from enum import StrEnum


class StreamLogChannel(StrEnum):
    """
    Channel of a stream chunk: the worker process's standard output or standard error.
    """

    stdout = "stdout"
    stderr = "stderr"
