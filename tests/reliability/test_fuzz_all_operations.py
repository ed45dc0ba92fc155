"""Property-based fuzzing of every operation of /schema/openapi.json, write routes included (with
an API key), and stateful sequences following the spec's links: ingest a document, read it,
retract it. All of schemathesis's checks; bounded examples so CI stays fast. Runs against its own
seeded database, since the write routes change data."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from service import migrate
from service.ingest.pipeline import run_seed
from tests.api.test_openapi_contract import CONFIG
from tests.conftest import API_KEY, AUTH, CORPUS, running_server
from tests.database import fresh_database

MAX_EXAMPLES = 15
WRITE_OPERATIONS = [("POST", "/api/v1/documents"), ("DELETE", "/api/v1/documents/{document_id}")]


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


@pytest.mark.parametrize(("method", "path"), WRITE_OPERATIONS)
def test_write_operations_honour_the_schema(schema: Any, method: str, path: str) -> None:
    operation = schema[path][method]

    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        case.call_and_validate(headers=AUTH)

    check()


def test_write_operations_reject_requests_without_a_key(schema: Any) -> None:
    operation = schema["/api/v1/documents"]["POST"]

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        assert case.call().status_code in (400, 401)

    check()


def test_stateful_sequences_follow_the_links(schema: Any) -> None:
    machine = schema.as_state_machine()

    class AuthenticatedMachine(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": AUTH}

    # Derandomized: from a random seed, a run occasionally generated a boolean for a list query
    # parameter (`payer=true`) and reported the 200 as "negative data accepted", but on the wire a
    # query value is text and "true" is a valid name. A fixed seed keeps CI's verdict stable; the
    # per-operation tests above still explore freely.
    AuthenticatedMachine.run(
        settings=settings(
            max_examples=10,
            stateful_step_count=4,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
