"""Stop signals to a runner: the first one stops the step, a later one kills it at once.

``baa run`` hands SIGINT, SIGTERM and SIGHUP to :func:`on_signal` (see :func:`handling`). The
first one raises :class:`~.exceptions.Interrupted` where the runner is, but only while a step's
worker is being run (:func:`armed`): the executor's supervision loop turns it into the stop path
(SIGTERM to the worker's process group, SIGKILL after the grace). Any signal after it raises
nothing; it only sets :func:`forced`, which makes the stop path send SIGKILL without waiting out
the grace. A signal that comes while the step is not armed (its run being prepared, its terminal
state being written) is kept: the executor sees it in :func:`requested` before it starts a worker,
and a terminal state being written is never cut short by one.

Runners that handle their stops otherwise (a dispatch worker's cancel signal, a library caller's
``KeyboardInterrupt``) never touch this state; the stop path treats an exception that arrives while
it waits as a request to kill at once, the same as :func:`forced`.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from types import FrameType

from .exceptions import Interrupted

#: The signals that stop ``baa run``: Ctrl-C, a polite kill, the terminal gone.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _State:
    armed = False
    signum: int | None = None
    forced = False
    note: Callable[[int, bool], object] | None = None


_state = _State()


def on_signal(signum: int, _frame: FrameType | None = None) -> None:
    """The handler of a stop signal (see the module's description)."""
    first = _state.signum is None
    if first:
        _state.signum = signum
    else:
        _state.forced = True
    if _state.note is not None:
        _state.note(signum, first)
    if first and _state.armed:
        raise Interrupted(signum)


def requested() -> int | None:
    """The first stop signal received, if one was."""
    return _state.signum


def forced() -> bool:
    """Whether a stop signal came after the first one: kill now, without the rest of the grace."""
    return _state.forced


@contextlib.contextmanager
def armed() -> Iterator[None]:
    """While the block runs, the first stop signal raises :class:`Interrupted` in it."""
    _state.armed = True
    try:
        yield
    finally:
        _state.armed = False


@contextlib.contextmanager
def handling(
    signals: Iterable[int] = STOP_SIGNALS, note: Callable[[int, bool], object] | None = None
) -> Iterator[None]:
    """Stop signals handled by :func:`on_signal` in the block; the previous handlers after it.

    ``note(signum, first)`` is called from the handler for each signal (for a line on the
    terminal: it must write with ``os.write``, never through a buffered stream).
    """
    _state.armed, _state.signum, _state.forced, _state.note = False, None, False, note
    previous = {s: signal.signal(s, on_signal) for s in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _state.armed, _state.signum, _state.forced, _state.note = False, None, False, None


def write_stderr(text: str) -> None:
    """One line on stderr from a signal handler: unbuffered, never raising."""
    with contextlib.suppress(OSError):
        os.write(2, text.encode("utf-8", "backslashreplace"))
