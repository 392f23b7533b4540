"""Rebuild one source's archive of the real-history corpus from a clone of its repository: the
revisions of a few widely used schemas, each with every file it references (by relative path, or
by an address the source publishes) as that commit had them.

    python tests/compat/histories/build.py SOURCE /path/to/clone

SOURCE is one of the names in ``SOURCES`` (``schemastore``, ``openapi``, ...). Each revision is a
directory ``<schema>/<nn>-<commit>/`` in ``<source>.tar.xz`` holding the schema (stored as
``<schema>.json``, its text unmodified), the files it references under their paths relative to
it, and ``CATALOG`` (JSON) mapping each address used to its file. A reference to a JSON Schema
metaschema by its address is left to the reader (it knows them). ``manifest.json`` records the
commits. The archives are what the tests read; this script only says how they were made.
"""

from __future__ import annotations

import io
import json
import lzma
import posixpath
import re
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
# The JSON Schema metaschemas (and their vocabularies): every reader knows them by address.
METASCHEMA = re.compile(r"^https?://json-schema\.org/(draft-0[3467]/|draft/20(19-09|20-12)/)")


@dataclass(frozen=True)
class Source:
    repository: str
    ref: str  # the branch whose first-parent history is read
    # Schema name in the corpus -> (its file in the repository, revisions kept: the latest ones).
    schemas: dict[str, tuple[str, int]]
    # The file an address stands for at a commit (None: not one this source publishes).
    address: Callable[[Path, str, str], str | None]
    first_parent: bool = True


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def refs(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("$ref", "$dynamicRef") and isinstance(item, str):
                if not item.startswith("#"):
                    found.add(item.split("#", 1)[0])
            elif key not in ("enum", "const", "default", "examples", "example"):
                found |= refs(item)
    elif isinstance(value, list):
        for item in value:
            found |= refs(item)
    return found


def _schemastore(repo: Path, commit: str, address: str) -> str | None:
    found = re.match(
        r"^https?://(?:www\.|json\.)?schemastore\.org/(?:schemas/json/)?([\w.-]+\.json)$", address
    )
    return f"src/schemas/json/{found.group(1)}" if found else None


def by_id(*folders: str) -> Callable[[Path, str, str], str | None]:
    """Addresses that are the ``$id`` (``id``) of a JSON file under ``folders`` at that commit."""
    known: dict[str, dict[str, str]] = {}

    def address(repo: Path, commit: str, uri: str) -> str | None:
        if commit not in known:
            ids: dict[str, str] = {}
            listing = git(repo, "ls-tree", "-r", "--name-only", commit, "--", *folders).split()
            for path in listing:
                if not path.endswith(".json"):
                    continue
                try:
                    document = json.loads(git(repo, "show", f"{commit}:{path}"))
                except (subprocess.CalledProcessError, json.JSONDecodeError):
                    continue
                own = (
                    document.get("$id", document.get("id")) if isinstance(document, dict) else None
                )
                if isinstance(own, str) and "://" in own:
                    ids.setdefault(own.split("#", 1)[0], path)
            known[commit] = ids
        return known[commit].get(uri.split("#", 1)[0])

    return address


# SchemaStore's file -> revisions kept.
SCHEMASTORE = {
    "github-action.json": 24, "github-workflow.json": 30, "package.json": 10,
    "tsconfig.json": 10, "eslintrc.json": 10, "pyproject.json": 3, "prettierrc.json": 29,
    "babelrc.json": 13, "dependabot-2.0.json": 24, "travis.json": 16, "appveyor.json": 16,
    "codecov.json": 14, "pre-commit-config.json": 19, "pre-commit-hooks.json": 8, "cargo.json": 12,
}  # fmt: skip
SOURCES = {
    # Configuration files' schemas: drafts 04 and 07; if/then/else, oneOf, patternProperties,
    # files by path. The revisions are the last commits that touched each file.
    "schemastore": Source(
        "https://github.com/SchemaStore/schemastore",
        "master",
        {f.removesuffix(".json"): (f"src/schemas/json/{f}", n) for f, n in SCHEMASTORE.items()},
        _schemastore,
        first_parent=False,
    ),
    # The OpenAPI Specification's published schemas: 2.0 and 3.0 (draft-04, the metaschema's
    # definitions by address), 3.1 (2020-12, $dynamicRef) and 3.1's base dialect schema, which
    # refers to the others by their $id. Every revision of each, as the main branch had them.
    "openapi": Source(
        "https://github.com/OAI/OpenAPI-Specification",
        "main",
        {
            "openapi-2.0": ("schemas/v2.0/schema.json", 99),
            "openapi-3.0": ("schemas/v3.0/schema.json", 99),
            "openapi-3.1": ("schemas/v3.1/schema.json", 99),
            "openapi-3.1-base": ("schemas/v3.1/schema-base.json", 99),
        },
        by_id("schemas/v3.1"),
    ),
}


def revision(source: Source, repo: Path, commit: str, main: str) -> dict[str, str] | None:
    """The files of one revision (path relative to the main file -> text), or None if it
    cannot be read as published."""
    top = posixpath.dirname(main)
    files: dict[str, str] = {}
    catalog: dict[str, str] = {}
    pending = [main]
    while pending:
        path = pending.pop()
        name = posixpath.relpath(path, top)
        if name in files:
            continue
        if name.startswith("../"):
            return None  # outside the schema's folder
        try:
            text = git(repo, "show", f"{commit}:{path}")
            document = json.loads(text)
        except (subprocess.CalledProcessError, json.JSONDecodeError):
            return None
        files[name] = text
        for ref in sorted(refs(document)):
            if "://" in ref:
                if METASCHEMA.match(ref):
                    continue
                found = source.address(repo, commit, ref)
                if found is None:
                    return None  # a schema published elsewhere: not vendored
                catalog[ref] = posixpath.relpath(found, top)
                pending.append(found)
            elif ref:
                pending.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), ref)))
    if catalog:
        files["CATALOG"] = json.dumps(catalog, indent=2, sort_keys=True) + "\n"
    return files


def history(source: Source, repo: Path, main: str, keep: int) -> list[tuple[str, dict[str, str]]]:
    """The last ``keep`` revisions of ``main`` that read, each differing from the one before."""
    options = ["--first-parent"] if source.first_parent else [f"-n{keep}"]
    commits = git(repo, "log", "--format=%H", *options, source.ref, "--", main).split()
    kept: list[tuple[str, dict[str, str]]] = []
    for commit in reversed(commits):
        files = revision(source, repo, commit, main)
        if files is not None and (not kept or kept[-1][1] != files):
            kept.append((commit, files))
    return kept[-keep:]


def main(name: str, repo: Path) -> int:
    source = SOURCES[name]
    archive = io.BytesIO()
    revisions: dict[str, list[str]] = {}
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for schema, (path, keep) in source.schemas.items():
            kept = history(source, repo, path, keep)
            base = posixpath.basename(path)
            for number, (commit, files) in enumerate(kept, 1):
                if "CATALOG" in files:  # the main file named as the corpus names it
                    catalog = json.loads(files["CATALOG"])
                    catalog = {k: f"{schema}.json" if v == base else v for k, v in catalog.items()}
                    files = {
                        **files,
                        "CATALOG": json.dumps(catalog, indent=2, sort_keys=True) + "\n",
                    }
                for file, text in sorted(files.items()):
                    data = text.encode()
                    stored = f"{schema}.json" if file == base else file
                    info = tarfile.TarInfo(f"{schema}/{number:02d}-{commit[:10]}/{stored}")
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
            revisions[schema] = [commit for commit, _ in kept]
    (HERE / f"{name}.tar.xz").write_bytes(
        lzma.compress(archive.getvalue(), preset=9 | lzma.PRESET_EXTREME)
    )
    manifest_file = HERE / "manifest.json"
    manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else {}
    manifest[name] = {
        "repository": source.repository,
        "ref": source.ref,
        "head": git(repo, "rev-parse", source.ref).strip(),
        "files": {schema: path for schema, (path, _) in source.schemas.items()},
        "revisions": revisions,
    }
    manifest_file.write_text(json.dumps(manifest, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], Path(sys.argv[2])))
