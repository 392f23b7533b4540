"""The real-history corpus (tests/compat/histories/): every revision of each schema, with the
files it references, read from the vendored archives as ``baa compat`` is given them. Used by the
corpus' tests and by the bench."""

from __future__ import annotations

import io
import json
import lzma
import tarfile
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from baa_conductor.compat.schemaset import name_of_file
from baa_conductor.compat.sources import Version

HISTORIES = Path(__file__).parent / "compat" / "histories"


@cache
def revisions() -> dict[str, dict[str, dict[str, str]]]:
    """schema -> revision -> file -> text, from every vendored archive (one per source; a
    schema's name is unique across them, and its file in each revision is ``<schema>.json``)."""
    found: dict[str, dict[str, dict[str, str]]] = {}
    for archive in sorted(HISTORIES.glob("*.tar.xz")):
        data = lzma.decompress(archive.read_bytes())
        mine: dict[str, dict[str, dict[str, str]]] = {}
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar.getmembers():
                schema, revision, name = member.name.split("/", 2)
                handle = tar.extractfile(member)
                assert handle is not None
                mine.setdefault(schema, {}).setdefault(revision, {})[name] = handle.read().decode()
        assert not mine.keys() & found.keys(), (archive.name, mine.keys() & found.keys())
        found.update(mine)
    return found


def _pairs() -> list[tuple[str, str, str]]:
    out = []
    for schema, labelled in revisions().items():
        labels = sorted(labelled)
        out += [(schema, a, b) for a, b in pairwise(labels)]
    return out


def version(schema: str, label: str) -> Version:
    files = revisions()[schema][label]
    catalog = json.loads(files.get("CATALOG", "{}"))
    documents = {
        str(name_of_file(name)): json.loads(text)
        for name, text in files.items()
        if name != "CATALOG"
    }
    references = {uri: json.loads(files[file]) for uri, file in catalog.items()}

    def read(path: str) -> Any:
        return json.loads(files[path]) if path in files else None

    return Version(f"{schema}/{label}", documents, read, None, references)


PAIRS = _pairs()
