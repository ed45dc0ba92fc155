"""Frontends generate their client from /schema/openapi.json: generate one with openapi-typescript
and type-check a usage file with tsc --strict (enums, nullables, envelopes and problems included).

Needs node and npm (present on this project's machines); skipped with a message where absent.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

SOURCE = Path(__file__).parent / "typescript"
WORK = ROOT / ".cache" / "typescript-client"


def _npm_install() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    manifest = (SOURCE / "package.json").read_bytes()
    stamp = WORK / ".installed"
    digest = hashlib.sha256(manifest).hexdigest()
    if stamp.exists() and stamp.read_text() == digest and (WORK / "node_modules").is_dir():
        return
    (WORK / "package.json").write_bytes(manifest)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=WORK,
        check=True,
        capture_output=True,
        timeout=600,
    )
    stamp.write_text(digest)


def test_generated_typescript_client_type_checks(live_server: str) -> None:
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("node/npm are not installed: the TypeScript client check needs them")
    _npm_install()
    with urllib.request.urlopen(f"{live_server}/schema/openapi.json", timeout=10) as response:
        (WORK / "openapi.json").write_bytes(response.read())
    shutil.copy(SOURCE / "usage.ts", WORK / "usage.ts")
    bin_dir = WORK / "node_modules" / ".bin"
    generate = subprocess.run(
        [str(bin_dir / "openapi-typescript"), "openapi.json", "--output", "api.ts"],
        cwd=WORK,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert generate.returncode == 0, generate.stderr
    api = (WORK / "api.ts").read_text()
    assert '"/api/v1/events"' in api and "EventRead" in api
    check = subprocess.run(
        [str(bin_dir / "tsc"), "--noEmit", "--strict", "--target", "es2020", "--module", "es2020",
         "--moduleResolution", "bundler", "usage.ts"],
        cwd=WORK,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
