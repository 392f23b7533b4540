"""``baa compat``: the CI gate, its baselines (directory, git ref, history), modes, output and exit
codes (0 passes, 1 breaks, 2 cannot compare)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from baa_conductor import cli
from baa_conductor.compat.command import compare_versions
from baa_conductor.compat.modes import MODE_OF
from baa_conductor.compat.sources import Version

BASELINE = Path(__file__).parent / "compat" / "baseline"
SCHEMAS = Path(__file__).parent.parent / "schemas"
CONTRACT = (SCHEMAS / "VERSION").read_text().strip()
NEXT_MAJOR = f"{int(CONTRACT.split('.')[0]) + 1}.0.0"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["compat", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _write(directory: Path, schemas: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        (directory / f"{name}.schema.json").write_text(json.dumps(schema), "utf-8")
    return directory


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t", *args],
        check=True,
        capture_output=True,
    )


def _repo(path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def _commit(repo: Path, message: str, tag: str | None = None) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", message)
    if tag:
        _git(repo, "tag", tag)


def _user(version: str, **extra: Any) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "x-version": version,
        "type": "object",
        "properties": {"name": {"type": "string", **extra}},
        "additionalProperties": False,
    }


def test_shipped_schemas_are_compatible_with_the_baseline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CI's gate: the schemas as they are pass against the committed baseline."""
    code, out, _ = _run(["--against", str(BASELINE), "--schemas", str(SCHEMAS)], capsys)
    assert code == 0, out


def test_an_accidental_breaking_change_fails_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Making an optional field required without a MAJOR bump exits 1 and names the change."""
    changed = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, changed)
    path = changed / "run-state-snapshot.schema.json"
    schema: dict[str, Any] = json.loads(path.read_text())
    schema["required"].append("summary")
    path.write_text(json.dumps(schema))
    code, out, _ = _run(["--against", str(SCHEMAS), "--schemas", str(changed), "--json"], capsys)
    assert code == 1
    report = json.loads(out)
    assert report["failures"] == [
        "run-state-snapshot: property newly required at /required breaks BACKWARD against "
        f"{SCHEMAS}: needs a MAJOR version bump (x-version still 2.0)",
        f"VERSION: {CONTRACT} -> {CONTRACT}, but run-state-snapshot changed: needs a MAJOR bump "
        f"(to {NEXT_MAJOR})",
    ]
    own = [c for c in report["changes"] if c["schema"] == "run-state-snapshot" and not c["via"]]
    # The witness: a snapshot the old schema accepts, without the newly required property.
    witness = own[0].pop("witness")
    assert list(witness) == ["backward"]
    assert "status" in witness["backward"]
    assert "summary" not in witness["backward"]
    assert own == [
        {
            "schema": "run-state-snapshot",
            "against": str(SCHEMAS),
            "pointer": "/required",
            "kind": "property newly required",
            "detail": "summary",
            "direction": "tightened",
            "backward": "breaking",
            "forward": "compatible",
            "verdict": "breaking",
            "reasons": {"backward": "", "forward": ""},
            "via": None,
        }
    ]
    # Schemas that embed run-state-snapshot by $ref break too; the bump is asked of the owner.
    through = {c["schema"] for c in report["changes"] if c["via"] == "run-state-snapshot"}
    assert through == {"step-execution-result"}


def test_version_policy(tmp_path: Path) -> None:
    """A breaking change needs a new MAJOR x-version, any other change a new MINOR at least."""
    old = Version("v1", {"user": _user("1.0")})

    def failures(new: dict[str, Any], mode: str = "BACKWARD") -> list[str]:
        return compare_versions(Version("new", {"user": new}), [old], MODE_OF[mode]).failures()

    assert failures(_user("1.1", maxLength=5)) == [
        "user: maxLength added at /properties/name/maxLength breaks BACKWARD against v1: needs a "
        "MAJOR version bump (x-version 1.0 -> 1.1)"
    ]
    assert failures(_user("2.0", maxLength=5)) == []
    assert failures(_user("1.0", minLength=0)) == [
        "user: minLength added at /properties/name/minLength changes what validates: needs a "
        "MINOR version bump (x-version still 1.0)"
    ]
    assert failures(_user("1.1", minLength=0)) == []
    assert failures({**_user("1.0"), "title": "User"}) == []
    assert failures(_user("1.1", maxLength=5), "FORWARD") == []
    assert failures(_user("1.1", maxLength=5), "NONE") == []


def test_transitive_modes_check_every_earlier_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BACKWARD looks at the latest version of a history; BACKWARD_TRANSITIVE at all of them.

    Here 1.1 tightened 1.0 without a MAJOR bump (say it was published in NONE mode) and the new
    1.2 loosens 1.1 but not back to 1.0: fine against the latest, not against the history."""
    history = tmp_path / "history"
    _write(history / "1.0", {"user": _user("1.0")})
    _write(history / "1.1", {"user": _user("1.1", maxLength=10)})
    current = _write(tmp_path / "now", {"user": _user("1.2", maxLength=20)})
    common = ["--against", str(history), "--schemas", str(current), "--json"]
    code, out, _ = _run([*common, "--mode", "BACKWARD"], capsys)
    assert (code, json.loads(out)["against"]) == (0, [str(history / "1.1")])
    code, out, _ = _run([*common, "--mode", "BACKWARD_TRANSITIVE"], capsys)
    report = json.loads(out)
    assert (code, report["against"]) == (1, [str(history / "1.0"), str(history / "1.1")])
    assert [s["verdict"] for s in report["schemas"]] == ["breaking", "compatible"]
    assert report["failures"] == [
        "user: maxLength added at /properties/name/maxLength breaks BACKWARD_TRANSITIVE against "
        f"{history / '1.0'}: needs a MAJOR version bump (x-version 1.0 -> 1.2)"
    ]
    code, out, _ = _run([*common, "--mode", "FORWARD_TRANSITIVE"], capsys)
    assert [s["verdict"] for s in json.loads(out)["schemas"]] == ["compatible", "breaking"]


def test_against_git_tags_and_refs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A git ref reads schemas/ as that commit had it; a tag pattern reads every matching tag in
    the transitive modes and the latest otherwise."""
    repo = _repo(tmp_path / "repo")
    _write(repo / "schemas", {"user": _user("1.0")})
    _commit(repo, "v1", tag="v1.0")
    _write(repo / "schemas", {"user": _user("2.0", maxLength=10)})
    _commit(repo, "v2", tag="v2.0")
    monkeypatch.chdir(repo)
    code, out, _ = _run(["--against", "HEAD"], capsys)
    assert (code, out.strip().splitlines()[-1]) == (
        0,
        "0 change(s) in 0 schema(s) against HEAD, mode BACKWARD: ok",
    )
    _write(repo / "schemas", {"user": _user("3.0", maxLength=5)})
    code, out, _ = _run(["--against", "v*", "--json"], capsys)
    assert (code, json.loads(out)["against"]) == (0, ["v2.0"])
    code, out, _ = _run(["--against", "v*", "--mode", "FORWARD_TRANSITIVE", "--json"], capsys)
    report = json.loads(out)
    assert (code, report["against"]) == (0, ["v1.0", "v2.0"])
    assert [s["verdict"] for s in report["schemas"]] == ["compatible", "compatible"]


def test_schemas_directory_kept_as_a_link_in_git(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """schemas/ may be a symbolic link into the package (the layout before the move): the
    default path reads the same at any commit."""
    repo = _repo(tmp_path / "repo")
    _write(repo / "src" / "pkg" / "schemas", {"user": _user("1.0")})
    (repo / "schemas").symlink_to(Path("src") / "pkg" / "schemas")
    _commit(repo, "linked")
    _write(repo / "src" / "pkg" / "schemas", {"user": _user("1.0", maxLength=3)})
    monkeypatch.chdir(repo / "src")
    code, out, _ = _run(["--against", "HEAD", "--json"], capsys)
    assert code == 1
    assert [c["kind"] for c in json.loads(out)["changes"]] == ["maxLength added"]


def test_installed_package_in_another_repository(tmp_path: Path) -> None:
    """From the installed package, in a repository that is not ours, with --schemas naming where
    the schemas live: nothing depends on this checkout."""
    repo = _repo(tmp_path / "elsewhere")
    _write(repo / "contracts", {"user": _user("1.0")})
    _commit(repo, "first")
    _write(repo / "contracts", {"user": _user("1.1", minLength=0)})
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    done = subprocess.run(
        [sys.executable, "-m", "baa_conductor", "compat", "--against", "HEAD", "--schemas",
         "contracts"],
        cwd=repo, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.strip().splitlines()[-1] == (
        "1 change(s) in 1 schema(s) against HEAD, mode BACKWARD: ok"
    )


@pytest.mark.parametrize(
    ("args", "in_repo", "message"),
    [
        (
            ["--against", "no-such-ref"],
            True,
            "--against 'no-such-ref': neither a directory nor a git ref (nor a tag pattern) in {repo}",
        ),
        (
            ["--against", "HEAD"],
            False,
            "--against 'HEAD': neither a directory nor a git ref ({repo} is not inside a git repository)",
        ),
        (["--against", "HEAD", "--schemas", "missing"], True, "--schemas missing: not a directory"),
        (
            ["--against", "HEAD", "--schemas", "{outside}"],
            True,
            "--schemas {outside}: not inside the repository at {repo}, so it has no history",
        ),
        (
            ["--against", "HEAD~5"],
            True,
            "--against 'HEAD~5': neither a directory nor a git ref (nor a tag pattern) in {repo}",
        ),
    ],
)
def test_input_errors_exit_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    in_repo: bool,
    message: str,
) -> None:
    """A baseline that cannot be found is exit 2 and one line saying why, never a traceback."""
    repo = tmp_path / "repo"
    outside = _write(tmp_path / "outside", {"user": _user("1.0")})
    if in_repo:
        _repo(repo)
        _write(repo / "schemas", {"user": _user("1.0")})
        _commit(repo, "first")
    else:
        repo.mkdir()
    monkeypatch.chdir(repo)
    fill = {"repo": str(repo.resolve()), "outside": str(outside)}
    code, out, err = _run([a.format(**fill) for a in args], capsys)
    assert (code, out, err) == (2, "", f"baa: error: {message.format(**fill)}\n")


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            {"type": "object", "required": True},
            "not valid JSON Schema (2020-12) at /required: True is not of type 'array'",
        ),
        ({"$ref": "other.schema.json"}, "at /: $ref 'other.schema.json' does not resolve"),
    ],
)
def test_schemas_that_cannot_be_compared_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], schema: Any, message: str
) -> None:
    """A schema its metaschema rejects, or a dangling $ref, is an input error, not a verdict."""
    current = _write(tmp_path / "now", {"user": schema})
    code, out, err = _run(["--against", str(BASELINE), "--schemas", str(current)], capsys)
    separator = ": " if message.startswith("not") else " "
    assert (code, out, err) == (
        2,
        "",
        f"baa: error: {current}: user.schema.json{separator}{message}\n",
    )


def test_output_table_and_github_annotations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table per changed schema for people; ::error lines on GitHub Actions (automatically)."""
    old = _write(tmp_path / "old", {"user": _user("1.0")})
    new = _write(tmp_path / "new", {"user": _user("1.1", maxLength=5)})
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    code, out, _ = _run(["--against", str(old), "--schemas", str(new)], capsys)
    assert code == 1
    assert "user 1.0 -> 1.1 (changed, against" in out
    assert "maxLength added" in out
    assert out.strip().splitlines()[-1] == (
        f"1 change(s) in 1 schema(s) against {old}, mode BACKWARD: FAIL"
    )
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = _run(["--against", str(old), "--schemas", str(new)], capsys)
    assert out.splitlines() == [
        f"::error file={new}/user.schema.json,line=1,title=baa compat BACKWARD%3A maxLength "
        "added::user /properties/name/maxLength: maxLength added (absent -> 5) is breaking for "
        f"BACKWARD against {old}; needs a MAJOR version bump (x-version 1.0 -> 1.1) (e.g. "
        '{"name": "0cq65zt4w_n6"} breaks backward)',
        f"1 change(s) in 1 schema(s) against {old}, mode BACKWARD: FAIL",
    ]


def test_the_command_offers_every_mode() -> None:
    """--mode lists exactly the checker's modes (spelled twice so --help imports nothing)."""
    from baa_conductor.cli.compat import MODES as OFFERED
    from baa_conductor.compat.modes import MODES

    assert OFFERED == MODES


def test_deeply_nested_schemas_are_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A change 150 objects deep is found (the walk is recursive; the limit is raised for it)."""

    def nested(leaf: str) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": leaf}
        for _ in range(150):
            schema = {"type": "object", "properties": {"a": schema}}
        return {"x-version": "1.0", **schema}

    old = _write(tmp_path / "old", {"deep": nested("object")})
    new = _write(tmp_path / "new", {"deep": nested("string")})
    code, out, _ = _run(["--against", str(old), "--schemas", str(new), "--json"], capsys)
    assert code == 1
    [change] = json.loads(out)["changes"]
    assert (change["pointer"], change["kind"]) == ("/properties/a" * 150 + "/type", "type changed")


def test_a_ref_swapped_for_a_narrower_inline_schema_fails_the_schema_that_holds_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """run-state-snapshot's status $ref replaced by an inline enum without one value: the change
    is run-state-snapshot's own (run-status did not change), so run-state-snapshot fails."""
    changed = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, changed)
    statuses = json.loads((SCHEMAS / "run-status.schema.json").read_text())["enum"]
    path = changed / "run-state-snapshot.schema.json"
    schema: dict[str, Any] = json.loads(path.read_text())
    schema["properties"]["status"] = {"enum": [s for s in statuses if s != "blocked"]}
    path.write_text(json.dumps(schema))
    code, out, _ = _run(["--against", str(SCHEMAS), "--schemas", str(changed), "--json"], capsys)
    report = json.loads(out)
    version = schema["x-version"]
    assert (code, report["failures"]) == (
        1,
        [
            "run-state-snapshot: enum value removed at /properties/status/enum breaks BACKWARD "
            f"against {SCHEMAS}: needs a MAJOR version bump (x-version still {version})",
            f"VERSION: {CONTRACT} -> {CONTRACT}, but run-state-snapshot changed: needs a MAJOR "
            f"bump (to {NEXT_MAJOR})",
        ],
    )
    [change] = [c for c in report["changes"] if c["schema"] == "run-state-snapshot"]
    assert (change["pointer"], change["kind"], change["detail"], change["via"]) == (
        "/properties/status/enum",
        "enum value removed",
        '-"blocked"',
        None,
    )


def test_a_breaking_change_in_a_referenced_file_is_reported_once_where_it_lives() -> None:
    """A breaking change in a referenced file that is checked in the same run fails that file,
    not again every schema that refers to it."""
    ts = {"x-version": "1.0", "type": "string"}
    user = {"x-version": "1.0", "properties": {"at": {"$ref": "ts.schema.json"}}}
    narrower = {**ts, "maxLength": 3}
    old = Version("v1", {"user": user, "ts": ts})
    both = compare_versions(Version("new", {"user": user, "ts": narrower}), [old], MODE_OF["FULL"])
    assert both.failures() == [
        "ts: maxLength added at /maxLength breaks FULL against v1: needs a MAJOR version bump "
        "(x-version still 1.0)"
    ]
