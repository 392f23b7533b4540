"""Retry policy: which failed attempts of a step run again, how often and how soon.

It travels beside the request as the task's second argument, in JSON::

    {"maxAttempts": 3, "exitCodes": [75], "onTimeout": false, "backoffSec": 1.0}

An attempt is retried when it failed with one of ``exitCodes`` (or timed out, with ``onTimeout``)
and its attempt number is below ``maxAttempts``. A worker lost mid-step (killed, machine gone) is
always delivered again, up to the same bound; past it, the step ends failed without running.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..executors.process import TIMEOUT_EXIT_CODE

MAX_ATTEMPTS_LIMIT = 20
MAX_BACKOFF_SEC = 300.0


@dataclass(frozen=True)
class RetryPolicy:
    """``max_attempts`` counts every attempt, the first included (1 means never again)."""

    max_attempts: int = 3
    exit_codes: frozenset[int] = field(default_factory=frozenset)
    on_timeout: bool = False
    backoff_sec: float = 1.0

    def __post_init__(self) -> None:
        if not 1 <= self.max_attempts <= MAX_ATTEMPTS_LIMIT:
            raise ValueError(
                f"/maxAttempts: {self.max_attempts} is not between 1 and {MAX_ATTEMPTS_LIMIT}"
            )
        if not 0 <= self.backoff_sec <= MAX_BACKOFF_SEC:
            raise ValueError(
                f"/backoffSec: {self.backoff_sec} is not between 0 and {MAX_BACKOFF_SEC}"
            )
        for code in self.exit_codes:
            if not 1 <= code <= 255:
                raise ValueError(f"/exitCodes: {code} is not an exit code from 1 to 255")

    def retries(self, envelope: dict[str, Any]) -> bool:
        """Whether the attempt this envelope reports runs again."""
        if envelope["ok"] or envelope["attempt"] >= self.max_attempts:
            return False
        code = envelope["state"].get("exitCode")
        if code == TIMEOUT_EXIT_CODE and self.on_timeout:
            return True
        return code in self.exit_codes

    def delay(self, attempt: int) -> float:
        """Seconds before the attempt after ``attempt``: doubling from ``backoff_sec``, bounded."""
        return float(min(MAX_BACKOFF_SEC, self.backoff_sec * 2 ** (attempt - 1)))

    def to_wire(self) -> dict[str, Any]:
        return {
            "maxAttempts": self.max_attempts,
            "exitCodes": sorted(self.exit_codes),
            "onTimeout": self.on_timeout,
            "backoffSec": self.backoff_sec,
        }

    @classmethod
    def from_wire(cls, value: Any) -> RetryPolicy:
        """The policy a message carries (``None``: the default); ValueError names a bad field."""
        if value is None:
            return cls()
        if not isinstance(value, dict):
            raise ValueError(f"/: the retry policy is {type(value).__name__}, not an object")
        known = {"maxAttempts", "exitCodes", "onTimeout", "backoffSec"}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(
                f"/{unknown[0]}: not a retry policy field (known: {', '.join(sorted(known))})"
            )
        attempts = value.get("maxAttempts", 3)
        codes = value.get("exitCodes", [])
        on_timeout = value.get("onTimeout", False)
        backoff = value.get("backoffSec", 1.0)
        if not isinstance(attempts, int) or isinstance(attempts, bool):
            raise ValueError("/maxAttempts: must be an integer")
        if not isinstance(codes, list) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in codes
        ):
            raise ValueError("/exitCodes: must be a list of integers")
        if not isinstance(on_timeout, bool):
            raise ValueError("/onTimeout: must be true or false")
        if not isinstance(backoff, int | float) or isinstance(backoff, bool):
            raise ValueError("/backoffSec: must be a number")
        return cls(attempts, frozenset(codes), on_timeout, float(backoff))


@dataclass(frozen=True)
class RunOptions:
    """How the worker runs the step, as ``baa run``'s options say it locally.

    The task's third argument, in JSON: ``{"graceSec": 10, "tailEntries": 200, "tailBytes": 1048576}``
    (every field optional; ``null`` or absent: the runner's defaults).
    """

    grace_sec: float | None = None
    tail_entries: int | None = None
    tail_bytes: int | None = None

    def to_wire(self) -> dict[str, Any]:
        fields = {"graceSec": self.grace_sec, "tailEntries": self.tail_entries,
                  "tailBytes": self.tail_bytes}  # fmt: skip
        return {k: v for k, v in fields.items() if v is not None}

    @classmethod
    def from_wire(cls, value: Any) -> RunOptions:
        if value is None:
            return cls()
        if not isinstance(value, dict):
            raise ValueError(f"/: the run options are {type(value).__name__}, not an object")
        known = {"graceSec", "tailEntries", "tailBytes"}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"/{unknown[0]}: not a run option (known: {', '.join(sorted(known))})")
        grace = value.get("graceSec")
        if grace is not None and (
            not isinstance(grace, int | float) or isinstance(grace, bool) or grace < 0
        ):
            raise ValueError("/graceSec: must be a number of seconds, 0 or more")
        counts = {}
        for name in ("tailEntries", "tailBytes"):
            count = value.get(name)
            if count is not None and (
                not isinstance(count, int) or isinstance(count, bool) or count < 0
            ):
                raise ValueError(f"/{name}: must be an integer, 0 or more")
            counts[name] = count
        return cls(
            None if grace is None else float(grace), counts["tailEntries"], counts["tailBytes"]
        )
