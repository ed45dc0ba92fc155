"""Hostile input: SQL meta-characters and huge values in every parameter, odd characters in bodies,
a 5 MB article, texts past spaCy's length limit, 100 concurrent posts of one text, a retraction racing
reads, publication dates at the ends of the calendar, invisible texts, bodies nested deep or not UTF-8.
Nothing may answer 5xx, lose data or duplicate it."""

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


async def test_a_text_longer_than_spacy_max_length_is_ingested(client: httpx.AsyncClient) -> None:
    text = _big_article(1_100_000)
    assert len(text) > 1_000_001  # spaCy's default max_length
    response = await client.post("/api/v1/documents", json={"text": text}, headers=AUTH, timeout=300)
    assert response.status_code == 201, response.text[:300]
    assert response.json()["document"]["char_count"] == len(text)


async def test_one_sentence_of_1_2_million_characters_is_ingested(client: httpx.AsyncClient) -> None:
    text = "mot " * 300_000  # no punctuation, no line break: one sentence for the cleaner
    response = await client.post("/api/v1/documents", json={"text": text}, headers=AUTH, timeout=300)
    assert response.status_code == 201, response.text[:300]
    assert response.json()["document"]["char_count"] == 1_200_000


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


async def test_relative_dates_beyond_the_calendar_are_kept_as_text_without_a_value(
    client: httpx.AsyncClient,
) -> None:
    cases = {
        "0001-01-01": "Mardi, Elon Musk a poursuivi OpenAI en justice. Hier, Microsoft a investi "
        "10 milliards de dollars dans OpenAI. Il y a trois jours, xAI a levé 6 milliards d’euros.\n",
        "9999-12-31": "L’année prochaine, OpenAI lèvera 40 milliards de dollars. Le mois prochain, "
        "Microsoft investira 5 milliards d’euros chez Mistral AI. D’ici deux ans, xAI rachètera X.\n",
    }
    for published_on, text in cases.items():
        response = await client.post(
            "/api/v1/documents", json={"text": text, "published_on": published_on}, headers=AUTH
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["document"]["published_on"] == published_on
        for event_id in body["created"]["events"]:
            event = (await client.get(f"/api/v1/events/{event_id}")).json()
            assert event["occurred_on"] is None, event
        for funding_id in body["created"]["funding"]:
            funding = (await client.get(f"/api/v1/funding/{funding_id}")).json()
            assert funding["amount_usd"] is not None, funding  # the FX table's nearest year
        assert body["created"]["funding"]


INVISIBLE = [
    "\u200b\u200c\u200d\u2060\ufeff",
    "\u0301\u0308\u0327",
    " \u200b\n\u00a0\u0301\t\ufeff\u2028 ",
    "\u00ad\u200e\u200f\u202e\u2066\u3164",
]


async def test_a_text_of_invisible_characters_is_an_empty_text(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    for text in INVISIBLE:
        response = await client.post("/api/v1/documents", json={"text": text}, headers=AUTH)
        assert response.status_code == 400, (text, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["param"] for e in response.json()["errors"]] == ["text"]
    visible = await client.post("/api/v1/documents", json={"text": "\u200bOpenAI\u200b"}, headers=AUTH)
    assert visible.status_code == 201, visible.text
    assert await conn.scalar(select(func.count()).select_from(Document)) == 1


async def test_deeply_nested_and_non_utf8_bodies_are_400(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    cases: list[tuple[bytes, str | None]] = [
        (b'{"text": "ok", "title": ' + b"[" * 1000 + b"]" * 1000 + b"}", "title"),
        (b'{"text": "ok", "title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "title"),
        (b'{"text": "Sam Altman dirige OpenAI \xff."}', None),
        (b'{"text": "ok", "title": "caf\xe9"}', None),
        (b'{"text": "ok", "title": "\xed\xa0\x80"}', None),
    ]
    for raw, param in cases:
        response = await client.post("/api/v1/documents", content=raw, headers=headers)
        assert response.status_code == 400, (raw[:60], response.text[:300])
        assert response.headers["content-type"].startswith("application/problem+json")
        if param is not None:
            assert param in [e["param"] for e in response.json().get("errors", [])], response.json()
    assert await conn.scalar(select(func.count()).select_from(Document)) == 0


async def test_a_body_that_is_not_json_is_a_400_naming_the_body(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    for raw in (b'\xff{"text": "ok"}', b'{"text": "ok"}\xff', b'{"text": "ok", \xff: 1}', b"{not json", b'{"text": "'):
        response = await client.post("/api/v1/documents", content=raw, headers=headers)
        assert response.status_code == 400, (raw, response.text[:300])
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["param"] for e in response.json().get("errors", [])] == ["body"], (raw, response.json())
    assert await conn.scalar(select(func.count()).select_from(Document)) == 0


RELATIVE = (
    "Hier, Microsoft a investi 10 milliards de dollars dans OpenAI. Elon Musk a annoncé hier une action en "
    "justice contre OpenAI. L'an prochain, OpenAI lèvera 40 milliards de dollars, et dans trois ans xAI "
    "rachètera X pour 33 milliards de dollars.\n"
)


async def test_hier_l_an_prochain_and_dans_trois_ans_at_the_ends_of_the_calendar(client: httpx.AsyncClient) -> None:
    for published_on in ("0001-01-01", "9999-12-31"):
        response = await client.post(
            "/api/v1/documents",
            json={"text": f"{published_on}\n{RELATIVE}", "published_on": published_on},
            headers=AUTH,
        )
        assert response.status_code == 201, (published_on, response.text[:300])
        body = response.json()
        assert body["document"]["published_on"] == published_on
        assert body["created"]["events"], published_on
        for event_id in body["created"]["events"]:
            event = await client.get(f"/api/v1/events/{event_id}")
            assert event.status_code == 200, event.text[:300]


async def test_a_text_over_spacy_s_limit_dated_at_the_end_of_the_calendar_is_ingested(
    client: httpx.AsyncClient,
) -> None:
    text = RELATIVE + _big_article(1_100_000)
    assert len(text) > 1_000_000  # spaCy's default max_length
    response = await client.post(
        "/api/v1/documents", json={"text": text, "published_on": "9999-12-31"}, headers=AUTH, timeout=300
    )
    assert response.status_code == 201, response.text[:300]
    assert response.json()["document"]["char_count"] == len(text)
