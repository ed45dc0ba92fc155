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


async def test_head_answers_wherever_get_does_with_the_same_headers_and_no_body(
    client: AsyncTestClient[Litestar],
) -> None:
    for path in ("/api/v1/events?limit=5", "/api/v1/organisations", "/health", "/api/v1/events/no-such-event"):
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers["content-length"] == str(len(got.content)), path
        assert head.headers.get("etag") == got.headers.get("etag"), path
        assert head.headers["content-type"] == got.headers["content-type"], path


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


def test_one_kept_alive_connection_carries_whole_responses_of_every_kind(live_server: str) -> None:
    """The real server (``rivalry serve``, whose transport sends each response's writes together):
    on one connection, a list, a HEAD, a 304, a gzipped body, a problem and a streamed export each
    arrive whole and framed, in the order they were asked for."""
    import gzip
    import http.client
    import json
    import urllib.parse

    parts = urllib.parse.urlsplit(live_server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:

        def ask(path: str, method: str = "GET", **headers: str) -> http.client.HTTPResponse:
            connection.request(method, path, headers=headers)
            return connection.getresponse()

        listed = ask("/api/v1/events?limit=200")
        body = listed.read()
        assert listed.status == 200 and len(body) == int(listed.headers["content-length"])
        assert json.loads(body)["data"]
        etag = listed.headers["etag"]

        head = ask("/api/v1/events?limit=200", "HEAD")
        assert (head.status, head.read(), head.headers["etag"]) == (200, b"", etag)

        unchanged = ask("/api/v1/events?limit=200", **{"If-None-Match": etag})
        assert (unchanged.status, unchanged.read()) == (304, b"")

        zipped = ask("/api/v1/events?limit=200", **{"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip"
        assert gzip.decompress(zipped.read()) == body

        missing = ask("/api/v1/events/no-such-event")
        assert missing.status == 404 and json.loads(missing.read())["status"] == 404

        exported = ask("/api/v1/export/events.ndjson")
        lines = exported.read().decode().splitlines()
        assert exported.status == 200 and len(lines) == len(json.loads(body)["data"])
        assert all(json.loads(line)["id"] for line in lines)
    finally:
        connection.close()
