"""The npm package @baa-conductor/contracts as a command: verdicts, violations, usage errors, depth."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import typescript

ROOT = Path(__file__).parent.parent


def test_the_command_lists_every_violation_with_its_pointer() -> None:
    """With --errors each line is validate()'s result: every violation, with its JSON pointer."""
    line = json.dumps({"schema": "run-state-snapshot", "instance": {"status": "done"}})
    done = typescript.run(line + "\n", "--errors")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["valid"] is False
    assert {"pointer": "/status", "keyword": "enum",
            "message": 'must be one of "prepared", "running", "completed", "failed", "blocked", '
                       '"cancelled"'} in result["errors"]  # fmt: skip
    assert {"pointer": "/updatedAt", "keyword": "required",
            "message": "required property is missing"} in result["errors"]  # fmt: skip
    assert "" not in {e["pointer"] for e in result["errors"]}


def test_the_command_refuses_a_line_it_cannot_read() -> None:
    """An unknown schema or a line that is not JSON is a usage error naming the line: exit 2."""
    good = json.dumps({"schema": "run-identifier", "instance": "run-1"})
    done = typescript.run(f'{good}\n{{"schema": "nope", "instance": 1}}\n')
    assert (done.returncode, done.stdout) == (2, "true\n")
    assert done.stderr.startswith('baa-contracts-validate: line 2: schema "nope" is not one of: ')
    done = typescript.run(f"{good}\nNaN\n")
    assert done.returncode == 2
    assert done.stderr.startswith("baa-contracts-validate: line 2: not JSON")


def test_depth_is_refused_not_a_crash() -> None:
    """Nesting beyond 254 levels is invalid (the rule every validator applies), never a stack
    overflow, even 100,000 levels deep; 254 levels validate."""
    lines = "".join(
        f'{{"schema": "structured-value", "instance": {"[" * n + "]" * n}}}\n'
        for n in (100_000, 255, 254)
    )
    done = typescript.run(lines, "--errors")
    assert done.returncode == 0, done.stderr
    very_deep, too_deep, deepest = map(json.loads, done.stdout.splitlines())
    message = "nested deeper than 254 arrays and objects"
    for refused in (very_deep, too_deep):
        assert refused == {
            "valid": False,
            "errors": [{"pointer": "/0" * 254, "keyword": "i-json", "message": message}],
        }
    assert deepest == {"valid": True, "errors": []}


INSTALL = "npm pack ../baa-conductor/generated/typescript\n"
FENCE = re.compile(r"^```sh\n(.*?)^```$", re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("readme", ["README.md", "generated/typescript/README.md"])
def test_a_new_node_project_installs_the_package_as_the_readme_says(
    readme: str, tmp_path: Path
) -> None:
    """The README's install commands, word for word, in an empty directory beside a checkout:
    the package installs from its tarball, pinned, and works."""
    typescript.require()
    blocks = [b for b in FENCE.findall((ROOT / readme).read_text("utf-8")) if b.startswith(INSTALL)]
    assert len(blocks) == 1, f"{readme} has no install block starting {INSTALL!r}"
    (tmp_path / "baa-conductor").symlink_to(ROOT)
    project = tmp_path / "my-project"
    project.mkdir()
    # Offline where the cache has ajv already; quiet about audits. The commands stay as written.
    env = {**os.environ, "npm_config_prefer_offline": "true", "npm_config_audit": "false",
           "npm_config_fund": "false", "npm_config_update_notifier": "false"}  # fmt: skip
    env.pop("NODE_PATH", None)
    done = subprocess.run(["sh", "-ec", blocks[0]], cwd=project, env=env, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    version = (ROOT / "schemas" / "VERSION").read_text("utf-8").strip()
    assert done.stdout.endswith(f"{version} true\n"), done.stdout
    manifest = json.loads((project / "package.json").read_text("utf-8"))
    tarball = f"baa-conductor-contracts-{version}.tgz"
    assert manifest["dependencies"] == {"@baa-conductor/contracts": f"file:{tarball}"}
    lock = json.loads((project / "package-lock.json").read_text("utf-8"))
    assert lock["packages"]["node_modules/@baa-conductor/contracts"]["integrity"].startswith(
        "sha512-"
    )


def test_the_tarball_is_the_same_bytes_every_time(tmp_path: Path) -> None:
    """`npm pack` of the same files gives the same tarball, whatever their mtimes (the sha512
    consumers' lock files record is the release asset's: docs/releasing.md)."""
    typescript.require()
    digests = []
    for copy, mtime in (("a", 1e9), ("b", 2e9)):
        package = shutil.copytree(ROOT / "generated" / "typescript", tmp_path / copy / "package")
        for path in package.rglob("*"):
            os.utime(path, (mtime, mtime))
        subprocess.run(["npm", "pack", "--silent", "--pack-destination", str(tmp_path / copy),
                        str(package)], check=True, capture_output=True)  # fmt: skip
        (tarball,) = (tmp_path / copy).glob("*.tgz")
        digests.append(hashlib.sha256(tarball.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_the_release_asset_installs_by_its_url(tmp_path: Path) -> None:
    """`npm install <URL of the tarball>`, as the READMEs offer for a release asset, installs the
    package and pins it: the URL in package.json, its sha512 in the lock file (a real HTTP server
    on the loopback interface serves the tarball)."""
    typescript.require()
    assets = tmp_path / "assets"
    assets.mkdir()
    subprocess.run(["npm", "pack", "--silent", "--pack-destination", str(assets),
                    str(ROOT / "generated" / "typescript")], check=True, capture_output=True)  # fmt: skip
    (tarball,) = assets.glob("*.tgz")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(assets))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{tarball.name}"
        project = tmp_path / "my-project"
        project.mkdir()
        env = {**os.environ, "npm_config_prefer_offline": "true", "npm_config_audit": "false",
               "npm_config_fund": "false", "npm_config_update_notifier": "false"}  # fmt: skip
        env.pop("NODE_PATH", None)
        done = subprocess.run(["npm", "install", url], cwd=project, env=env, capture_output=True,
                              text=True, timeout=300, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
    finally:
        server.shutdown()
        server.server_close()
    manifest = json.loads((project / "package.json").read_text("utf-8"))
    assert manifest["dependencies"] == {"@baa-conductor/contracts": url}
    locked = json.loads((project / "package-lock.json").read_text("utf-8"))["packages"]
    assert locked["node_modules/@baa-conductor/contracts"]["resolved"] == url
    assert locked["node_modules/@baa-conductor/contracts"]["integrity"].startswith("sha512-")
    check = "import { validate } from '@baa-conductor/contracts'; console.log(validate('run-identifier', '..').errors[0].message)"
    done = subprocess.run(["node", "--input-type=module", "-e", check], cwd=project, env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.stdout == "not a valid id: must start with an ASCII letter or digit\n", done.stderr
