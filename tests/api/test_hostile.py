"""Hostile input: SQL meta-characters and huge values in every parameter, odd characters in bodies,
a 5 MB article, 100 concurrent posts of one text, a retraction racing reads. Nothing may answer 5xx,
lose data or duplicate it."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from service.models import Document
from tests.conftest import AUTH

HOSTILE = [
    "' OR '1'='1",
    "1; DROP TABLE documents; --",
    "%_%",
    "\\",
    '"); SELECT pg_sleep(5); --',
    "x" * 5000,
    "🚀" * 200,
    "２０２５-０１-０１",
    "-1",
    "1e309",
    "null",
]
KNOWN_IDS = {
    "document_id": None,
    "organisation_id": "openai",
    "person_id": "elon-musk",
    "event_id": None,
    "funding_id": None,
    "rivalry_id": "elon-musk--sam-altman",
}


async def test_no_parameter_value_causes_a_server_error(seeded_client: AsyncTestClient[Litestar]) -> None:
    spec = (await seeded_client.get("/schema/openapi.json")).json()
    checked = 0
    for path, item in spec["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        params = operation.get("parameters", [])
        for hostile in HOSTILE:
            url = path
            for p in params:
                if p["in"] == "path":
                    url = url.replace("{" + p["name"] + "}", KNOWN_IDS.get(p["name"]) or hostile)
            for p in params:
                if p["in"] != "query":
                    continue
                response = await seeded_client.get(url, params={p["name"]: hostile})
                checked += 1
                assert response.status_code < 500, (url, p["name"], hostile[:40], response.text[:300])
            if not any(p["in"] == "query" for p in params):
                response = await seeded_client.get(url)
                assert response.status_code < 500, (url, response.text[:300])
    assert checked > 300
    total = (await seeded_client.get("/api/v1/documents", params={"count": "true"})).json()["meta"]["total"]
    assert total == 5


async def test_body_fields_are_stored_verbatim_whatever_they_contain(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    title = "'; DROP TABLE documents; -- \u202e\u200b 🚀"
    text = "Sam Altman dirige OpenAI.\x07 Caractères de contrôle \x1b[31m et guillemets « » ‘’.\n" * 3
    response = await client.post(
        "/api/v1/documents", json={"text": text, "title": title, "publisher": "x" * 300}, headers=AUTH
    )
    assert response.status_code == 201, response.text
    detail = (await client.get(f"/api/v1/documents/{response.json()['document']['id']}")).json()
    assert detail["text"] == text
    assert detail["title"] == title
    too_long = await client.post("/api/v1/documents", json={"text": "ok", "publisher": "x" * 301}, headers=AUTH)
    assert too_long.status_code == 400
    assert await conn.scalar(select(func.count()).select_from(Document)) == 1


def _big_article(size: int) -> str:
    from bench.corpus import article

    rng = random.Random(5)
    parts: list[str] = []
    length = 0
    while length < size:
        body, _ = article(rng)
        parts.append(body)
        length += len(body.encode())
    return "\n".join(parts)


async def test_a_5_mb_article_is_ingested(client: httpx.AsyncClient) -> None:
    text = _big_article(5 * 1024 * 1024)
    response = await client.post("/api/v1/documents", json={"text": text}, headers=AUTH, timeout=300)
    assert response.status_code == 201, response.text[:300]
    document = response.json()["document"]
    assert document["char_count"] == len(text)
    assert document["fact_counts"]["funding"] > 100


async def test_100_concurrent_posts_of_one_text_make_one_document(committed_client: httpx.AsyncClient) -> None:
    client = committed_client
    text = "Publié le 3 avril 2025\nNvidia a annoncé un investissement de 5 milliards de dollars dans Intel.\n"
    responses = await asyncio.gather(
        *(client.post("/api/v1/documents", json={"text": text}, headers=AUTH) for _ in range(100))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 99 + [201]
    assert len({r.json()["document"]["id"] for r in responses}) == 1
    listing = (await client.get("/api/v1/documents", params={"count": "true"})).json()
    assert listing["meta"]["total"] == 1


async def test_a_retraction_racing_reads_gives_no_server_error(committed_client: httpx.AsyncClient) -> None:
    client = committed_client
    text = "Elon Musk a intenté une action en justice contre OpenAI et Sam Altman.\n"
    created = (await client.post("/api/v1/documents", json={"text": text}, headers=AUTH)).json()
    doc_id = created["document"]["id"]
    event_ids = created["created"]["events"]

    async def read() -> list[int]:
        codes = [(await client.get(f"/api/v1/documents/{doc_id}")).status_code]
        codes += [(await client.get(f"/api/v1/events/{e}")).status_code for e in event_ids]
        codes.append((await client.get("/api/v1/events", params={"organisation": "openai"})).status_code)
        return codes

    results: list[Any] = await asyncio.gather(
        read(), read(), client.delete(f"/api/v1/documents/{doc_id}", headers=AUTH), read(), read()
    )
    codes = [c for r in results if isinstance(r, list) for c in r]
    assert all(code in (200, 404) for code in codes), codes
    assert results[2].status_code == 204
    assert (await client.get(f"/api/v1/documents/{doc_id}")).status_code == 404
