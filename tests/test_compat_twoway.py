"""FORWARD compared in a forked process beside BACKWARD: the same report as one direction after
the other, from a real child process, and whole when that process dies."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from histories import PAIRS, version

from baa_conductor.compat import twoway
from baa_conductor.compat.command import compare_versions
from baa_conductor.compat.modes import MODE_OF
from baa_conductor.compat.sources import Version, load_directory

ROOT = Path(__file__).parent.parent

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")


def _corpus_pair(schema: str, old: str, new: str) -> tuple[Version, Version]:
    """(new, old) of a real-history pair, by its revisions' numbers."""
    found = [(o, n) for s, o, n in PAIRS if s == schema and o[:2] == old and n[:2] == new]
    assert len(found) == 1, (schema, old, new)
    return version(schema, found[0][1]), version(schema, found[0][0])


def _answers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, bool]]:
    """Each answer the child gives, as (its pid, whether it gave one)."""
    seen: list[tuple[int, bool]] = []
    answer = twoway.Forward.answer

    def watched(self: twoway.Forward) -> Any:
        found = answer(self)
        seen.append((self.pid, found is not None))
        return found

    monkeypatch.setattr(twoway.Forward, "answer", watched)
    return seen


@pytest.mark.parametrize(
    "which",
    [
        "openapi-2.0",  # breaking both ways, each with witnesses
        "own-schemas",  # many documents, one child for all of them
    ],
)
def test_the_child_reports_what_one_direction_after_the_other_does(
    monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    if which == "openapi-2.0":
        new, old = _corpus_pair("openapi-2.0", "03", "04")
    else:
        new, old = load_directory(ROOT / "schemas"), load_directory(ROOT / "tests/compat/baseline")
    alone = compare_versions(new, [old], MODE_OF["FULL"], parallel=False)
    answers = _answers(monkeypatch)
    both = compare_versions(new, [old], MODE_OF["FULL"], parallel=True)
    assert both == alone
    assert answers, "the child was never asked"
    assert all(given for _, given in answers), answers
    assert {pid for pid, _ in answers} - {os.getpid()}  # from another process
    changes = [c for s in both.schemas for c in s.changes]
    if which == "openapi-2.0":
        assert any(c.witnesses[1] for c in changes)  # FORWARD's witnesses came from the child


def test_a_child_that_dies_leaves_the_report_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    new, old = _corpus_pair("openapi-2.0", "03", "04")
    alone = compare_versions(new, [old], MODE_OF["FULL"], parallel=False)
    children: list[int] = []
    ask = twoway.Forward.ask

    def dies_before_the_witnesses(self: twoway.Forward, request: Any) -> None:
        if request[0] == "witness" and self.pid not in children:
            children.append(self.pid)
            os.kill(self.pid, signal.SIGKILL)
        ask(self, request)

    monkeypatch.setattr(twoway.Forward, "ask", dies_before_the_witnesses)
    answers = _answers(monkeypatch)
    both = compare_versions(new, [old], MODE_OF["FULL"], parallel=True)
    assert both == alone
    assert children
    assert (children[0], False) in answers  # the witnesses were sought here instead


def test_no_child_while_another_thread_runs() -> None:
    """A fork copies only the calling thread: with another one running, one process does both."""
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not twoway.worth_forking()
    finally:
        release.set()
        other.join()
