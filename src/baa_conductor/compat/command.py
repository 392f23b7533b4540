"""What ``baa compat`` does before printing: find the schemas, find the baseline version(s), and
compare them. Anything that cannot be compared raises CompatInputError (exit 2, one line)."""

from __future__ import annotations

import posixpath
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

from ..exceptions import CompatInputError
from .findings import BREAKING, COMPATIBLE, UNKNOWN
from .modes import MODE_OF, Mode
from .report import Change, Report, SchemaReport, merge, schema_report
from .schemaset import BASE, Node, SchemaSet, file_of
from .sources import (
    DEFAULT_SCHEMAS,
    Git,
    Version,
    history_directory,
    load_directory,
    load_installed,
    load_references,
)

if TYPE_CHECKING:
    from .check import Directions
    from .twoway import Forward

T = TypeVar("T")


def schema_set(version: Version, references: Mapping[str, Any]) -> SchemaSet:
    """A version's schemas, with the files they reach by path and the published schemas they
    reach by URI (``references``), checked fit to compare."""

    def find(uri: str) -> Any:
        if uri.startswith(BASE):
            return version.read(posixpath.relpath(uri[len("file://") :], BASE[len("file://") :]))
        found = version.references.get(uri)
        return found if found is not None else references.get(uri)

    sset = SchemaSet(version.documents, version.label).with_referenced(find)
    sset.check()
    return sset


def witnessed(
    changes: list[Change], writer: Node, reader: Node, direction: int
) -> list[tuple[str, tuple[Any, ...]]]:
    """Per change, its verdict in ``direction`` (0: BACKWARD, 1: FORWARD) and its witness, an
    instance that shows it: the writer's schema accepts it and the reader's rejects it (``()``
    where none is found or none is sought). "breaking" is the verdict of a change with a witness
    (a "cannot tell" with one is breaking); one without is "cannot tell", whatever the rules
    said: their "breaking" only says they found no proof of safety.

    Every change that breaks the direction is looked at, those in a referenced file too (at the
    place this schema's instances reach it). The search is steered to the change's pointer and,
    where the reason names a place deeper inside, there first; a witness found for a change
    inside another's subschema shows that one too (a union that no longer accepts a value its
    member lost)."""
    from .witness import NOT_FOUND, find

    found: dict[str, Any] = {}  # pointer searched -> witness or not
    out: list[tuple[str, tuple[Any, ...]]] = [
        (c.forward if direction else c.backward, ()) for c in changes
    ]
    deepest_first = sorted(range(len(changes)), key=lambda k: -changes[k].pointer.count("/"))
    for k in deepest_first:
        change = changes[k]
        if out[k][0] == COMPATIBLE:
            continue
        instance = _inside(found, change.pointer)
        for pointer in _steered(change.pointer, change.reasons[direction]):
            if instance is not NOT_FOUND:
                break
            if pointer not in found:
                found[pointer] = find(writer, reader, pointer)
            instance = found[pointer]
        # No rule proved it safe and no instance shows it: not proven either way.
        out[k] = (BREAKING, (instance,)) if instance is not NOT_FOUND else (UNKNOWN, ())
    return out


def _witnessed_both(
    changes: list[Change],
    backward: list[tuple[str, tuple[Any, ...]]],
    forward: list[tuple[str, tuple[Any, ...]]],
) -> list[Change]:
    return [
        replace(c, backward=b[0], forward=f[0], witnesses=(b[1], f[1]))
        for c, b, f in zip(changes, backward, forward, strict=True)
    ]


def _inside(found: Mapping[str, Any], pointer: str) -> Any:
    """A witness already found at ``pointer`` or inside it."""
    from .witness import NOT_FOUND

    for where, instance in found.items():
        if instance is not NOT_FOUND and (where == pointer or where.startswith(pointer + "/")):
            return instance
    return NOT_FOUND


def _steered(pointer: str, reason: str) -> list[str]:
    """Where to steer the search: deeper first where the reason names a place inside the
    change (``/properties/x/enum: enum value removed``), then the change's own pointer."""
    where, colon, _ = reason.partition(": ")
    deeper = pointer + where if colon and where.startswith("/") and where != "/" else None
    return [deeper, pointer] if deeper else [pointer]


def compare_versions(
    new: Version,
    baselines: Sequence[Version],
    mode: Mode,
    references: Mapping[str, Any] | None = None,
    *,
    parallel: bool | None = None,
) -> Report:
    """Compare the new schema set with each baseline version (the latest only, unless transitive).

    ``parallel``: FORWARD in a second process beside BACKWARD (see twoway); by default where
    the machine allows it. The report is the same either way."""
    from .check import Directions
    from .twoway import Forward, worth_forking

    current = schema_set(new, references or {})
    reports: list[SchemaReport] = []
    for baseline in baselines:
        earlier = schema_set(baseline, references or {})
        pairs = sorted(earlier.documents.keys() & current.documents.keys())
        both = parallel if parallel is not None else bool(pairs) and worth_forking()
        child = Forward.start(earlier, current) if both else None
        changed: dict[str, list[Change]] = {}
        try:
            directions = Directions()
            for name in pairs:
                changed[name] = _compared(name, earlier, current, directions, child)
        except (CompatInputError, RecursionError):
            raise
        except Exception as error:  # never a traceback: say which file and why
            raise CompatInputError(
                f"{new.label}: {file_of(name)}: cannot be compared with "
                f"{baseline.label} ({type(error).__name__}: {error})"
            ) from error
        finally:
            if child is not None:
                child.stop()
        for name in sorted(earlier.documents.keys() | current.documents.keys()):
            old, now = earlier.documents.get(name), current.documents.get(name)
            reports.append(schema_report(name, baseline.label, old, now, changed.get(name, [])))
    contract = {b.label: (b.contract, new.contract) for b in baselines}
    return Report(mode, tuple(b.label for b in baselines), tuple(reports), contract)


def _compared(
    name: str, earlier: SchemaSet, current: SchemaSet, directions: Directions, child: Forward | None
) -> list[Change]:
    """One document's changes, with witnesses; FORWARD's share asked of ``child`` first, and
    done here where it gives no answer."""
    old, new = earlier.root(name), current.root(name)
    backward, forward = _beside(
        child,
        ("check", name, None),
        lambda: directions.backward(old, new),
        lambda: directions.forward(old, new),
    )
    changes = merge(backward, forward)
    behind, ahead = _beside(
        child,
        ("witness", name, changes),
        lambda: witnessed(changes, old, new, 0),
        lambda: witnessed(changes, new, old, 1),
    )
    return _witnessed_both(changes, behind, ahead)


def _beside(
    child: Forward | None,
    request: tuple[str, str, list[Change] | None],
    here: Callable[[], T],
    there: Callable[[], T],
) -> tuple[T, T]:
    """(``here``, ``there``): ``there`` asked of ``child`` as ``request`` while this process
    does ``here``, and done here too where the child gives no answer."""
    if child is not None:
        child.ask(request)
    mine = here()
    theirs = child.answer() if child is not None else None
    return mine, theirs if theirs is not None else there()


def _current(schemas: str | None) -> tuple[Version, Path | None]:
    if schemas:
        path = Path(schemas)
        if not path.is_dir():
            raise CompatInputError(f"--schemas {path}: not a directory")
        return load_directory(path), path
    try:
        top = Git(Path.cwd()).top
    except CompatInputError:
        top = None
    if top is not None and (top / DEFAULT_SCHEMAS).is_dir():
        path = top / DEFAULT_SCHEMAS
        return load_directory(path, _shown(path)), path
    return load_installed(), None


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _baselines(against: str, mode: Mode, schemas: Path | None) -> list[Version]:
    path = Path(against)
    if path.is_dir():
        history = history_directory(path)
        if history is None:
            return [load_directory(path)]
        return history if mode.transitive else history[-1:]
    try:
        git = Git(Path.cwd())
    except CompatInputError as error:
        raise CompatInputError(
            f"--against {against!r}: neither a directory nor a git ref ({error})"
        ) from None
    where = git.relative(schemas) if schemas is not None else PurePosixPath(DEFAULT_SCHEMAS)
    is_ref = git.is_ref(against)
    tags = git.tags(against) if mode.transitive or not is_ref else []
    if mode.transitive and tags:
        refs = tags
    elif is_ref:
        refs = [against]
    elif tags:
        refs = tags[-1:]
    else:
        raise CompatInputError(
            f"--against {against!r}: neither a directory nor a git ref (nor a tag pattern) in "
            f"{git.top}"
        )
    return [git.load(ref, where) for ref in refs]


def check(
    against: str, schemas: str | None, mode_name: str, refs: Sequence[str] = ()
) -> tuple[Report, dict[str, str]]:
    """Compare the schemas (``schemas`` or the default) with the baseline(s) ``against`` names,
    other published schemas taken from ``refs`` (directories or catalogue files).

    Returns the report and, for annotations, each schema's file as the user would name it."""
    mode = MODE_OF[mode_name.upper()]
    new, where = _current(schemas)
    baselines = _baselines(against, mode, where)
    references: dict[str, Any] = {}
    for path in refs:
        references.update(load_references(Path(path)))
    # The walk recurses a few frames per level of nesting; past the limit the command says so
    # in one line (see cli/compat.py).
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 8000))
    try:
        report = compare_versions(new, baselines, mode, references)
    finally:
        sys.setrecursionlimit(limit)
    base = _shown(where) if where is not None else DEFAULT_SCHEMAS
    return report, {name: f"{base}/{file_of(name)}" for name in new.documents}
