"""The language model loads at start-up, on the extraction thread, and readiness waits for it: an
orchestrator routes traffic only once the first write no longer waits seconds for the model."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from service import migrate
from service.documents import ingest
from service.settings import Settings
from tests.conftest import API_KEY, AUTH, app_on, server_process
from tests.database import fresh_database
from tests.reliability.test_server_limits import wait_until_ready

ARTICLE = (
    "Mistral AI a levé 600 millions d'euros auprès de General Catalyst, a annoncé la start-up parisienne "
    "mardi. OpenAI, son rival américain, n'a pas commenté."
)


def test_ready_answers_503_until_the_model_is_loaded_and_the_first_write_finds_it_loaded(
    pg_server: str, tmp_path: Path
) -> None:
    with fresh_database(pg_server, "warm") as url:
        migrate.upgrade(url)
        with server_process(url, tmp_path / "serve.log", answers="/health", RIVALRY_API_KEYS=API_KEY) as (base, _):
            # Serving starts while the model loads (seconds): /health answered, /ready not yet.
            loading = httpx.get(f"{base}/ready", timeout=10)
            ready = wait_until_ready(base)
            write = httpx.post(f"{base}/api/v1/documents", json={"text": ARTICLE}, headers=AUTH, timeout=60)

    assert loading.status_code == 503
    assert loading.headers["content-type"].startswith("application/problem+json")
    assert loading.headers["retry-after"] == "2"
    assert loading.json()["detail"] == "The language model is still loading."
    assert ready.status_code == 200
    assert ready.json()["extraction"] == "loaded"
    assert write.status_code == 201, write.text


async def test_readiness_follows_the_load_the_app_started(
    settings: Settings, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_on(settings, engine)
    app.state.engine = engine  # what the lifespan sets; an app built by the tests warms nothing
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        # Its first post loads the model: /ready does not wait for it.
        response = await client.get("/ready")
        assert response.status_code == 200
        assert response.json()["extraction"] == "on first write"

        loading: concurrent.futures.Future[None] = concurrent.futures.Future()
        app.state.extraction = loading
        response = await client.get("/ready")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "2"
        assert response.json()["title"] == "Service unavailable"

        loading.set_exception(OSError("[E050] Can't find model 'fr_core_news_md'"))
        response = await client.get("/ready")
        assert response.status_code == 503
        assert response.json()["detail"] == "The language model could not be loaded; the server log says why."
        assert "E050" not in response.text

        # warm() starts one load per process, however many apps ask for it.
        monkeypatch.setattr(ingest, "_warming", None)
        monkeypatch.setattr(ingest, "_load", lambda: None)
        app.state.extraction = ingest.warm()
        assert ingest.warm() is app.state.extraction
        app.state.extraction.result(timeout=10)
        response = await client.get("/ready")
        assert response.status_code == 200
        assert response.json()["extraction"] == "loaded"
