"""Where schema sets come from: a directory, a git ref, a history of versions (subdirectories, or
the tags of a repository), or the schemas shipped in the installed package."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..exceptions import CompatInputError
from .schemaset import name_of_file

DEFAULT_SCHEMAS = "schemas"  # at the top of the repository


@dataclass(frozen=True)
class Version:
    """One version of the schemas: a label for messages, and the documents by name."""

    label: str
    documents: dict[str, Any]
    # Reads another file by its path relative to the schemas (a sibling a $ref names by path);
    # None when there is no such file.
    read: Callable[[str], Any] = field(default=lambda path: None, repr=False)
    contract: str | None = None  # the VERSION file beside the schemas, if there is one
    # Other published schemas this version refers to by URI (beside those the user supplies).
    references: dict[str, Any] = field(default_factory=dict)


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CompatInputError(f"{where}: not JSON ({error})", where) from None


def _read_file(file: Path) -> Any:
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CompatInputError(f"{file}: cannot read ({error})", str(file)) from None
    return _parse(text, str(file))


def _schema_files(path: Path) -> list[Path]:
    return sorted(f for f in path.glob("*.json") if f.is_file())


def load_directory(path: Path, label: str | None = None) -> Version:
    """Every ``*.json`` file of a directory; files its schemas name by a relative path are read
    when a reference reaches them."""
    documents = {}
    for file in _schema_files(path):
        name = name_of_file(file.name)
        if name is not None:
            documents[name] = _read_file(file)

    def read(relative: str) -> Any:
        file = path / relative
        return _read_file(file) if file.is_file() else None

    version = path / "VERSION"
    try:
        contract = version.read_text("utf-8").strip() if version.is_file() else None
    except (OSError, UnicodeDecodeError) as error:
        raise CompatInputError(f"{version}: cannot read ({error})", str(version)) from None
    return Version(label or str(path), documents, read, contract)


def load_references(path: Path) -> dict[str, Any]:
    """Other published schemas the user supplies, by URI: a directory (each ``*.json`` under it,
    by its ``$id``, or ``id`` in draft-04), or a catalogue file mapping URIs to files (``{"uri":
    "file"}``, or ``{"schemas": [{"url": ..., "path": ...}]}``; paths relative to the file)."""
    found: dict[str, Any] = {}
    if path.is_dir():
        for file in sorted(path.rglob("*.json")):
            document = _read_file(file)
            if isinstance(document, dict):
                for key in ("$id", "id"):
                    own = document.get(key)
                    if isinstance(own, str) and "://" in own:
                        found.setdefault(own.split("#", 1)[0], document)
                        break
        return found
    if not path.is_file():
        raise CompatInputError(f"--refs {path}: no such file or directory")
    catalogue = _read_file(path)
    entries: list[tuple[Any, Any]]
    if isinstance(catalogue, dict) and isinstance(catalogue.get("schemas"), list):
        entries = [
            (e.get("url"), e.get("path")) for e in catalogue["schemas"] if isinstance(e, dict)
        ]
    elif isinstance(catalogue, dict):
        entries = list(catalogue.items())
    else:
        raise CompatInputError(f"--refs {path}: a catalogue is a JSON object")
    for uri, file in entries:
        if not isinstance(uri, str) or not isinstance(file, str):
            raise CompatInputError(f"--refs {path}: each entry maps a URI to a file path")
        found[uri.split("#", 1)[0]] = _read_file(path.parent / file)
    return found


def load_installed() -> Version:
    from .._schemas import load_schema, schema_names

    return Version("the installed schemas", {name: load_schema(name) for name in schema_names()})


def _natural(text: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def history_directory(path: Path) -> list[Version] | None:
    """A directory of versions (one subdirectory each, in version order), or None if ``path`` holds
    schemas itself."""
    if _schema_files(path):
        return None
    versions = [d for d in path.iterdir() if d.is_dir() and _schema_files(d)]
    if not versions:
        raise CompatInputError(f"--against {path}: no *.json files in it or in its subdirectories")
    return [load_directory(d) for d in sorted(versions, key=lambda d: _natural(d.name))]


class Git:
    """The repository around a directory, read with plain git commands."""

    def __init__(self, cwd: Path) -> None:
        done = self._run(cwd, "rev-parse", "--show-toplevel")
        if done.returncode != 0:
            raise CompatInputError(f"{cwd.resolve()} is not inside a git repository")
        self.top = Path(done.stdout.strip())

    @staticmethod
    def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
            )
        except FileNotFoundError:
            raise CompatInputError("git is not installed") from None

    def git(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self._run(self.top, *args)

    def is_ref(self, ref: str) -> bool:
        return self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode == 0

    def tags(self, pattern: str) -> list[str]:
        done = self.git("tag", "--list", "--sort=version:refname", pattern)
        return done.stdout.split() if done.returncode == 0 else []

    def relative(self, path: Path) -> PurePosixPath:
        try:
            return PurePosixPath(path.resolve().relative_to(self.top.resolve()).as_posix())
        except ValueError:
            raise CompatInputError(
                f"--schemas {path}: not inside the repository at {self.top}, so it has no history"
            ) from None

    def _entry(self, ref: str, path: PurePosixPath) -> tuple[str, str] | None:
        """(mode, object) of ``path`` at ``ref``, following symbolic links (a moved directory left
        behind as a link still reads)."""
        for _ in range(16):
            done = self.git("ls-tree", "-z", "--full-tree", ref, "--", str(path))
            if done.returncode != 0 or not done.stdout:
                return None
            mode, _kind, rest = done.stdout.rstrip("\0").split(" ", 2)
            obj = rest.split("\t", 1)[0]
            if mode != "120000":
                return mode, obj
            target = self.git("cat-file", "blob", obj).stdout
            path = PurePosixPath(*_normalise(path.parent / target))
        return None

    def load(self, ref: str, path: PurePosixPath) -> Version:
        entry = self._entry(ref, path)
        if entry is None or entry[0] != "040000":
            raise CompatInputError(f"--against {ref}: no directory {path} in that commit")
        documents = {}
        contract = None
        for line in self.git("ls-tree", "-z", entry[1]).stdout.split("\0"):
            if not line:
                continue
            mode, _kind, rest = line.split(" ", 2)
            obj, name = rest.split("\t", 1)
            if name == "VERSION" and mode != "040000":
                contract = self.git("cat-file", "blob", obj).stdout.strip()
            if name_of_file(name) is None or mode == "040000":
                continue
            if mode == "120000":  # a link to a file elsewhere in the tree
                linked = self._entry(ref, path / name)
                if linked is None:
                    raise CompatInputError(f"--against {ref}: {path / name} is a broken link")
                obj = linked[1]
            text = self.git("cat-file", "blob", obj).stdout
            documents[str(name_of_file(name))] = _parse(text, f"{ref}:{path / name}")

        def read(relative: str) -> Any:
            where = PurePosixPath(*_normalise(path / relative))
            entry = self._entry(ref, where)
            if entry is None or entry[0] == "040000":
                return None
            return _parse(self.git("cat-file", "blob", entry[1]).stdout, f"{ref}:{where}")

        return Version(ref, documents, read, contract)


def _normalise(path: PurePosixPath) -> list[str]:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return parts
