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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

HERE = Path(__file__).parent
# The JSON Schema metaschemas (and their vocabularies): every reader knows them by address.
PUBLISHED_DRAFTS = {
    "http://json-schema.org/draft-04/schema", "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-07/schema", "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
}  # fmt: skip
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
    # Which revisions of a schema are kept (the metaschemas: those of a published draft).
    accepts: Callable[[Any], bool] = lambda schema: True
    # Schema name -> the folders whose commits make its revisions, beyond its own file (where
    # the files it refers to change more often than it does).
    watch: dict[str, tuple[str, ...]] = field(default_factory=dict)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


# Keywords whose value maps names to schemas: a name there ("examples") is a property's name.
SCHEMA_MAPS = {
    "properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"
}  # fmt: skip


def refs(value: Any, key: str = "$ref", is_map: bool = False) -> set[str]:
    """The documents ``value`` refers to (``key="$id"``: the ids it holds); ``is_map``: ``value``
    maps names to schemas."""
    found: set[str] = set()
    if isinstance(value, dict):
        for name, item in value.items():
            if is_map:
                found |= refs(item, key)
            elif name in (key, "$dynamicRef" if key == "$ref" else key) and isinstance(item, str):
                if not item.startswith("#"):
                    found.add(item.split("#", 1)[0])
            elif name not in ("enum", "const", "default", "examples", "example"):
                found |= refs(item, key, name in SCHEMA_MAPS and isinstance(item, dict))
    elif isinstance(value, list):
        for item in value:
            found |= refs(item, key)
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
            "openapi-3.1-base": ("schemas/v3.1/schema-base.json", 4),
        },
        by_id("schemas/v3.1"),
    ),
    # The JSON Schema metaschemas themselves: each revision whose $schema is a published draft
    # (04, 06, 07, 2019-09, 2020-12; draft-next and work in progress left out), with the
    # vocabulary metaschemas it refers to by address as that commit had them.
    "json-schema": Source(
        "https://github.com/json-schema-org/json-schema-spec",
        "main",
        {"json-schema": ("schema.json", 10)},
        by_id("."),
        accepts=lambda schema: (
            isinstance(schema, dict)
            and str(schema.get("$schema", "")).rstrip("#") in PUBLISHED_DRAFTS
        ),
    ),
    # CloudEvents' JSON format schema (draft-07), through its move from spec.json.
    "cloudevents": Source(
        "https://github.com/cloudevents/spec",
        "main",
        {"cloudevents": ("cloudevents/formats/cloudevents.json|spec.json", 99)},
        by_id("cloudevents"),
    ),
    # AsyncAPI's published schemas (draft-07, definitions inlined under their $ids, 400 KB for
    # 3.0.0; each Schema Object is draft-07's metaschema extended).
    "asyncapi": Source(
        "https://github.com/asyncapi/spec-json-schemas",
        "master",
        {
            "asyncapi-2.0.0": ("schemas/2.0.0.json", 99),
            "asyncapi-2.6.0": ("schemas/2.6.0.json", 99),
            "asyncapi-3.0.0": ("schemas/3.0.0.json", 99),
        },
        by_id("definitions", "bindings", "extensions", "common"),
    ),
    # AsyncAPI 3.0.0's definitions as the separate files that refer to each other by $id (not
    # vendored: some pairs take the checker over a minute).
    "asyncapi-definitions": Source(
        "https://github.com/asyncapi/spec-json-schemas",
        "master",
        {"asyncapi-3.0.0-definitions": ("definitions/3.0.0/asyncapi.json", 40)},
        by_id("definitions/3.0.0", "bindings", "extensions", "common"),
        watch={"asyncapi-3.0.0-definitions": ("definitions/3.0.0", "bindings", "common")},
    ),
}


def revision(
    source: Source, repo: Path, commit: str, main: str, schema: str
) -> dict[str, str] | None:
    """The files of one revision (path relative to the main file -> text; the main file named
    ``<schema>.json``), or None if it cannot be read as published."""
    top = posixpath.dirname(main)
    mine = {main: f"{schema}.json"}
    files: dict[str, str] = {}
    catalog: dict[str, str] = {}
    pending = [(main, False)]
    while pending:
        path, by_address = pending.pop()
        name = mine.get(path) or posixpath.relpath(path, top)
        if name.startswith("../"):
            if not by_address:
                return None  # a path outside the schema's folder
            name = mine[path] = path  # a file found by its address: kept under its own path
        if name in files:
            continue
        try:
            text = git(repo, "show", f"{commit}:{path}")
            document = json.loads(text)
        except (subprocess.CalledProcessError, json.JSONDecodeError):
            return None
        files[name] = text
        own = document.get("$id", document.get("id")) if isinstance(document, dict) else None
        base = own if isinstance(own, str) and "://" in own else ""
        for ref in sorted(refs(document) - refs(document, "$id")):  # not those it holds
            if base and "://" not in ref and source.address(repo, commit, urljoin(base, ref)):
                ref = urljoin(base, ref)  # relative to the document's $id
            if "://" in ref:
                found = source.address(repo, commit, ref)
                if found is None and METASCHEMA.match(ref):
                    continue
                if found is None:
                    return None  # a schema published elsewhere: not vendored
                pending.append((found, True))
                catalog[ref] = found
            elif ref:
                pending.append(
                    (posixpath.normpath(posixpath.join(posixpath.dirname(path), ref)), False)
                )
    # Each address to the file's name in the revision, known once every file is.
    catalog = {
        ref: mine.get(found) or posixpath.relpath(found, top) for ref, found in catalog.items()
    }
    if catalog:
        files["CATALOG"] = json.dumps(catalog, indent=2, sort_keys=True) + "\n"
    return files


def history(
    source: Source, repo: Path, main: str, keep: int, schema: str
) -> list[tuple[str, dict[str, str]]]:
    """The last ``keep`` revisions of ``main`` (``new|old`` for a file that was renamed) that
    read, each differing from the one before."""
    paths = main.split("|")  # the file's name now, then the names it had before
    options = ["--first-parent"] if source.first_parent else [f"-n{keep}"]
    watched = source.watch.get(schema, ())
    commits = git(repo, "log", "--format=%H", *options, source.ref, "--", *paths, *watched).split()
    kept: list[tuple[str, dict[str, str]]] = []
    for commit in reversed(commits):
        names = set(git(repo, "ls-tree", "-r", "--name-only", commit, "--", *paths).split())
        path = next((p for p in paths if p in names), None)
        files = revision(source, repo, commit, path, schema) if path else None
        if files is None or not source.accepts(json.loads(files[f"{schema}.json"])):
            continue
        if not kept or kept[-1][1] != files:
            kept.append((commit, files))
    return kept[-keep:]


def main(name: str, repo: Path) -> int:
    source = SOURCES[name]
    archive = io.BytesIO()
    revisions: dict[str, list[str]] = {}
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for schema, (path, keep) in source.schemas.items():
            kept = history(source, repo, path, keep, schema)
            for number, (commit, files) in enumerate(kept, 1):
                for file, text in sorted(files.items()):
                    data = text.encode()
                    info = tarfile.TarInfo(f"{schema}/{number:02d}-{commit[:10]}/{file}")
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
        "files": {schema: path.split("|") for schema, (path, _) in source.schemas.items()},
        "revisions": revisions,
    }
    manifest_file.write_text(json.dumps(manifest, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], Path(sys.argv[2])))
