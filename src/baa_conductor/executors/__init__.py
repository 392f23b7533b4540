"""Executors: the placeholder (the seed's default) and real shell, git and codex workers."""

from __future__ import annotations

from ..runner import Executor, PlaceholderExecutor
from .base import ProcessExecutor
from .codex import CodexExecutor
from .git import GitExecutor
from .process import run_process, sweep_orphans
from .shell import ShellExecutor

EXECUTORS: dict[str, type[ProcessExecutor]] = {
    "shell": ShellExecutor,
    "git": GitExecutor,
    "codex": CodexExecutor,
}


def executor_for(worker_kind: str, *, grace_sec: float | None = None) -> Executor:
    """The real executor of a worker kind."""
    cls = EXECUTORS[worker_kind]
    return cls() if grace_sec is None else cls(grace_sec=grace_sec)


__all__ = [
    "EXECUTORS",
    "CodexExecutor",
    "Executor",
    "GitExecutor",
    "PlaceholderExecutor",
    "ProcessExecutor",
    "ShellExecutor",
    "executor_for",
    "run_process",
    "sweep_orphans",
]
