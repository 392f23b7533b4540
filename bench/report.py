"""docs/benchmarks.md (and docs/throughput.png) from one run's results."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _plot(workloads: dict[str, Any], docs: Path) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    labels = list(workloads)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    x = range(len(labels))
    axes[0].bar(
        [i - 0.2 for i in x],
        [w["redirect_MB_per_s"] for w in workloads.values()],
        0.4,
        label="sh > file",
    )
    axes[0].bar(
        [i + 0.2 for i in x],
        [w["ours_MB_per_s"] for w in workloads.values()],
        0.4,
        label="baa run (JSONL)",
    )
    axes[0].set_ylabel("MB/s of worker output")
    axes[0].set_title("Output throughput")
    axes[0].legend()
    axes[1].bar(
        list(x), [w["runner_peak_rss_mb"] for w in workloads.values()], 0.5, color="tab:green"
    )
    axes[1].axhline(50, color="red", linestyle="--", label="target 50 MB")
    axes[1].set_ylabel("peak RSS of the runner (MB)")
    axes[1].set_title("Runner memory")
    axes[1].legend()
    for ax in axes:
        ax.set_xticks(list(x), [label.replace(", ", ",\n") for label in labels], fontsize=8)
    fig.tight_layout()
    fig.savefig(docs / "throughput.png", dpi=110)
    return "throughput.png"


def render(results: dict[str, Any], docs: Path) -> str:
    docs.mkdir(exist_ok=True)
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        "Every figure is measured against a baseline in the same run, and the ratio is what to read:",
        "the machines here are shared and noisy. Reproduce with `nox -s bench` (or",
        "`python -m bench [--quick]` in the dev environment); raw numbers land in `bench/results/latest.json`.",
        "",
        f"Last run: {m['date']} on {m['cpu']} ({m['cores']} cores), Python {m['python']}, {m['platform']}; "
        + ", ".join(f"{k} {v}" for k, v in m["libraries"].items())
        + (" (quick sizes)." if results.get("quick") else "."),
        "",
    ]
    if "validation" in results:
        env = results["validation"]["envelope"]
        shape = env["envelope"]
        lines += [
            "## 1. Validating one result envelope",
            "",
            f"A real shell run's envelope, {shape['bytes']} bytes of JSON: {shape['lifecycleEvents']} lifecycle "
            f"events, {shape['stdoutChunks']} stdout chunks, {shape['artifacts']} artifacts. Median per call.",
            "",
            "| validator | µs per envelope |",
            "| --- | ---: |",
        ]
        lines += [f"| {k} | {v} |" for k, v in env["microseconds"].items()]
        lines += [
            "",
            f"Ours vs jsonschema: **{env['speedup_vs_jsonschema']}x** (target ≥ 100x, {_verdict(env['speedup_vs_jsonschema'] >= 100)}); "
            f"vs pydantic `model_validate`: **{env['speedup_vs_pydantic']}x** (target ≥ 3x, {_verdict(env['speedup_vs_pydantic'] >= 3)}).",
            "",
        ]
        log = results["validation"]["log"]
        lines += [
            "## 2. Validating a large log",
            "",
            f"`baa validate` of a {log['lines']:,}-line stdout.log (each line parsed and validated, its",
            "channel checked) against a plain loop over the same file: `orjson.loads` and a compiled",
            "jsonschema-rs validator of the bundled schema, nothing else. Alternating, median of 5 passes.",
            "",
            f"Ours **{log['ours_lines_per_s']:,} lines/s**, the plain loop {log['baseline_lines_per_s']:,} lines/s: "
            f"ratio **{log['ratio_vs_baseline']}** (target ≥ {log['target_ratio']}, "
            f"{_verdict(log['ratio_vs_baseline'] >= log['target_ratio'])}).",
            "",
        ]
    if "runner" in results:
        o = results["runner"]["overhead"]
        lines += [
            "## 3. Runner overhead",
            "",
            f"Median of {o['runs']} runs. `run_step` of a shell `true` step with full persistence (the run",
            "directory built and renamed into place, meta.json and two state.json writes, each fsynced,",
            "seven worker.log lines, schema validation of everything, the orphan sweep) against a bare",
            f"`subprocess.run(['true'])`. Of the overhead, {o['fsync_ms_per_step']} ms go to "
            f"{o['fsyncs_per_step']} fsyncs per step (measured in a separate instrumented pass).",
            "",
            "| | ms |",
            "| --- | ---: |",
            f"| bare subprocess.run | {o['bare_subprocess_ms']} |",
            f"| run_step, shell `true` | {o['run_step_shell_true_ms']} |",
            f"| **overhead** | **{o['overhead_ms']}** (target ≤ {o['target_overhead_ms']}, {_verdict(o['overhead_ms'] <= o['target_overhead_ms'])}) |",
            f"| run_step, placeholder executor (no process) | {o['run_step_placeholder_ms']} |",
            f"| the same file operations done directly (3 mkdirs, 6 files, 6 fsyncs, 2 renames) | {o['file_floor_ms']} |",
            f"| overhead above that floor (our code) | {o['overhead_above_file_floor_ms']} |",
            "",
            "The four are timed in interleaved rounds, so a slow spell of the shared disk hits them alike.",
            "Creating files and directories on this machine's disk costs from about 0.1 ms to over 1 ms",
            "each from one minute to the next; the floor row shows what the disk alone took in this run.",
            "What our code adds on top of it (validation, models, process supervision, the orphan sweep,",
            "`setpriv` for the parent-death signal) is the last row.",
            "",
        ]
        seed = results["runner"]["seed"]
        lines += ["## 5. The seed's TypeScript runner", ""]
        if "skipped" in seed:
            lines += [f"Skipped: {seed['skipped']}.", ""]
        else:
            lines += [
                f"Same workload ({seed['workload']}): seed {seed['seed_in_memory_ms']} ms per run in memory, ours "
                f"{seed['ours_persisted_ms']} ms per run with every file written and fsynced.",
                "",
            ]
    if "throughput" in results:
        t = results["throughput"]
        lines += [
            "## 4. Output throughput and memory",
            "",
            "The same command run by `baa` (every chunk validated and appended to stdout.log as JSONL, the",
            "log fsynced when the run ends) and by the shell redirecting straight to a file, alternating,",
            "median of 5 runs each. The last ratio adds an fsync of the redirected file, which is the",
            "durability `baa` gives. Peak RSS is the runner process's own (VmHWM), the largest of the runs.",
            "",
            "| workload | redirect MB/s | ours MB/s | ratio (target ≥ 0.8) | chunks | runner peak RSS MB (target < 50) | ratio vs redirect + fsync |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for label, w in t["workloads"].items():
            lines.append(
                f"| {label} | {w['redirect_MB_per_s']} | {w['ours_MB_per_s']} | {w['throughput_ratio']} "
                f"({_verdict(w['throughput_ratio'] >= 0.8)}) | {w['chunks']:,} | {w['runner_peak_rss_mb']} "
                f"({_verdict(w['runner_peak_rss_mb'] < 50)}) | {w['ratio_vs_redirect_and_fsync']} |"
            )
        plot = _plot(t["workloads"], docs)
        if plot:
            lines += ["", f"![throughput and memory]({plot})"]
        lines.append("")
    if "dispatch" in results:
        from .dispatch import faults_section

        lines += dispatch_section(results["dispatch"]) + faults_section(results["dispatch"])
    if "cli" in results:
        lines += _cli_section(results["cli"])
    if "checkpoints" in results:
        from .checkpoints import section

        lines += section(results["checkpoints"])
    if "web" in results:
        from .web import section as web_section

        lines += web_section(results["web"])
    if "stops" in results:
        from .stops import section as stops_section

        lines += stops_section(results["stops"])
    if "compat" in results:
        from .compat import section as compat_section

        lines += compat_section(results["compat"])
    return "\n".join(lines)


def dispatch_section(d: dict[str, Any]) -> list[str]:
    o = d["overhead"]
    lines = [
        "## 6. Dispatch through Redis and Celery workers",
        "",
        f"Median of {o['pairs']} alternated pairs: a shell `true` step submitted to one idle worker",
        "(one slot) and its envelope received back, against `run_step` of the same step in the",
        "submitting process (each writes and fsyncs a run directory of its own).",
        "",
        "| | ms |",
        "| --- | ---: |",
        f"| local run_step | {o['local_run_step_ms']} |",
        f"| submit → envelope back | {o['dispatched_ms']} |",
        f"| **dispatch overhead** | **{o['overhead_ms']}** (ratio {o['ratio']}) |",
        "",
        "Short steps submitted at once, all on this machine: one worker with two slots against two",
        "workers with two slots each.",
        "",
        "| steps | workers × slots | seconds | steps/s | two workers against one |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, t in d["throughput"].items():
        one, two = t["one_worker"], t["two_workers"]
        lines += [
            f"| {one['steps']} × `{label}` | 1 × 2 | {one['seconds']} | {one['steps_per_s']} | |",
            f"| {two['steps']} × `{label}` | 2 × 2 | {two['seconds']} | {two['steps_per_s']} | **{t['speedup']}x** |",
        ]
    lines += [
        "",
        "Steps that only start a process (`true`) are bound by this machine's two cores and its disk",
        "(each step writes and fsyncs its run directory), which both workers share: a second worker",
        "on the same machine adds nothing. Steps that wait (`sleep 0.2`, like a build waiting on I/O",
        "or an agent waiting on a model) scale with the slots. A second worker pays off on a second",
        "machine.",
        "",
    ]
    return lines


def _cli_section(c: dict[str, Any]) -> list[str]:
    s, li, mem = c["startup"], c["list"], c["memory"]
    lines = [
        "## 7. `baa` start-up and `baa list`",
        "",
        f"Wall time of whole commands, alternating with `python -c pass` in the same rounds, median of {s['runs']}",
        "rounds (bytecode caching on, as installed). The ratio to `python -c pass` is what to read.",
        "",
        "| command | ms | ratio to `python -c pass` | target |",
        "| --- | ---: | ---: | ---: |",
        f"| `python -c pass` | {s['ms']['python -c pass']} | 1 | |",
    ]
    for name, ratio in s["ratio"].items():
        target = s["target_ratio"].get(name)
        verdict = "reference" if target is None else f"≤ {target} ({_verdict(ratio <= target)})"
        lines.append(f"| `{name}` | {s['ms'][name]} | {ratio} | {verdict} |")
    lines += [
        "",
        "The references are the floor under the targets: importing jsonschema-rs alone, orjson and",
        "jsonschema-rs together, and two plain scripts with nothing around the work: one checks",
        "state.json as `baa validate` does, one runs a persisted, validated `true` step (the seven",
        "schemas compiled, meta.json, state.json and seven log lines checked and written, `true`",
        "started, six fsyncs, the envelope checked), in the standard library's json, not orjson.",
        "jsonschema-rs's module initialisation imports `decimal` and",
        "`email.utils` (the latter to turn its own build date into the `datetime` of `__build__`),",
        "and with them `socket`, `urllib.parse`, `random`, `calendar` and `datetime`; orjson imports",
        "`dataclasses` (so `inspect`, `ast`, `dis`), `uuid`, `datetime` and `json`. `baa validate` of",
        "one document reads it with the standard library's json and never loads orjson; `baa run`",
        "writes with orjson and validates every file with jsonschema-rs, so it starts above both.",
        "",
        "Where each run gets its own cgroup (this machine), `baa run` moves into it to start the",
        "worker. The first cgroup migration of a process waits for an RCU grace period in the",
        "kernel (`cgroup_threadgroup_rwsem`): 0 to 30 ms here, whatever the process does, which is",
        "the difference between the two `baa run` rows. A cgroup2 mounted with `favordynmods` (Linux",
        "6.0 and later) does without it; `BAA_CGROUP=0` trades it for subreaper containment.",
        "",
        f"`baa list` over {li['runs_listed']:,} runs: {li['ours_ms']} ms, against {li['plain_orjson_ms']} ms for a plain",
        "Python script that reads the same state.json files with orjson and prints a line per run:",
        f"ratio **{li['ratio']}** (target ≤ {li['target_ratio']}, {_verdict(li['ratio'] <= li['target_ratio'])}).",
        "",
        "## 8. Memory of the readers on huge logs",
        "",
        "Peak RSS of `baa tail --no-follow`, `baa show` and `baa validate` of a run whose stdout.log is",
        "a chunked log as the runner writes it (256 KiB chunks) or one single enormous line (which the",
        "readers skip and report rather than hold).",
        "",
        "| stdout.log | MB | tail MB | show MB | validate MB | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, m in mem["logs"].items():
        worst = max(m["tail --no-follow"], m["show"], m["validate"])
        lines.append(
            f"| {label} | {m['file_mb']:,} | {m['tail --no-follow']} | {m['show']} | {m['validate']} "
            f"| < {mem['target_mb']} ({_verdict(worst < mem['target_mb'])}) |"
        )
    lines.append("")
    return lines
