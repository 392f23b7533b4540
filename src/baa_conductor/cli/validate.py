"""``baa validate``: JSON and JSONL files, run directories or stdin against the schemas."""

from __future__ import annotations

import os
import sys

from ._common import EXIT_INVALID, EXIT_OK, Sink, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator, Sequence
    from typing import Any, BinaryIO

EXAMPLES = """\
examples:
  baa validate runs/T-1/run-20260101T000000-abc123   # every file of a run, every log line
  baa validate --schema step-execution-result envelope.json
  baa run --json --task T-1 --step s -- true | baa validate --schema step-execution-result -
"""

STDIN = "-"
#: What the log check reads at a time (lines are split out of it in C).
READ_BYTES = 1 << 20


def register(sub: Any) -> None:
    from ._help import HelpFormatter

    p = sub.add_parser(
        "validate",
        help="validate JSON / JSONL files, run directories or stdin against the schemas",
        description="Check each document against its schema and print every violation as "
        "FILE[:LINE]: /POINTER: REASON. Exit 0 valid, 1 invalid, 2 usage error or unreadable input.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="a JSON or JSONL file, a run directory (each of its files), or - for stdin",
    )
    p.add_argument(
        "--schema",
        help="schema name (default: inferred from the file name; required for stdin and "
        "other names; `baa schemas list` names them)",
    )
    p.add_argument(
        "--jsonl", action="store_true", help="one document per line (default for *.log, *.jsonl)"
    )
    p.add_argument(
        "--output",
        choices=("text", "json"),
        default="text",
        help="text: one violation per line, a verdict on stderr; json: one JSON report on stdout",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="text output: violations only")
    p.set_defaults(handler=cmd_validate)


def _schema_for(name: str, explicit: str | None) -> str:
    from ..paths import schema_of_path

    if explicit:
        from .._schemas import load_schema

        load_schema(explicit)  # an unknown name fails here, listing the known ones
        return explicit
    schema = schema_of_path(name)
    if schema is not None and name != STDIN:
        return schema
    from .._schemas import schema_names

    what = "stdin" if name == STDIN else f"{name}: cannot tell its schema from the name"
    raise UsageError(f"{what}; pass --schema (one of: {', '.join(schema_names())})")


def _whole(handle: BinaryIO) -> bytes | None:
    from ..readers import MAX_DOCUMENT_BYTES, read_bounded

    data = read_bounded(handle.fileno(), MAX_DOCUMENT_BYTES)
    return None if len(data) > MAX_DOCUMENT_BYTES else data


def problems_in(path: str | os.PathLike[str], schema: str, jsonl: bool) -> Iterator[str]:
    """Each violation in a file as ``FILE[:LINE]: /POINTER: REASON``."""
    for where, pointer, reason in _check(str(path), schema, jsonl, []):
        yield f"{where}: {pointer or '/'}: {reason}"


def _open(name: str, in_run_dir: bool) -> BinaryIO:
    """stdin, or a regular file (never blocking; inside a run directory, never a symlink)."""
    if name == STDIN:
        return sys.stdin.buffer
    from ..readers import open_regular

    return open_regular(name, follow_symlinks=not in_run_dir)  # type: ignore[return-value]


def _check(
    name: str, schema: str, jsonl: bool, notes: list[str], in_run_dir: bool = False
) -> Iterator[tuple[str, str, str]]:
    """(where, pointer, reason) of each violation in the file ``name`` (``-``: stdin).

    A file that cannot be read is one violation (``FILE: reason``); a torn last line (not JSON,
    no newline: a runner killed mid-write) is read as not written and noted in ``notes``."""
    from ..exceptions import RunFileError
    from ..paths import STDERR_LOG, STDOUT_LOG

    expected = {STDOUT_LOG: "stdout", STDERR_LOG: "stderr"}.get(os.path.basename(name))
    label = "<stdin>" if name == STDIN else name
    try:
        handle = _open(name, in_run_dir)
    except RunFileError as error:
        yield label, "", error.reason
        return
    try:
        if jsonl:
            yield from _check_lines(handle, label, schema, expected, notes)
        else:
            yield from _check_document(_whole(handle), label, schema)
    except OSError as error:
        raise UsageError(f"{label}: cannot read: {error.strerror}") from None
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def _verdict(schema: str, value: Any, where: str) -> Iterator[tuple[str, str, str]]:
    from ..validation import violations

    found = violations(schema, value)
    if not found:  # never let a disagreement pass silently
        yield where, "", "rejected by the compiled validator but not by jsonschema; please report"
    for violation in found:
        yield where, violation.pointer, violation.reason


def _check_document(raw: bytes | None, where: str, schema: str) -> Iterator[tuple[str, str, str]]:
    import json  # one small document: the standard library starts faster than orjson

    from .._wire import problem
    from ..readers import MAX_LINE_BYTES
    from ..validation import compiled, parsed_check

    if raw is None:
        yield where, "", f"longer than {MAX_LINE_BYTES} bytes; not checked"
        return
    try:
        value = json.loads(raw)
    except RecursionError:
        yield where, "", "not JSON: nested too deeply"
        return
    except ValueError as error:
        yield where, "", f"not JSON: {error}"
        return
    # The standard library reads what orjson would refuse (NaN, lone surrogates, huge integers):
    # the wire rules are checked on the value, then the schema alone.
    check = parsed_check(schema) or compiled(schema)
    if problem(value) is not None or not check(value):
        yield from _verdict(schema, value, where)


def _check_lines(
    handle: BinaryIO, label: str, schema: str, expected: str | None, notes: list[str]
) -> Iterator[tuple[str, str, str]]:
    """Each line of a log; a last line without its newline that is not JSON is torn (a runner
    killed inside its write): noted, not a violation."""
    import json

    import orjson

    from .._wire import MAX_DEPTH
    from ..readers import MAX_LINE_BYTES, torn_note
    from ..validation import compiled, parsed_check, parsed_check_of_channel

    check = compiled(schema)

    def full(value: Any) -> bool:  # the schema, and the channel of this log
        return check(value) and (not expected or value["channel"] == expected)

    # jsonschema-rs checks the channel with the schema where it can: a Python test per line
    # costs a few percent of the loop.
    fast = (parsed_check_of_channel(schema, expected) if expected else parsed_check(schema)) or full
    base = os.path.basename(label)
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    number = 0
    carry = b""
    skipping = False  # inside a line longer than MAX_LINE_BYTES, until its newline
    read = handle.read
    too_long = f"longer than {MAX_LINE_BYTES} bytes; not checked"
    while True:  # the hot loop of `baa validate` on a log: blocks split in C, kept lean
        block = read(READ_BYTES)
        if not block:  # the end: a last line without its newline is still a line
            lines = [carry] if carry and not skipping else []
        else:
            lines = block.split(b"\n")
            tail = lines.pop()  # what follows the block's last newline
            if not lines:  # no newline: the block continues the carried line
                if not skipping:
                    carry += tail
            else:  # lines[0] ends the carried line
                if skipping:
                    lines.pop(0)
                    skipping = False
                elif carry and len(carry) + len(lines[0]) > MAX_LINE_BYTES:
                    number += 1
                    yield f"{label}:{number}", "", too_long
                    lines.pop(0)
                elif carry:
                    lines[0] = carry + lines[0]
                carry = tail
            if len(carry) > MAX_LINE_BYTES:
                number += 1
                yield f"{label}:{number}", "", too_long
                carry = b""
                skipping = True
        for raw in lines:
            number += 1
            try:
                value = loads(raw)
                # A line cannot nest deeper than it has brackets, nor have more than its length.
                shallow = len(raw) <= MAX_DEPTH or raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH
                ok = (fast if shallow else full)(value)
            except decode_error:
                try:  # the standard library reads what orjson refuses (lone surrogate escapes)
                    value = json.loads(raw)
                except RecursionError:
                    yield f"{label}:{number}", "", "not JSON: nested too deeply"
                    continue
                except ValueError as error:
                    if not block:  # the unterminated last line
                        notes.append(torn_note(label, number))
                    else:
                        yield f"{label}:{number}", "", f"not JSON: {error}"
                    continue
                ok = full(value)
            if ok:
                continue
            if expected and check(value):  # valid, but from the other stream
                yield f"{label}:{number}", "/channel", f"{value['channel']!r} in {base}"
            else:
                yield from _verdict(schema, value, f"{label}:{number}")
        if not block:
            return


def _targets(names: Sequence[str]) -> Iterator[tuple[str, bool]]:
    """(file, whether it is in a run directory): every file of a run directory is checked (one
    that is missing is reported; checkpoint records and a codex step's agent activity when
    there), a symlink in it refused rather than followed."""
    from ..paths import AGENT_ACTIVITY, ARTIFACTS, SCHEMA_OF_FILE, checkpoint_records

    for name in names:
        if name == STDIN:
            yield name, False
        elif os.path.isdir(name):
            if not any(os.path.lexists(os.path.join(name, f)) for f in SCHEMA_OF_FILE):
                raise UsageError(f"{name}: not a run directory (no {', '.join(SCHEMA_OF_FILE)})")
            yield from ((os.path.join(name, f), True) for f in SCHEMA_OF_FILE)
            yield from ((record, True) for record in checkpoint_records(name))
            activity = os.path.join(name, ARTIFACTS, AGENT_ACTIVITY)  # a codex step's
            if os.path.lexists(activity):
                yield activity, True
        elif not os.path.exists(name):
            raise UsageError(f"{name}: no such file")
        else:
            yield name, False


def cmd_validate(args: argparse.Namespace) -> int:
    from ..paths import JSONL_FILES

    out, err = Sink.stdout(), Sink.stderr()
    as_json = args.output == "json"
    report: list[dict[str, Any]] = []
    found: list[dict[str, Any]] = []
    problems = 0
    notes: list[str] = []
    for name, in_run_dir in _targets(args.files):
        schema = _schema_for(name, args.schema)
        jsonl = args.jsonl or os.path.basename(name) in JSONL_FILES or name.endswith(".jsonl")
        count = 0
        for where, pointer, reason in _check(name, schema, jsonl, notes, in_run_dir):
            count += 1
            if as_json:
                file, _, line = where.rpartition(":") if jsonl else (where, "", "")
                found.append({"file": file, "line": int(line) if line else None,
                              "pointer": pointer, "reason": reason})  # fmt: skip
            else:
                out.text(f"{where}: {pointer or '/'}: {reason}\n")
        problems += count
        report.append({"file": "<stdin>" if name == STDIN else name, "schema": schema,
                       "jsonl": jsonl, "valid": count == 0})  # fmt: skip
    if as_json:
        import json

        verdict = {"valid": problems == 0, "files": report, "violations": found}
        out.text(json.dumps(verdict, indent=2, ensure_ascii=False) + "\n")
    for note in notes:
        err.text(f"baa: note: {note}\n")
    if not as_json and not args.quiet:
        checked = len(report)
        verdict_text = "valid" if not problems else f"{problems} violation{'s' * (problems != 1)}"
        err.text(f"{checked} file{'s' * (checked != 1)} checked: {verdict_text}\n")
    return EXIT_INVALID if problems else EXIT_OK
