"""Sessions: `nox` runs the checks CI runs; `nox -s codegen` and `nox -s bench` on demand."""

from __future__ import annotations

import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["lint", "typecheck", "check_generated", "tests", "compat", "ts"]

PYTHON = "3.11"
# The npm tooling that generates and tests the TypeScript binding.
TS_TOOLS = "tools/typescript"


def install(session: nox.Session) -> None:
    session.install("-e", ".[dev]")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite (pass pytest arguments after --)."""
    install(session)
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install("ruff==0.17.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over src/, tests/, bench/, tools/ and this file."""
    install(session)
    session.run("mypy")


@nox.session(python=PYTHON)
def codegen(session: nox.Session) -> None:
    """Regenerate both bindings in generated/ (Python, TypeScript) from schemas/."""
    install(session)
    session.run("python", "tools/codegen.py")
    if shutil.which("npm"):
        session.run("npm", "ci", "--prefix", TS_TOOLS, external=True)
        session.run("npm", "run", "--prefix", TS_TOOLS, "generate", external=True)


@nox.session(python=PYTHON)
def check_generated(session: nox.Session) -> None:
    """Fail when the Python binding in generated/ differs from what schemas/ produce."""
    install(session)
    session.run("python", "tools/codegen.py", "--check")


@nox.session(python=PYTHON)
def compat(session: nox.Session) -> None:
    """Compare schemas/ with the committed baseline; exit 1 on an unversioned breaking change."""
    install(session)
    session.run("baa", "compat", "--against", "tests/compat/baseline", *session.posargs)


@nox.session(python=PYTHON)
def ts(session: nox.Session) -> None:
    """The npm package in generated/typescript: in step with schemas/, packed, installed, tested.

    A scratch project installs the tarball, type-checks a consumer (tsc --strict, NodeNext) and
    validates a real run with it. The release tarball is left in dist/ (docs/releasing.md).
    """
    install(session)
    session.run("npm", "ci", "--prefix", TS_TOOLS, external=True)
    session.run("npm", "run", "--prefix", TS_TOOLS, "check-generated", external=True)
    Path("dist").mkdir(exist_ok=True)
    session.run(
        "npm", "pack", "--pack-destination", "dist", "./generated/typescript", external=True
    )
    session.run("npm", "run", "--prefix", TS_TOOLS, "typecheck", external=True)
    session.run(
        "npm",
        "test",
        "--prefix",
        TS_TOOLS,
        external=True,
        env={"BAA_PYTHON": f"{session.bin}/python"},
    )


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks: ratios against baselines measured in the same run, into docs/benchmarks.md."""
    install(session)
    session.install("matplotlib")
    session.run("npm", "ci", "--prefix", TS_TOOLS, external=True)
    session.run("python", "-m", "bench", *session.posargs)


@nox.session(python=PYTHON)
def soak(session: nox.Session) -> None:
    """The fault suite with 500 SIGKILLed runs instead of 50."""
    install(session)
    session.run(
        "pytest", "tests/test_faults.py", "-s", *session.posargs, env={"BAA_FAULT_RUNS": "500"}
    )


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Build sdist and wheel and check their metadata."""
    session.install("build", "twine")
    session.run("python", "-m", "build", "--outdir", "dist")
    session.run("twine", "check", "--strict", *map(str, Path("dist").glob("*")))
