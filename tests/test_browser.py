"""`baa serve` in a real browser: Debian's headless Chromium driven by Playwright.

What only a browser can show: the pages render, follow a live run, jump to permalinks, search,
open a 1 GB log at its end, update the runs list by themselves, and leave hostile output inert
(no script runs, no request leaves the page). Set ``BAA_SCREENSHOTS=docs/screenshots`` to save
the screenshots the README shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

playwright_sync = pytest.importorskip("playwright.sync_api")
pytest.importorskip("starlette")

from webserver import served, server_pid  # noqa: E402

CHROMIUM = os.environ.get("BAA_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
#: Hang guards only: every wait below ends as soon as what it waits for is on the page.
WAIT_MS = 30_000

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    pytest.skip(f"no {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


class Page:
    """A browser page on one `baa serve`, recording every request that leaves its origin."""

    def __init__(self, browser: Any, origin: str):
        self.origin = origin
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.origin + "/"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: str) -> Any:
        self.page.goto(self.origin + path)
        return self.page

    def screenshot(self, name: str) -> None:
        directory = os.environ.get("BAA_SCREENSHOTS")
        if directory:
            Path(directory).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(directory) / name), full_page=False)

    def close(self) -> None:
        self.context.close()


def baa_run(
    root: Path, task: str, run: str, script: str, wait: bool = True
) -> subprocess.Popen[bytes]:
    """A real `baa run` of a shell script (``wait``: until it ends)."""
    argv = [sys.executable, "-m", "baa_conductor", "run", "--quiet", "--runs-dir", str(root),
            "--task", task, "--step", "build", "--run", run, "-c", script]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if wait:
        process.wait(timeout=120)
    return process


def wait_for_file(path: Path, text: bytes = b"") -> None:
    """Until ``path`` exists (and holds ``text``): a hang guard, not a timing."""
    end = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < end:
        if path.exists() and text in path.read_bytes():
            return
        time.sleep(0.02)
    raise AssertionError(f"{path} never held {text!r}")


def append_entries(run_dir: Path, first_seq: int, texts: list[bytes]) -> int:
    """Stream entries appended to a run's stdout.log by hand (seq on from ``first_seq``)."""
    task, run = run_dir.parent.name, run_dir.name
    head = f'{{"taskId":"{task}","stepId":"build","runId":"{run}","seq":'.encode()
    tail = b',"channel":"stdout","createdAt":"2026-12-01T10:00:00.000Z","text":"'
    with (run_dir / "stdout.log").open("ab") as handle:
        batch = []
        for offset, text in enumerate(texts):
            batch.append(head + str(first_seq + offset).encode() + tail + text + b'"}\n')
            if len(batch) >= 4096:
                handle.write(b"".join(batch))
                batch.clear()
        handle.write(b"".join(batch))
    return first_seq + len(texts)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    runs = tmp_path / "runs"
    runs.mkdir()
    return runs


def test_a_live_run_is_followed_line_by_line(browser: Any, root: Path, tmp_path: Path) -> None:
    """The page of a live run shows each new line as it is written, then the final status."""
    go, done = tmp_path / "go", tmp_path / "done"
    script = (f"printf '\\033[1;32mfirst\\033[0m line\\n'; echo warning-on-stderr >&2; "
              f"while [ ! -e {go} ]; do sleep 0.02; done; echo second-line; "
              f"while [ ! -e {done} ]; do sleep 0.02; done; echo last-line")  # fmt: skip
    process = baa_run(root, "T-1", "live", script, wait=False)
    wait_for_file(root / "T-1" / "live" / "stderr.log", b"warning-on-stderr")
    with served(root) as (host, port):
        view = Page(browser, f"http://{host}:{port}")
        page = view.open("/runs/T-1/live")
        page.wait_for_selector("#log .line.stdout >> text=first")
        assert page.locator("#header .status").inner_text() == "running"
        assert page.locator("#follow").is_visible()
        bold_green = page.locator("#log .line.stdout .txt span.ansi-bold.ansi-fg-2")
        assert bold_green.inner_text() == "first"
        assert page.locator("#log .line.stderr .ch").first.inner_text() == "stderr"
        go.touch()
        page.wait_for_selector("#log >> text=second-line")
        view.screenshot("run-live.png")
        done.touch()
        page.wait_for_selector("#log >> text=last-line")
        page.wait_for_selector("#header .status.completed")
        page.wait_for_selector("#live-note >> text=the run has ended")
        texts = page.locator("#log .line .txt").all_text_contents()
        assert texts.index("second-line") < texts.index("last-line")
        assert len([t for t in texts if t == "second-line"]) == 1  # nothing sent twice
        assert view.outside == []
        assert view.errors == []
        view.close()
    assert process.wait(timeout=60) == 0


def test_permalinks_tail_first_and_search(browser: Any, root: Path) -> None:
    """A long log opens at its end; earlier lines load on demand; #L permalinks open their line
    (loading the log around it); search finds lines among those loaded."""
    baa_run(root, "T-1", "long", "echo start")
    run_dir = root / "T-1" / "long"
    texts = [f"row-{n:05d} \\u001b[33mok\\u001b[0m\\n".encode() for n in range(3000)]
    texts[100] = b"the needle is here\\n"
    texts[2900] = b"two lines\\nin one chunk\\n"
    first = 100
    append_entries(run_dir, first, texts)
    with served(root) as (host, port):
        view = Page(browser, f"http://{host}:{port}")
        page = view.open("/runs/T-1/long")
        page.wait_for_selector(f"#L{first + 2999}")
        assert page.locator(f"#L{first}").count() == 0  # the start is not loaded yet
        assert page.locator(f"[id='L{first + 2900}.2'] .txt").text_content() == "in one chunk"
        page.click("#earlier")
        page.wait_for_selector(f"#L{first + 1999}")
        view.screenshot("run.png")
        page.fill("#search", "NEEDLE")  # not among the lines loaded: the server searches the log
        page.wait_for_selector("#search-count >> text=no match in the lines loaded")
        page.click("#search-all")
        target = page.wait_for_selector(f"#L{first + 100}.target")
        assert (target.text_content() or "").endswith("the needle is here")
        page.wait_for_selector("#search-all-count >> text=match 1 of 1 in the whole log")
        page = view.open(f"/runs/T-1/long#L{first + 100}")
        target = page.wait_for_selector(f"#L{first + 100}.target")
        assert (target.text_content() or "").endswith("the needle is here")
        assert page.locator(f"#L{first + 100} a.ln").get_attribute("href") == f"#L{first + 100}"
        page.fill("#search", "needle")
        page.wait_for_selector("#search-count >> text=1 of 1 in the lines loaded")
        assert page.locator(".line.hit.current").get_attribute("id") == f"L{first + 100}"
        page.fill("#search", "row-002")
        page.wait_for_selector("#search-count >> text=1 of 100 in the lines loaded")
        page.press("#search", "Enter")
        page.wait_for_selector("#search-count >> text=2 of 100 in the lines loaded")
        assert view.outside == []
        assert view.errors == []
        view.close()


HOSTILE = r"""
python3 -c "import sys; sys.stdout.write('A' * (10 << 20) + chr(10))"
printf '<script>window.__pwned = 1; alert(1)</script>\n'
printf '<img src=x onerror="window.__pwned = 2">\n'
printf '<a href="javascript:window.__pwned=3">click me</a> &lt;b&gt;bold&lt;/b&gt; &amp;\n'
printf '\033]0;TITLE CHANGED\007\033]8;;https://example.com/steal\033\\a link\033]8;;\033\\ done\n'
printf '\033[2J\033[10;10Hcursor moved\033[?1049h alt screen \033P+q\033\\ \033[31mred\033[0m\n'
printf 'bad bytes: \377\376 end\n'
printf '<style>body{display:none}</style><iframe src="https://example.com"></iframe>\n' >&2
echo after-the-long-line
"""


def test_hostile_output_is_inert(browser: Any, root: Path) -> None:
    """Script tags, javascript: links, entities, escape sequences, bad bytes and a 10 MB line
    are shown as text: no script runs, no dialog opens, no request leaves the page."""
    baa_run(root, "T-1", "hostile", HOSTILE)
    with served(root) as (host, port):
        view = Page(browser, f"http://{host}:{port}")
        page = view.open("/runs/T-1/hostile")
        page.wait_for_selector("#log >> text=after-the-long-line")
        log = page.locator("#log").text_content() or ""
        assert "<script>window.__pwned = 1; alert(1)</script>" in log
        assert (
            '<a href="javascript:window.__pwned=3">click me</a> &lt;b&gt;bold&lt;/b&gt; &amp;'
            in log
        )
        assert "a link done" in log
        assert "example.com/steal" not in log
        assert "cursor moved" in log
        assert "[2J" not in log
        assert "\x1b" not in log
        assert "bad bytes: \ufffd\ufffd end" in log
        assert '<iframe src="https://example.com"></iframe>' in log
        assert page.locator("#log .cut").count() >= 1  # the 10 MB line, cut until asked for
        assert page.evaluate("window.__pwned") is None
        assert page.title() == "hostile · T-1 · baa"
        hrefs = page.eval_on_selector_all(
            "#log a", "links => links.map(a => a.getAttribute('href'))"
        )
        assert hrefs
        assert all(h.startswith("#L") for h in hrefs)
        assert page.locator("#log img, #log iframe, #log script, #log style").count() == 0
        page.locator("#log").evaluate("log => log.scrollIntoView({block: 'end'})")
        view.screenshot("run-hostile.png")
        page.click("#files summary")
        page.wait_for_selector("#files .file >> text=stdout.log")
        page.click("#files .file:has-text('stdout.log') summary")
        page.wait_for_selector("#files pre.raw")
        page.wait_for_timeout(300)  # what a deferred script would need to run (there is none)
        assert page.evaluate("window.__pwned") is None
        assert view.dialogs == []
        assert view.outside == []
        assert view.errors == []
        view.close()


@pytest.fixture(scope="module")
def big_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runs root with one run whose stdout.log is 1 GB (written fast, in 8 MB batches)."""
    root = tmp_path_factory.mktemp("big") / "runs"
    root.mkdir()
    baa_run(root, "T-1", "big", "echo start")
    payload = b"lorem ipsum dolor sit amet " * 150 + b"\\n"  # about 4 KB a line
    run_dir = root / "T-1" / "big"
    seq, target = 100, 1 << 30
    while (run_dir / "stdout.log").stat().st_size < target:
        seq = append_entries(
            run_dir, seq, [b"line %d " % (seq + i) + payload for i in range(20_000)]
        )
    append_entries(run_dir, seq, [b"the very last line\\n"])
    (root / "last-seq").write_text(str(seq))
    return root


def test_a_1_gb_log_opens_at_its_end(browser: Any, big_root: Path) -> None:
    """The page of a run with a 1 GB log shows its last lines and loads earlier ones on demand,
    the server staying small (it never reads the log whole)."""
    last = int((big_root / "last-seq").read_text())
    with served(big_root) as (host, port):
        view = Page(browser, f"http://{host}:{port}")
        page = view.open("/runs/T-1/big")
        assert page.wait_for_selector(f"#L{last}").text_content().endswith("the very last line")
        shown = page.evaluate("performance.getEntriesByName('baa:log-shown')[0].startTime")
        lines = page.locator("#log .line").count()
        page.click("#earlier")
        page.locator("#log .line").nth(lines).wait_for()  # one more line than before
        with open(f"/proc/{server_pid(port)}/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        print(f"1 GB log: last lines shown {shown:.0f} ms after navigation; server peak RSS "
              f"{peak / 1024:.0f} MB")  # fmt: skip
        assert peak < 100 * 1024  # kB: the log is read by seeking, a page at a time
        assert view.outside == []
        assert view.errors == []
        view.close()


def test_the_runs_list_updates_itself(browser: Any, root: Path, tmp_path: Path) -> None:
    """New runs and status changes appear in the open runs list without a reload."""
    baa_run(root, "T-1", "done-ok", "echo fine")
    baa_run(root, "T-1", "done-bad", "echo broken >&2; exit 3")
    baa_run(root, "T-2", "other", "true")
    with served(root) as (host, port):
        view = Page(browser, f"http://{host}:{port}")
        page = view.open("/")
        page.wait_for_selector("tr[data-run='T-1/done-bad'] >> text=failed")
        go = tmp_path / "go"
        process = baa_run(
            root, "T-3", "appears", f"while [ ! -e {go} ]; do sleep 0.02; done", wait=False
        )
        row = "tr[data-run='T-3/appears']"
        page.wait_for_selector(f"{row} >> text=running")
        view.screenshot("runs.png")
        go.touch()
        page.wait_for_selector(f"{row} >> text=completed")
        assert process.wait(timeout=60) == 0
        page.select_option("#status", "failed")
        playwright_sync.expect(page.locator("#runs tr")).to_have_count(1, timeout=WAIT_MS)
        assert page.locator("#runs tr").get_attribute("data-run") == "T-1/done-bad"
        assert page.url.endswith("/?status=failed")
        assert view.outside == []
        assert view.errors == []
        view.close()


def test_a_schema_page_is_readable(browser: Any, root: Path) -> None:
    """/schemas/NAME: the contracts' page: version, properties with types and required marks,
    an example, links between schemas."""
    with served(root) as (host, port):
        view = Page(browser, f"http://{host}:{port}")
        page = view.open("/schemas/run-state-snapshot")
        page.wait_for_selector("#doc table")
        assert page.locator("#doc h1").first.inner_text() == "RunStateSnapshot"
        assert "version 2" in page.locator("#doc").inner_text()
        status_row = page.locator("#doc table tr", has_text="lastEventSeq")
        assert "yes" in status_row.inner_text()
        assert (
            page.locator("#doc a", has_text="RunStatus").first.get_attribute("href")
            == "/schemas/run-status"
        )
        page.wait_for_selector("#doc pre")
        view.screenshot("schema.png")
        page.locator("#doc a", has_text="RunStatus").first.click()
        page.wait_for_selector("#doc h1 >> text=RunStatus")
        assert "cancelled" in page.locator("#doc").inner_text()
        assert view.outside == []
        assert view.errors == []
        view.close()


def test_agent_activity_and_checkpoint_diffs(browser: Any, root: Path, tmp_path: Path) -> None:
    """A codex step's commands, file changes, tokens and final message; each checkpoint's patch
    rendered as a diff."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    (repo / "app.txt").write_text("old line\nkept\n")
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    argv = [sys.executable, "-m", "baa_conductor", "run", "--quiet", "--runs-dir", str(root),
            "--task", "T-1", "--step", "fix", "--run", "agent", "--worktree", str(repo),
            "--checkpoint", "git_diff", "-c", "printf 'new line\\nkept\\n' > app.txt"]  # fmt: skip
    subprocess.run(argv, check=True, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    artifacts = root / "T-1" / "agent" / "artifacts"
    activity = {
        "threadId": "thread-1", "usage": {"inputTokens": 1200, "cachedInputTokens": 800,
                                           "outputTokens": 64},
        "finalMessagePath": "artifacts/last-message.md",
        "commands": [{"command": "bash -lc 'pytest -q'", "status": "failed", "exitCode": 1},
                     {"command": "bash -lc '<b>make</b>'", "status": "completed", "exitCode": 0}],
        "fileChanges": [{"path": "app.txt", "kind": "update", "status": "completed"}],
        "warnings": [], "eventCount": 9,
    }  # fmt: skip
    (artifacts / "agent-activity.json").write_text(json.dumps(activity))
    (artifacts / "last-message.md").write_text("Fixed it. <script>window.__pwned=1</script>")
    with served(root) as (host, port):
        view = Page(browser, f"http://{host}:{port}")
        page = view.open("/runs/T-1/agent")
        page.wait_for_selector("#agent-commands")
        rows = page.locator("#agent-commands tbody tr").all_inner_texts()
        assert rows == ["1\tbash -lc 'pytest -q'", "0\tbash -lc '<b>make</b>'"]
        assert "1200 in (800 cached), 64 out" in page.locator("#agent").inner_text()
        page.wait_for_selector("#final-message >> text=Fixed it.")
        assert page.locator("#checkpoints details").count() >= 1
        page.click("#checkpoints details summary")
        page.wait_for_selector("#checkpoints .diff .add")
        assert page.locator("#checkpoints .diff .del").all_text_contents() == ["-old line"]
        assert "+new line" in page.locator("#checkpoints .diff .add").all_text_contents()
        page.click("#files summary")
        page.wait_for_selector("#files .file >> text=agent-activity.json")
        verdicts = page.locator("#files .file summary").all_inner_texts()
        assert any("agent-activity.json" in v and "agent-activity: valid" in v for v in verdicts)
        assert page.evaluate("window.__pwned") is None
        view.screenshot("run-agent.png")
        assert view.outside == []
        assert view.errors == []
        view.close()
