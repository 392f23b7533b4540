"""Rebuild ``schemastore.tar.xz`` from a clone of SchemaStore: the last revisions of a dozen
widely used schemas, each with every schema it references (by relative path or by a
schemastore.org address) as that commit had them.

    python tests/compat/histories/build.py /path/to/schemastore

Each revision is a directory ``<schema>/<nn>-<commit>/`` holding the schema, the files it
references, and ``CATALOG`` (JSON) mapping each schemastore.org address used to its file. The
archive is what the tests read; this script only says how it was made.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = "src/schemas/json"
# Schema file -> revisions kept (the latest ones). Chosen for wide use, long histories, and the
# drafts (04 and 07) and shapes (if/then/else, oneOf, patternProperties, files by path) they use.
SCHEMAS = {
    "github-action.json": 24,
    "github-workflow.json": 30,
    "package.json": 10,
    "tsconfig.json": 10,
    "eslintrc.json": 10,
    "pyproject.json": 3,
    "prettierrc.json": 29,
    "babelrc.json": 13,
    "dependabot-2.0.json": 24,
    "travis.json": 16,
    "appveyor.json": 16,
    "codecov.json": 14,
    "pre-commit-config.json": 19,
    "pre-commit-hooks.json": 8,
    "cargo.json": 12,
}
ADDRESS = re.compile(
    r"^https?://(?:www\.|json\.)?schemastore\.org/(?:schemas/json/)?([\w.-]+\.json)$"
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def refs(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str) and not item.startswith("#"):
                found.add(item.split("#", 1)[0])
            elif key not in ("enum", "const", "default", "examples"):
                found |= refs(item)
    elif isinstance(value, list):
        for item in value:
            found |= refs(item)
    return found


def revision(repo: Path, commit: str, main: str) -> dict[str, str] | None:
    """The files of one revision (name -> text), or None if it cannot be read as published."""
    files: dict[str, str] = {}
    catalog: dict[str, str] = {}
    pending = [main]
    while pending:
        name = pending.pop()
        if name in files:
            continue
        try:
            text = git(repo, "show", f"{commit}:{ROOT}/{name}")
            document = json.loads(text)
        except (subprocess.CalledProcessError, json.JSONDecodeError):
            return None
        files[name] = text
        for ref in refs(document):
            address = ADDRESS.match(ref)
            if address:
                catalog[ref] = address.group(1)
                pending.append(address.group(1))
            elif "://" in ref:
                return None  # a schema published elsewhere: not vendored
            else:
                pending.append(ref)
    if catalog:
        files["CATALOG"] = json.dumps(catalog, indent=2, sort_keys=True) + "\n"
    return files


def main(repo: Path) -> int:
    archive = io.BytesIO()
    manifest: dict[str, list[str]] = {}
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for main_file, keep in SCHEMAS.items():
            commits = git(repo, "log", "--format=%H", f"-n{keep}", "--", f"{ROOT}/{main_file}")
            kept = []
            for commit in reversed(commits.split()):
                files = revision(repo, commit, main_file)
                if files is None:
                    continue
                kept.append(commit)
                stem = main_file.removesuffix(".json")
                for name, text in sorted(files.items()):
                    data = text.encode()
                    info = tarfile.TarInfo(f"{stem}/{len(kept):02d}-{commit[:10]}/{name}")
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
            manifest[main_file] = kept
    import lzma

    (HERE / "schemastore.tar.xz").write_bytes(
        lzma.compress(archive.getvalue(), preset=9 | lzma.PRESET_EXTREME)
    )
    head = git(repo, "rev-parse", "HEAD").strip()
    (HERE / "manifest.json").write_text(
        json.dumps({"repository": "https://github.com/SchemaStore/schemastore", "head": head,
                    "revisions": manifest}, indent=2) + "\n"
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
