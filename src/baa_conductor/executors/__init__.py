"""Executors: the placeholder (the seed's default) and real shell, git and codex workers.

Names are imported on first use (``executor_for("shell")`` loads the shell executor only).
"""

from __future__ import annotations

from importlib import import_module

from .._lazy import lazy_getattr

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..runner import Executor, PlaceholderExecutor
    from .base import ProcessExecutor
    from .codex import CodexExecutor
    from .containment import sweep_orphans
    from .git import GitExecutor
    from .process import run_process
    from .shell import ShellExecutor

#: worker kind -> (module, class) of its executor
EXECUTOR_OF_KIND = {
    "shell": (".shell", "ShellExecutor"),
    "git": (".git", "GitExecutor"),
    "codex": (".codex", "CodexExecutor"),
}

_HOME = {
    "Executor": "..runner",
    "PlaceholderExecutor": "..runner",
    "ProcessExecutor": ".base",
    "CodexExecutor": ".codex",
    "GitExecutor": ".git",
    "ShellExecutor": ".shell",
    "run_process": ".process",
    "sweep_orphans": ".containment",
}


def executor_for(worker_kind: str, *, grace_sec: float | None = None) -> Executor:
    """The real executor of a worker kind."""
    module, name = EXECUTOR_OF_KIND[worker_kind]
    cls: type[ProcessExecutor] = getattr(import_module(module, __name__), name)
    return cls() if grace_sec is None else cls(grace_sec=grace_sec)


__getattr__ = lazy_getattr(__name__, _HOME, globals())


__all__ = [
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
