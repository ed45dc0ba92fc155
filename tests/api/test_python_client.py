"""Python users generate their client from /schema/openapi.json: generate one with
openapi-python-client (no warning, nothing left out), then run a tour with it against live
servers (tests/api/python_client/tour.py): list organisations, read one and its events, follow a
cursor, search, read a problem, stream an export, ingest and retract an article with an API key.

The generator is pinned and installed, with uv, into a virtual environment of its own under
.cache/: it brings its own pins of ruff, pydantic and typer, which would bind the project's lock
(its ruff would become the project's linter). The generated client runs in that environment too,
which holds what it imports (httpx, attrs, python-dateutil).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.test_typescript_client import served_document, tour_write_server
from tests.conftest import API_KEY, ROOT

GENERATOR = "openapi-python-client==0.29.1"
WORK = ROOT / ".cache" / "python-client"
TOUR = Path(__file__).parent / "python_client" / "tour.py"
# Generated code is left as the generator writes it (no ruff pass: nothing reads it but the tour).
# It has no reader for NDJSON; told that the exports' lines are text, it hands them over as a string.
CONFIG = """\
post_hooks: []
content_type_overrides:
  application/x-ndjson: text/plain
"""


@pytest.fixture(scope="module")
def write_server(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with tour_write_server(pg_server, tmp_path_factory.mktemp("tour") / "serve.log") as base:
        yield base


def _generator() -> Path:
    """The Python of the generator's environment (made once per pinned version)."""
    venv = WORK / "venv"
    python = venv / "bin" / "python"
    stamp = WORK / ".installed"
    if stamp.exists() and stamp.read_text() == GENERATOR and python.exists():
        return python
    uv = Path(sys.executable).with_name("uv")
    if not uv.exists():
        pytest.skip("uv (the project's dev tool) is not installed: it installs the Python client generator")
    made = subprocess.run(
        [str(uv), "venv", "--quiet", "--clear", "--python", sys.executable, str(venv)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    installed = subprocess.run(
        [str(uv), "pip", "install", "--quiet", "--python", str(python), GENERATOR],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr
    stamp.write_text(GENERATOR)
    return python


def test_generated_python_client_tours_live_servers(live_server: str, write_server: str, tmp_path: Path) -> None:
    python = _generator()
    document = served_document(live_server, tmp_path)
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG)
    package = tmp_path / "rivalry_client"
    generate = subprocess.run(
        [str(python.with_name("openapi-python-client")), "generate", "--path", str(document), "--meta", "none",
         "--output-path", str(package), "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    said = generate.stdout + generate.stderr
    assert generate.returncode == 0, said
    assert said.strip() == f"Generating {package}", said  # no warning, no part of the API left out
    models = {path.stem for path in (package / "models").glob("*.py")}
    assert {"event_page", "date_precision", "event_type", "event_sort"} <= models
    # One model per enum and per page: none per nullable field (`event_read_date_precision_type_1`) or per
    # parameter (`list_events_type_type_0_item`), none named after a Python generic (`page_event_read`).
    assert not [model for model in models if "_type_" in model], sorted(models)
    assert not [model for model in models if model.startswith("page_") and model != "page_meta"], sorted(models)
    tour = subprocess.run(
        [str(python), str(TOUR), live_server, write_server, API_KEY],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
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
