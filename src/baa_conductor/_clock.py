"""Timestamps as the seed writes them: JavaScript's ``Date.prototype.toISOString``."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> str:
    """The current UTC time with millisecond precision, e.g. ``2026-03-21T11:41:39.123Z``."""
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def elapsed_ms(start: str, end: str) -> int:
    """Whole milliseconds from ``start`` to ``end``, never negative (the seed's durationMs)."""
    return max(0, int((parse(end) - parse(start)).total_seconds() * 1000))
