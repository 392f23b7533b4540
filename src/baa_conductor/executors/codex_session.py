"""A codex thread kept with its run, so a later attempt can continue it, on this or another worker.

codex records a thread in its home as one JSONL file, ``$CODEX_HOME/sessions/YYYY/MM/DD/
rollout-<time>-<thread id>.jsonl`` (``CODEX_HOME`` defaults to ``~/.codex``), appended to as the
thread goes on, and ``codex exec resume <thread id>`` finds it there by the id. A codex step copies
that file into its run directory (``artifacts/codex-session.jsonl``) when codex has ended, however
it ended. A step resumed from that run (``checkpoint.resumeFromRunId``) takes the thread id from
the run's ``agent-activity.json`` (or, if its runner died first, from the ``thread.started`` event in
its stdout.log) and, when this worker's codex home does not hold the thread, puts the copy back
where codex looks for it.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import shutil
from dataclasses import dataclass
from typing import Any

SESSION_FILE = "codex-session.jsonl"
#: A thread id as codex prints it (a UUID); anything else is not used to build a path.
_THREAD_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,127}")
_FIRST_LINE_BYTES = 1 << 20


class ResumeRefused(Exception):
    """The thread of the run resumed from cannot be continued (the reason says why)."""


def codex_home(env: dict[str, str]) -> str:
    """The codex home the step's codex uses: ``CODEX_HOME``, else ``~/.codex``."""
    home = env.get("CODEX_HOME")
    if home:
        return os.path.abspath(home)
    return os.path.join(env.get("HOME") or os.path.expanduser("~"), ".codex")


def valid_thread_id(value: Any) -> str | None:
    return value if isinstance(value, str) and _THREAD_ID.fullmatch(value) else None


def find_rollout(home: str, thread_id: str) -> str | None:
    """The file in which codex keeps ``thread_id`` under ``home``; None if it has none."""
    for kind in ("sessions", "archived_sessions"):
        pattern = os.path.join(
            glob.escape(home), kind, "*", "*", "*", f"rollout-*-{thread_id}.jsonl"
        )
        found = sorted(path for path in glob.glob(pattern) if os.path.isfile(path))
        if found:
            return found[-1]
    return None


def keep(home: str, thread_id: str, artifacts_dir: str) -> str | None:
    """Copy the thread's file into ``artifacts_dir``; its path there, or None if codex kept none
    (``--ephemeral``, or codex failed before it started the thread)."""
    source = find_rollout(home, thread_id)
    if source is None:
        return None
    target = os.path.join(artifacts_dir, SESSION_FILE)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with open(source, "rb") as reader, open(os.open(target, flags, 0o644), "wb") as writer:
        shutil.copyfileobj(reader, writer, 1 << 20)
    return target


@dataclass(frozen=True)
class ResumePoint:
    """The thread a resumed codex step continues: from which run, and where its file is."""

    run_id: str
    run_dir: str
    thread_id: str
    #: The thread's file: the run's copy, else this worker's codex home; None: codex's home
    #: must hold it under the id (it is looked up again just before codex starts).
    session: str | None


def resume_point(request: dict[str, Any], runs_root: str, home: str) -> ResumePoint | None:
    """The thread the request's step continues, if it resumes a run that had one.

    None when the request resumes no run, or the resumed run never started a thread (codex failed
    before it did: the step starts a new one). ResumeRefused when a thread was started but its
    file is neither in the run nor in this worker's codex home.
    """
    run_id = (request.get("checkpoint") or {}).get("resumeFromRunId")
    if run_id is None:
        return None
    from ..paths import AGENT_ACTIVITY, ARTIFACTS, check_segment

    run_dir = os.path.join(runs_root, request["taskId"], check_segment("resumeFromRunId", run_id))
    artifacts = os.path.join(run_dir, ARTIFACTS)
    thread_id = _thread_of_activity(os.path.join(artifacts, AGENT_ACTIVITY)) or _thread_of_stream(
        run_dir
    )
    if thread_id is None:
        return None
    kept = os.path.join(artifacts, SESSION_FILE)
    session = kept if _regular(kept) else find_rollout(home, thread_id)
    if session is None:
        raise ResumeRefused(
            f"cannot continue codex thread {thread_id} of run {run_id}: its session file is "
            f"neither in {kept} nor in {home}/sessions"
        )
    return ResumePoint(run_id, run_dir, thread_id, session)


def place(point: ResumePoint, home: str) -> None:
    """Make sure codex finds the thread in ``home``: copy the run's file there if it has none."""
    if find_rollout(home, point.thread_id) is not None or point.session is None:
        return
    day, stamp = _when(point.session)
    directory = os.path.join(home, "sessions", *day)
    os.makedirs(directory, exist_ok=True)
    target = os.path.join(directory, f"rollout-{stamp}-{point.thread_id}.jsonl")
    temporary = f"{target}.{os.getpid()}.tmp"
    shutil.copyfile(point.session, temporary)
    os.replace(temporary, target)


def _when(session: str) -> tuple[tuple[str, str, str], str]:
    """The day directory and the time stamp codex would name the file with (its first line's
    ``timestamp``, as ``2026-12-03T07:36:19.446Z`` -> ``2026/12/03``, ``2026-12-03T07-36-19``)."""
    stamp = ""
    with contextlib.suppress(OSError, ValueError), open(session, "rb") as handle:
        first = json.loads(handle.readline(_FIRST_LINE_BYTES))
        stamp = str(first.get("timestamp") or first.get("payload", {}).get("timestamp") or "")
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}).*", stamp)
    if match is None:
        from .. import _clock

        match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}).*", _clock.now())
        assert match is not None
    year, month, day, hour, minute, second = match.groups()
    return (year, month, day), f"{year}-{month}-{day}T{hour}-{minute}-{second}"


def _regular(path: str) -> bool:
    return os.path.isfile(path) and not os.path.islink(path)


def _thread_of_activity(path: str) -> str | None:
    if not _regular(path):
        return None
    from ..paths import AGENT_ACTIVITY_SCHEMA
    from ..readers import load_json

    try:
        activity = load_json(path, AGENT_ACTIVITY_SCHEMA)
    except Exception:  # a damaged file: the stream may still say
        return None
    return valid_thread_id(activity.get("threadId"))


def _thread_of_stream(run_dir: str) -> str | None:
    """The ``thread.started`` id in a run's stdout.log (its first event, when codex printed one)."""
    from ..paths import STDOUT_LOG
    from ..readers import JsonlFile
    from ..session import chunk_bytes

    pending = b""
    try:
        for _, entry in JsonlFile(
            os.path.join(run_dir, STDOUT_LOG), "stream-chunk-log-entry"
        ).entries():
            pending += chunk_bytes(entry)
            if b"\n" in pending or len(pending) > _FIRST_LINE_BYTES:
                break
    except Exception:  # missing or damaged: no thread to continue
        return None
    try:
        event = json.loads(pending.partition(b"\n")[0])
    except ValueError:
        return None
    if not isinstance(event, dict) or event.get("type") != "thread.started":
        return None
    return valid_thread_id(event.get("thread_id"))


_PATCH_HEADERS = {
    "*** Add File: ": "add",
    "*** Delete File: ": "delete",
    "*** Update File: ": "update",
}


def refused_patches(session: str, worktree: str) -> list[tuple[list[tuple[str, str]], str]]:
    """The patches of the last turn that codex refused without a ``file_change`` event (a
    read-only sandbox): each as its files ``(path, kind)`` and codex's answer to the model.

    The session file holds what the event stream leaves out: the model's ``apply_patch`` call
    (its patch) and the tool output codex gave back ("patch rejected: ...").
    """
    calls: dict[str, str] = {}
    outputs: dict[str, str] = {}
    applied: set[str] = set()
    with open(session, "rb") as handle:
        for raw in handle:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            payload = line.get("payload") if isinstance(line, dict) else None
            if not isinstance(payload, dict):
                continue
            kind = payload.get("type")
            if kind == "task_started":  # a new turn: only the last one is this run's
                calls, outputs, applied = {}, {}, set()
            elif (
                kind in ("custom_tool_call", "function_call")
                and payload.get("name") == "apply_patch"
            ):
                patch = _patch_text(payload)
                if patch is not None and isinstance(payload.get("call_id"), str):
                    calls[payload["call_id"]] = patch
            elif kind in ("custom_tool_call_output", "function_call_output"):
                output = payload.get("output")
                if isinstance(payload.get("call_id"), str) and isinstance(output, str):
                    outputs[payload["call_id"]] = output
            elif kind == "item_completed":
                item = payload.get("item")
                if isinstance(item, dict) and item.get("type") == "FileChange":
                    applied.add(str(item.get("id")))
    refused = []
    for call_id, patch in calls.items():
        if call_id in applied or call_id not in outputs:
            continue
        files = [
            (os.path.join(worktree, line[len(header) :].strip()), kind)
            for line in patch.splitlines()
            for header, kind in _PATCH_HEADERS.items()
            if line.startswith(header)
        ]
        if files:
            refused.append((files, outputs[call_id]))
    return refused


def _patch_text(call: dict[str, Any]) -> str | None:
    if call.get("type") == "custom_tool_call":
        patch = call.get("input")
    else:  # a function call carries it as {"input": patch}
        try:
            patch = json.loads(call.get("arguments") or "").get("input")
        except (ValueError, AttributeError):
            return None
    return patch if isinstance(patch, str) else None


def turn_error_info(session: str) -> Any:
    """codex's ``codex_error_info`` for the last turn's error (``"internal_server_error"``,
    ``{"http_connection_failed": {"http_status_code": 503}}``, ...); None if it recorded none."""
    info = None
    with open(session, "rb") as handle:
        for raw in handle:
            if b'"task_complete"' not in raw and b'"task_started"' not in raw:
                continue
            try:
                payload = json.loads(raw).get("payload") or {}
            except (ValueError, AttributeError):
                continue
            if payload.get("type") == "task_started":
                info = None
            elif payload.get("type") == "task_complete":
                error = payload.get("error")
                info = error.get("codex_error_info") if isinstance(error, dict) else None
    return info
