"""10. `baa serve`: /api/runs over 10,000 runs, a 1 GB log's page, and live latency to a page."""

from __future__ import annotations

import contextlib
import http.client
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

BAA = str(Path(sys.executable).parent / "baa")
CHROMIUM = os.environ.get("BAA_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
TARGET_LIST_MS = 300
TARGET_TAIL_MS = 1000
TARGET_RSS_MB = 100
TARGET_LIVE_MS = 250


@contextlib.contextmanager
def _served(root: Path) -> Iterator[tuple[int, int]]:
    """`baa serve --port 0` over ``root``: (port, pid)."""
    process = subprocess.Popen([BAA, "serve", "--runs-dir", str(root), "--port", "0"],
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        port = int(line.split("http://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def _get(port: int, path: str) -> tuple[float, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        start = time.perf_counter()
        connection.request("GET", path)
        body = connection.getresponse().read()
        return (time.perf_counter() - start) * 1000, body
    finally:
        connection.close()


def _baa_run(root: Path, task: str, run: str, script: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([BAA, "run", "--quiet", "--runs-dir", str(root), "--task", task,
                             "--step", "s", "--run", run, "-c", script],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def _make_runs(root: Path, count: int) -> None:
    """``count`` finished runs in 100 tasks: a real run's meta.json and state.json, ids changed."""
    _baa_run(root, "seed", "one", "true").wait()
    meta = orjson.loads((root / "seed" / "one" / "meta.json").read_bytes())
    state = orjson.loads((root / "seed" / "one" / "state.json").read_bytes())
    for n in range(count - 1):
        task, run = f"T-{n % 100:03d}", f"run-{n:05d}"
        run_dir = root / task / run
        run_dir.mkdir(parents=True)
        started = f"2026-01-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000Z"
        (run_dir / "meta.json").write_bytes(orjson.dumps({**meta, "taskId": task, "runId": run}))
        (run_dir / "state.json").write_bytes(
            orjson.dumps(
                {
                    **state,
                    "startedAt": started,
                    "updatedAt": started,
                    "finishedAt": started,
                    "status": "failed" if n % 7 == 0 else "completed",
                }
            )
        )


def _plain_read(root: Path) -> float:
    """What reading every run's meta.json and state.json costs a plain orjson loop (ms)."""
    start = time.perf_counter()
    for task in os.listdir(root):
        for run in os.listdir(root / task):
            for name in ("meta.json", "state.json"):
                with open(root / task / run / name, "rb") as handle:
                    orjson.loads(handle.read())
    return (time.perf_counter() - start) * 1000


def bench_list(workdir: Path, count: int) -> dict[str, Any]:
    root = workdir / "list"
    root.mkdir()
    _make_runs(root, count)
    plain = statistics.median(_plain_read(root) for _ in range(5))
    with _served(root) as (port, _):
        cold, body = _get(port, "/api/runs")
        assert orjson.loads(body)["total"] == count
        warm = []
        full = []
        filtered = []
        for _ in range(7):
            time.sleep(0.3)  # past the index's freshness window: each request sweeps the root
            warm.append(_get(port, "/api/runs")[0])
            time.sleep(0.3)
            full.append(_get(port, f"/api/runs?limit={count}")[0])
            time.sleep(0.3)
            filtered.append(_get(port, "/api/runs?status=failed&task=T-042")[0])
    return {
        "runs": count,
        "cold_ms": round(cold, 1),
        "page_ms": round(statistics.median(warm), 1),
        "all_ms": round(statistics.median(full), 1),
        "filtered_ms": round(statistics.median(filtered), 1),
        "plain_read_all_ms": round(plain, 1),
        "target_ms": TARGET_LIST_MS,
    }


def _browser() -> Any:
    from playwright.sync_api import sync_playwright

    return sync_playwright()


def _append_big_log(run_dir: Path, size: int) -> int:
    payload = b"lorem ipsum dolor sit amet " * 150 + b"\\n"
    head = b'{"taskId":"T","stepId":"s","runId":"big","seq":'
    tail = b',"channel":"stdout","createdAt":"2026-12-01T10:00:00.000Z","text":"line '
    seq = 100
    with (run_dir / "stdout.log").open("ab") as handle:
        while handle.tell() < size:
            batch = [head + b"%d" % s + tail + b"%d " % s + payload + b'"}\n'
                     for s in range(seq, seq + 4096)]  # fmt: skip
            handle.write(b"".join(batch))
            seq += 4096
    return seq - 1


def bench_big_log(workdir: Path, size: int, page: Any) -> dict[str, Any]:
    root = workdir / "big"
    root.mkdir()
    _baa_run(root, "T", "big", "echo start").wait()
    last = _append_big_log(root / "T" / "big", size)
    with _served(root) as (port, pid):
        api = [_get(port, "/api/runs/T/big/log?limit=1000")[0] for _ in range(7)]
        shown = []
        for _ in range(7):
            page.goto(f"http://127.0.0.1:{port}/runs/T/big")
            page.wait_for_selector(f"#L{last}", state="attached")
            deadline = time.monotonic() + 30
            mark = None
            while mark is None and time.monotonic() < deadline:
                mark = page.evaluate(
                    "(performance.getEntriesByName('baa:log-shown')[0] || {}).startTime ?? null"
                )
                time.sleep(0.01)
            assert mark is not None
            shown.append(float(mark))
        with open(f"/proc/{pid}/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return {
        "log_mb": round((root / "T" / "big" / "stdout.log").stat().st_size / 1e6),
        "api_tail_ms": round(statistics.median(api), 1),
        "page_first_ms": round(shown[0]),
        "page_ms": round(statistics.median(shown)),
        "server_peak_rss_mb": round(peak / 1024),
        "target_ms": TARGET_TAIL_MS,
        "target_rss_mb": TARGET_RSS_MB,
    }


LIVE_WORKER = """
import os, sys, time
for i in range(int(sys.argv[1])):
    while not os.path.exists(os.path.join(sys.argv[2], f"go-{i}")):
        time.sleep(0.002)
    print(f"mark {i} {time.time():.6f}", flush=True)
"""

OBSERVE = """() => {
  window.__seen = {};
  new MutationObserver(() => {
    for (const node of document.querySelectorAll('#log .line.stdout')) {
      const match = /^mark (\\d+) /.exec(node.dataset.text || '');
      if (match && !(match[1] in window.__seen)) window.__seen[match[1]] = Date.now() / 1000;
    }
  }).observe(document.getElementById('log'), {childList: true});
}"""


def bench_live(workdir: Path, lines: int, page: Any) -> dict[str, Any]:
    root = workdir / "live"
    root.mkdir()
    script = workdir / "worker.py"
    script.write_text(LIVE_WORKER)
    triggers = workdir / "triggers"
    triggers.mkdir()
    process = _baa_run(root, "T", "live", f"{sys.executable} {script} {lines} {triggers}")
    log = root / "T" / "live" / "worker.log"
    deadline = time.monotonic() + 30
    while not (log.exists() and b"worker_started" in log.read_bytes()):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    latencies = []
    with _served(root) as (port, _):
        page.goto(f"http://127.0.0.1:{port}/runs/T/live")
        page.wait_for_selector("#follow", state="visible")
        page.evaluate(OBSERVE)
        for i in range(lines):
            (triggers / f"go-{i}").touch()
            deadline = time.monotonic() + 30
            seen = None
            while seen is None:
                assert time.monotonic() < deadline
                time.sleep(0.005)
                seen = page.evaluate(f"window.__seen['{i}'] ?? null")
            out = (root / "T" / "live" / "stdout.log").read_bytes()
            written = float(out.split(f"mark {i} ".encode(), 1)[1].split(b"\\n", 1)[0])
            latencies.append((seen - written) * 1000)
    process.wait(timeout=60)
    latencies.sort()
    return {
        "lines": lines,
        "median_ms": round(statistics.median(latencies), 1),
        "p90_ms": round(latencies[int(len(latencies) * 0.9) - 1], 1),
        "max_ms": round(latencies[-1], 1),
        "target_ms": TARGET_LIVE_MS,
    }


def run(quick: bool) -> dict[str, Any]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        results: dict[str, Any] = {"list": bench_list(workdir, 10_000)}
        if not os.path.exists(CHROMIUM):
            results["browser"] = f"skipped: no {CHROMIUM}"
            return results
        with _browser() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page()
            results["big_log"] = bench_big_log(workdir, (100 if quick else 1024) << 20, page)
            results["live"] = bench_live(workdir, 20, page)
            browser.close()
        return results


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def section(w: dict[str, Any]) -> list[str]:
    """The report's section for these figures."""
    li = w["list"]
    lines = [
        "## 10. `baa serve`", "",
        "A real `baa serve` on loopback; times are whole HTTP requests (http.client), medians of 7.",
        "",
        f"**`/api/runs` over {li['runs']:,} runs** (100 tasks): the first request builds the index "
        f"({li['cold_ms']} ms); later ones stat every task and run directory to find what changed",
        "and answer from memory (each request here comes after the index's 0.25 s freshness window,",
        "so each one sweeps the root).", "",
        "| request | ms | target |",
        "| --- | ---: | ---: |",
        f"| `/api/runs` (a page of 100) | {li['page_ms']} | < {li['target_ms']} ({_verdict(li['page_ms'] < li['target_ms'])}) |",
        f"| `/api/runs?limit={li['runs']}` (every run, with meta and state) | {li['all_ms']} | < {li['target_ms']} ({_verdict(li['all_ms'] < li['target_ms'])}) |",
        f"| `/api/runs?status=failed&task=T-042` | {li['filtered_ms']} | < {li['target_ms']} ({_verdict(li['filtered_ms'] < li['target_ms'])}) |",
        f"| the first request, right after start-up (the index, built as the server starts: every meta.json and state.json read and validated) | {li['cold_ms']} | |",
        f"| reference: a plain orjson loop reading every meta.json and state.json once | {li['plain_read_all_ms']} | |",
        "",
    ]  # fmt: skip
    if "big_log" not in w:
        return [*lines, f"Browser figures: {w.get('browser', 'not measured')}.", ""]
    big, live = w["big_log"], w["live"]
    lines += [
        f"**A {big['log_mb']:,} MB log**: headless Chromium opens the run's page; the time is from",
        "navigation to the frame in which the last lines are on screen (a `performance.mark` of the",
        "page), first load and median of 7 loads; the server's peak RSS is read from /proc after.", "",
        "| | value | target |",
        "| --- | ---: | ---: |",
        f"| page shows the last lines (median) | {big['page_ms']} ms | < {big['target_ms']} ms ({_verdict(big['page_ms'] < big['target_ms'])}) |",
        f"| the same, first load (nothing cached) | {big['page_first_ms']} ms | |",
        f"| `/log?limit=1000` (the tail the page asks for) | {big['api_tail_ms']} ms | |",
        f"| server peak RSS | {big['server_peak_rss_mb']} MB | < {big['target_rss_mb']} MB ({_verdict(big['server_peak_rss_mb'] < big['target_rss_mb'])}) |",
        "",
        f"**Live lines**: a live step writes {live['lines']} lines one at a time (each carrying the time",
        "it was written); the open page records when each appears in its DOM (a MutationObserver).", "",
        "| latency | ms | target |",
        "| --- | ---: | ---: |",
        f"| median | {live['median_ms']} | < {live['target_ms']} ({_verdict(live['median_ms'] < live['target_ms'])}) |",
        f"| 90th percentile | {live['p90_ms']} | |",
        f"| worst | {live['max_ms']} | |",
        "",
    ]  # fmt: skip
    return lines
