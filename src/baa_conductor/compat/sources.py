"""Where schema sets come from: a directory, a git ref, a history of versions (subdirectories, or
the tags of a repository), or the schemas shipped in the installed package."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..exceptions import CompatInputError
from .schemaset import SUFFIX

DEFAULT_SCHEMAS = "schemas"  # at the top of the repository


@dataclass(frozen=True)
class Version:
    """One version of the schemas: a label for messages, and the documents by name."""

    label: str
    documents: dict[str, Any]


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CompatInputError(f"{where}: not JSON ({error})") from None


def load_directory(path: Path, label: str | None = None) -> Version:
    documents = {}
    for file in sorted(path.glob(f"*{SUFFIX}")):
        try:
            text = file.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CompatInputError(f"{file}: cannot read ({error})") from None
        documents[file.name[: -len(SUFFIX)]] = _parse(text, str(file))
    return Version(label or str(path), documents)


def load_installed() -> Version:
    from .._schemas import load_schema, schema_names

    return Version("the installed schemas", {name: load_schema(name) for name in schema_names()})


def _natural(text: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def history_directory(path: Path) -> list[Version] | None:
    """A directory of versions (one subdirectory each, in version order), or None if ``path`` holds
    schemas itself."""
    if any(path.glob(f"*{SUFFIX}")):
        return None
    versions = [d for d in path.iterdir() if d.is_dir() and any(d.glob(f"*{SUFFIX}"))]
    if not versions:
        raise CompatInputError(
            f"--against {path}: no *{SUFFIX} files in it or in its subdirectories"
        )
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
        for line in self.git("ls-tree", "-z", entry[1]).stdout.split("\0"):
            if not line:
                continue
            mode, _kind, rest = line.split(" ", 2)
            obj, name = rest.split("\t", 1)
            if not name.endswith(SUFFIX):
                continue
            if mode == "120000":  # a link to a file elsewhere in the tree
                linked = self._entry(ref, path / name)
                if linked is None:
                    raise CompatInputError(f"--against {ref}: {path / name} is a broken link")
                obj = linked[1]
            text = self.git("cat-file", "blob", obj).stdout
            documents[name[: -len(SUFFIX)]] = _parse(text, f"{ref}:{path / name}")
        return Version(ref, documents)


def _normalise(path: PurePosixPath) -> list[str]:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return parts
