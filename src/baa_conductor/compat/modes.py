"""The compatibility modes a schema registry offers, by the names its users know."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mode:
    name: str
    backward: bool  # new readers must accept what old writers wrote
    forward: bool  # old readers must accept what new writers write
    transitive: bool  # against every earlier version, not only the latest

    def __str__(self) -> str:
        return self.name


MODE_OF = {
    m.name: m
    for m in (
        Mode("BACKWARD", True, False, False),
        Mode("BACKWARD_TRANSITIVE", True, False, True),
        Mode("FORWARD", False, True, False),
        Mode("FORWARD_TRANSITIVE", False, True, True),
        Mode("FULL", True, True, False),
        Mode("FULL_TRANSITIVE", True, True, True),
        Mode("NONE", False, False, False),
    )
}
MODES = tuple(MODE_OF)
