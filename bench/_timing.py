"""Timing helpers: medians of many runs, candidates alternated, so a noisy machine moves them alike.

Every comparison here times its candidates in alternation: round after round, each candidate
once (or one batch of calls), in an order that reverses every round (A B, B A, A B ...). A slow
spell of the shared machine then lands on all of them instead of on whichever ran during it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any


def _batch(fn: Callable[[], Any], min_time: float) -> int:
    """How many calls make one timed batch of about ``min_time`` seconds."""
    fn()
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - start >= min_time:
            return calls
        calls *= 2


def alternated(
    fns: Mapping[str, Callable[[], Any]], *, rounds: int = 7, min_time: float = 0.05
) -> dict[str, float]:
    """Median seconds per call of each function, timed in alternating batches."""
    batches = {name: _batch(fn, min_time) for name, fn in fns.items()}
    samples: dict[str, list[float]] = {name: [] for name in fns}
    order = list(fns)
    for _ in range(rounds):
        for name in order:
            fn, calls = fns[name], batches[name]
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            samples[name].append((time.perf_counter() - start) / calls)
        order.reverse()
    return {name: statistics.median(times) for name, times in samples.items()}


def per_call(fn: Callable[[], Any], *, rounds: int = 7, min_time: float = 0.05) -> float:
    """Median seconds per call of one function (nothing to alternate with)."""
    return alternated({"fn": fn}, rounds=rounds, min_time=min_time)["fn"]


def median_wall(fn: Callable[[], Any], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def interleaved(fns: list[Callable[[], Any]], runs: int) -> list[float]:
    """Median seconds of each function, timed in rounds of one call each, alternating order."""
    samples: list[list[float]] = [[] for _ in fns]
    order = list(range(len(fns)))
    for _ in range(runs):
        for index in order:
            start = time.perf_counter()
            fns[index]()
            samples[index].append(time.perf_counter() - start)
        order.reverse()
    return [statistics.median(times) for times in samples]
