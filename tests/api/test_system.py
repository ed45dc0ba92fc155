"""Health, readiness, the OpenAPI document and error shape for unknown routes."""

from __future__ import annotations

import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from service import migrate
from service.settings import Settings
from tests.conftest import app_on
from tests.database import fresh_database


async def test_health_answers_without_touching_the_database(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_database_is_at_head(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["migration"] == migrate.head_revision()


async def test_not_ready_when_migrations_are_missing(settings: Settings, pg_server: str) -> None:
    with fresh_database(pg_server, "bare") as url:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with AsyncTestClient(app_on(settings, engine)) as client:
                response = await client.get("/ready")
        finally:
            await engine.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 503
    assert "rivalry migrate" in problem["detail"]


async def test_not_ready_when_database_is_unreachable(settings: Settings) -> None:
    engine: AsyncEngine = create_async_engine(
        "postgresql+asyncpg://nobody@127.0.0.1:1/none", poolclass=NullPool, connect_args={"timeout": 1}
    )
    async with AsyncTestClient(app_on(settings, engine)) as client:
        response = await client.get("/ready")
        documents = await client.get("/api/v1/documents")
    await engine.dispose()
    assert response.status_code == 503
    assert response.json()["title"] == "Service unavailable"
    assert documents.status_code == 503
    assert documents.headers["content-type"].startswith("application/problem+json")
    assert "Traceback" not in documents.text


async def test_openapi_document_is_3_1_and_lists_the_routes(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/documents" in spec["paths"]
    assert "/api/v1/documents/{document_id}" in spec["paths"]
    assert {"/health", "/ready"} <= set(spec["paths"])
    limit = next(p for p in spec["paths"]["/api/v1/documents"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["minimum"] == 1
    assert limit["schema"]["maximum"] == 200


async def test_interactive_docs_page_is_served(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]


async def test_unknown_route_is_a_problem_document(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert set(problem) >= {"type", "title", "status", "detail", "instance"}
    assert problem["instance"] == "/api/v1/nothing-here"


async def test_wrong_method_is_a_problem_document(client: AsyncTestClient[Litestar]) -> None:
    response = await client.put("/api/v1/documents")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_docs_examples_come_from_the_served_data(live_server: str) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=live_server) as http:
        spec = (await http.get("/schema/openapi.json")).json()
    example = spec["paths"]["/api/v1/organisations"]["get"]["responses"]["200"]["content"]["application/json"][
        "examples"
    ]["seeded"]["value"]
    assert example["data"][0]["id"] == "openai"
    assert example["data"][0]["citations"][0]["quote"]
    events = spec["paths"]["/api/v1/events"]["get"]["responses"]["200"]["content"]["application/json"]["examples"]
    assert events["seeded"]["value"]["data"]


async def test_a_server_freezes_what_start_up_built(settings: Settings, seeded_url: str) -> None:
    """A server that owns its engine moves its start-up objects out of the garbage collector's
    sight (full collections walked them all: 138 ms pauses under load)."""
    import gc

    from service.app import create_app

    gc.unfreeze()
    app = create_app(msgspec.structs.replace(settings, database_url=seeded_url))
    try:
        async with AsyncTestClient(app) as served:
            assert (await served.get("/api/v1/events", params={"limit": 1})).status_code == 200
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
