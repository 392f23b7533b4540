"""Heartbeats: a running step's state.json ``updatedAt`` keeps moving; a finished one stands still."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from helpers import make_request

from baa_conductor import run_step
from baa_conductor.executors import ShellExecutor


def _state(run_dir: Path) -> dict[str, Any]:
    try:
        value: dict[str, Any] = json.loads((run_dir / "state.json").read_bytes())
    except (OSError, ValueError):
        return {}
    return value


def test_a_running_step_refreshes_updated_at(tmp_path: Path) -> None:
    """A reader tells a live step by an ``updatedAt`` that keeps changing while it runs."""
    gate = tmp_path / "gate"
    request = make_request(tmp_path, command=f"while [ ! -e {gate} ]; do sleep 0.02; done")
    results: list[Any] = []
    runner = threading.Thread(
        target=lambda: results.append(run_step(request, ShellExecutor(), heartbeat_sec=0.05))
    )
    runner.start()
    run_dir = tmp_path / "runs" / "T-005" / "run-1"
    seen: list[str] = []
    end = time.monotonic() + 60
    while len(seen) < 3 and time.monotonic() < end:  # three beats, each a new updatedAt
        state = _state(run_dir)
        if state.get("status") == "running" and state["updatedAt"] not in seen:
            seen.append(state["updatedAt"])
        time.sleep(0.01)
    gate.touch()
    runner.join(60)
    assert len(seen) == 3, seen
    assert seen == sorted(seen)
    final = _state(run_dir)
    assert final["status"] == "completed"
    assert final["updatedAt"] == final["finishedAt"] >= seen[-1]
    assert results[0].state.updated_at.root == final["updatedAt"]
    time.sleep(0.2)  # four intervals: no beat may follow the terminal state
    assert _state(run_dir) == final


def test_one_heart_beats_for_every_step_and_stops_each_at_its_end(tmp_path: Path) -> None:
    """Steps running at once each get their refreshes from the one heartbeat thread; a step
    whose disk refuses a refresh stops beating without stopping the others; none beats after
    its block has ended."""
    from baa_conductor import heartbeat
    from baa_conductor.exceptions import RunStoreError

    calls = {"a": 0, "b": 0}
    both = threading.Event()

    def refresh(name: str) -> None:
        calls[name] += 1
        if name == "b":
            raise RunStoreError(str(tmp_path), "write", OSError(28, "No space left on device"))
        if calls["a"] >= 3:
            both.set()

    with (
        heartbeat.beating(lambda: refresh("a"), 0.01),
        heartbeat.beating(lambda: refresh("b"), 0.01),
    ):
        assert both.wait(60)
        assert heartbeat.threads() == 1
    ended = dict(calls)
    time.sleep(0.05)  # five intervals
    assert calls == ended
    assert calls["b"] == 1
