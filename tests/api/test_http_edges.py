"""What every route shares at the HTTP edge: CORS by kind of route, the limit on failed API keys,
and the methods a path answers (``OPTIONS``, ``405``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from service.db import session_factory
from service.settings import Settings, load_settings
from tests.conftest import API_KEY, AUTH, app_on

WRONG = {"Authorization": "Bearer wrong-key-0123456789"}
ELSEWHERE = "https://elsewhere.example"
APP = "https://app.example"
LIMIT = 10  # RIVALRY_AUTH_FAILURES_PER_MINUTE by default


@contextlib.asynccontextmanager
async def _client(
    settings: Settings, engine: AsyncEngine, address: str = "203.0.113.7", **env: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The app on ``settings`` (with ``env`` read over them), as seen from client ``address``."""
    if env:
        settings = load_settings(
            {
                "DATABASE_URL": "postgresql://unused@localhost/unused",
                "RIVALRY_DATA_DIR": str(settings.data_dir),
                "RIVALRY_RATE_LIMIT_PER_MINUTE": "0",
                "RIVALRY_API_KEYS": API_KEY,
                "RIVALRY_LOG_LEVEL": settings.log_level,
                **env,
            }
        )
    app = app_on(settings, engine)
    app.state.engine = engine
    app.state.sessionmaker = session_factory(engine)
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        yield client


def _preflight(method: str, origin: str = ELSEWHERE, headers: str = "authorization") -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers}


# CORS: reads are open to every origin by default, writes only to origins configured by name.


async def test_write_preflights_from_an_unconfigured_origin_are_not_allowed(
    settings: Settings, engine: AsyncEngine
) -> None:
    async with _client(settings, engine) as client:
        for method, path in (("DELETE", "/api/v1/documents/some-id"), ("POST", "/api/v1/documents")):
            preflight = await client.options(path, headers=_preflight(method))
            assert preflight.status_code in (204, 400, 403), (method, preflight.status_code)
            assert "access-control-allow-origin" not in preflight.headers, (method, dict(preflight.headers))
        delete = await client.delete("/api/v1/documents/some-id", headers={"Origin": ELSEWHERE})
        assert delete.status_code == 401
        assert "access-control-allow-origin" not in delete.headers
        post = await client.post("/api/v1/documents", json={"text": "x"}, headers={"Origin": ELSEWHERE, **WRONG})
        assert post.status_code == 401
        assert "access-control-allow-origin" not in post.headers


async def test_reads_stay_open_to_every_origin(settings: Settings, engine: AsyncEngine) -> None:
    async with _client(settings, engine) as client:
        for method in ("GET", "HEAD"):
            preflight = await client.options("/api/v1/documents", headers=_preflight(method, headers="if-none-match"))
            assert preflight.status_code == 204, method
            assert preflight.headers["access-control-allow-origin"] == "*", method
            assert method in preflight.headers["access-control-allow-methods"]
        read = await client.get("/health", headers={"Origin": ELSEWHERE})
        assert read.headers["access-control-allow-origin"] == "*"
        assert "ETag" in read.headers["access-control-expose-headers"]
        plain = await client.get("/health")
        assert not [name for name in plain.headers if name.startswith("access-control-")]


async def test_write_routes_answer_the_origins_configured_by_name(settings: Settings, engine: AsyncEngine) -> None:
    async with _client(settings, engine, RIVALRY_CORS_ORIGINS=f"*, {APP}") as client:
        preflight = await client.options(
            "/api/v1/documents/some-id", headers=_preflight("DELETE", APP, "authorization, content-type")
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == APP
        assert "Origin" in preflight.headers["vary"]
        assert "DELETE" in preflight.headers["access-control-allow-methods"]
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        delete = await client.delete("/api/v1/documents/some-id", headers={"Origin": APP, **AUTH})
        assert delete.status_code == 404
        assert delete.headers["access-control-allow-origin"] == APP
        assert "Retry-After" in delete.headers["access-control-expose-headers"]
        # "*" opens the reads, never the writes.
        other = await client.options("/api/v1/documents", headers=_preflight("POST"))
        assert "access-control-allow-origin" not in other.headers
        read = await client.options("/api/v1/documents", headers=_preflight("GET"))
        assert read.headers["access-control-allow-origin"] == "*"


# Failed API keys: their own limit per client address, whatever the rate limit says.


async def test_failed_keys_are_limited_per_client_then_429_with_retry_after(
    settings: Settings, engine: AsyncEngine
) -> None:
    assert settings.rate_limit_per_minute == 0  # the general rate limit is off
    async with _client(settings, engine) as client:
        failures = [(await client.delete("/api/v1/documents/some-id", headers=WRONG)).status_code for _ in range(LIMIT)]
        assert failures == [401] * LIMIT
        limited = await client.post("/api/v1/documents", json={"text": "x"}, headers=WRONG)
        assert limited.status_code == 429
        assert 0 < int(limited.headers["retry-after"]) <= 60
        assert limited.headers["content-type"].startswith("application/problem+json")
        assert limited.json()["status"] == 429
        # Once limited, a right key is not tried either: its answer would tell a guess that hit.
        assert (await client.delete("/api/v1/documents/some-id", headers=AUTH)).status_code == 429
        # Reads are not API-key routes: they go on.
        assert (await client.get("/health")).status_code == 200
    async with _client(settings, engine, address="198.51.100.9") as other:
        assert (await other.delete("/api/v1/documents/some-id", headers=WRONG)).status_code == 401
        assert (await other.delete("/api/v1/documents/some-id", headers=AUTH)).status_code == 404


async def test_successful_and_missing_keys_do_not_count_as_failures(settings: Settings, engine: AsyncEngine) -> None:
    async with _client(settings, engine) as client:
        for _ in range(3 * LIMIT):
            assert (await client.delete("/api/v1/documents/some-id", headers=AUTH)).status_code == 404
            assert (await client.delete("/api/v1/documents/some-id")).status_code == 401
        statuses = [
            (await client.delete("/api/v1/documents/some-id", headers=WRONG)).status_code for _ in range(LIMIT + 1)
        ]
    assert statuses == [401] * LIMIT + [429]


async def test_concurrent_guesses_get_no_more_tries_than_the_limit(settings: Settings, engine: AsyncEngine) -> None:
    async with _client(settings, engine) as client:
        responses = await asyncio.gather(
            *(client.delete("/api/v1/documents/some-id", headers=WRONG) for _ in range(40))
        )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [401] * LIMIT + [429] * (40 - LIMIT)


def test_failed_auth_limit_restarts_each_window_and_forgets_old_clients() -> None:
    from service.http.auth import FailedAuthLimit, TooManyFailures

    now = [1000.0]
    limit = FailedAuthLimit(per_minute=2, max_clients=3, clock=lambda: now[0])
    limit.attempt("a")
    limit.attempt("a")
    with pytest.raises(TooManyFailures) as limited:
        limit.attempt("a")
    assert limited.value.status == 429
    assert limited.value.headers["Retry-After"] == "60"
    now[0] += 45.5
    with pytest.raises(TooManyFailures) as later:
        limit.attempt("a")
    assert later.value.headers["Retry-After"] == "15"
    now[0] += 15
    limit.attempt("a")  # a new window
    limit.take_back("a")
    limit.attempt("a")
    for client in ("b", "c", "d", "e"):
        limit.attempt(client)
    assert len(limit) == 3  # bounded: the clients whose window began first are forgotten
    now[0] += 61
    limit.attempt("f")
    assert len(limit) == 1  # windows that ended are dropped as new failures come in


def test_the_failed_auth_limit_is_a_setting(settings: Settings) -> None:
    assert settings.auth_failures_per_minute == LIMIT
    changed = load_settings({"RIVALRY_DATA_DIR": str(settings.data_dir), "RIVALRY_AUTH_FAILURES_PER_MINUTE": "3"})
    assert changed.auth_failures_per_minute == 3


# The methods of a path: OPTIONS lists them all, 405 answers carry the same list.

ALLOW = {
    "/api/v1/documents": "GET, HEAD, OPTIONS, POST",
    "/api/v1/documents/some-id": "DELETE, GET, HEAD, OPTIONS",
    "/api/v1/events": "GET, HEAD, OPTIONS",
    "/health": "GET, HEAD, OPTIONS",
}


async def test_options_lists_every_method_of_the_path_head_included(client: httpx.AsyncClient) -> None:
    for path, allow in ALLOW.items():
        response = await client.options(path)
        assert response.status_code == 204, path
        assert response.headers["allow"] == allow, path


async def test_options_agrees_with_the_openapi_document_on_every_path(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/schema/openapi.json")).json()
    for template, operations in spec["paths"].items():
        path = template.replace("{", "").replace("}", "")
        methods = {m.upper() for m in operations if m in ("get", "post", "put", "patch", "delete")}
        expected = methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
        response = await client.options(path)
        assert set(response.headers["allow"].split(", ")) == expected, template


async def test_405_answers_carry_allow_with_the_same_list(client: httpx.AsyncClient) -> None:
    for method, path in (
        ("PUT", "/api/v1/documents"),
        ("PATCH", "/api/v1/documents/some-id"),
        ("POST", "/health"),
        ("DELETE", "/api/v1/events"),
    ):
        response = await client.request(method, path, headers=AUTH)
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == ALLOW[path], (method, path)
        assert response.headers["content-type"].startswith("application/problem+json")
