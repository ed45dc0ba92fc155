"""All of schemathesis over every operation of /schema/openapi.json: its command line, as
`schemathesis run --checks all`, through every phase (the document's examples, the coverage of
each parameter's bounds and types, property-based fuzzing, and stateful sequences following the
document's links: a list to its items, an ingested document to reading and retracting it), the
write routes with an API key. Examples are bounded so CI stays fast, and the seed is fixed so its
verdict is stable. Runs against its own seeded database, since the write routes change data.

The configuration and the hooks (what a failure may be forgiven, and why) are the contract test's:
tests/api/test_openapi_contract.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from service import migrate
from service.ingest.pipeline import run_seed
from tests.api.test_openapi_contract import CONFIG, CONFIG_TOML
from tests.conftest import API_KEY, CORPUS, ROOT, running_server
from tests.database import fresh_database

MAX_EXAMPLES = 8
SEED = 2
PHASES = {"examples", "coverage", "fuzzing", "stateful"}


@pytest.fixture(scope="module")
def writable_server(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(pg_server, "fuzz") as url:
        migrate.upgrade(url)
        asyncio.run(run_seed(url, CORPUS, reset=False, interactive=False))
        log = tmp_path_factory.mktemp("fuzz") / "serve.log"
        # schemathesis sends wrong keys on purpose: the failed-key limit would turn its later
        # valid requests into 429s.
        with running_server(url, log, RIVALRY_API_KEYS=API_KEY, RIVALRY_AUTH_FAILURES_PER_MINUTE="1000000") as base:
            yield base


@pytest.fixture(scope="module")
def schema(writable_server: str) -> Any:
    return schemathesis.openapi.from_url(f"{writable_server}/schema/openapi.json", config=CONFIG)


def test_the_spec_links_ingestion_to_reading_and_retraction(schema: Any) -> None:
    links = schema.raw_schema["paths"]["/api/v1/documents"]["post"]["responses"]["201"]["links"]
    assert set(links) == {"GetDocument", "RetractDocument"}
    listed = schema.raw_schema["paths"]["/api/v1/organisations"]["get"]["responses"]["200"]["links"]
    assert listed["GetOrganisationEvents"]["parameters"] == {"organisation_id": "$response.body#/data/0/id"}


def test_write_operations_reject_requests_without_a_key(schema: Any) -> None:
    operation = schema["/api/v1/documents"]["POST"]

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        assert case.call().status_code in (400, 401)

    check()


def test_schemathesis_checks_all_find_nothing_in_any_operation(writable_server: str, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG_TOML)
    report = tmp_path / "report.json"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        f"{writable_server}/schema/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--header",
        f"Authorization: Bearer {API_KEY}",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    environment = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.api.test_openapi_contract"}
    run = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600)
    assert report.exists(), run.stdout[-4000:] + run.stderr[-4000:]
    verdict = json.loads(report.read_text())
    failures = {failure["title"]: failure["count"] for failure in verdict["failures"]}
    output = run.stdout[-12000:]
    assert failures == {} and verdict["errors"] == [], (failures, verdict["errors"], output)
    assert run.returncode == 0, output
    assert {phase for phase, result in verdict["phases"].items() if result["status"] == "success"} == PHASES, output
    assert verdict["operations"]["tested"] == verdict["operations"]["total"] >= 33
    assert not any(verdict["warnings"].values()), verdict["warnings"]
