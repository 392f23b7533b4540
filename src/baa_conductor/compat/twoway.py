"""Both directions of a comparison at once: a forked process compares FORWARD (old readers, new
data) and looks for its witnesses while this one does BACKWARD, so a pair of large schemas takes
about as long as its slower direction rather than both.

The child runs the same code on the same schemas (it is forked after they were read), so what it
returns is what this process would find. Where it cannot help (no ``fork``, one core, threads
running) it is not started; where it fails in any way (an error, a crash, a reply that does not
arrive whole), this process does that part itself, so every error reads as it would without it.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import threading
from typing import IO, Any

from .findings import Finding
from .report import Change
from .schemaset import SchemaSet

# The direction the child takes: FORWARD, whose writer is the new schema.
FORWARD = 1


def worth_forking() -> bool:
    """Whether a second process can run beside this one: ``fork`` exists, more than one core
    is ours, and no other thread runs (a fork copies only the thread that calls it)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return (len(cores) if cores is not None else os.cpu_count() or 1) > 1


class Forward:
    """The child: ``ask`` it to check a document or seek witnesses, do BACKWARD, then take its
    ``answer``; None where it could not give one (the caller does that part itself)."""

    @classmethod
    def start(cls, earlier: SchemaSet, current: SchemaSet) -> Forward | None:
        try:
            return cls(earlier, current)
        except OSError:  # no process to spare: one direction after the other
            return None

    def __init__(self, earlier: SchemaSet, current: SchemaSet) -> None:
        parent = os.getpid()
        from_parent, to_child = os.pipe()  # (read end, write end)
        from_child, to_parent = os.pipe()
        # Objects that exist now are left out of the child's collections: walking them would
        # write to (and so copy) every page of this process' memory that holds one.
        gc.freeze()
        try:
            self.pid = os.fork()
        except OSError:
            for fd in (to_child, from_parent, from_child, to_parent):
                os.close(fd)
            raise
        finally:
            if os.getpid() == parent:
                gc.unfreeze()
        if self.pid == 0:  # the child: never returns
            os.close(to_child)
            os.close(from_child)
            try:
                with os.fdopen(from_parent, "rb") as requests, os.fdopen(to_parent, "wb") as out:
                    _serve(earlier, current, requests, out)
            finally:
                os._exit(0)
        os.close(from_parent)
        os.close(to_parent)
        self._requests: IO[bytes] | None = os.fdopen(to_child, "wb")
        self._replies = os.fdopen(from_child, "rb")
        self._asked = False

    def ask(self, request: tuple[str, str, list[Change] | None]) -> None:
        """Send ``(what, document name, changes)``: "check" (the changes unused), or "witness"."""
        if self._requests is None:
            return
        try:
            pickle.dump(request, self._requests, protocol=pickle.HIGHEST_PROTOCOL)
            self._requests.flush()
            self._asked = True
        except (OSError, pickle.PicklingError):
            self.stop()

    def answer(self) -> Any:
        if not self._asked or self._requests is None:
            return None
        self._asked = False
        try:
            status, value = pickle.load(self._replies)
        except Exception:  # the child died, or its reply did not arrive whole
            status, value = "failed", None
        if status != "ok":
            self.stop()  # whatever went wrong would go wrong again: no more asking
            return None
        return value

    def stop(self) -> None:
        if self._requests is None:
            return
        for stream in (self._requests, self._replies):
            with contextlib.suppress(OSError):
                stream.close()
        self._requests = None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)  # it may be in the middle of a comparison
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _serve(earlier: SchemaSet, current: SchemaSet, requests: IO[bytes], out: IO[bytes]) -> None:
    from .check import Directions
    from .command import witnessed

    directions = Directions()  # one for every document, as the parent keeps one
    while True:
        try:
            what, name, changes = pickle.load(requests)
        except EOFError:
            return
        old, new = earlier.root(name), current.root(name)
        reply: tuple[str, Any]
        try:
            if what == "check":
                found: list[Finding] = directions.forward(old, new)
                reply = ("ok", found)
            else:
                reply = ("ok", witnessed(changes or [], new, old, FORWARD))
        except BaseException:  # the parent does it again and reports it as it would
            reply = ("failed", None)
        pickle.dump(reply, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
