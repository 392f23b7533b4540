"""Every validator gives one verdict: each Python backend and the TypeScript package, on every fixture."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import independent
import pytest
import typescript
from conftest import INVALID, VALID
from helpers import make_request

from baa_conductor import _wire, validation

# JSON.parse rounds integers beyond 2^53 before any validator sees them (schemas/README.md,
# "What no schema can state"): the one fixture whose verdict JavaScript cannot reach.
JAVASCRIPT_CANNOT_AGREE = {"structured-data/integer-beyond-64-bits"}


def _cases() -> list[tuple[str, str, Any, bool]]:
    cases = [(p.id, p.values[0], p.values[1], True) for p in VALID]
    cases += [(p.id, p.values[0], p.values[1]["instance"], False) for p in INVALID]
    return cases


@pytest.fixture(scope="module")
def typescript_verdicts() -> dict[str, bool]:
    """Every fixture through the TypeScript package's validator, in one node process."""
    cases = _cases()
    lines = "".join(
        f'{{"schema": {json.dumps(schema)}, "instance": {independent.json_text(instance)}}}\n'
        for _, schema, instance, _ in cases
    )
    done = typescript.run(lines)
    assert done.returncode == 0, done.stderr
    verdicts = done.stdout.split()
    assert len(verdicts) == len(cases), done.stderr
    return {
        case_id: verdict == "true" for (case_id, *_), verdict in zip(cases, verdicts, strict=True)
    }


@pytest.mark.parametrize(
    ("case_id", "schema", "instance", "expected"), _cases(), ids=[c[0] for c in _cases()]
)
def test_every_backend_and_typescript_agree(
    case_id: str, schema: str, instance: Any, expected: bool, typescript_verdicts: dict[str, bool]
) -> None:
    """No validator, in either language, accepts what another refuses, and none crashes."""
    verdicts: dict[str, bool] = {
        b: validation.is_valid(schema, instance, backend=b) for b in validation.BACKENDS
    }
    verdicts["typescript"] = typescript_verdicts[case_id]
    if case_id in JAVASCRIPT_CANNOT_AGREE:
        assert verdicts.pop("typescript") != expected
    assert set(verdicts.values()) == {expected}, verdicts


def test_typescript_says_what_python_says_on_every_invalid_fixture() -> None:
    """Both bindings report the fixture's violations, word for word, one per problem."""
    cases = [p for p in INVALID if p.id not in JAVASCRIPT_CANNOT_AGREE]
    lines = "".join(
        f'{{"schema": {json.dumps(p.values[0])}, "instance": '
        f"{independent.json_text(p.values[1]['instance'])}}}\n"
        for p in cases
    )
    done = typescript.run(lines, "--errors")
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.split("\n")[:-1]]
    said = {p.id: [f"{e['pointer'] or '/'}: {e['message']}" for e in r["errors"]]
            for p, r in zip(cases, results, strict=True)}  # fmt: skip
    expected = {p.id: p.values[1]["violations"] for p in cases}
    assert said == expected


def test_the_javascript_exception_is_still_one() -> None:
    """The documented exception names a fixture that exists (so the list cannot go stale)."""
    ids = {c[0] for c in _cases()}
    assert ids >= JAVASCRIPT_CANNOT_AGREE


# The cross-check: validators that know only the schema files against the package, on fixtures,
# the files of real runs and mutants of both (schemas/README.md, "What a schema cannot say").


def _real_runs(tmp: Path) -> list[tuple[str, Any]]:
    """(schema, document) of every file of three real runs, their requests and envelopes: a shell
    step with output that is not UTF-8, a git_diff checkpoint in a repository, a codex step."""
    from baa_conductor.executors import CodexExecutor, ShellExecutor
    from baa_conductor.paths import checkpoint_records, schema_of_path
    from baa_conductor.runner import envelope_dict, run_step

    repo = tmp / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    fake = Path(__file__).parent / "fake_codex.py"
    on_repo = {"repoRoot": str(repo), "worktreePath": str(repo)}
    steps = [
        (make_request(tmp, "run-shell", command="printf 'caf\\351\\n'; echo e >&2; exit 3"),
         ShellExecutor()),
        (make_request(tmp, "run-git", command="echo new > f.txt", runtime=on_repo,
                      checkpoint={"mode": "git_diff"}), ShellExecutor()),
        (make_request(tmp, "run-codex", workerKind="codex", stepKind="codex", prompt="fix it",
                      runtime={**on_repo, "env": {"FAKE_CODEX_SCENARIO": "success"}}),
         CodexExecutor(binary=str(fake))),
    ]  # fmt: skip
    documents: list[tuple[str, Any]] = []
    for request, executor in steps:
        envelope = envelope_dict(run_step(request, executor))
        documents += [("step-execution-request", request), ("step-execution-result", envelope)]
        run_dir = Path(envelope["logPaths"]["runDir"])
        files = [*(run_dir / f for f in ("meta.json", "state.json", "worker.log", "stdout.log",
                                         "stderr.log")),
                 *map(Path, checkpoint_records(str(run_dir)))]  # fmt: skip
        for path in files:
            schema = schema_of_path(str(path))
            assert schema is not None
            text = path.read_text("utf-8")
            lines = text.split("\n") if path.suffix == ".log" else [text]
            documents += [(schema, json.loads(line)) for line in lines if line]
        activity = run_dir / "artifacts" / "agent-activity.json"
        if activity.exists():
            documents.append(("agent-activity", json.loads(activity.read_text("utf-8"))))
    kinds = Counter(schema for schema, _ in documents)
    assert kinds["checkpoint-record"] > 0, kinds
    assert kinds["agent-activity"] > 0, kinds
    return documents


FREE_FORM_BIG_INTEGER = "integer beyond 64 bits in a free-form value"
PYTHON_DOLLAR = "the jsonschema library's $ (Python re) before a final newline"


def _at(instance: Any, pointer: str, value: Any) -> Any:
    """``instance`` with the value at a JSON pointer replaced."""
    if not pointer:
        return value
    head, _, rest = pointer[1:].partition("/")
    key = head.replace("~1", "/").replace("~0", "~")
    tail = "/" + rest if rest else ""
    if isinstance(instance, list):
        return [_at(v, tail, value) if i == int(key) else v for i, v in enumerate(instance)]
    return {k: (_at(v, tail, value) if k == key else v) for k, v in instance.items()}


class CrossCheck:
    """Every instance with each validator's verdict."""

    def __init__(self, cases: list[tuple[str, str, str]]):
        self.cases = cases  # (where it came from, schema, JSON text)
        self.instances = [json.loads(text) for _, _, text in cases]
        pairs = [(schema, text) for _, schema, text in cases]
        self.package = [
            validation.is_valid(s, i) for (_, s, _), i in zip(cases, self.instances, strict=True)
        ]
        self.verdicts: dict[str, list[independent.Verdict]] = {
            "typescript package": list(independent.package_typescript_verdicts(pairs)),
            "ajv (strict, ajv-formats)": independent.ajv_verdicts(pairs),
        }
        checks = {"jsonschema": independent.jsonschema_library(),
                  "jsonschema-rs": independent.jsonschema_rs()}  # fmt: skip
        for name, check in checks.items():
            if check is not None:
                self.verdicts[name] = [
                    check(s, i) for (_, s, _), i in zip(cases, self.instances, strict=True)
                ]
        self._ecma = independent.jsonschema_library(ecma_dollar=True)

    def disagreements(self, validator: str) -> Counter[str]:
        """How many instances ``validator`` judges otherwise than the package, by why: an
        unstateable rule, the jsonschema library's reading of ``$``, or "unexplained"."""
        why: Counter[str] = Counter()
        for (origin, schema, _), instance, ours, theirs in zip(
            self.cases, self.instances, self.package, self.verdicts[validator], strict=True
        ):
            if theirs == ours:
                continue
            broken = _wire.broken_rule(instance)
            rule = None if broken is None else broken[0]
            if broken is not None and rule == _wire.BIG_INTEGER:
                # Unstateable only where the schema lets any value be: a free-form value. Where it
                # wants a number, a bound would have said it.
                free = self._ecma(schema, _at(instance, broken[1].pointer, "any string")) is True
                rule = FREE_FORM_BIG_INTEGER if free else None
            if rule is not None:
                why[rule] += 1
            elif isinstance(theirs, str) and "RecursionError" in theirs:
                why[_wire.TOO_DEEP] += 1  # the library recurses deeper than Python's default limit
            elif validator == "jsonschema" and self._ecma(schema, instance) == ours:
                why[PYTHON_DOLLAR] += 1
            else:
                why[f"unexplained: {origin} ({schema}) -> {theirs}, package {ours}"] += 1
        return why


@pytest.fixture(scope="module")
def cross_check(tmp_path_factory: pytest.TempPathFactory) -> CrossCheck:
    bases = [(f"fixture {p.id}", p.values[0], p.values[1]) for p in VALID]
    bases += [(f"run file {s}", s, d) for s, d in _real_runs(tmp_path_factory.mktemp("runs"))]
    cases: dict[tuple[str, str], str] = {}
    for origin, schema, instance in bases:
        cases.setdefault((schema, independent.json_text(instance)), origin)
    for p in INVALID:
        cases.setdefault(
            (p.values[0], independent.json_text(p.values[1]["instance"])), f"fixture {p.id}"
        )
    seen: set[tuple[str, str]] = set()  # a change at one place of one schema is made once
    for origin, schema, instance in bases:
        for change, mutant in independent.mutants(instance):
            if (schema, change) not in seen:
                seen.add((schema, change))
                cases.setdefault((schema, independent.json_text(mutant)), f"{origin}: {change}")
    return CrossCheck([(origin, schema, text) for (schema, text), origin in cases.items()])


# What may explain a validator's disagreement with the package: for validators given only the
# schemas, the rules schemas/README.md lists as unstateable; the jsonschema library also reads `$`
# as Python's re does; the TypeScript package cannot see integers that JSON.parse has rounded.
ALLOWED = {
    "typescript package": {FREE_FORM_BIG_INTEGER},
    "ajv (strict, ajv-formats)": {*_wire.RULES, FREE_FORM_BIG_INTEGER} - {_wire.BIG_INTEGER},
    "jsonschema": {*_wire.RULES, FREE_FORM_BIG_INTEGER, PYTHON_DOLLAR} - {_wire.BIG_INTEGER},
    "jsonschema-rs": {*_wire.RULES, FREE_FORM_BIG_INTEGER} - {_wire.BIG_INTEGER},
}


@pytest.mark.parametrize("validator", sorted(ALLOWED))
def test_validators_given_only_the_schemas_agree_with_the_package(
    validator: str, cross_check: CrossCheck
) -> None:
    """A consumer with only the schema files and a standard validator gets the package's verdict on
    every fixture, real run file and mutant, except where schemas/README.md says no schema can."""
    if validator not in cross_check.verdicts:
        pytest.skip(f"{validator} is not installed")
    why = cross_check.disagreements(validator)
    assert set(why) <= ALLOWED[validator], why


def test_the_cross_check_covers_integer_edges_in_every_integer_field(
    cross_check: CrossCheck,
) -> None:
    """Mutants put 1e30, 2^53, 2^53-1 and -2^53 into integer fields; the checks above cannot pass
    vacuously (thousands of instances, both verdicts)."""
    texts = [text for _, _, text in cross_check.cases]
    for edge in ("1e+30", str(2**53), str(2**53 - 1), str(-(2**53))):
        assert sum(f": {edge}," in t or f": {edge}}}" in t for t in texts) > 50, edge
    assert len(cross_check.cases) > 3000
    assert Counter(cross_check.package)[True] > 500
    assert Counter(cross_check.package)[False] > 2000


def test_the_unstateable_rules_are_listed_in_the_schemas_readme() -> None:
    """Every rule that may explain a disagreement is named in schemas/README.md."""
    readme = (Path(__file__).parent.parent / "schemas" / "README.md").read_text("utf-8")
    section = readme.split("## What no schema can state", 1)[1].split("\n## ", 1)[0]
    for rule in {*_wire.RULES, FREE_FORM_BIG_INTEGER} - {_wire.BIG_INTEGER}:
        assert rule in section, rule


def test_both_bindings_give_the_same_violations_on_every_mutant(cross_check: CrossCheck) -> None:
    """Every instance the package refuses gets the same violations, word for word, from Python and
    from TypeScript (except big integers in free-form values, which JavaScript cannot see)."""
    refused = [
        (case, instance)
        for case, instance, ours in zip(
            cross_check.cases, cross_check.instances, cross_check.package, strict=True
        )
        if not ours and (_wire.broken_rule(instance) or ("",))[0] != _wire.BIG_INTEGER
    ]
    lines = "".join(f'{{"schema": {json.dumps(s)}, "instance": {t}}}\n' for (_, s, t), _ in refused)
    done = typescript.run(lines, "--errors")
    assert done.returncode == 0, done.stderr
    differ = []
    for ((origin, schema, _), instance), line in zip(
        refused, done.stdout.split("\n")[:-1], strict=True
    ):
        theirs = [f"{e['pointer'] or '/'}: {e['message']}" for e in json.loads(line)["errors"]]
        ours = [str(v) for v in validation.violations(schema, instance)]
        if theirs != ours:
            differ.append((origin, ours, theirs))
    assert len(refused) > 2000
    assert differ == []


# What a consumer reads, exactly, from either binding: one violation per problem, in words.
MESSAGES = [
    ("timestamp", "2026-13-01T00:00:00Z", ["/: not an RFC 3339 date-time: month 13"]),
    ("timestamp", "2026-00-01T00:00:00Z", ["/: not an RFC 3339 date-time: month 00"]),
    ("timestamp", "2026-02-29T00:00:00Z", ["/: not an RFC 3339 date-time: February 2026 has no day 29"]),
    ("timestamp", "2026-04-31T00:00:00Z", ["/: not an RFC 3339 date-time: April 2026 has no day 31"]),
    ("timestamp", "2026-01-01T24:00:00Z", ["/: not an RFC 3339 date-time: hour 24"]),
    ("timestamp", "2026-01-01T10:60:00Z", ["/: not an RFC 3339 date-time: minute 60"]),
    ("timestamp", "2026-01-01T10:00:61Z", ["/: not an RFC 3339 date-time: second 61"]),
    ("timestamp", "2026-01-01T10:00:60Z",
     ["/: not an RFC 3339 date-time: a leap second only as 23:59:60 in UTC (Z, +00:00 or -00:00)"]),
    ("timestamp", "2026-01-01T10:00:00+24:00", ["/: not an RFC 3339 date-time: offset hour 24"]),
    ("timestamp", "2026-01-01T10:00:00.1234567890Z",
     ["/: not an RFC 3339 date-time: more than 9 digits of fraction"]),
    ("timestamp", "2026-01-01T10:00:00", ["/: not an RFC 3339 date-time: no time zone (Z or ±hh:mm)"]),
    ("timestamp", "2026-01-01t10:00:00z", ["/: not an RFC 3339 date-time: T and Z must be upper-case"]),
    ("timestamp", "2026-01-01 10:00:00Z",
     ["/: not an RFC 3339 date-time: the date and the time must be joined by T"]),
    ("timestamp", "2026-01-01T10:00:00Z ",
     ['/: not an RFC 3339 date-time: unexpected " " after the time zone']),
    ("timestamp", "yesterday",
     ["/: not an RFC 3339 date-time: expected YYYY-MM-DDThh:mm:ss, a fraction if any, then Z or ±hh:mm"]),
    ("timestamp", 5, ["/: must be a string"]),
    ("run-identifier", "", ["/: not a valid id: empty"]),
    ("run-identifier", "-x", ["/: not a valid id: must start with an ASCII letter or digit"]),
    ("run-identifier", "a b", ['/: not a valid id: " " is not allowed (only ASCII letters, digits, ".", "_" and "-")']),
    ("run-identifier", "x" * 129, ["/: not a valid id: longer than 128 characters (129)"]),
    ("structured-data", {"n": float("inf")}, ["/n: not a JSON number (NaN and Infinity are not)"]),
    ("structured-data", {"s": "\ud800"}, ["/s: string holds a lone surrogate (not valid Unicode)"]),
    ("run-status", "done",
     ['/: must be one of "prepared", "running", "completed", "failed", "blocked", "cancelled"']),
    ("local-run-log-context", {"taskId": "T", "stepId": "s", "runId": "r", "x": 1, "y/z": 2},
     ["/x: unknown property", "/y~1z: unknown property"]),
    ("local-run-log-context", {"taskId": "T"},
     ["/runId: required property is missing", "/stepId: required property is missing"]),
]  # fmt: skip


SAFE = "9007199254740991 (2^53 - 1, the largest integer JavaScript reads exactly)"


def _line(**changes: Any) -> tuple[str, Any]:
    line = next(p.values[1] for p in VALID if p.values[0] == "worker-log-line")
    return "worker-log-line", {**line, **changes}


# Integers beyond JavaScript's safe integers, where the schema bounds them: the bound's message,
# from Python (which reads 10^30 exactly) and from JavaScript (which reads it rounded) alike.
MESSAGES += [
    (*_line(seq=2**53), [f"/seq: must be at most {SAFE}"]),
    (*_line(seq=10**30), [f"/seq: must be at most {SAFE}"]),
    (*_line(seq=1e30), [f"/seq: must be at most {SAFE}"]),
    (*_line(seq=-(2**53)), ["/seq: must be at least 1"]),
]


@pytest.mark.parametrize(("schema", "instance", "expected"), MESSAGES)
def test_python_says_exactly(schema: str, instance: Any, expected: list[str]) -> None:
    """The Python binding's violations, word for word."""
    assert [str(v) for v in validation.violations(schema, instance)] == expected


def test_typescript_says_exactly() -> None:
    """The TypeScript binding's violations, word for word: the same table."""
    lines = "".join(
        f'{{"schema": {json.dumps(s)}, "instance": {independent.json_text(i)}}}\n'
        for s, i, _ in MESSAGES
    )
    done = typescript.run(lines, "--errors")
    assert done.returncode == 0, done.stderr
    said = [[f"{e['pointer'] or '/'}: {e['message']}" for e in json.loads(line)["errors"]]
            for line in done.stdout.split("\n")[:-1]]  # fmt: skip
    assert said == [expected for _, _, expected in MESSAGES]


def test_a_big_integer_in_a_free_form_value_is_refused_by_python_alone() -> None:
    """Where no schema bounds it, only the Python rule refuses an integer beyond 64 bits;
    JavaScript has read it rounded, and accepts it (schemas/README.md lists the case)."""
    assert [str(v) for v in validation.violations("structured-data", {"n": 2**64})] == [
        "/n: integer beyond 64 bits"
    ]
    assert typescript.verdicts([("structured-data", {"n": 2**64})]) == [True]


def _timestamps() -> list[str]:
    """Timestamps near every edge of the rule: each field over and past its range, years that
    are and are not leap years, offsets, fractions, case and separators."""
    found = [f"{y}-02-{d}T00:00:00Z" for y in ("0000", "1900", "2000", "2024", "2026")
             for d in ("28", "29", "30")]  # fmt: skip
    found += [
        f"2026-{m:02}-{d:02}T00:00:00Z" for m in range(14) for d in (0, 1, 28, 29, 30, 31, 32)
    ]
    found += [f"2026-12-31T{h:02}:{mi:02}:{s:02}{z}" for h in (0, 22, 23, 24) for mi in (0, 59, 60)
              for s in (0, 59, 60, 61) for z in ("Z", "+00:00", "-00:00", "+01:00")]  # fmt: skip
    found += [f"2026-01-01T00:00:00{z}" for z in ("+23:59", "-24:00", "+05:60", "z", "", "+0100")]
    found += [f"2026-01-01T00:00:00.{'1' * n}Z" for n in range(11)]
    found += ["2026-01-01t00:00:00Z", "2026-01-01 00:00:00Z", "2026-1-01T00:00:00Z", "", "T", " ",
              "2026-01-01T00:00:00Z\n", "2026-01-01T00:00:00ZZ", "٢٠٢٦-01-01T00:00:00Z"]  # fmt: skip
    return found


def test_both_bindings_diagnose_every_timestamp_and_id_alike() -> None:
    """The diagnosis is written twice (Python and TypeScript); on every edge of the timestamp and
    id rules the two give the same verdict and the same words."""
    ids = [
        "",
        "a",
        "-a",
        ".a",
        "a" * 128,
        "a" * 129,
        "a..b",
        "a/b",
        "a\\b",
        "é",
        "a\u2028",
        "a\x7f",
    ]
    cases = [("timestamp", t) for t in _timestamps()] + [("run-identifier", i) for i in ids]
    lines = "".join(json.dumps({"schema": s, "instance": i}) + "\n" for s, i in cases)
    done = typescript.run(lines, "--errors")
    assert done.returncode == 0, done.stderr
    theirs = [[f"{e['pointer'] or '/'}: {e['message']}" for e in json.loads(line)["errors"]]
              for line in done.stdout.split("\n")[:-1]]  # fmt: skip
    ours = [[str(v) for v in validation.violations(s, i)] for s, i in cases]
    assert len(cases) > 250
    assert [c for c, o, t in zip(cases, ours, theirs, strict=True) if o != t] == []
    assert sum(o == [] for o in ours) > 30  # valid ones among them, not only refusals
