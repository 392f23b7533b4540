"""10. ``baa compat`` at the sizes a pre-commit hook meets: the largest real schemas with every file
they reference, and a set of 1,000 schemas.

- largest: the last revision pair of SchemaStore's ``tsconfig.json`` (440 KB, draft-04) and of
  ``pyproject.json`` with the 25 files it references, and the pairs of the real-history corpus
  (tests/compat/histories/) that take longest: ESLint's configuration with the plugin rules it
  references, and AsyncAPI 3.0.0's 400 KB bundle. Each compared in FULL mode, in process
  (``compare_versions``) and as the command (``baa compat``, with bytecode caches as an
  installed package has them), both as they run by default: FORWARD in a second process where
  the machine has more than one core;
- 1,000 schemas: this project's schemas copied over until there are at least 1,000 (references renamed with them, so
  each copy is a set of its own), ten of them changed, compared in BACKWARD mode;
- the whole real-history corpus: every consecutive pair of revisions compared in FULL mode, in
  process, by default and in one process (the two in alternation), with how many take over a
  second and which take longest.

The baseline for each is reading the same files (``json.loads`` of every one) in the same run.
"""

from __future__ import annotations

import io
import json
import lzma
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent
HISTORIES = ROOT / "tests" / "compat" / "histories"
# What is compared: (key, archive, schema, index of the pair's newer revision, what it is).
LARGEST = (
    ("tsconfig", "schemastore", "tsconfig", -1, "SchemaStore `tsconfig.json`, last two revisions"),
    ("pyproject", "schemastore", "pyproject", -1,
     "SchemaStore `pyproject.json` with the files it references"),
    ("eslintrc", "schemastore", "eslintrc", 6,
     "SchemaStore `.eslintrc` with the files it references, revisions 6 and 7"),
    ("asyncapi", "asyncapi", "asyncapi-3.0.0", 9, "AsyncAPI 3.0.0, revisions 9 and 10"),
)  # fmt: skip


def _pair(archive: str, schema: str, newer: int, into: Path) -> tuple[Path, Path]:
    data = lzma.decompress((HISTORIES / f"{archive}.tar.xz").read_bytes())
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(f"{schema}/")]
        revisions = sorted({m.name.split("/")[1] for m in members})
        labels = [revisions[newer - 1], revisions[newer]]
        for m in members:
            if m.name.split("/")[1] in labels:
                handle = tar.extractfile(m)
                assert handle is not None
                target = into / m.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(handle.read())
    return into / schema / labels[0], into / schema / labels[1]


def _sweep() -> dict[str, Any]:
    """Every consecutive pair of revisions in the real-history corpus compared once (FULL), read
    as its tests read them (tests/histories.py), and the same texts parsed, in alternation."""
    from baa_conductor.compat import schemaset
    from baa_conductor.compat.command import compare_versions
    from baa_conductor.compat.modes import MODE_OF

    sys.path.insert(0, str(ROOT / "tests"))
    from histories import PAIRS, revisions, version

    times: list[tuple[float, str]] = []
    alone: list[float] = []  # the same pairs in one process (parallel=False)
    read = 0.0
    for k, (schema, old, new) in enumerate(PAIRS):
        earlier, current = version(schema, old), version(schema, new)
        spent: dict[bool, float] = {}
        for parallel in (k % 2 == 0, k % 2 != 0):  # which goes first alternates
            schemaset._FIT.clear()
            start = time.perf_counter()
            compare_versions(current, [earlier], MODE_OF["FULL"], parallel=parallel)
            spent[parallel] = time.perf_counter() - start
        middle = time.perf_counter()
        for label in (old, new):
            for text in revisions()[schema][label].values():
                json.loads(text)
        read += time.perf_counter() - middle
        times.append((spent[True], f"{schema} {old[:2]}→{new[:2]}"))
        alone.append(spent[False])
    both = sorted(t for t, _ in times)
    return {
        "pairs": len(times), "total_s": round(sum(both), 1), "read_s": round(read, 2),
        "median_s": round(statistics.median(both), 3),
        "p90_s": round(both[int(0.9 * (len(both) - 1))], 3),
        "over_1s": sum(t > 1 for t in both),
        "slowest": [[what, round(t, 2)] for t, what in sorted(times, reverse=True)[:5]],
        "alone_total_s": round(sum(alone), 1), "alone_over_1s": sum(t > 1 for t in alone),
        "alone_max_s": round(max(alone), 2),
    }  # fmt: skip


def _read_all(*directories: Path) -> None:
    for directory in directories:
        for file in directory.glob("*.json"):
            json.loads(file.read_text("utf-8"))


def _compare(old: Path, new: Path, mode: str, *, parallel: bool | None = None) -> Any:
    from baa_conductor.compat import schemaset
    from baa_conductor.compat.command import compare_versions
    from baa_conductor.compat.modes import MODE_OF
    from baa_conductor.compat.sources import load_directory, load_references

    schemaset._FIT.clear()  # every run checks the metaschema again, as a fresh process does
    catalog = new / "CATALOG"
    refs = load_references(catalog) if catalog.exists() else {}
    return compare_versions(
        load_directory(new), [load_directory(old)], MODE_OF[mode], refs, parallel=parallel
    )


def _command(old: Path, new: Path, mode: str) -> float:
    args = [sys.executable, "-m", "baa_conductor", "compat", "--against", str(old),
            "--schemas", str(new), "--mode", mode, "--json"]  # fmt: skip
    if (new / "CATALOG").exists():
        args += ["--refs", str(new / "CATALOG")]
    # With bytecode caches, as an installed package runs (the first run writes them).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    subprocess.run(args, capture_output=True, check=False, env=env)
    return time.perf_counter() - start


def _thousand(into: Path) -> tuple[Path, Path, int]:
    names = sorted(p.name for p in (ROOT / "schemas").glob("*.schema.json"))
    texts = {n: (ROOT / "schemas" / n).read_text("utf-8") for n in names}
    copies = -(-1000 // len(names))
    old, new = into / "old", into / "new"
    old.mkdir(parents=True)
    new.mkdir()
    count = 0
    for k in range(copies):
        for name in names:  # whole copies: each refers only to itself
            renamed = texts[name]
            for other in names:
                stem = other.removesuffix(".schema.json")
                renamed = re.sub(
                    rf"\b{re.escape(stem)}\.schema\.json\b", f"{stem}-{k}.schema.json", renamed
                )
            file = name.replace(".schema.json", f"-{k}.schema.json")
            (old / file).write_text(renamed)
            schema = json.loads(renamed)
            if count % 100 == 0 and isinstance(schema.get("properties"), dict):
                schema["title"] = "changed"  # an annotation: nothing to compare
            if count % 100 == 50:
                schema["minProperties"] = 0  # a loosening
            (new / file).write_text(json.dumps(schema, indent=2))
            count += 1
    return old, new, count


def _rounds(
    compare: Any, read: Any, runs: int, alone: Any = None
) -> tuple[float, float, float, float | None]:
    """Medians of compare and read timed in alternation, and the median of each round's ratio:
    both see the same load, so the ratio holds on a busy machine. ``alone``: the comparison in
    one process, timed in the same rounds."""
    pairs, single = [], []
    for _ in range(runs):
        start = time.perf_counter()
        compare()
        middle = time.perf_counter()
        read()
        pairs.append((middle - start, time.perf_counter() - middle))
        if alone is not None:
            start = time.perf_counter()
            alone()
            single.append(time.perf_counter() - start)
    ratio = statistics.median(c / r for c, r in pairs)
    one = statistics.median(single) if single else None
    return (
        statistics.median(c for c, _ in pairs),
        statistics.median(r for _, r in pairs),
        ratio,
        one,
    )


def run(quick: bool) -> dict[str, Any]:
    runs = 3 if quick else 5
    results: dict[str, Any] = {"runs": runs}
    with tempfile.TemporaryDirectory() as scratch:
        for key, archive, schema, newer, _ in LARGEST:
            old, new = _pair(archive, schema, newer, Path(scratch))
            size = sum(f.stat().st_size for f in new.glob("*.json"))
            ours, read, ratio, one = _rounds(
                lambda o=old, n=new: _compare(o, n, "FULL"),
                lambda o=old, n=new: _read_all(o, n),
                runs,
                lambda o=old, n=new: _compare(o, n, "FULL", parallel=False),
            )
            command = statistics.median(_command(old, new, "FULL") for _ in range(runs))
            results[key] = {
                "files": len(list(new.glob("*.json"))), "bytes": size,
                "compare_s": round(ours, 3), "command_s": round(command, 3),
                "read_s": round(read, 4), "ratio": round(ratio, 1),
                "one_process_s": round(one, 3) if one is not None else None,
            }  # fmt: skip
        old, new, count = _thousand(Path(scratch) / "many")
        ours, read, ratio, _ = _rounds(
            lambda: _compare(old, new, "BACKWARD"), lambda: _read_all(old, new), runs
        )
        command = statistics.median(_command(old, new, "BACKWARD") for _ in range(runs))
        results["thousand"] = {
            "schemas": count, "compare_s": round(ours, 3), "command_s": round(command, 3),
            "read_s": round(read, 4), "ratio": round(ratio, 1),
        }  # fmt: skip
    results["corpus"] = _sweep()
    return results


def section(c: dict[str, Any]) -> list[str]:
    """The report's section for these figures."""
    rows = []
    for key, _, _, _, what in LARGEST:
        r = c.get(key)
        if r is None:
            continue  # figures from before it was measured
        one = r.get("one_process_s")
        rows.append(
            f"| {what} ({r['files']} files, {r['bytes']:,} bytes), FULL | {r['compare_s']} | "
            f"{one if one is not None else '–'} | {r['command_s']} | {r['read_s']} | {r['ratio']} |"
        )
    t = c["thousand"]
    rows.append(
        f"| {t['schemas']:,} schemas (this project's, copied), BACKWARD | {t['compare_s']} | – | "
        f"{t['command_s']} | {t['read_s']} | {t['ratio']} |"
    )
    return [
        "## 10. baa compat at pre-commit sizes", "",
        f"Medians of {c['runs']} runs; the baseline reads the same files with `json.loads`, timed in "
        "alternation with the comparison (the ratio is the median of each round's); the command "
        "runs with bytecode caches, as an installed package does. Both run FORWARD in a second "
        "process beside BACKWARD, as they do by default on a machine with more than one core; "
        "\"one process\" is `compare_versions(..., parallel=False)`, timed in the same rounds.", "",
        "| what | compare_versions s | one process s | `baa compat` s | read s | compare / read |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows, "", *_corpus_lines(c.get("corpus")),
    ]  # fmt: skip


def _corpus_lines(k: dict[str, Any] | None) -> list[str]:
    if k is None:
        return []  # figures from before it was measured
    slowest = ", ".join(f"{what} {t} s" for what, t in k["slowest"])
    alone = (
        f" In one process (`parallel=False`, each direction after the other): "
        f"{k['alone_total_s']} s in all, {k['alone_over_1s']} pairs over 1 s, the slowest "
        f"{k['alone_max_s']} s."
        if "alone_total_s" in k
        else ""
    )
    return [
        f"The real-history corpus (tests/compat/histories/), its {k['pairs']} pairs each compared "
        f"once in FULL mode: {k['total_s']} s in all (reading the same files: {k['read_s']} s); "
        f"median {k['median_s']} s, 90th percentile {k['p90_s']} s; {k['over_1s']} pairs over "
        f"1 s. Slowest: {slowest}.{alone}", "",
    ]  # fmt: skip
