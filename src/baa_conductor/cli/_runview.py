"""One run directory read for a person or a program: meta.json, state.json and worker.log, each
validated, the agent's activity, the checkpoints and the output's last lines (``baa show``,
``baa tail``, ``--resume-from``)."""

from __future__ import annotations

import functools
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Lifecycle events kept for the view; a run has about seven, a hostile worker.log any number.
MAX_EVENTS = 1000


class RunView:
    """meta.json, state.json and worker.log of a run directory, each validated; output tails.

    Files are read with :mod:`baa_conductor.readers`: never blocking, regular files only, in
    bounded memory; what a reader should know (a torn last line) is kept in :attr:`notes`.
    """

    def __init__(self, run_dir: str):
        from ..exceptions import RunNotFoundError
        from ..paths import META, SCHEMA_OF_FILE, STATE, WORKER_LOG
        from ..readers import run_status

        self.run_dir = os.path.abspath(run_dir)
        self.notes: list[str] = []
        if not os.path.isdir(self.run_dir):
            raise RunNotFoundError(self.run_dir, "no such directory")
        if not os.path.lexists(os.path.join(self.run_dir, META)):
            raise RunNotFoundError(self.run_dir, f"{META} is missing")
        self.meta = self._document(META, SCHEMA_OF_FILE[META])
        self.state = self._document(STATE, SCHEMA_OF_FILE[STATE])
        self.events, self.event_count = self._events(WORKER_LOG, SCHEMA_OF_FILE[WORKER_LOG])
        self.shown_status, self.live = run_status(self.meta, self.state, self.run_dir)
        self.agent = self._agent()

    def _agent(self) -> dict[str, Any] | None:
        """What the agent of a codex step did (``artifacts/agent-activity.json``), if it says."""
        from ..paths import AGENT_ACTIVITY, AGENT_ACTIVITY_SCHEMA, ARTIFACTS

        if not os.path.isfile(os.path.join(self.run_dir, ARTIFACTS, AGENT_ACTIVITY)):
            return None
        return self._document(os.path.join(ARTIFACTS, AGENT_ACTIVITY), AGENT_ACTIVITY_SCHEMA)

    def _document(self, name: str, schema: str) -> dict[str, Any]:
        from ..readers import load_json

        document: dict[str, Any] = load_json(os.path.join(self.run_dir, name), schema)
        return document

    def _events(self, name: str, schema: str) -> tuple[list[dict[str, Any]], int]:
        from collections import deque

        from ..readers import JsonlFile

        log = JsonlFile(os.path.join(self.run_dir, name), schema, notes=self.notes)
        kept: deque[dict[str, Any]] = deque(maxlen=MAX_EVENTS)
        count = 0
        for _, value in log.entries():
            count += 1
            kept.append(value)
        return list(kept), count

    @property
    def interrupted(self) -> bool:
        """No ``finishedAt``, yet no runner holds the directory: the runner died."""
        return self.shown_status == "interrupted"

    @property
    def status(self) -> str:
        """state.json's status, or ``interrupted`` / ``lost`` (see readers.run_status)."""
        return self.shown_status

    @functools.cached_property
    def next_attempt(self) -> tuple[str, str] | None:
        """The run directory and status of the attempt that followed this run, if one did."""
        from ..lookup import next_attempt

        found = next_attempt(self.run_dir)
        if found is None:
            return None
        try:
            return found, RunView(found).status
        except (OSError, ValueError):  # a RunFileError too: unreadable, but it exists
            return found, "unreadable"

    def output_tail(self, channel: str, count: int) -> list[str]:
        """The last ``count`` lines a stream wrote (decoded as UTF-8, bad bytes replaced)."""
        from ..readers import output_tail

        return output_tail(self.log(channel), count, self.notes) if count > 0 else []

    def log(self, channel: str) -> str:
        return os.path.join(self.run_dir, f"{channel}.log")

    def checkpoints(self) -> list[dict[str, Any]]:
        """The records of the run's git_diff checkpoints, by seq (none in other modes)."""
        from ..checkpoints import iter_records
        from ..paths import CHECKPOINTS

        return list(iter_records(os.path.join(self.run_dir, CHECKPOINTS)))
