"""Real histories: every consecutive pair of revisions of widely used public schemas
(tests/compat/histories/, one archive per source, each schema with the files it references)
compared in BACKWARD and FORWARD. Each pair must be read and compared without error, and
wherever a direction is called compatible, no instance drawn from the writer's schema by
hypothesis-jsonschema may be accepted by it and rejected by the reader, as jsonschema-rs (not the
library the checker uses) judges them (tests/semantic.py).

The corpus: 336 pairs of 24 schemas. SchemaStore's configuration-file schemas (222 pairs of 15;
drafts 04 and 07, up to 440 KB, some referring to 25 other files), the OpenAPI Specification's
published schemas (48 pairs of 4: Swagger 2.0 and OpenAPI 3.0 in draft-04, 3.1 and its base
dialect in 2020-12 with $dynamicRef, references to metaschemas by address) and the JSON Schema
metaschema with its vocabularies (9 pairs, draft-07 to 2020-12), CloudEvents' JSON event
format (17 pairs, draft-07 then 2020-12) and AsyncAPI's published schemas (40 pairs of 3:
draft-07, up to 400 KB, definitions inlined under their $ids, draft-07's metaschema extended).

BAA_COMPAT_CORPUS_EXAMPLES instances per compatible direction (default 20); 318 directions are
compatible. hypothesis-jsonschema draws them where it can; the project's own generator for the
rest: schemas over 1,000 subschemas once their references are inlined (travis, openapi-2.0,
cargo, eslintrc, package, openapi-3.0, pyproject, asyncapi), those that take over 10 s of CPU a
revision (github-workflow, pre-commit-config, dependabot-2.0: named in tests/semantic.py, not
found by a clock) and those after draft-07 (openapi-3.1 and its base dialect, json-schema,
cloudevents). About
5 minutes of CPU in all on a loaded 2-core machine (AsyncAPI's 40 pairs about 1.5). And on the
latest revision of each, every annotation reworded: no change at all.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from histories import PAIRS, revisions, version
from semantic import semantic_check

from baa_conductor.compat.command import compare_versions, schema_set
from baa_conductor.compat.findings import COMPATIBLE
from baa_conductor.compat.modes import MODE_OF
from baa_conductor.compat.sources import Version

EXAMPLES = int(os.environ.get("BAA_COMPAT_CORPUS_EXAMPLES", "20"))


@pytest.mark.parametrize(
    ("schema", "old", "new"), PAIRS, ids=[f"{s}/{a[:2]}-{b[:2]}" for s, a, b in PAIRS]
)
def test_real_history_pair(schema: str, old: str, new: str) -> None:
    """Read, compared both ways, and no "compatible" that a generated instance contradicts."""
    earlier, current = version(schema, old), version(schema, new)
    report = compare_versions(current, [earlier], MODE_OF["FULL"])
    name = f"{schema}.json"
    [main] = [s for s in report.schemas if s.name == name]
    backward = all(c.backward == COMPATIBLE for c in main.changes)
    forward = all(c.forward == COMPATIBLE for c in main.changes)
    then, now = schema_set(earlier, {}), schema_set(current, {})
    directions = [("backward", then, now)] * backward + [("forward", now, then)] * forward
    for direction, writer, reader in directions:
        outcome = semantic_check(writer, reader, name, EXAMPLES)
        assert outcome.counterexample is None, (direction, json.dumps(outcome.counterexample)[:500])


def _reannotated(value: Any) -> Any:
    """``value`` with every description, title and $comment reworded and every examples list
    replaced, at any depth (annotations only: a property named ``description`` holds a schema,
    not a string, and is left alone)."""
    if isinstance(value, list):
        return [_reannotated(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in ("description", "title", "$comment", "markdownDescription") and isinstance(
            item, str
        ):
            out[key] = f"{item} (reworded)"
        elif key == "examples" and isinstance(item, list):
            out[key] = [*item, "another example"]
        elif key in ("enum", "const", "default"):
            out[key] = item
        else:
            out[key] = _reannotated(item)
    return out


@pytest.mark.parametrize("schema", sorted(revisions()))
def test_annotations_reworded_everywhere_change_nothing(schema: str) -> None:
    """Every description, title, $comment and examples of a real schema (and of the files it
    references) edited: no change is reported, in either direction."""
    label = sorted(revisions()[schema])[-1]
    then = version(schema, label)
    now = Version(
        "reworded",
        {name: _reannotated(doc) for name, doc in then.documents.items()},
        lambda path: _reannotated(then.read(path)),
        None,
        {uri: _reannotated(doc) for uri, doc in then.references.items()},
    )
    report = compare_versions(now, [then], MODE_OF["FULL"])
    assert [(s.name, c.pointer, c.kind) for s in report.schemas for c in s.changes] == []


@pytest.mark.parametrize("seed", ["1", "4"])
def test_a_verdict_does_not_depend_on_the_hash_seed(seed: str) -> None:
    """AsyncAPI 2.0.0's 13-14 restates the draft-07 metaschema its Schema Object extends, with
    ``enum`` now ``uniqueItems``: breaking for new readers (``{"enum": [null, true, null]}`` in a
    parameter's schema). The published draft-07 metaschema was once added beside that copy under
    the same URI, and which of the two a reference reached followed the hash seed: compatible
    under some seeds, breaking under others (one of these two)."""
    import subprocess
    import sys

    script = (
        "import sys; sys.path.insert(0, 'tests'); sys.setrecursionlimit(8000)\n"
        "import test_compat_corpus as c\n"
        "from baa_conductor.compat.check import directions\n"
        "from baa_conductor.compat.command import schema_set\n"
        "[(s, a, b)] = [p for p in c.PAIRS if p[0] == 'asyncapi-2.0.0' and p[1][:2] == '13']\n"
        "old, new = schema_set(c.version(s, a), {}), schema_set(c.version(s, b), {})\n"
        "name = 'asyncapi-2.0.0.json'\n"
        "backward, _ = directions(old.root(name), new.root(name))\n"
        "print(sorted({f.verdict for f in backward if 'channels/additional' in f.pointer}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parent.parent,
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    assert done.stdout.strip() == "['breaking']"
