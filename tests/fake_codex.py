#!/usr/bin/env python3
"""A stand-in for ``codex exec`` that behaves as openai/codex ``codex-rs/exec`` does.

Taken from its source (``cli.rs``, ``utils/cli/src/shared_options.rs`` and ``config_override.rs``
for the arguments; ``lib.rs`` for the prompt, the git check and the exit code;
``event_processor_with_jsonl_output.rs`` and ``exec_events.rs`` for the events; ``event_processor.rs``
for ``-o``):

- arguments are parsed as clap does: options anywhere before ``--``, ``--opt=value``, ``-mVALUE``;
  an unknown option or a second positional is exit 2 with clap's message on stderr; ``--help``
  prints help on stdout and exits 0;
- the prompt is the positional; ``-`` (or none, with stdin not a terminal) reads it from stdin,
  and a positional prompt with piped stdin gets stdin appended as a ``<stdin>`` block;
- outside a git repository, without ``--skip-git-repo-check``: a line on stderr and exit 1;
- ``--json`` prints one compact JSON object per line on stdout (``serde_json::to_string``: keys in
  declaration order, non-ASCII as is, U+2028 included), everything else goes to stderr;
- exit 1 after a fatal ``error`` or a failed turn; ``-o FILE`` gets the last agent message only
  when the turn completed.

What happens in the turn is chosen by ``FAKE_CODEX_SCENARIO`` (see ``SCENARIOS``). Only what the
real binary cannot be made to produce against tests/responses_server.py is scripted here (every
item type at once, an error a completed turn follows, a fatal error with no turn end, an error
and exit 0, stderr that is not UTF-8, a command that never ends); tests/test_codex_real.py drives
the pinned codex for the rest. When
``FAKE_CODEX_RECORD`` names a file, the parsed invocation and the prompt are written there as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from typing import Any

USAGE = "Usage: codex exec [OPTIONS] [PROMPT]\n       codex exec [OPTIONS] <COMMAND> [ARGS]\n"
HELP = (
    "Run Codex non-interactively\n\n" + USAGE + "\n"
    "Commands:\n  resume  Resume a previous session by id or pick the most recent with --last\n"
    "  review  Run a code review against the current repository\n"
    "  help    Print this message or the help of the given subcommand(s)\n\n"
    "Arguments:\n  [PROMPT]  Initial instructions for the agent. If not provided as an argument (or if `-`"
    " is used), instructions are read from stdin\n\n"
    "Options:\n  -c, --config <key=value>\n  -m, --model <MODEL>\n  -p, --profile <CONFIG_PROFILE>\n"
    "  -s, --sandbox <SANDBOX_MODE>  [possible values: read-only, workspace-write, danger-full-access]\n"
    "  -C, --cd <DIR>\n      --skip-git-repo-check\n      --json\n"
    "  -o, --output-last-message <FILE>\n  -h, --help\n  -V, --version\n"
)
SANDBOX_MODES = ("read-only", "workspace-write", "danger-full-access")
COLORS = ("always", "never", "auto")

#: option -> (destination, value name); None as value name: a flag.
OPTIONS: dict[str, tuple[str, str | None]] = {
    "--config": ("config", "key=value"), "-c": ("config", "key=value"),
    "--model": ("model", "MODEL"), "-m": ("model", "MODEL"),
    "--profile": ("profile", "CONFIG_PROFILE"), "-p": ("profile", "CONFIG_PROFILE"),
    "--sandbox": ("sandbox", "SANDBOX_MODE"), "-s": ("sandbox", "SANDBOX_MODE"),
    "--cd": ("cd", "DIR"), "-C": ("cd", "DIR"),
    "--output-last-message": ("output_last_message", "FILE"),
    "-o": ("output_last_message", "FILE"),
    "--image": ("image", "FILE"), "-i": ("image", "FILE"),
    "--color": ("color", "COLOR"), "--output-schema": ("output_schema", "FILE"),
    "--local-provider": ("oss_provider", "OSS_PROVIDER"), "--add-dir": ("add_dir", "DIR"),
    "--json": ("json", None), "--experimental-json": ("json", None),
    "--skip-git-repo-check": ("skip_git_repo_check", None), "--ephemeral": ("ephemeral", None),
    "--oss": ("oss", None), "--full-auto": ("full_auto", None),
    "--dangerously-bypass-approvals-and-sandbox": ("yolo", None), "--yolo": ("yolo", None),
    "--ignore-user-config": ("ignore_user_config", None), "--ignore-rules": ("ignore_rules", None),
    "--help": ("help", None), "-h": ("help", None),
    "--version": ("version", None), "-V": ("version", None),
}  # fmt: skip
LONG_NAME = {"config": "--config", "model": "--model", "profile": "--profile",
             "sandbox": "--sandbox", "cd": "--cd", "output_last_message": "--output-last-message",
             "image": "--image", "color": "--color"}  # fmt: skip
REPEATED = {"config", "image", "add_dir"}


def clap_error(message: str, usage: bool = False) -> None:
    text = f"error: {message}\n\n"
    if usage:
        text += USAGE + "\n"
    sys.stderr.write(text + "For more information, try '--help'.\n")
    sys.exit(2)


def parse(argv: list[str]) -> dict[str, Any]:
    opts: dict[str, Any] = {"config": [], "image": [], "add_dir": [], "positionals": []}
    i = 0
    options_done = False
    while i < len(argv):
        arg = argv[i]
        i += 1
        if options_done or arg == "-" or not arg.startswith("-"):
            opts["positionals"].append(arg)
            continue
        if arg == "--":
            options_done = True
            continue
        name, value = arg, None
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
        elif not arg.startswith("--") and len(arg) > 2:
            name, value = arg[:2], arg[2:].removeprefix("=")
        if name not in OPTIONS:
            tip = f"\n\n  tip: to pass '{arg}' as a value, use '-- {arg}'"
            clap_error(f"unexpected argument '{arg}' found{tip}", usage=True)
        dest, value_name = OPTIONS[name]
        if value_name is None:
            if value is not None:
                clap_error(f"unexpected value '{value}' for '{name}' found; no more were expected")
            opts[dest] = True
            continue
        if value is None:
            if i >= len(argv):
                long = LONG_NAME.get(dest, name)
                clap_error(f"a value is required for '{long} <{value_name}>' but none was supplied")
            value = argv[i]
            i += 1
        if dest == "sandbox" and value not in SANDBOX_MODES:
            clap_error(
                f"invalid value '{value}' for '--sandbox <SANDBOX_MODE>'\n"
                f"  [possible values: {', '.join(SANDBOX_MODES)}]"
            )
        if dest == "color" and value not in COLORS:
            clap_error(f"invalid value '{value}' for '--color <COLOR>'")
        if dest in REPEATED:
            opts[dest].append(value)
        elif dest in opts and dest != "positionals":
            long = LONG_NAME.get(dest, name)
            clap_error(f"the argument '{long} <{value_name}>' cannot be used multiple times", True)
        else:
            opts[dest] = value
    if opts.get("help"):
        sys.stdout.write(HELP)
        sys.exit(0)
    if opts.get("version"):
        sys.stdout.write("codex-exec 0.0.0-fake\n")
        sys.exit(0)
    positionals = opts["positionals"]
    if positionals[:1] and positionals[0] in ("resume", "review", "help") and "--" not in argv:
        sys.stderr.write(f"fake codex: the {positionals[0]!r} subcommand is not imitated\n")
        sys.exit(2)
    if len(positionals) > 1:
        clap_error(f"unexpected argument '{positionals[1]}' found", usage=True)
    opts["prompt"] = positionals[0] if positionals else None
    return opts


def parse_overrides(raw: list[str]) -> dict[str, str]:
    overrides = {}
    for item in raw:
        key, sep, value = item.partition("=")
        if not sep:
            fail_stderr(f"Error parsing -c overrides: Invalid override (missing '='): {item}")
        if not key.strip():
            fail_stderr(f"Error parsing -c overrides: Empty key in override: {item}")
        overrides[key.strip()] = value.strip().strip("\"'")
    return overrides


def fail_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.exit(1)


def read_stdin(behavior: str) -> str | None:
    terminal = sys.stdin.isatty()
    if behavior == "required" and terminal:
        fail_stderr(
            "No prompt provided. Either specify one as an argument or pipe the prompt into stdin."
        )
    if behavior == "optional" and terminal:
        return None
    if behavior == "required":
        sys.stderr.write("Reading prompt from stdin...\n")
    elif behavior == "optional":
        sys.stderr.write("Reading additional input from stdin...\n")
    data = sys.stdin.buffer.read().removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        fail_stderr(
            f"Failed to read prompt from stdin: input is not valid UTF-8 (invalid byte at offset "
            f"{error.start}). Convert it to UTF-8 and retry (e.g., `iconv -f <ENC> -t UTF-8 prompt.txt`)."
        )
    if not text.strip():
        if behavior == "optional":
            return None
        fail_stderr("No prompt provided via stdin.")
    return text


def resolve_prompt(arg: str | None) -> str:
    if arg is not None and arg != "-":
        extra = read_stdin("optional")
        if extra is None:
            return arg
        return f"{arg}\n\n<stdin>\n{extra}{'' if extra.endswith(chr(10)) else chr(10)}</stdin>"
    text = read_stdin("forced" if arg == "-" else "required")
    assert text is not None
    return text


def git_repo_root(path: str) -> str | None:
    # codex 0.169.0: a .git that is not a directory, or a .git directory holding HEAD.
    path = os.path.abspath(path)
    while True:
        dot_git = os.path.join(path, ".git")
        if os.path.exists(dot_git) and (
            not os.path.isdir(dot_git) or os.path.exists(os.path.join(dot_git, "HEAD"))
        ):
            return path
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


def emit(event: dict[str, Any]) -> None:
    # serde_json::to_string: compact, UTF-8 as is (U+2028 too), one line, then println!'s "\n".
    sys.stdout.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
    sys.stdout.flush()


class Turn:
    """The events of one turn, numbered as the JSONL processor numbers items (item_0, item_1...)."""

    def __init__(self, opts: dict[str, Any], prompt: str, cwd: str):
        self.opts = opts
        self.prompt = prompt
        self.cwd = cwd
        self.next_id = 0
        self.final_message: str | None = None

    def item_id(self) -> str:
        self.next_id += 1
        return f"item_{self.next_id - 1}"

    def started(self, item: dict[str, Any]) -> None:
        emit({"type": "item.started", "item": item})

    def updated(self, item: dict[str, Any]) -> None:
        emit({"type": "item.updated", "item": item})

    def completed(self, item: dict[str, Any]) -> None:
        if item["type"] == "agent_message":
            self.final_message = item["text"]
        emit({"type": "item.completed", "item": item})

    def message(self, text: str) -> None:
        self.completed({"id": self.item_id(), "type": "agent_message", "text": text})

    def command(self, command: str, output: str, exit_code: int) -> None:
        item_id = self.item_id()
        item = {"id": item_id, "type": "command_execution", "command": command,
                "aggregated_output": "", "exit_code": None, "status": "in_progress"}  # fmt: skip
        self.started(item)
        status = "completed" if exit_code == 0 else "failed"
        self.completed({**item, "aggregated_output": output, "exit_code": exit_code,
                        "status": status})  # fmt: skip

    def sandbox(self) -> str:
        if self.opts.get("yolo"):
            return "danger-full-access"
        overrides = parse_overrides(self.opts["config"])
        return str(self.opts.get("sandbox") or overrides.get("sandbox_mode") or "read-only")

    def complete(self, usage: tuple[int, int, int] = (1200, 1000, 80)) -> None:
        inp, cached, out = usage
        emit({"type": "turn.completed", "usage": {"input_tokens": inp,
              "cached_input_tokens": cached, "output_tokens": out}})  # fmt: skip
        path = self.opts.get("output_last_message")
        if path:
            with open(path, "w", encoding="utf-8", newline="") as handle:
                handle.write(self.final_message or "")
            if self.final_message is None:
                sys.stderr.write(f"Warning: no last agent message; wrote empty content to {path}\n")


def scenario_success(turn: Turn) -> None:
    """Every item type, a command that fails, a file written if the sandbox lets it."""
    turn.completed({"id": turn.item_id(), "type": "reasoning", "text": "**Reading the test**"})
    todo_id = turn.item_id()
    todo = [{"text": "run the tests", "completed": False}, {"text": "fix", "completed": False}]
    turn.started({"id": todo_id, "type": "todo_list", "items": todo})
    turn.command("bash -lc 'pytest -q'", "1 failed\n", 1)
    turn.updated({"id": todo_id, "type": "todo_list",
                  "items": [{**todo[0], "completed": True}, todo[1]]})  # fmt: skip
    mcp = {"id": turn.item_id(), "type": "mcp_tool_call", "server": "docs", "tool": "search",
           "arguments": {"q": "pytest"}, "result": None, "error": None, "status": "in_progress"}  # fmt: skip
    turn.started(mcp)
    turn.completed({**mcp, "result": {"content": [{"type": "text", "text": "ok"}],
                    "structured_content": None}, "status": "completed"})  # fmt: skip
    search_id = turn.item_id()
    # exec_events.rs flattens the item id and WebSearchItem's own id into one object: two "id"s.
    search = (f'{{"id":"{search_id}","type":"web_search","id":"ws_1","query":"pytest tmp_path",'
              f'"action":{{"type":"search","query":"pytest tmp_path"}}}}')  # fmt: skip
    for kind in ("item.started", "item.completed"):
        sys.stdout.write(f'{{"type":"{kind}","item":{search}}}\n')
    sys.stdout.flush()
    turn.completed({"id": turn.item_id(), "type": "error",
                    "message": "model rerouted: gpt-5 -> gpt-5-mini (HighRiskCyberActivity)"})  # fmt: skip
    name = os.environ.get("FAKE_CODEX_FILE", "fixed.txt")
    writable = turn.sandbox() != "read-only"
    if writable:
        with open(os.path.join(turn.cwd, name), "w", encoding="utf-8") as handle:
            handle.write("fixed\n")
    turn.completed({"id": turn.item_id(), "type": "file_change",
                    "changes": [{"path": os.path.join(turn.cwd, name), "kind": "add"},
                                {"path": os.path.join(turn.cwd, "README.md"), "kind": "update"}],
                    "status": "completed" if writable else "failed"})  # fmt: skip
    turn.command("bash -lc 'pytest -q'", "1 passed\n", 0)
    turn.completed({"id": todo_id, "type": "todo_list",
                    "items": [{**t, "completed": True} for t in todo]})  # fmt: skip
    turn.message(f"Fixed the failing test.\nSandbox: {turn.sandbox()}.")
    turn.complete((24763, 24448, 122))


def scenario_transient(turn: Turn) -> None:
    """A reconnect reported as a top-level error; the turn still completes and codex exits 0."""
    emit({"type": "error", "message": "Reconnecting... 1/5 (stream disconnected before "
          "completion: error sending request for url (https://api.openai.com/v1/responses))"})  # fmt: skip
    turn.message("Done after a reconnect.")
    turn.complete()


def scenario_fatal_error(turn: Turn) -> None:
    """A fatal stream error with no turn end: codex exits 1."""
    emit({"type": "error", "message": "unexpected status 401 Unauthorized: Missing bearer auth"})
    sys.exit(1)


def scenario_error_exit_zero(turn: Turn) -> None:
    """An error and then nothing: no turn completes although the process exits 0."""
    emit({"type": "error", "message": "stream disconnected before completion"})


def scenario_hang(turn: Turn) -> None:
    turn.started({"id": turn.item_id(), "type": "command_execution",
                  "command": "bash -lc 'sleep infinity'", "aggregated_output": "",
                  "exit_code": None, "status": "in_progress"})  # fmt: skip
    pid_file = os.environ.get("FAKE_CODEX_PID_FILE")
    if pid_file:
        with open(pid_file, "w") as handle:
            handle.write(str(os.getpid()))
    while True:
        time.sleep(60)


SCENARIOS = {
    "success": scenario_success,
    "transient": scenario_transient,
    "fatal_error": scenario_fatal_error,
    "error_exit_zero": scenario_error_exit_zero,
    "hang": scenario_hang,
}


def before_events(scenario: str) -> None:
    """Failures that happen before any event: configuration, authentication."""
    if scenario == "bad_stderr":
        sys.stderr.buffer.write(
            b"Error: failed to read /home/\xe9t\xe9/.codex/auth.json: \xff\xfe\n"
        )
        sys.stderr.buffer.flush()
        sys.exit(1)


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] != ["exec"]:
        sys.stderr.write("fake codex: only `codex exec` is imitated\n")
        sys.exit(2)
    opts = parse(argv[1:])
    parse_overrides(opts["config"])
    cwd = opts.get("cd") or os.getcwd()
    if not os.path.isdir(cwd):
        fail_stderr("Error: No such file or directory (os error 2)")
    scenario = os.environ.get("FAKE_CODEX_SCENARIO", "success")
    before_events(scenario)
    prompt = resolve_prompt(opts["prompt"])
    record = os.environ.get("FAKE_CODEX_RECORD")
    if record:
        with open(record, "w", encoding="utf-8") as handle:
            json.dump({"argv": argv, "cwd": os.getcwd(), **opts, "prompt": prompt}, handle)
    if not opts.get("skip_git_repo_check") and not opts.get("yolo") and not git_repo_root(cwd):
        fail_stderr("Not inside a trusted directory and --skip-git-repo-check was not specified.")
    if not opts.get("json"):
        sys.stderr.write("fake codex: only --json output is imitated\n")
        sys.exit(2)
    emit({"type": "thread.started", "thread_id": str(uuid.uuid4())})
    emit({"type": "turn.started"})
    if scenario not in SCENARIOS:
        fail_stderr(f"fake codex: no scenario {scenario!r}")
    SCENARIOS[scenario](Turn(opts, prompt, cwd))


if __name__ == "__main__":
    main()
