"""Frontends generate their client from /schema/openapi.json: generate one with openapi-typescript
(no warnings), type-check a usage file and a tour with tsc --strict (enums, nullables, envelopes
and problems included), then run the tour with openapi-fetch against live servers: list
organisations, read one and its events, follow a cursor, search, read a problem, stream an export,
ingest and retract an article with an API key.

The Node tools (tests/api/typescript/package.json, exact versions in its lock file) are installed
under .cache/ once. Needs node and npm (CI has them); skipped with a message only where absent.
The server the tours write to is started here, for tests/api/test_python_client.py too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from service import migrate
from tests.conftest import API_KEY, ROOT, server_process
from tests.database import fresh_database

SOURCE = Path(__file__).parent / "typescript"
WORK = ROOT / ".cache" / "typescript-client"
MANIFESTS = ("package.json", "package-lock.json")


def node_tools() -> Path:
    """The directory of the installed Node tools' executables (``npm ci`` when the manifests changed)."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("node/npm are not installed: the generated TypeScript client and the linter need them")
    WORK.mkdir(parents=True, exist_ok=True)
    manifests = [(SOURCE / name).read_bytes() for name in MANIFESTS]
    digest = hashlib.sha256(b"\0".join(manifests)).hexdigest()
    stamp = WORK / ".installed"
    if not (stamp.exists() and stamp.read_text() == digest and (WORK / "node_modules").is_dir()):
        for name, content in zip(MANIFESTS, manifests, strict=True):
            (WORK / name).write_bytes(content)
        install = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=WORK,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert install.returncode == 0, install.stdout + install.stderr
        stamp.write_text(digest)
    return WORK / "node_modules" / ".bin"


def served_document(base: str, into: Path) -> Path:
    """The server's OpenAPI document, saved as ``into/openapi.json``."""
    into.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(f"{base}/schema/openapi.json", timeout=10) as response:
        (into / "openapi.json").write_bytes(response.read())
    return into / "openapi.json"


@contextlib.contextmanager
def tour_write_server(pg_server: str, log: Path) -> Iterator[str]:
    """A server on an empty database of its own, taking ``API_KEY``: what a tour writes (an article
    it ingests, then retracts) stays out of the seeded database the read-only ``live_server`` serves."""
    with fresh_database(pg_server, "tour") as url:
        migrate.upgrade(url)
        with server_process(url, log, RIVALRY_API_KEYS=API_KEY) as (base, _):
            yield base


@pytest.fixture(scope="module")
def write_server(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with tour_write_server(pg_server, tmp_path_factory.mktemp("tour") / "serve.log") as base:
        yield base


def test_generated_typescript_client_type_checks_and_tours_live_servers(live_server: str, write_server: str) -> None:
    tools = node_tools()
    served_document(live_server, WORK)
    for name in ("usage.ts", "tour.ts"):
        shutil.copy(SOURCE / name, WORK / name)
    generate = subprocess.run(
        [str(tools / "openapi-typescript"), "openapi.json", "--output", "api.ts"],
        cwd=WORK,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert generate.returncode == 0, generate.stderr
    said = generate.stdout + generate.stderr
    assert "warn" not in said.lower() and "⚠" not in said, said
    api = (WORK / "api.ts").read_text()
    assert '"/api/v1/events"' in api and "EventPage" in api and "Page_" not in api
    compile_ = subprocess.run(
        [str(tools / "tsc"), "--strict", "--target", "es2022", "--module", "es2022", "--moduleResolution", "bundler",
         "--types", "node", "--outDir", "build", "usage.ts", "tour.ts"],
        cwd=WORK,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert compile_.returncode == 0, compile_.stdout + compile_.stderr
    tour = subprocess.run(
        ["node", "build/tour.js", live_server, write_server, API_KEY],
        cwd=WORK,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tour.returncode == 0, tour.stdout + tour.stderr
    seen = json.loads(tour.stdout.strip().splitlines()[-1])
    assert seen["organisation"] == "openai"
    assert len(set(seen["events"])) == 2 and seen["hits"] >= 1 and seen["exported"] >= 2
    assert seen["problem"] == "https://rivalry.dev/problems/invalid-parameters"
    assert "openai" in seen["created"]["organisations"]
