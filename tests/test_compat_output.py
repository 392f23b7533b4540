"""``baa compat`` where CI meets it: GitHub annotations at the file and line of each change, a JSON
error object on exit 2, modes in any case, a table within 100 columns, the bump each failure
needs (schemas and schemas/VERSION), and a Markdown contract changelog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from baa_conductor import cli


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["compat", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _write(directory: Path, schemas: dict[str, Any], version: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        (directory / f"{name}.schema.json").write_text(json.dumps(schema, indent=2) + "\n")
    if version is not None:
        (directory / "VERSION").write_text(version + "\n")
    return directory


def _user(version: str, **name: Any) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "x-version": version,
        "type": "object",
        "properties": {"name": {"type": "string", **name}, "at": {"$ref": "ts.schema.json"}},
        "additionalProperties": False,
    }


TS = {"x-version": "1.0", "type": "string"}


def test_github_annotations_one_per_change_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two real changes, two annotations, each at the line of the changed keyword; a change in a
    referenced file is annotated once, in that file, not again at every schema using it."""
    old = _write(tmp_path / "old", {"user": _user("1.0"), "ts": TS})
    new = _write(
        tmp_path / "new",
        {"user": _user("1.0", maxLength=5), "ts": {**TS, "minLength": 1}},
    )
    code, out, _ = _run(
        ["--against", str(old), "--schemas", str(new), "--format", "github"], capsys
    )
    lines = out.splitlines()
    assert code == 1
    assert len(lines) == 3, out

    def line(name: str, keyword: str) -> int:
        text = (new / f"{name}.schema.json").read_text().splitlines()
        return next(i for i, line in enumerate(text, 1) if keyword in line)

    assert lines[0].startswith(
        f"::error file={new}/ts.schema.json,line={line('ts', 'minLength')},"
        "title=baa compat BACKWARD%3A minLength added::ts /minLength: minLength added"
    )
    assert lines[1].startswith(
        f"::error file={new}/user.schema.json,line={line('user', 'maxLength')},"
        "title=baa compat BACKWARD%3A maxLength added::user /properties/name/maxLength"
    )
    assert lines[1].endswith(
        'needs a MAJOR version bump (x-version still 1.0) (e.g. {"name": "cq65zt"} breaks backward)'
    )
    assert lines[2].endswith("mode BACKWARD: FAIL")


def test_input_errors_in_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 2: one line on stderr, and with --json a JSON error object, with --format github an
    annotation at the file at fault."""
    old = _write(tmp_path / "old", {"user": _user("1.0"), "ts": TS})
    new = tmp_path / "new"
    new.mkdir()
    (new / "user.schema.json").write_text('{"type": "object",\n "properties": ')
    message = f"{new / 'user.schema.json'}: not JSON (Expecting value: line 2 column 16 (char 34))"
    code, out, err = _run(["--against", str(old), "--schemas", str(new), "--json"], capsys)
    assert (code, err) == (2, f"baa: error: {message}\n")
    assert json.loads(out) == {
        "error": {"message": message, "file": str(new / "user.schema.json")},
        "ok": False,
    }
    code, out, err = _run(
        ["--against", str(old), "--schemas", str(new), "--format", "github"], capsys
    )
    assert (code, out) == (
        2,
        f"::error file={new / 'user.schema.json'},title=baa compat%3A cannot compare::{message}\n",
    )


@pytest.mark.parametrize("mode", ["backward", "Forward", "full_transitive", "none"])
def test_modes_in_any_case(tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str) -> None:
    """--mode backward is BACKWARD."""
    old = _write(tmp_path / "old", {"ts": TS})
    code, out, _ = _run(
        ["--against", str(old), "--schemas", str(old), "--mode", mode, "--json"], capsys
    )
    assert (code, json.loads(out)["mode"]) == (0, mode.upper())


def test_the_table_fits_100_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Long pointers and long details are cut to fit; the verdicts stay whole."""
    deep: dict[str, Any] = {"type": "string", "enum": [f"value-{i}" * 4 for i in range(30)]}
    for name in ("configuration", "environment", "variables", "definitions"):
        deep = {"type": "object", "properties": {name: deep}}
    narrower = json.loads(json.dumps(deep).replace('"value-29', '"other-29'))
    old = _write(tmp_path / "old", {"s": {"x-version": "1.0", **deep}})
    new = _write(tmp_path / "new", {"s": {"x-version": "1.0", **narrower}})
    code, out, _ = _run(["--against", str(old), "--schemas", str(new)], capsys)
    table = [line for line in out.splitlines() if not line.startswith(("error:", "e.g."))]
    assert code == 1
    assert max(len(line) for line in table[:4]) <= 100, out
    assert table[2].rstrip().endswith("breaking")


def test_the_table_shows_the_data_that_breaks_each_failing_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row's detail is cut to fit, so the witness of each change that fails the mode follows
    the table on a line of its own, whole; a change that passes the mode shows none."""
    levels = [f"level-{i:02}-with-a-long-name" for i in range(20)]
    schema = {"x-version": "1.0", "type": "object", "properties": {"level": {"enum": levels}}}
    fewer = {**schema, "properties": {"level": {"enum": levels[:-1]}}}
    old = _write(tmp_path / "old", {"s": schema})
    new = _write(tmp_path / "new", {"s": fewer})
    code, out, _ = _run(["--against", str(old), "--schemas", str(new)], capsys)
    [example] = [line for line in out.splitlines() if line.startswith("e.g.")]
    assert code == 1
    assert (
        example == 'e.g. backward, /properties/level/enum: {"level": "level-19-with-a-long-name"}'
    )
    _, out, _ = _run(["--against", str(old), "--schemas", str(new), "--mode", "FORWARD"], capsys)
    assert [line for line in out.splitlines() if line.startswith("e.g.")] == []


def test_a_value_that_reads_the_same_says_what_changed_around_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``additionalProperties: false`` whose names changed, and a pattern property's ``$ref``
    whose target changed, read the same on both sides: the detail says so, not ``X -> X``."""

    def spec(pattern: str, limit: int) -> dict[str, Any]:
        return {
            "x-version": "1.0",
            "properties": {"tags": {"patternProperties": {"^t-": {"$ref": "#/$defs/tag"}}}},
            "patternProperties": {pattern: {}},
            "additionalProperties": False,
            "$defs": {"tag": {"type": "string", "maxLength": limit}},
        }

    old = _write(tmp_path / "old", {"s": spec("^x-", 10)})
    new = _write(tmp_path / "new", {"s": spec("^y-", 5)})
    _, out, _ = _run(["--against", str(old), "--schemas", str(new), "--json"], capsys)
    details = {c["pointer"]: c["detail"] for c in json.loads(out)["changes"]}
    assert details["/additionalProperties"] == (
        "false, the same here: the names it applies to changed"
    )
    assert details["/properties/tags/patternProperties/^t-"] == (
        '{"$ref": "#/$defs/tag"}, the same here: what it refers to changed'
    )


def test_contract_version_moves_with_the_schemas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """schemas/VERSION must move as far as the schemas' changes ask, and the failure says how."""
    old = _write(tmp_path / "old", {"user": _user("1.0"), "ts": TS}, "2.1.0")
    added = {"user": _user("1.1"), "ts": TS, "extra": TS}
    same = _write(tmp_path / "same", added, "2.1.0")
    code, out, _ = _run(["--against", str(old), "--schemas", str(same), "--json"], capsys)
    assert (code, json.loads(out)["failures"]) == (
        1,
        ["VERSION: 2.1.0 -> 2.1.0, but extra was added: needs a MINOR bump (to 2.2.0)"],
    )
    moved = _write(tmp_path / "moved", added, "2.2.0")
    code, out, _ = _run(["--against", str(old), "--schemas", str(moved)], capsys)
    assert code == 0, out
    described = _write(
        tmp_path / "described", {"user": {**_user("1.0"), "title": "A user"}, "ts": TS}, "2.1.0"
    )
    code, out, _ = _run(["--against", str(old), "--schemas", str(described), "--json"], capsys)
    assert json.loads(out)["failures"] == [
        "VERSION: 2.1.0 -> 2.1.0, but user changed: needs a PATCH bump (to 2.1.1)"
    ]


def test_markdown_contract_changelog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--format markdown: each changed schema with its changes and both verdicts, for consumers."""
    old = _write(tmp_path / "old", {"user": _user("1.0"), "ts": TS}, "1.0.0")
    new = _write(
        tmp_path / "new",
        {"user": {**_user("2.0", maxLength=5), "title": "A user"}, "ts": {**TS, "title": "t"}},
        "2.0.0",
    )
    code, out, _ = _run(
        ["--against", str(old), "--schemas", str(new), "--format", "MARKDOWN"], capsys
    )
    assert code == 0
    assert out == (
        f"# Contract changes against {old}\n"
        "\n"
        f"Contract version 1.0.0 -> 2.0.0 (against {old}).\n"
        "\n"
        "## `ts` 1.0 -> 1.0 (annotations only)\n"
        "\n"
        "Descriptions and other annotations only: nothing that validates changed.\n"
        "\n"
        "## `user` 1.0 -> 2.0 (changed)\n"
        "\n"
        "| where | change | detail | BACKWARD | FORWARD |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| `/properties/name/maxLength` | maxLength added | absent -> 5 (e.g. "
        '{"name": "cq65zt"} breaks backward) | breaking | compatible |\n'
        "\n"
        f"1 change(s) in 1 schema(s) against {old}, mode BACKWARD: ok\n"
    )


def test_a_breaking_verdict_carries_its_witness(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A changed pattern cannot be judged by rule ("cannot tell"); with an instance the old
    schema accepts and the new one rejects (drawn from the old pattern), it is breaking, and the
    report shows the instance."""
    old = _write(tmp_path / "old", {"id": {"type": "string", "pattern": "^a[0-9]+$"}})
    new = _write(tmp_path / "new", {"id": {"type": "string", "pattern": "^b"}})
    code, out, _ = _run(["--against", str(old), "--schemas", str(new), "--json"], capsys)
    [change] = json.loads(out)["changes"]
    assert (code, change["kind"], change["backward"], change["forward"]) == (
        1,
        "pattern changed",
        "breaking",
        "breaking",
    )
    assert change["witness"] == {"backward": "a6048", "forward": "b"}
