"""`python -m bench [--quick]`: run every benchmark, print the table, write docs/benchmarks.md."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from . import checkpoints, cli, compat, dispatch, runner, stops, throughput, validation, web
from .report import render

ROOT = Path(__file__).parent.parent


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    libs = ["jsonschema", "jsonschema-rs", "fastjsonschema", "pydantic"]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
        "platform": platform.platform(), "libraries": {lib: version(lib) for lib in libs},
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (100 MB, 1M lines)")
    parser.add_argument(
        "--only",
        choices=[
            "validation",
            "runner",
            "cli",
            "throughput",
            "dispatch",
            "checkpoints",
            "web",
            "stops",
            "compat",
        ],
        action="append",
    )
    args = parser.parse_args()
    # The runner first: the large files the other suites write would slow its fsyncs down.
    suites = {
        "runner": runner.run,
        "validation": validation.run,
        "cli": cli.run,
        "throughput": throughput.run,
        "dispatch": dispatch.run,
        "checkpoints": checkpoints.run,
        "web": web.run,
        "stops": stops.run,
        "compat": compat.run,
    }
    results: dict[str, Any] = {"machine": machine(), "quick": args.quick}
    for name, fn in suites.items():
        if args.only and name not in args.only:
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        os.sync()  # start each suite with no dirty pages of the previous one waiting to be written
        results[name] = fn(args.quick)
    if args.only:  # a partial run is printed, never mistaken for the latest figures
        with tempfile.TemporaryDirectory() as scratch:
            print(render(results, Path(scratch)))
        return 0
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    text = render(results, ROOT / "docs")
    (ROOT / "docs" / "benchmarks.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
