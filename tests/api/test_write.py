"""POST and DELETE /api/v1/documents: keys, the pipeline on one article, corroboration, retraction, limits."""

from __future__ import annotations

from typing import Any

import httpx
import structlog
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from service.http.auth import hash_key
from service.models import ApiKey, Citation, Document, Event
from tests.conftest import API_KEY, AUTH

FIRST = (
    "Publié le 12 mars 2025\n"
    "Elon Musk a intenté une action en justice contre OpenAI, accusant la société de Sam Altman "
    "d’avoir trahi sa mission. Le milliardaire réclame des dommages et intérêts.\n"
)
SECOND = (
    "Publié le 20 mars 2025\n"
    "Le procès opposant les deux hommes s’annonce long. Musk a poursuivi OpenAI en justice l’an dernier, "
    "selon Reuters, et la rivalité entre Elon Musk et Sam Altman ne faiblit pas.\n"
)


async def _post(client: httpx.AsyncClient, text: str, **extra: Any) -> httpx.Response:
    return await client.post("/api/v1/documents", json={"text": text, **extra}, headers=AUTH)


async def _created(client: httpx.AsyncClient, body: dict[str, Any], type_: str) -> str:
    """The one event of this type a post created (an article also yields statements and the like)."""
    ids = [i for i in body["created"]["events"] if (await client.get(f"/api/v1/events/{i}")).json()["type"] == type_]
    assert len(ids) == 1, (type_, body["created"]["events"])
    return ids[0]


async def test_write_routes_need_a_key(client: httpx.AsyncClient) -> None:
    missing = await client.post("/api/v1/documents", json={"text": FIRST})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert missing.headers["content-type"].startswith("application/problem+json")
    wrong = await client.post("/api/v1/documents", json={"text": FIRST}, headers={"Authorization": "Bearer nope-nope"})
    assert wrong.status_code == 401
    assert "invalid_token" in wrong.headers["www-authenticate"]
    basic = await client.delete("/api/v1/documents/x", headers={"Authorization": f"Basic {API_KEY}"})
    assert basic.status_code == 401


async def test_keys_created_on_the_command_line_work_until_revoked(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    await conn.execute(
        insert(ApiKey).values(name="ci", key_hash=hash_key("rk_cli-made-key-123456"), key_prefix="rk_cli")
    )
    ok = await client.post(
        "/api/v1/documents", json={"text": FIRST}, headers={"Authorization": "Bearer rk_cli-made-key-123456"}
    )
    assert ok.status_code == 201
    assert await conn.scalar(select(ApiKey.last_used_at)) is not None  # what `rivalry apikey list` shows
    await conn.execute(ApiKey.__table__.update().values(revoked_at=func.now()))
    revoked = await client.post(
        "/api/v1/documents", json={"text": SECOND}, headers={"Authorization": "Bearer rk_cli-made-key-123456"}
    )
    assert revoked.status_code == 401


async def test_posting_an_article_runs_the_pipeline_and_is_idempotent(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    created = await _post(client, FIRST, title="Musk attaque OpenAI", publisher="Exemple")
    assert created.status_code == 201, created.text
    body = created.json()
    document = body["document"]
    assert document["title"] == "Musk attaque OpenAI"
    assert document["published_on"] == "2025-03-12"
    assert {"elon-musk", "openai", "sam-altman"} <= set(body["created"]["organisations"] + body["created"]["people"])
    assert body["created"]["events"]
    again = await _post(client, FIRST)
    assert again.status_code == 200
    assert again.json()["document"]["id"] == document["id"]
    assert again.json()["created"]["events"] == []
    assert await conn.scalar(select(func.count()).select_from(Document)) == 1
    detail = (await client.get(f"/api/v1/documents/{document['id']}")).json()
    assert detail["text"] == FIRST
    for note in detail["annotations"]:
        assert FIRST[note["start"] : note["end"]]


async def test_a_second_source_corroborates_and_retraction_undoes_it(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    first = (await _post(client, FIRST)).json()
    lawsuit = await _created(client, first, "lawsuit")
    second = await _post(client, SECOND)
    assert second.status_code == 201
    assert lawsuit in second.json()["corroborated"]["events"]
    event = (await client.get(f"/api/v1/events/{lawsuit}")).json()
    assert event["source_count"] == 2

    retracted = await client.delete(f"/api/v1/documents/{second.json()['document']['id']}", headers=AUTH)
    assert retracted.status_code == 204
    event = (await client.get(f"/api/v1/events/{lawsuit}")).json()
    assert event["source_count"] == 1
    assert {c["document_id"] for c in event["citations"]} == {first["document"]["id"]}

    await client.delete(f"/api/v1/documents/{first['document']['id']}", headers=AUTH)
    assert (await client.get(f"/api/v1/events/{lawsuit}")).status_code == 404
    assert await conn.scalar(select(func.count()).select_from(Event)) == 0
    assert await conn.scalar(select(func.count()).select_from(Citation)) == 0
    feed = (await client.get("/api/v1/changes", params={"kind": "event", "limit": 200})).json()["data"]
    assert {"kind": "event", "id": lawsuit, "op": "deleted"}.items() <= next(
        c for c in feed if c["id"] == lawsuit and c["op"] == "deleted"
    ).items()
    missing = await client.delete(f"/api/v1/documents/{first['document']['id']}", headers=AUTH)
    assert missing.status_code == 404


async def test_bad_bodies_are_400_problems_and_store_nothing(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    cases: list[tuple[bytes | None, Any, str | None]] = [
        (b"{not json", None, None),
        (None, {}, "text"),
        (None, {"text": ""}, "text"),
        (None, {"text": "   \n\t "}, "text"),
        (None, {"text": 42}, "text"),
        (None, {"text": "ok", "published_on": "mardi"}, "published_on"),
        (None, {"text": "ok", "url": "javascript:alert(1)"}, "url"),
        (None, {"text": "ok", "surprise": True}, None),
        (None, {"text": "nul \u0000 byte"}, "text"),
        (b'{"text": "lone \\ud800 surrogate"}', None, None),
        (b"\xff\xfe not utf-8", None, None),
        (b"[1, 2]", None, None),
    ]
    for raw, payload, param in cases:
        headers = {**AUTH, "Content-Type": "application/json"}
        if raw is not None:
            response = await client.post("/api/v1/documents", content=raw, headers=headers)
        else:
            response = await client.post("/api/v1/documents", json=payload, headers=AUTH)
        assert response.status_code == 400, (raw, payload, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        if param:
            assert param in [e["param"] for e in response.json().get("errors", [])], response.json()
    assert await conn.scalar(select(func.count()).select_from(Document)) == 0


async def test_bodies_over_10_mib_are_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/documents", content=b'{"text": "' + b"a" * (10 * 1024 * 1024) + b'"}', headers=AUTH
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_api_keys_never_reach_the_logs(client: httpx.AsyncClient, settings: Any) -> None:
    import msgspec

    from service.logs import configure_logging

    configure_logging(msgspec.structs.replace(settings, log_level="DEBUG"))
    try:
        with structlog.testing.capture_logs() as logs:
            await client.post("/api/v1/documents", json={"text": FIRST}, headers=AUTH)
            await client.post("/api/v1/documents", json={"text": FIRST}, headers={"Authorization": "Bearer leaked-123"})
    finally:
        configure_logging(settings)
    assert any(entry.get("event") == "http.request" for entry in logs)
    rendered = repr(logs)
    assert API_KEY not in rendered
    assert "leaked-123" not in rendered


def _requests_counted(name: str, status: str) -> float:
    from prometheus_client import REGISTRY

    return sum(
        sample.value
        for metric in REGISTRY.collect()
        for sample in metric.samples
        if sample.name == name and sample.labels.get("status_code") == status
    )


async def test_rate_limit_answers_429_with_retry_after(settings: Any, engine: Any) -> None:
    """... and the request log and metrics count those answers as 429s, not as server errors."""
    import msgspec

    from service.db import session_factory
    from tests.conftest import app_on

    counted_before = _requests_counted("rivalry_requests_total", "429")
    errors_before = _requests_counted("rivalry_requests_error_total", "500")
    limited = app_on(msgspec.structs.replace(settings, rate_limit_per_minute=3), engine)
    limited.state.engine = engine
    limited.state.sessionmaker = session_factory(engine)
    transport = httpx.ASGITransport(app=limited)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        probes = [(await client.get("/health")).status_code for _ in range(5)]
        reads = [(await client.get("/api/v1/documents/none")).status_code for _ in range(4)]
        assert probes == [200] * 5  # probes are never limited
        assert reads == [404, 404, 404, 429]
        limited_response = await client.get("/api/v1/documents/none")
    assert limited_response.status_code == 429
    assert int(limited_response.headers["retry-after"]) > 0
    assert limited_response.headers["content-type"].startswith("application/problem+json")
    assert _requests_counted("rivalry_requests_total", "429") - counted_before == 2
    assert _requests_counted("rivalry_requests_error_total", "500") == errors_before


async def test_retraction_removes_the_participants_and_entities_only_it_reported(client: httpx.AsyncClient) -> None:
    """A second article repeats a deal and names one more investor; deleting it takes that investor
    out of the event and the funding, and the investor itself (it has no other source) with them."""
    first = (
        "Publié le 3 février 2025\n"
        "Microsoft a investi 2 milliards de dollars dans Mistral AI, a annoncé la start-up parisienne.\n"
    )
    second = (
        "Publié le 10 février 2025\n"
        "Microsoft et Nvidia ont investi ensemble 2 milliards de dollars dans Mistral AI, précise un communiqué.\n"
    )
    a = (await _post(client, first)).json()
    c = await _post(client, second)
    assert c.status_code == 201, c.text
    assert "nvidia" in c.json()["created"]["organisations"]
    shared = set(a["created"]["events"]) & set(c.json()["corroborated"]["events"])
    assert shared, (a["created"], c.json()["corroborated"])
    for event_id in shared:
        event = (await client.get(f"/api/v1/events/{event_id}")).json()
        assert "nvidia" in {p["id"] for p in event["participants"]}, event["participants"]

    retracted = await client.delete(f"/api/v1/documents/{c.json()['document']['id']}", headers=AUTH)
    assert retracted.status_code == 204
    assert (await client.get("/api/v1/organisations/nvidia")).status_code == 404
    for event_id in shared:
        event = (await client.get(f"/api/v1/events/{event_id}")).json()
        assert "nvidia" not in {p["id"] for p in event["participants"]}
        assert {"microsoft", "mistral-ai"} <= {p["id"] for p in event["participants"]}
    for funding in (await client.get("/api/v1/funding", params={"limit": 100})).json()["data"]:
        assert "nvidia" not in {p["id"] for p in funding.get("payers", [])}, funding
    feed = (await client.get("/api/v1/changes", params={"kind": "organisation", "limit": 200})).json()["data"]
    assert any(change["id"] == "nvidia" and change["op"] == "deleted" for change in feed), feed
