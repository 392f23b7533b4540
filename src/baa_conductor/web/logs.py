"""The three logs of a run as one list of entries in ``seq`` order, read by seeking.

One ``seq`` runs through worker.log, stdout.log and stderr.log, increasing within each file, so
the place of any seq in a file is found by a binary search over byte offsets (a few dozen lines
read, whatever the file's size), and a page of entries is read forward or backward from there
and merged across the files. Memory is bounded by the page (``limit`` entries, ``budget``
bytes), never by the log: the page of a 1 GB log reads its last few hundred lines and no more.

Every entry sent is validated against its file's schema (and its channel checked); a line that
is not is left out and named in ``problems``; a line longer than
:data:`~baa_conductor.readers.MAX_LINE_BYTES` is skipped without being held in memory.
"""

from __future__ import annotations

import heapq
import os
from dataclasses import dataclass, field
from typing import IO, Any

from ..encoding import loads
from ..exceptions import RunFileError
from ..paths import LOG_OF_CHANNEL, SCHEMA_OF_FILE
from ..readers import BLOCK_BYTES, MAX_LINE_BYTES, open_regular

#: Most entries one page holds, and most bytes of log lines it reads.
MAX_LIMIT = 5000
PAGE_BUDGET = 4 << 20
#: Backward reads go by this much (most pages end within the last block or two).
BACK_BLOCK_BYTES = 256 << 10


@dataclass
class Line:
    offset: int
    data: bytes


@dataclass
class Page:
    entries: list[dict[str, Any]] = field(default_factory=list)
    #: Whether entries exist beyond the page in its direction (later ones forward, earlier back).
    more: bool = False
    problems: list[str] = field(default_factory=list)


def _checker(channel: str) -> Any:
    from ..validation import parsed_check, parsed_check_of_channel

    schema = SCHEMA_OF_FILE[LOG_OF_CHANNEL[channel]]
    check = (
        parsed_check(schema) if channel == "worker" else parsed_check_of_channel(schema, channel)
    )
    if check is None:  # no jsonschema-rs: the validators' own entry point
        from ..validation import is_valid

        if channel == "worker":
            return lambda value: is_valid(schema, value)
        return lambda value: is_valid(schema, value) and value.get("channel") == channel
    return check


class LogFile:
    """One log of a run, open for reading (regular file only, never through a symlink)."""

    def __init__(self, run_dir: str, channel: str):
        self.channel = channel
        self.path = os.path.join(run_dir, LOG_OF_CHANNEL[channel])
        self.handle: IO[bytes] = open_regular(self.path)
        self.size = os.fstat(self.handle.fileno()).st_size
        self.check = _checker(channel)

    def close(self) -> None:
        self.handle.close()

    # -- one line ----------------------------------------------------------------------------

    def _line_start_at_or_after(self, position: int) -> int:
        """The first offset at or after ``position`` where a line starts (``size`` if none)."""
        if position <= 0:
            return 0
        self.handle.seek(position - 1)
        scanned = position - 1
        while scanned < self.size:
            block = self.handle.read(BLOCK_BYTES)
            if not block:
                break
            found = block.find(b"\n")
            if found >= 0:
                return scanned + found + 1
            scanned += len(block)
        return self.size

    def _line_at(self, start: int) -> tuple[int, int | None]:
        """The end (offset after its newline) and the seq of the line at ``start``.

        The seq is None for a line that is not an entry (torn, too long, not JSON).
        """
        self.handle.seek(start)
        raw = self.handle.readline(MAX_LINE_BYTES + 1)
        if not raw.endswith(b"\n"):
            if len(raw) <= MAX_LINE_BYTES:
                return start + len(raw), None  # the unterminated last line
            return self._line_start_at_or_after(start + len(raw)), None
        try:
            value = loads(raw)
        except ValueError:
            return start + len(raw), None
        seq = value.get("seq") if isinstance(value, dict) else None
        return start + len(raw), seq if isinstance(seq, int) else None

    def offset_after(self, seq: int) -> int:
        """The offset of the first line whose seq is greater than ``seq`` (``size`` if none).

        A binary search over line starts. Where a probe lands on a line without a seq (not an
        entry), the next line that has one decides.
        """
        low, high = 0, self.size  # low: a line start with every seq before it <= seq
        while low < high:
            start = self._line_start_at_or_after((low + high) // 2)
            if start >= high:
                start = low
            probe = start
            while True:
                end, found = self._line_at(probe)
                if found is not None or end >= high:
                    break
                probe = end
            if found is None:
                high = start  # nothing in [start, high) says: what is there comes after
            elif found > seq:
                high = probe
            else:
                low = end
        return min(low, self.size)

    # -- pages of lines ---------------------------------------------------------------------------

    def forward(
        self, offset: int, limit: int, budget: int, problems: list[str]
    ) -> tuple[list[Line], bool]:
        """Whole lines from ``offset`` on: at most ``limit`` lines and about ``budget`` bytes."""
        self.handle.seek(offset)
        lines: list[Line] = []
        taken = 0
        while len(lines) < limit and taken < budget:
            raw = self.handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return lines, False
            if not raw.endswith(b"\n"):
                if len(raw) <= MAX_LINE_BYTES:
                    return lines, False  # a line being written (or torn): not an entry yet
                skipped_from = offset
                offset = self._line_start_at_or_after(offset + len(raw))
                self.handle.seek(offset)
                problems.append(f"{self.path}: byte {skipped_from}: line longer than "
                                f"{MAX_LINE_BYTES >> 20} MiB; not read")  # fmt: skip
                continue
            lines.append(Line(offset, raw[:-1]))
            offset += len(raw)
            taken += len(raw)
        return lines, offset < self.size

    def backward(
        self, end: int, limit: int, budget: int, problems: list[str]
    ) -> tuple[list[Line], bool]:
        """Whole lines ending at or before ``end`` (a line start, or the file's size), read
        backwards: at most ``limit`` lines and about ``budget`` bytes, returned in file order."""
        if end == self.size and end > 0:
            self.handle.seek(end - 1)
            if self.handle.read(1) != b"\n":  # a line being written (or torn) is not an entry
                end = self._last_line_start(end)
        lines: list[Line] = []
        buffer = b""  # the bytes [position, ...), every line in it ending with a newline
        position = earliest = end
        pending: list[bytes] = []  # blocks of a line whose start is not found yet, newest first
        held = 0
        skipping = False  # inside a line too long to hold, looking for its start
        taken = 0
        while len(lines) < limit and taken < budget:
            if buffer:
                cut = buffer.rfind(b"\n", 0, len(buffer) - 1)
                if cut >= 0 or position == 0:
                    earliest = position + cut + 1
                    if skipping:
                        problems.append(f"{self.path}: byte {earliest}: line longer than "
                                        f"{MAX_LINE_BYTES >> 20} MiB; not read")  # fmt: skip
                        skipping = False
                    else:
                        lines.append(Line(earliest, buffer[cut + 1 : -1]))
                        taken += len(buffer) - cut - 1
                    buffer = buffer[: cut + 1]
                    continue
            if position == 0:
                break
            step = min(BACK_BLOCK_BYTES, position)
            position -= step
            self.handle.seek(position)
            block = self.handle.read(step)
            if b"\n" in block or position == 0:
                # While skipping, a newline stands in for the long line's end.
                buffer = block + (b"\n" if skipping else b"".join(pending) + buffer)
                pending.clear()
                held = 0
            elif not skipping:
                pending.insert(0, block)
                held += len(block)
                if held + len(buffer) > MAX_LINE_BYTES + 1:
                    pending.clear()
                    skipping = True
        lines.reverse()
        return lines, earliest > 0

    def _last_line_start(self, end: int) -> int:
        """Where the line that ends (without a newline) at ``end`` starts."""
        position = end
        while position > 0:
            step = min(BACK_BLOCK_BYTES, position)
            position -= step
            self.handle.seek(position)
            found = self.handle.read(step).rfind(b"\n")
            if found >= 0:
                return position + found + 1
        return 0

    def entries(self, lines: list[Line], problems: list[str]) -> list[dict[str, Any]]:
        """The lines that are valid entries of this log, as values."""
        out = []
        for line in lines:
            if not line.data.strip():
                continue
            try:
                value = loads(line.data)
            except ValueError as error:
                problems.append(f"{self.path}: byte {line.offset}: not JSON: {error}")
                continue
            if not self.check(value):
                problems.append(f"{self.path}: byte {line.offset}: {self._reason(value)}")
                continue
            out.append(value)
        return out

    def _reason(self, value: Any) -> str:
        from ..validation import violations

        schema = SCHEMA_OF_FILE[LOG_OF_CHANNEL[self.channel]]
        found = violations(schema, value)
        if found:
            return str(found[0])
        return f"channel {value.get('channel')!r} in {os.path.basename(self.path)}"


def open_logs(run_dir: str, problems: list[str]) -> list[LogFile]:
    """The run's logs that can be read (a missing or refused one is named in ``problems``)."""
    logs = []
    for channel in LOG_OF_CHANNEL:
        try:
            logs.append(LogFile(run_dir, channel))
        except RunFileError as error:
            if error.reason != "missing":
                problems.append(str(error))
    return logs


def _seq(entry: dict[str, Any]) -> int:
    seq: int = entry["seq"]
    return seq


def read_page(
    run_dir: str,
    *,
    after_seq: int | None = None,
    before_seq: int | None = None,
    limit: int = 500,
    budget: int = PAGE_BUDGET,
) -> Page:
    """Entries of the three logs in seq order.

    ``after_seq``: the first ``limit`` entries with a greater seq. ``before_seq`` (or neither:
    the end of the logs): the last ``limit`` entries with a smaller seq. ``more`` says whether
    entries exist beyond the page in the direction read.
    """
    page = Page()
    logs = open_logs(run_dir, page.problems)
    try:
        per_file: list[list[dict[str, Any]]] = []
        more = False
        # A log cut short by the page's limit or budget bounds the page: past its last entry
        # read (before its first, backwards) another log's entries could not be told in order.
        bound: int | None = None
        for log in logs:
            if after_seq is not None:
                offset = log.offset_after(after_seq)
                lines, beyond = log.forward(offset, limit, budget, page.problems)
            else:
                end = log.size if before_seq is None else log.offset_after(before_seq - 1)
                lines, beyond = log.backward(end, limit, budget, page.problems)
            entries = log.entries(lines, page.problems)
            per_file.append(entries)
            more |= beyond
            if beyond and entries:
                edge = entries[-1]["seq"] if after_seq is not None else entries[0]["seq"]
                if bound is None:
                    bound = edge
                else:
                    bound = min(bound, edge) if after_seq is not None else max(bound, edge)
        merged = list(heapq.merge(*per_file, key=_seq))
        if bound is not None:
            kept = [
                e
                for e in merged
                if (e["seq"] <= bound if after_seq is not None else e["seq"] >= bound)
            ]
            more |= len(kept) < len(merged)
            merged = kept
        if after_seq is not None:
            page.entries = merged[:limit]
        else:
            page.entries = merged[-limit:] if limit else []
        page.more = more or len(merged) > len(page.entries)
    finally:
        for log in logs:
            log.close()
    return page


#: Most bytes of each log one search request reads (a search goes on where the last one ended).
SEARCH_BUDGET = 256 << 20
#: Searched a block at a time (a longer line is read on its own).
SEARCH_BLOCK_BYTES = 4 << 20


def _text(entry: dict[str, Any]) -> str:
    """What the page shows of an entry (an event as ``type: message``)."""
    if "channel" in entry:
        return str(entry["text"])
    return f"{entry['type']}: {entry['message']}"


def search(
    run_dir: str, needle: str, *, after_seq: int = 0, limit: int = 100,
    budget: int = SEARCH_BUDGET,
) -> dict[str, Any]:  # fmt: skip
    """The entries after ``after_seq`` whose text holds ``needle`` (case-insensitive), in seq
    order: each match's seq, the line of its entry (1 for the first) and its permalink id.

    Each log is read forward for at most ``budget`` bytes; ``nextAfterSeq`` is where to go on
    from (None once every log was read to its end). Lines are parsed only when their bytes could
    hold the needle.
    """
    problems: list[str] = []
    folded = needle.casefold()
    plain = needle.isascii() and needle.isprintable() and not {'"', "\\"} & set(needle)
    found: list[tuple[int, int]] = []
    bound: int | None = None

    def consider(log: LogFile, raw: bytes) -> None:
        try:
            value = loads(raw)
        except ValueError:
            return
        if isinstance(value, dict) and log.check(value):
            text = _text(value)
            at = text.casefold().find(folded)
            if at >= 0:
                found.append((value["seq"], text.count("\n", 0, at) + 1))

    logs = open_logs(run_dir, problems)
    try:
        for log in logs:
            start = log.offset_after(after_seq)
            scan = _scan_blocks if plain else _scan_lines
            last = scan(log, start, needle, budget, consider)
            if last is not None:
                seq = _seq_of(last)
                if seq is not None:
                    bound = seq if bound is None else min(bound, seq)
    finally:
        for log in logs:
            log.close()
    found.sort()
    if bound is not None:
        found = [m for m in found if m[0] <= bound]
    next_after = bound
    if len(found) > limit:
        found = found[:limit]
        next_after = found[-1][0]
    matches = [{"seq": s, "line": k, "id": f"L{s}" if k == 1 else f"L{s}.{k}"} for s, k in found]
    return {"matches": matches, "nextAfterSeq": next_after, "problems": problems}


def _scan_blocks(
    log: LogFile, offset: int, needle: str, budget: int, consider: Any
) -> bytes | None:
    """Search blocks of whole lines for the needle's bytes (an ASCII needle without JSON escapes
    reads in the file as written, whatever the case) and consider only the lines that hold it.
    The last line read when the budget ran out (None: the end was reached)."""
    probe = needle.lower().encode()
    taken = 0
    while True:
        log.handle.seek(offset)
        block = log.handle.read(SEARCH_BLOCK_BYTES)
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            if len(block) < SEARCH_BLOCK_BYTES:
                return None  # the end (or a line being written)
            # One line longer than a block: read whole if it may be an entry, else skipped.
            log.handle.seek(offset)
            raw = log.handle.readline(MAX_LINE_BYTES + 1)
            if raw.endswith(b"\n") and probe in raw.lower():
                consider(log, raw[:-1])
            offset = log._line_start_at_or_after(offset + len(raw))
            taken += len(raw)
            continue
        block = block[:cut]
        lowered = block.lower()  # bytes.lower() and find() run at memory speed; a regex does not
        at = lowered.find(probe)
        while at >= 0:
            begin = block.rfind(b"\n", 0, at) + 1
            end = block.index(b"\n", at)
            consider(log, block[begin:end])
            at = lowered.find(probe, end)
        offset += cut
        taken += cut
        if offset >= log.size:
            return None
        if taken >= budget:
            return block[block.rfind(b"\n", 0, cut - 1) + 1 : cut - 1]


def _scan_lines(log: LogFile, offset: int, needle: str, budget: int, consider: Any) -> bytes | None:
    """Consider every line (a needle that JSON may escape cannot be looked for in the bytes)."""
    log.handle.seek(offset)
    taken = 0
    last = b""
    while taken < budget:
        raw = log.handle.readline(MAX_LINE_BYTES + 1)
        if not raw.endswith(b"\n"):
            if not raw or len(raw) <= MAX_LINE_BYTES:
                return None  # the end, or a line being written
            log.handle.seek(log._line_start_at_or_after(log.handle.tell()))
            continue
        taken += len(raw)
        last = raw[:-1]
        consider(log, last)
    return last


def _seq_of(raw: bytes) -> int | None:
    try:
        value = loads(raw)
    except ValueError:
        return None
    seq = value.get("seq") if isinstance(value, dict) else None
    return seq if isinstance(seq, int) else None
