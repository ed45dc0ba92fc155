"""The served OpenAPI document is the contract: schemathesis calls every GET operation of a live
server with generated inputs and checks status codes, content types, response schemas and that
nothing answers 5xx. Examples per operation are bounded so CI stays fast."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig

from service.app import create_app
from service.settings import load_settings

MAX_EXAMPLES = 25


def _get_paths() -> list[str]:
    app = create_app(load_settings({"DATABASE_URL": "postgresql://unused@localhost/unused"}))
    spec = app.openapi_schema.to_schema()
    return sorted(path for path, item in spec["paths"].items() if "get" in item)


GET_PATHS = _get_paths()


# A cursor is opaque and `from`/`to`, `min_usd`/`max_usd` must be ordered: values a schema cannot
# call invalid but the contract answers with a 400 problem. Everything else checks by default.
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ["2XX", "3XX", "400", "404"]}}}
)


@pytest.fixture(scope="session")
def api_schema(live_server: str) -> Any:
    return schemathesis.openapi.from_url(f"{live_server}/schema/openapi.json", config=CONFIG)


def test_the_contract_covers_every_route() -> None:
    assert len(GET_PATHS) >= 25
    for path in ("/api/v1/events", "/api/v1/search", "/api/v1/changes", "/api/v1/export/events.csv", "/metrics"):
        assert path in GET_PATHS


@pytest.mark.parametrize("path", GET_PATHS)
def test_every_get_operation_honours_the_schema(api_schema: Any, path: str) -> None:
    operation = api_schema[path]["GET"]

    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        case.call_and_validate()

    check()


def test_operation_ids_are_named_for_people(api_schema: Any) -> None:
    """Generated clients name their methods after the operation ids: camelCase verbs, unique."""
    schema = api_schema.raw_schema
    ids = [
        operation["operationId"]
        for item in schema["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"(list|get|create|delete|export|search)[A-Z]?[A-Za-z]*", i) for i in ids), ids
    assert {"listEvents", "getEvent", "getOrganisationEvents", "createDocument", "getHealth"} <= set(ids)
    links = schema["paths"]["/api/v1/documents"]["post"]["responses"]["201"]["links"]
    assert {link["operationId"] for link in links.values()} == {"getDocument", "deleteDocument"}
