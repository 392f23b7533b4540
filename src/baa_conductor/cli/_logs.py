"""Reading a run's JSONL logs in bounded memory, whatever their size or their longest line."""

from __future__ import annotations

import os

from ._common import BLOCK_BYTES, MAX_LINE_BYTES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO


class LineReader:
    """The complete lines appended to a file since the last call, at most ``budget`` bytes a call.

    A line longer than :data:`MAX_LINE_BYTES` is never held: it is skipped and counted in
    :attr:`skipped`. A partial last line waits for the writer to finish it.
    """

    def __init__(self, handle: BinaryIO):
        self.handle = handle
        self.carry = bytearray()
        self.discarding = False  # inside an over-long line, until its newline
        self.skipped = 0
        self.exhausted = False  # the last call reached the end of what the file holds

    def read(self, budget: int = 1 << 20) -> list[bytes]:
        lines: list[bytes] = []
        taken = 0
        self.exhausted = False
        while taken < budget:
            block = self.handle.read(BLOCK_BYTES)
            if not block:
                self.exhausted = True
                break
            taken += len(block)
            start = 0
            while True:
                end = block.find(b"\n", start)
                if end < 0:
                    if not self.discarding:
                        self.carry += block[start:]
                        if len(self.carry) > MAX_LINE_BYTES:
                            self.carry.clear()
                            self.discarding = True
                    break
                if self.discarding:
                    self.discarding = False
                    self.skipped += 1
                else:
                    piece = block[start:end]
                    if self.carry:
                        self.carry += piece
                        piece = bytes(self.carry)
                        self.carry.clear()
                    if len(piece) > MAX_LINE_BYTES:
                        self.skipped += 1
                    elif piece.strip():
                        lines.append(piece)
                start = end + 1
        return lines


def last_lines(path: str, count: int) -> list[bytes]:
    """The last ``count`` lines of a file, read backwards from its end in bounded memory.

    A line longer than :data:`MAX_LINE_BYTES` ends the search there (it is not returned).
    """
    if count <= 0:
        return []
    blocks: list[bytes] = []
    held = 0
    with open(path, "rb") as handle:
        position = handle.seek(0, os.SEEK_END)
        newlines = 0
        while position > 0 and newlines <= count:
            step = min(BLOCK_BYTES, position)
            position -= step
            handle.seek(position)
            block = handle.read(step)
            blocks.append(block)
            held += len(block)
            newlines += block.count(b"\n")
            if held > MAX_LINE_BYTES + BLOCK_BYTES and newlines <= count:
                # Too far back for the lines wanted: keep only what follows the first newline.
                data = b"".join(reversed(blocks))
                cut = data.find(b"\n")
                return (
                    [line for line in data[cut + 1 :].splitlines() if line.strip()][-count:]
                    if cut >= 0
                    else []
                )
    data = b"".join(reversed(blocks))
    lines = data.splitlines()
    if position > 0 and lines:
        lines = lines[1:]  # the first may be the end of a longer line
    return [line for line in lines if line.strip()][-count:]
